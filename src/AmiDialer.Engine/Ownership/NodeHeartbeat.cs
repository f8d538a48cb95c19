using System.Reflection;
using AmiDialer.Data.Database;
using AmiDialer.Data.Repositories;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Engine.Ownership;

/// <summary>
/// This process's row in the store's <c>nodes</c> table, so every node's pages, API and CLI list it: registered when
/// the engine starts, beaten every <see cref="DialerEngineOptions.HeartbeatInterval"/> by a timer of this process (a
/// clustered Quartz job would fire on one node only), marked draining when a graceful stop begins and stopped when it
/// ends. A crash writes nothing: readers see the beats age (or, on this host, the process gone).
/// </summary>
internal sealed class NodeHeartbeat(NodeRepository nodes, DialerEngineOptions options, TimeProvider time, ILogger logger, ServerAgreementWatch? agreement = null) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile string _state = NodeStates.Running;
    private int _finished;

    /// <summary>The version every node writes: the informational version (with its commit when the build knew it).</summary>
    public static string Version { get; } =
        typeof(NodeHeartbeat).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(NodeHeartbeat).Assembly.GetName().Version?.ToString() ?? "unknown";

    private NodeRegistration Registration => new(options.InstanceName, Environment.MachineName, LeaseIdentity.Current, Version, options.HeartbeatInterval)
    {
        Servers = options.DescribeServers(),
    };

    /// <summary>
    /// Registers (a store that fails now is tried again at every beat: the node must not refuse to dial for its row),
    /// compares its servers with the other live nodes' before any call, and starts beating.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var registered = await TryAsync(() => nodes.RegisterAsync(Registration, cancellationToken)).ConfigureAwait(false);
        if (registered)
        {
            await CompareServersAsync(cancellationToken).ConfigureAwait(false);
        }

        _loop = Task.Run(() => LoopAsync(registered, _stop.Token), CancellationToken.None);
    }

    /// <summary>Reads every node's servers and hands them to <see cref="ServerAgreementWatch"/>; a failed read keeps the last caps.</summary>
    private async Task CompareServersAsync(CancellationToken cancellationToken)
    {
        if (agreement is not null)
        {
            await TryAsync(async () => agreement.Observe(await nodes.ReadNodesAsync(cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        }
    }

    /// <summary>A graceful stop began: said at once, not at the next beat, so the other nodes' pages show it while calls drain.</summary>
    public void Drain()
    {
        if (_state != NodeStates.Running || Volatile.Read(ref _finished) != 0)
        {
            return;
        }

        _state = NodeStates.Draining;
        _ = TryAsync(() => nodes.BeatAsync(options.InstanceName, NodeStates.Draining, CancellationToken.None));
    }

    private async Task LoopAsync(bool registered, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.HeartbeatInterval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!registered)
            {
                registered = await TryAsync(() => nodes.RegisterAsync(Registration, CancellationToken.None)).ConfigureAwait(false);
            }
            else
            {
                var state = _state;
                var beat = false;
                if (await TryAsync(async () => beat = await nodes.BeatAsync(options.InstanceName, state, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false) && !beat)
                {
                    // The row was deleted under us (by hand, or pruned after a very long stall): write it again.
                    registered = await TryAsync(() => nodes.RegisterAsync(Registration, CancellationToken.None)).ConfigureAwait(false);
                }
            }

            if (registered)
            {
                await CompareServersAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> TryAsync(Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (StoreErrors.IsStoreError(e) || e is InvalidOperationException or TimeoutException)
        {
            if (StoreErrors.IsUnavailable(e))
            {
                logger.StoreUnavailableFor($"Node {options.InstanceName}'s heartbeat", StoreErrors.Reason(e));
            }
            else
            {
                logger.NodeHeartbeatFailed(options.InstanceName, e);
            }

            return false;
        }
    }

    /// <summary>Stops beating; with <paramref name="stopped"/> (a graceful stop, not a crash), writes the last beat as stopped.</summary>
    public async Task StopAsync(bool stopped)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        if (stopped)
        {
            await TryAsync(() => nodes.BeatAsync(options.InstanceName, NodeStates.Stopped, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(stopped: true).ConfigureAwait(false);
        _stop.Dispose();
    }
}
