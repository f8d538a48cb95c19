namespace AmiDialer.Ami;

/// <summary>Base of every error the AMI client reports.</summary>
public class AmiException : Exception
{
    public AmiException()
    {
    }

    public AmiException(string message)
        : base(message)
    {
    }

    public AmiException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The connection dropped while the action was in flight. It may or may not have reached Asterisk: the client never
/// re-sends it, and the caller must not re-send an Originate blindly either (find out from events or CoreShowChannels).
/// </summary>
public sealed class AmiConnectionLostException : AmiException
{
    public AmiConnectionLostException()
    {
    }

    public AmiConnectionLostException(string message)
        : base(message)
    {
    }

    public AmiConnectionLostException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>No logged-in connection when the action was to be written: it was NOT sent, so sending it later is safe.</summary>
public sealed class AmiNotConnectedException : AmiException
{
    public AmiNotConnectedException()
    {
    }

    public AmiNotConnectedException(string message)
        : base(message)
    {
    }

    public AmiNotConnectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Asterisk refused the login (it cannot tell a wrong secret from an unknown user, nor can we).</summary>
public sealed class AmiAuthenticationException : AmiException
{
    public AmiAuthenticationException()
    {
    }

    public AmiAuthenticationException(string message)
        : base(message)
    {
    }

    public AmiAuthenticationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Asterisk answered <c>Response: Error</c>; <see cref="Exception.Message"/> is Asterisk's own text.</summary>
public sealed class AmiActionException : AmiException
{
    public AmiActionException()
    {
    }

    public AmiActionException(string message)
        : base(message)
    {
    }

    public AmiActionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public AmiActionException(string action, AmiMessage response)
        : base(response?.Message ?? "Asterisk answered Response: Error without a message")
    {
        Action = action;
        Response = response;
    }

    public string? Action { get; }

    /// <summary>The whole error response (for Command, its <c>Output</c> lines say why).</summary>
    public AmiMessage? Response { get; }
}

/// <summary>No response within the action's timeout. The action was sent, so it may still take effect.</summary>
public sealed class AmiActionTimeoutException : AmiException
{
    public AmiActionTimeoutException()
    {
    }

    public AmiActionTimeoutException(string message)
        : base(message)
    {
    }

    public AmiActionTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
