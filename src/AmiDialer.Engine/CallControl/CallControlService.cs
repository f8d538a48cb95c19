using System.Collections.Concurrent;
using System.Threading.Channels;
using AmiDialer.Core.Model;
using AmiDialer.Data.Repositories;
using AmiDialer.Engine.Dialing;
using AmiDialer.Engine.Live;
using AmiDialer.Engine.Servers;

namespace AmiDialer.Engine.CallControl;

/// <summary>
/// Live call control on top of the engine: <see cref="TransferAsync"/> (Redirect of a live call by attempt id),
/// the campaigns' on-answer route, and <see cref="StartClickToCallAsync"/> (agent first, then the number), whose
/// outcome <see cref="WaitForEndAsync"/> awaits. Calls go through the engine's servers and tracker, so every event
/// of a redirected or click-to-call call still lands on its attempt and ends it through the one outcome table.
/// Get it from <see cref="DialerEngine.CallControl"/>.
/// </summary>
public sealed partial class CallControlService
{
    private static readonly TimeSpan StorePollInterval = TimeSpan.FromSeconds(1);

    private readonly EngineServices _s;
    private readonly CallControlOptions _options;
    private readonly ClickToCallCampaign _clickToCallCampaign;
    private readonly ClickToCallLeadRepository _clickToCallLeads;
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();

    /// <summary>The originated channel each answered call reported in its OriginateResponse (the <c>;1</c> half).</summary>
    private readonly ConcurrentDictionary<long, string> _answeredChannels = new();

    private readonly Channel<(AmiServer Server, long AttemptId, string Channel, DialplanTarget Target)> _onAnswer =
        Channel.CreateUnbounded<(AmiServer, long, string, DialplanTarget)>(new UnboundedChannelOptions { SingleReader = true });

    internal CallControlService(EngineServices services)
    {
        _s = services;
        _options = services.Options.CallControl;
        _clickToCallCampaign = new ClickToCallCampaign(services);
        _clickToCallLeads = new ClickToCallLeadRepository(services.Database);
        foreach (var server in services.Servers)
        {
            server.Tracker.OriginateAnswered = (attemptId, channel) => OnOriginateAnswered(server, attemptId, channel);
        }

        // Called on the ending's thread rather than fed through a change subscription: a subscriber's pump woke a
        // thread for every change, a thousand a second at 500 calls a second, to act on the few calls waited for.
        services.AttemptEnded += OnAttemptEnded;
        _ = Task.Run(PumpOnAnswerAsync, CancellationToken.None);
    }

    /// <summary>
    /// Waits until the attempt has ended and returns it as stored (outcome, raw values, answer and talk time).
    /// Throws <see cref="CallControlException"/> (<see cref="CallControlError.NotFound"/>) for an unknown id.
    /// </summary>
    public async Task<Attempt> WaitForEndAsync(long attemptId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var signal = _waiters.GetOrAdd(attemptId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var attempt = await _s.Attempts.GetAsync(attemptId, cancellationToken).ConfigureAwait(false)
                ?? throw new CallControlException(CallControlError.NotFound, "id", $"No attempt with id {attemptId}.");
            if (attempt.State == AttemptState.Ended)
            {
                return attempt;
            }

            try
            {
                // The change feed wakes us at once; the store is read again anyway in case a change was dropped.
                await signal.Task.WaitAsync(StorePollInterval, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>The attempt as stored plus, while its call is live here, its channel and answer time. Null for an unknown id.</summary>
    public async Task<CallStatus?> GetCallAsync(long attemptId, CancellationToken cancellationToken = default)
    {
        var attempt = await _s.Attempts.GetAsync(attemptId, cancellationToken).ConfigureAwait(false);
        if (attempt is null)
        {
            return null;
        }

        var server = _s.Servers.FirstOrDefault(s => s.Tracker.IsTracking(attemptId));
        if (attempt.State == AttemptState.Ended || server is null)
        {
            return new CallStatus(attempt, false, null, attempt.AnsweredAt);
        }

        return new CallStatus(attempt, true, ChannelOf(server, attemptId), server.Tracker.CustomerAnsweredAtOf(attemptId) ?? attempt.AnsweredAt);
    }

    private string? ChannelOf(AmiServer server, long attemptId) =>
        server.Tracker.ChannelNameOf(attemptId) ?? (server.Tracker.IsTracking(attemptId) ? _answeredChannels.GetValueOrDefault(attemptId) : null);

    /// <summary>An attempt ended (its ending is on disk): forgets its channel and wakes whoever waits for it. Quick, never blocks.</summary>
    private void OnAttemptEnded(long attemptId)
    {
        _answeredChannels.TryRemove(attemptId, out _);
        if (_waiters.TryRemove(attemptId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>The engine is shutting down: no more on-answer routes.</summary>
    internal void Complete()
    {
        _s.AttemptEnded -= OnAttemptEnded;
        _onAnswer.Writer.TryComplete();
    }
}
