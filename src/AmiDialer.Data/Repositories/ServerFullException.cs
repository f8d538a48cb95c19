namespace AmiDialer.Data.Repositories;

/// <summary>A click-to-call's server has as many open calls as its <c>MaxConcurrentCalls</c>, counted over every process: nothing was written.</summary>
public sealed class ServerFullException : Exception
{
    public ServerFullException()
    {
    }

    public ServerFullException(string message)
        : base(message)
    {
    }

    public ServerFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string? Server { get; init; }

    public int Open { get; init; }
}
