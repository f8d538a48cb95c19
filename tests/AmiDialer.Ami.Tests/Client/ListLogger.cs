using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Ami.Tests.Client;

/// <summary>Keeps every formatted log line (and exception text) so tests can check what was, and was not, logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Text)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception) + (exception is null ? "" : " | " + exception);
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            text += " | " + string.Join(", ", values.Select(v => v.Key + "=" + v.Value));
        }

        Lines.Enqueue((eventId, logLevel, text));
    }

    public string All => string.Join("\n", Lines.Select(l => l.Text));
}
