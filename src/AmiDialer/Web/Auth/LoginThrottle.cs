using System.Collections.Concurrent;

namespace AmiDialer.Web.Auth;

/// <summary>
/// Limits password guessing: after <see cref="MaxFailures"/> failed logins from one address within
/// <see cref="Window"/>, that address may not try again until the oldest of them is older than the window.
/// A successful login clears the address's record. Memory stays bounded: old records are pruned and at most
/// <see cref="MaxTrackedAddresses"/> are kept (past that, the stalest are forgotten first).
/// </summary>
internal sealed class LoginThrottle(TimeProvider time)
{
    public const int MaxFailures = 5;
    public const int MaxTrackedAddresses = 10_000;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, Failures> _byAddress = new(StringComparer.Ordinal);

    /// <summary>How long <paramref name="address"/> must wait before its next attempt; zero when it may try now.</summary>
    public TimeSpan RetryAfter(string address)
    {
        if (!_byAddress.TryGetValue(address, out var failures))
        {
            return TimeSpan.Zero;
        }

        lock (failures)
        {
            var now = time.GetUtcNow();
            failures.Forget(now - Window);
            return failures.Times.Count < MaxFailures ? TimeSpan.Zero : failures.Times.Peek() + Window - now;
        }
    }

    public void Failed(string address)
    {
        var now = time.GetUtcNow();
        if (_byAddress.Count >= MaxTrackedAddresses)
        {
            Prune(now);
        }

        var failures = _byAddress.GetOrAdd(address, _ => new Failures());
        lock (failures)
        {
            failures.Forget(now - Window);
            failures.Times.Enqueue(now);
            while (failures.Times.Count > MaxFailures)
            {
                failures.Times.Dequeue();
            }
        }
    }

    public void Succeeded(string address) => _byAddress.TryRemove(address, out _);

    public int TrackedAddresses => _byAddress.Count;

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, failures) in _byAddress)
        {
            lock (failures)
            {
                failures.Forget(now - Window);
                if (failures.Times.Count == 0)
                {
                    _byAddress.TryRemove(address, out _);
                }
            }
        }

        // Still full of recent failures (many addresses guessing at once): forget the stalest half.
        if (_byAddress.Count >= MaxTrackedAddresses)
        {
            var stalest = _byAddress.OrderBy(e => e.Value.Latest).Take(_byAddress.Count / 2).Select(e => e.Key).ToList();
            foreach (var address in stalest)
            {
                _byAddress.TryRemove(address, out _);
            }
        }
    }

    private sealed class Failures
    {
        public Queue<DateTimeOffset> Times { get; } = new();

        public DateTimeOffset Latest
        {
            get
            {
                lock (this)
                {
                    return Times.Count == 0 ? DateTimeOffset.MinValue : Times.Last();
                }
            }
        }

        public void Forget(DateTimeOffset before)
        {
            while (Times.Count > 0 && Times.Peek() <= before)
            {
                Times.Dequeue();
            }
        }
    }
}
