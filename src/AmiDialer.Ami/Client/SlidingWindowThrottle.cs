using System.Threading.RateLimiting;

namespace AmiDialer.Ami;

/// <summary>
/// A strict sliding-window limiter: at most <c>limit</c> permits in ANY window of <c>window</c> length, with no
/// burst on top (the stock SlidingWindowRateLimiter counts per segment, which lets up to twice the limit through a
/// window straddling two segments). It remembers the time of the last <c>limit</c> grants; a new grant waits until
/// the oldest of them is a full window old. Time comes from a <see cref="TimeProvider"/>, so tests drive it by hand.
/// </summary>
public sealed class SlidingWindowThrottle : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(true, null);
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly long[] _grants;
    private readonly SemaphoreSlim _queue = new(1, 1);
    private readonly Lock _lock = new();
    private int _oldest;
    private int _count;
    private long _totalGranted;
    private long _lastGrant;

    public SlidingWindowThrottle(int limit, TimeSpan window, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _limit = limit;
        _window = window;
        _time = timeProvider ?? TimeProvider.System;
        _grants = new long[limit];
        _lastGrant = _time.GetTimestamp();
    }

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                return _queue.CurrentCount == 0 ? null : _time.GetElapsedTime(_lastGrant);
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _limit - CountInWindow(_time.GetTimestamp()),
                CurrentQueuedCount = _queue.CurrentCount == 0 ? 1 : 0,
                TotalSuccessfulLeases = _totalGranted,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermitCount(permitCount);
        if (permitCount == 0)
        {
            return Granted;
        }

        lock (_lock)
        {
            return TryGrant(out var wait) ? Granted : new Lease(false, wait);
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        if (permitCount == 0)
        {
            return Granted;
        }

        // One waiter at a time, so permits go out in (roughly) arrival order and no waiter starves.
        await _queue.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_lock)
                {
                    if (TryGrant(out wait))
                    {
                        return Granted;
                    }
                }

                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _queue.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _queue.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool TryGrant(out TimeSpan wait)
    {
        var now = _time.GetTimestamp();
        if (_count == _limit)
        {
            var age = _time.GetElapsedTime(_grants[_oldest], now);
            if (age < _window)
            {
                wait = _window - age;
                return false;
            }

            _oldest = (_oldest + 1) % _limit;
            _count--;
        }

        _grants[(_oldest + _count) % _limit] = now;
        _count++;
        _totalGranted++;
        _lastGrant = now;
        wait = TimeSpan.Zero;
        return true;
    }

    private int CountInWindow(long now)
    {
        var n = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_time.GetElapsedTime(_grants[(_oldest + i) % _limit], now) < _window)
            {
                n++;
            }
        }

        return n;
    }

    private static void CheckPermitCount(int permitCount)
    {
        if (permitCount is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), "one permit per action");
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is not null && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = retryAfter.Value;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
