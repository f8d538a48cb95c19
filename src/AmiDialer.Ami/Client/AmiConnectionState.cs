namespace AmiDialer.Ami;

public enum AmiConnectionStatus
{
    /// <summary>Not connected; a reconnect is scheduled unless the client is stopped.</summary>
    Disconnected,

    /// <summary>Opening the socket and logging in.</summary>
    Connecting,

    /// <summary>Logged in; actions can be sent. Each login gets a new <see cref="AmiConnectionState.Generation"/>.</summary>
    Connected,

    /// <summary>Stopped by <see cref="AmiClient.DisposeAsync"/>; final.</summary>
    Stopped,
}

/// <summary>
/// One state of the client's connection. <see cref="Generation"/> goes up by one at every successful login, so a
/// consumer that sees a new generation knows Asterisk may have lost or changed state and must reconcile.
/// </summary>
public sealed record AmiConnectionState(AmiConnectionStatus Status, long Generation, string? Reason, Exception? Error, DateTimeOffset At)
{
    public bool IsConnected => Status == AmiConnectionStatus.Connected;

    public override string ToString() => Reason is null ? $"{Status} (generation {Generation})" : $"{Status} (generation {Generation}): {Reason}";
}
