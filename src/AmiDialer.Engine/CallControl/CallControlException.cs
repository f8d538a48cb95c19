namespace AmiDialer.Engine.CallControl;

/// <summary>Why a call-control request was refused; the CLI and the web map it to exit codes and HTTP statuses.</summary>
public enum CallControlError
{
    /// <summary>No attempt with that id.</summary>
    NotFound,

    /// <summary>The call has ended: there is nothing left to transfer.</summary>
    CallEnded,

    /// <summary>The call exists but has no channel that can be moved yet (not answered, or its server is down).</summary>
    NotConnected,

    /// <summary>A destination context or agent endpoint that the configuration does not allow.</summary>
    NotAllowed,

    /// <summary>A malformed value (number, destination, template).</summary>
    InvalidInput,

    /// <summary>The number is on the do-not-call list.</summary>
    DoNotCall,

    /// <summary>Outside the calling hours in the callee's own zone.</summary>
    OutsideCallingHours,

    /// <summary>The number already has a call in progress.</summary>
    CallInProgress,

    /// <summary>No AMI server is connected with a free call slot.</summary>
    NoServer,

    /// <summary>Asterisk refused the action.</summary>
    Refused,

    /// <summary>A request this kind of call does not support (e.g. transferring a click-to-call).</summary>
    Unsupported,
}

/// <summary>A refused call-control request. <see cref="Field"/> names the input at fault (HTTP field, CLI option), if any.</summary>
public sealed class CallControlException : Exception
{
    public CallControlException()
    {
    }

    public CallControlException(string message)
        : base(message)
    {
    }

    public CallControlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CallControlException(CallControlError error, string? field, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        Field = field;
    }

    public CallControlError Error { get; }

    public string? Field { get; }

    /// <summary>
    /// The configuration key behind a refusal, for operators (the CLI and the log name it); kept out of
    /// <see cref="Exception.Message"/>, which an agent on the click-to-call page reads.
    /// </summary>
    public string? ConfigKey { get; init; }
}
