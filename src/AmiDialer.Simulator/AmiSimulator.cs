using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AmiDialer.Ami;
using Microsoft.Extensions.Logging;

namespace AmiDialer.Simulator;

/// <summary>
/// An AMI server that behaves like the Asterisk recorded in tests/captures. Start it with
/// <see cref="StartAsync(SimulatorOptions?, CancellationToken)"/>, point a client at <see cref="EndPoint"/>,
/// read what clients sent from <see cref="Actions"/>, and script faults with the methods below.
/// </summary>
public sealed class AmiSimulator : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, SimulatorSession> _sessions = new();
    private readonly List<ReceivedAction> _actions = [];
    private readonly Lock _actionsGate = new();
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _freezeGate = new();
    private TaskCompletionSource _unfrozen = CompletedSource();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private int _nextSessionId;
    private long _closeAfterActions = -1;
    private int _garble;
    private int _disposed;

    private AmiSimulator(SimulatorOptions options)
    {
        options.Validate();
        Options = options;
        _logger = options.LoggerFactory.CreateLogger("AmiDialer.Simulator");
        Pbx = new SimulatedPbx(options, Broadcast);
    }

    public SimulatorOptions Options { get; }

    /// <summary>The port actually bound (useful with Port = 0). It stays the same across <see cref="RestartAsync"/>.</summary>
    public int Port { get; private set; }

    public IPEndPoint EndPoint => new(Options.Address, Port);

    /// <summary>Every action received so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<ReceivedAction> Actions
    {
        get
        {
            lock (_actionsGate)
            {
                return _actions.ToArray();
            }
        }
    }

    /// <summary>Open AMI connections.</summary>
    public int ConnectionCount => _sessions.Count;

    /// <summary>Live simulated channels (2 per Local call, 4 per click-to-call).</summary>
    public int LiveChannels => Pbx.LiveChannels;

    /// <summary>Calls still in progress.</summary>
    public int LiveCalls => Pbx.LiveCalls;

    /// <summary>When true, every byte sent goes out in its own TCP write, to test a client's reassembly.</summary>
    public bool SplitFramesAtEveryByte { get; set; }

    /// <summary>True while a restart keeps the port closed.</summary>
    public bool IsDown { get; private set; }

    /// <summary>
    /// How long a restart keeps its connections open, still reading actions, after it broadcast Shutdown (not scaled;
    /// null: 15 ms, scaled). A longer linger lets a test see what a client sends to a server that said it is going down.
    /// </summary>
    public TimeSpan? ShutdownLinger { get; set; }

    /// <summary>When the latest restart broadcast its Shutdown (the simulator's clock), null before any.</summary>
    public DateTimeOffset? ShutdownAnnouncedAt { get; private set; }

    internal SimulatedPbx Pbx { get; }

    /// <summary>Starts listening (loopback, port 0 by default). The one call the CLI and tests need.</summary>
    public static Task<AmiSimulator> StartAsync(SimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var simulator = new AmiSimulator(options ?? new SimulatorOptions());
        try
        {
            simulator.Listen(simulator.Options.Port);
        }
        catch
        {
            simulator.Pbx.Recorder?.Dispose();
            throw;
        }

        return Task.FromResult(simulator);
    }

    /// <summary>Starts with a scenario's settings (see <see cref="SimulatorScenario"/>).</summary>
    public static Task<AmiSimulator> StartAsync(SimulatorScenario scenario, Action<SimulatorOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var options = scenario.ToOptions();
        configure?.Invoke(options);
        return StartAsync(options, cancellationToken);
    }

    /// <summary>Tells a person how to connect: address, users, and what the numbers do.</summary>
    public void WriteLoginInstructions(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine($"AMI simulator listening on {EndPoint} (banner '{Options.Banner}').");
        writer.WriteLine("Log in with:");
        foreach (var user in Options.Users)
        {
            writer.WriteLine($"  Action: Login / Username: {user.Username} / Secret: <the secret you configured>   (read={Format(user.Read)}, write={Format(user.Write)})");
        }

        writer.WriteLine($"e.g.  printf 'Action: Login\\r\\nUsername: {Options.Users[0].Username}\\r\\nSecret: ...\\r\\n\\r\\n' | nc {EndPoint.Address} {Port}");
        writer.WriteLine("Originate Local/<number>@pstn into context 'agents' exten 100 for campaign calls, or Local/<agent>@agentphone into 'outbound' exten <number> for click-to-call.");
        var outcomes = Options.Outcomes;
        if (outcomes.Rules.Count > 0)
        {
            writer.WriteLine("Outcomes by number: " + string.Join("; ", outcomes.Rules.Select(r => $"/{r.Pattern}/ -> {r.Outcome}")));
        }

        if (outcomes.Mix.Count > 0)
        {
            // The seed is what makes a run repeatable: say it even when it was drawn at random.
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(outcomes.Rules.Count > 0 ? "Other numbers" : "Outcomes")}: a random mix, seed {outcomes.Seed} ({string.Join(", ", outcomes.Mix.Select(m => $"{m.Outcome} {m.Weight}"))})"));
        }
        foreach (var queue in Options.Queues)
        {
            writer.WriteLine($"Queue '{queue.Name}': Originate into context 'queue' exten {queue.Name} and the answered callee waits for one of its {queue.Members.Count} members ({queue.Members.Count(m => !m.Answers)} never answer).");
        }

        writer.WriteLine(Options.LedgerInstalled
            ? "The outcome ledger is installed: Originate Local/<number>@amidialer-dial/n with AMIDIALER_ATTEMPT, AMIDIALER_DIALSTRING and AMIDIALER_RING; outcomes are kept in AstDB family amidialer."
            : "The outcome ledger is not installed (simulate --ledger installs it).");
        if (Options.Includes.Count > 0)
        {
            writer.WriteLine($"extensions.conf #includes {string.Join(", ", Options.Includes)}: what CreateConfig/UpdateConfig write there joins the dialplan at 'dialplan reload'.");
        }

        if (Options.RecordPath is { } record)
        {
            writer.WriteLine($"Ground truth (one JSON line per Originate and per ended call) is appended to {record}.");
        }

        if (Math.Abs(Options.TimeScale - 1) > 1e-9)
        {
            writer.WriteLine($"Time runs {Options.TimeScale.ToString(CultureInfo.InvariantCulture)}x faster than a real PBX.");
        }

        static string Format(AmiPrivilege p) => p == AmiPrivilege.All ? "all" : p == AmiPrivilege.None ? "none" : p.ToString().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
    }

    /// <summary>A value in the PBX's AstDB (e.g. family "amidialer", key an attempt's ChannelId: what the ledger wrote), or null.</summary>
    public string? GetDatabaseValue(string family, string key) => Pbx.Database.Get(family, key);

    /// <summary>Writes an AstDB value as DBPut would (to stage a ledger entry left by an earlier run).</summary>
    public void PutDatabaseValue(string family, string key, string value) => Pbx.Database.Put(family, key, value);

    /// <summary>Every AstDB entry of a family as (key, value), keys without the family path, sorted.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DatabaseEntries(string family) =>
        Pbx.Database.Tree(family, null).Select(e => new KeyValuePair<string, string>(e.Key[(family.Length + 2)..], e.Value)).ToList();

    /// <summary>
    /// The administrator adds <c>#include <paramref name="file"/></c> at the end of extensions.conf by hand (AMI cannot):
    /// its contexts join the dialplan at the next "dialplan reload" (or restart), not before.
    /// </summary>
    public void IncludeConfigFile(string file) => Pbx.Config.Include(file);

    /// <summary>
    /// A configuration file as Asterisk writes it (without the ";!" header): <c>[category]</c> lines and
    /// <c>name =&gt; value</c> (objects, e.g. UpdateConfig's '&gt;' values) or <c>name = value</c>; null when it does not exist.
    /// </summary>
    public IReadOnlyList<string>? ConfigFileText(string file) =>
        Pbx.Config.Read(file)?.SelectMany(c => c.Lines.Select(l => l.Name + (l.Object ? " => " : " = ") + l.Value).Prepend("[" + c.Name + "]")).ToList();

    /// <summary>
    /// Writes a configuration file as an administrator would by hand: <c>[category]</c> lines, <c>name =&gt; value</c>
    /// or <c>name = value</c>, ';' comments. Like any file it joins the dialplan only when included and reloaded.
    /// </summary>
    public void WriteConfigFile(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var categories = new List<ConfigCategory>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split(';')[0].Trim();
            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                categories.Add(new ConfigCategory(line[1..^1], []));
            }
            else if (line.Contains('=', StringComparison.Ordinal) && categories.Count > 0)
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                var objectLine = eq + 1 < line.Length && line[eq + 1] == '>';
                categories[^1].Lines.Add(new ConfigLine(line[..eq].Trim(), line[(eq + (objectLine ? 2 : 1))..].Trim(), objectLine));
            }
        }

        Pbx.Config.Write(file, categories);
    }

    /// <summary>A queue's members as app_queue sees them now (who is paused, ringing, talking), in queues.conf then QueueAdd order.</summary>
    public IReadOnlyList<QueueMemberState> QueueMembers(string queue)
    {
        lock (Pbx.QueueGate)
        {
            return [.. Queue(queue).Members.Select(m => new QueueMemberState(m.Interface, m.Name, m.Dynamic, m.Paused, m.PausedReason, m.Ringing is not null, m.InCall, m.CallsTaken))];
        }
    }

    /// <summary>A queue's counters: callers waiting now, calls completed and abandoned since start (or QueueReset).</summary>
    public QueueCounters QueueCounters(string queue)
    {
        lock (Pbx.QueueGate)
        {
            var q = Queue(queue);
            return new QueueCounters(q.Callers.Count, q.Completed, q.Abandoned);
        }
    }

    /// <summary>Pauses or unpauses a member from the PBX's console, with the events QueuePause gives (the q2 and q4 shapes).</summary>
    public void PauseQueueMember(string queue, string iface, bool paused, string reason = "")
    {
        lock (Pbx.QueueGate)
        {
            var q = Queue(queue);
            q.Pause(q.Find(iface) ?? throw new ArgumentException($"{iface} is not a member of queue {queue}.", nameof(iface)), paused, reason);
        }
    }

    /// <summary>Adds a dynamic member as QueueAdd does (QueueMemberAdded); <paramref name="answers"/> false: its phone only rings.</summary>
    public void AddQueueMember(string queue, string iface, string name, bool answers = true, bool paused = false, string reason = "")
    {
        lock (Pbx.QueueGate)
        {
            var q = Queue(queue);
            if (q.Find(iface) is not null)
            {
                throw new ArgumentException($"{iface} is already a member of queue {queue}.", nameof(iface));
            }

            q.Add(iface, name, paused, reason, penalty: 0, answers);
        }
    }

    private SimulatedQueue Queue(string name) =>
        Pbx.Queues.TryGetValue(name, out var queue) ? queue : throw new ArgumentException($"The simulated PBX has no queue {name}.", nameof(name));

    /// <summary>Actions with this Action name (any case), in arrival order.</summary>
    public IReadOnlyList<ReceivedAction> ActionsNamed(string action) => Actions.Where(a => a.Is(action)).ToArray();

    /// <summary>Waits until an action matching <paramref name="predicate"/> has arrived (polling the record); gives up after <paramref name="timeout"/> (default 5 s).</summary>
    public async Task<ReceivedAction> WaitForActionAsync(Func<ReceivedAction, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(5));
        cancellationToken = limit.Token;
        while (true)
        {
            var found = Actions.FirstOrDefault(predicate);
            if (found is not null)
            {
                return found;
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- faults ----

    /// <summary>Closes every connection now, without a word (a network cut or a crash).</summary>
    public void CloseAllConnections()
    {
        _logger.Fault("close all connections");
        foreach (var session in _sessions.Values)
        {
            session.Close("fault: close now", flush: false);
        }
    }

    /// <summary>After <paramref name="count"/> more actions arrive (the last one recorded but not answered), every connection is closed.</summary>
    public void CloseAfterActions(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _logger.Fault($"close after {count} actions");
        lock (_actionsGate)
        {
            _closeAfterActions = _actions.Count + count;
        }
    }

    /// <summary>The PBX hangs: sockets stay open and keep being read, but nothing is answered or sent until <see cref="ResumeAnswering"/>.</summary>
    public void StopAnswering()
    {
        _logger.Fault("stop answering");
        lock (_freezeGate)
        {
            if (_unfrozen.Task.IsCompleted)
            {
                _unfrozen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void ResumeAnswering()
    {
        _logger.Fault("resume answering");
        lock (_freezeGate)
        {
            _unfrozen.TrySetResult();
        }
    }

    /// <summary>The next message sent (to whichever connection writes first) is preceded by a garbage line, so the client must drop that frame.</summary>
    public void GarbleNextFrame()
    {
        _logger.Fault("garble next frame");
        Interlocked.Exchange(ref _garble, 1);
    }

    /// <summary>
    /// "core restart now" (or "core stop now" then a start when <paramref name="restart"/> is false), as i1/i2 recorded:
    /// live calls hang up (SoftHangupRequest Cause 4, Hangup Cause 0), Shutdown is sent ~1.1 s later (scaled), every
    /// connection closes, the port refuses connections for <paramref name="downtime"/> (not scaled), then the PBX is
    /// back with fresh counters and FullyBooted Uptime 0.
    /// </summary>
    public Task RestartAsync(TimeSpan downtime, bool restart = true, CancellationToken cancellationToken = default) =>
        RestartAsync(downtime, restart, issuer: null, cancellationToken);

    internal async Task RestartAsync(TimeSpan downtime, bool restart, SimulatorSession? issuer, CancellationToken cancellationToken = default)
    {
        _logger.Restarting(restart ? "restart" : "stop/start", downtime);
        issuer?.StopEvents();
        Pbx.HangupAll();
        await Task.Delay(Options.Scaled(TimeSpan.FromSeconds(1.1)), Pbx.Time, cancellationToken).ConfigureAwait(false);
        var shutdown = AmiWriter.ToBytes(
            [new AmiHeader("Event", "Shutdown"), new AmiHeader("Privilege", "system,all"), new AmiHeader("Shutdown", "Cleanly"), new AmiHeader("Restart", restart ? "True" : "False")],
            AmiWriteLimits.Unlimited);
        ShutdownAnnouncedAt = Pbx.Time.GetUtcNow();
        Broadcast(EventBatch.Single(shutdown, AmiPrivilege.System), except: issuer);
        await Task.Delay(ShutdownLinger ?? Options.Scaled(TimeSpan.FromMilliseconds(15)), Pbx.Time, cancellationToken).ConfigureAwait(false);
        IsDown = true;
        _listener?.Stop();
        foreach (var session in _sessions.Values)
        {
            session.Close("shutdown", flush: session != issuer);
        }

        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, Pbx.Time, cancellationToken).ConfigureAwait(false);
        }

        Pbx.Reboot();
        if (Volatile.Read(ref _disposed) == 0)
        {
            Listen(Port);
            IsDown = false;
            _logger.Restarted(EndPoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        ResumeAnswering();
        foreach (var call in Pbx.Channels().Select(c => c.Call).Distinct())
        {
            call.Teardown(TeardownKind.Shutdown, 0);
        }

        foreach (var session in _sessions.Values)
        {
            session.Close("simulator disposed", flush: false);
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stopping.Dispose();
        Pbx.Recorder?.Dispose();
    }

    // ---- internals used by sessions ----

    internal ReceivedAction Record(SimulatorSession session, AmiMessage message)
    {
        lock (_actionsGate)
        {
            var record = new ReceivedAction(_actions.Count, session.Id, session.User?.Username, message, Pbx.Time.GetUtcNow());
            _actions.Add(record);
            return record;
        }
    }

    internal bool ShouldCloseAfter(ReceivedAction record)
    {
        lock (_actionsGate)
        {
            if (_closeAfterActions < 0 || record.Sequence + 1 < _closeAfterActions)
            {
                return false;
            }

            _closeAfterActions = -1;
        }

        CloseAllConnections();
        return true;
    }

    internal Task WaitWhileFrozenAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (_freezeGate)
        {
            wait = _unfrozen.Task;
        }

        return wait.IsCompleted ? Task.CompletedTask : wait.WaitAsync(cancellationToken);
    }

    internal bool TakeGarble() => Volatile.Read(ref _garble) != 0 && Interlocked.Exchange(ref _garble, 0) == 1;

    internal void Forget(SimulatorSession session) => _sessions.TryRemove(session.Id, out _);

    internal void PublishSecurity(SimulatorSession session, string eventName, string severity, int version, (string Key, string Value)[] extra, string? account = null, DateTimeOffset? sessionTv = null, bool trailingAccount = false)
    {
        var now = Pbx.Time.GetUtcNow();
        var local = session.Local;
        var remote = session.Remote;
        var headers = new List<AmiHeader>
        {
            new("Event", eventName), new("Privilege", "security,all"), new("EventTV", Tv(now)), new("Severity", severity),
            new("Service", "AMI"), new("EventVersion", version.ToString(CultureInfo.InvariantCulture)),
        };
        if (!trailingAccount)
        {
            headers.Add(new("AccountID", account ?? session.User?.Username ?? ""));
        }

        headers.Add(new("SessionID", session.SessionId));
        headers.Add(new("LocalAddress", $"IPV4/TCP/{local?.Address}/{local?.Port}"));
        headers.Add(new("RemoteAddress", $"IPV4/TCP/{remote?.Address}/{remote?.Port}"));
        foreach (var (key, value) in extra)
        {
            headers.Add(new(key, value));
        }

        headers.Add(new("SessionTV", Tv(sessionTv ?? (session.User is null ? DateTimeOffset.UnixEpoch : session.SessionStart))));
        if (trailingAccount)
        {
            headers.Add(new("AccountID", session.User?.Username ?? ""));
        }

        Broadcast(EventBatch.Single(AmiWriter.ToBytes(headers.ToArray(), AmiWriteLimits.Unlimited), AmiPrivilege.Security));

        static string Tv(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000";
    }

    private void Broadcast(EventBatch batch) => Broadcast(batch, except: null);

    private void Broadcast(EventBatch batch, SimulatorSession? except)
    {
        foreach (var session in _sessions.Values)
        {
            if (session != except)
            {
                session.Deliver(batch);
            }
        }
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(Options.Address, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start(512);
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _logger.Listening(EndPoint);
        _acceptLoop = AcceptLoopAsync(listener);
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (IsDown)
            {
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var id = Interlocked.Increment(ref _nextSessionId);
            var session = new SimulatorSession(this, socket, id, _logger);
            _sessions[id] = session;
            _logger.Accepted(id, socket.RemoteEndPoint);
            _ = Task.Run(session.RunAsync);
        }
    }

    private static TaskCompletionSource CompletedSource()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}
