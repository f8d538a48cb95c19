using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using AmiDialer.Ami;
using AmiDialer.Core.Doctor;
using AmiDialer.Core.Queues;
using AmiDialer.Engine.Servers;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Engine.Preflight;

/// <summary>A configured server to check, and where its settings live (<c>Ami:Servers:0</c>), so a fix can name the key.</summary>
public sealed record ServerToCheck(AmiServerConfig Config, string SettingsKey);

/// <summary>
/// Checks one AMI server the way the dialer will use it, without side effects: a login of its own (not the engine's
/// connection), then ListCommands (write classes), the events that arrive (read classes), ShowDialPlan of every place
/// calls go (and the ledger through <see cref="LedgerProbe"/>), <c>core show channeltypes</c> when the user may run
/// Command, and Ping's Timestamp (clock skew). Each check ends OK, WARN or FAIL with one line saying how to fix it;
/// checks that need a login are not run when the login failed.
/// </summary>
public static class ServerDoctor
{
    private const string AsteriskBanner = "Asterisk Call Manager/";

    public static async Task<ServerCheckReport> CheckAsync(ServerToCheck server, DoctorNeeds needs, DoctorOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(needs);
        ArgumentNullException.ThrowIfNull(options);
        var config = server.Config;
        var key = server.SettingsKey;
        var address = $"{config.Client.Host}:{config.Client.Port.ToString(CultureInfo.InvariantCulture)}";
        var checks = new List<DoctorCheck>();

        var clientOptions = config.Client.Copy();
        // Every event, for the read classes; one login only (the doctor reports a failure, it does not retry it).
        clientOptions.EventNames = null;
        clientOptions.EventMask = "on";
        clientOptions.InlineEventConsumer = false;
        clientOptions.ActionsPerSecond = 0;
        clientOptions.AuthenticationRetryDelay = TimeSpan.FromHours(1);
        clientOptions.MaxReconnectDelay = TimeSpan.FromHours(1);
        // The doctor's table says what went wrong; the client's own warnings would only repeat it on stderr.
        await using var client = new AmiClient(clientOptions, NullLogger<AmiClient>.Instance, time);
        var login = await FirstLoginAsync(client, options.LoginWait, cancellationToken).ConfigureAwait(false);
        if (!LoginChecks(server, login, client.Banner, address, checks))
        {
            return new ServerCheckReport(config.Name, address, checks);
        }

        using var stopEvents = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var seen = new SeenEvents();
        var reading = Task.Run(() => seen.ReadAsync(client, stopEvents.Token), CancellationToken.None);
        try
        {
            var listed = await WritePrivilegesAsync(client, config, key, checks, cancellationToken).ConfigureAwait(false);
            await DialplanAsync(client, needs, listed, checks, cancellationToken).ConfigureAwait(false);
            await QueuesAsync(client, needs, listed, checks, cancellationToken).ConfigureAwait(false);
            await WrapUpsAsync(client, needs, listed, options, checks, cancellationToken).ConfigureAwait(false);
            await LedgerAsync(client, config, key, listed, checks, cancellationToken).ConfigureAwait(false);
            await TechnologiesAsync(client, config, needs, listed, checks, cancellationToken).ConfigureAwait(false);
            await ClockAsync(client, time, checks, cancellationToken).ConfigureAwait(false);
            await seen.WaitForFullyBootedAsync(options.FullyBootedWait, time, cancellationToken).ConfigureAwait(false);
            ReadClasses(config.Client.Username, seen, checks);
            if (needs.Queues.Count > 0)
            {
                ReadAgentClass(config.Client.Username, seen, checks);
            }
        }
        catch (AmiException e)
        {
            checks.Add(DoctorCheck.Fail("connection", $"lost during the checks: {e.Message}", "run the doctor again; if it keeps happening, look at Asterisk's log for why it drops the manager session"));
        }
        finally
        {
            await stopEvents.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return new ServerCheckReport(config.Name, address, checks);
    }

    /// <summary>The state the first connection attempt ended in (Connected, or Disconnected with its error); null when it took longer than <paramref name="wait"/>.</summary>
    private static async Task<AmiConnectionState?> FirstLoginAsync(AmiClient client, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        var states = client.WatchStateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        try
        {
            // Subscribed (the current state is the first item) before starting: no transition can be missed.
            if (!await states.MoveNextAsync().ConfigureAwait(false))
            {
                return null;
            }

            client.Start();
            var connecting = false;
            while (await states.MoveNextAsync().ConfigureAwait(false))
            {
                var state = states.Current;
                if (state.Status == AmiConnectionStatus.Connecting)
                {
                    connecting = true;
                }
                else if (connecting)
                {
                    return state;
                }
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            await states.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>reachable, banner, tls, login; false when the login did not succeed (nothing else can be checked).</summary>
    private static bool LoginChecks(ServerToCheck server, AmiConnectionState? state, string? banner, string address, List<DoctorCheck> checks)
    {
        var config = server.Config;
        var key = server.SettingsKey;
        var user = config.Client.Username;
        var tls = config.Client.UseTls;
        var how = config.Client.Auth == AmiAuthMethod.Md5 ? "MD5 challenge" : "plain secret";
        var error = state?.Error;
        if (state is null || error is SocketException || error is OperationCanceledException || (state.Status != AmiConnectionStatus.Connected && error is null))
        {
            var why = state is null ? "no answer in time" : error is SocketException s ? s.Message : state.Reason ?? "no connection";
            checks.Add(DoctorCheck.Fail(DoctorCheckNames.Reachable, $"cannot connect to {address}: {why}",
                $"check {key}:Host and {key}:Port, that Asterisk runs with the manager enabled (manager.conf [general] enabled = yes, port), and that no firewall is in between"));
            return false;
        }

        checks.Add(DoctorCheck.Ok(DoctorCheckNames.Reachable, $"connected to {address}"));
        if (tls && (error is AuthenticationException || (error is IOException && banner is null)))
        {
            checks.Add(DoctorCheck.Fail(DoctorCheckNames.Tls, $"TLS handshake failed: {error.Message}",
                $"check that manager.conf has tlsenable = yes on this port (usually 5039) and that this host trusts its certificate, or set {key}:UseTls to false"));
            return false;
        }

        if (banner is null)
        {
            checks.Add(DoctorCheck.Fail(DoctorCheckNames.Banner, "no banner: this port does not speak the Asterisk manager protocol" + (error is null ? "" : $" ({error.Message})"),
                tls ? $"check {key}:Port is Asterisk's TLS manager port" : $"check {key}:Port is Asterisk's manager port (5038; with tlsenable only, set {key}:UseTls)"));
            return false;
        }

        checks.Add(banner.StartsWith(AsteriskBanner, StringComparison.Ordinal)
            ? DoctorCheck.Ok(DoctorCheckNames.Banner, banner)
            : DoctorCheck.Warn(DoctorCheckNames.Banner, $"'{banner}' is not Asterisk's banner", $"check {key}:Host and {key}:Port point at Asterisk's manager interface"));

        checks.Add(tls
            ? DoctorCheck.Ok(DoctorCheckNames.Tls, "on, certificate accepted")
            : config.Client.Auth == AmiAuthMethod.Plain
                ? DoctorCheck.Warn(DoctorCheckNames.Tls, "off, with a plain login: the secret crosses the network in clear", $"set {key}:Auth to Md5, or {key}:UseTls to true (manager.conf tlsenable)")
                : DoctorCheck.Ok(DoctorCheckNames.Tls, "off (the MD5 challenge keeps the secret off the wire; the rest of the traffic is in clear)"));

        if (state.Status == AmiConnectionStatus.Connected)
        {
            checks.Add(DoctorCheck.Ok(DoctorCheckNames.Login, $"logged in as {user} ({how})"));
            return true;
        }

        checks.Add(error is AmiAuthenticationException
            ? DoctorCheck.Fail(DoctorCheckNames.Login, $"Asterisk refused user '{user}' ({how}): {Inner(error)}",
                $"check {key}:Username and its secret against manager.conf [{user}] (secret, and permit/deny for this host), then `manager reload`; Asterisk does not say whether the user or the secret is wrong", blocking: true)
            : DoctorCheck.Fail(DoctorCheckNames.Login, $"the login did not complete: {state.Reason}",
                $"check {key}:Port is Asterisk's manager port and {key}:UseTls matches it", blocking: true));
        return false;
    }

    private static string Inner(Exception error) => error.InnerException?.Message ?? error.Message;

    /// <summary>ListCommands against what the configuration needs; returns what it listed (action → classes).</summary>
    private static async Task<IReadOnlyDictionary<string, string[]>> WritePrivilegesAsync(AmiClient client, AmiServerConfig config, string key, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(new AmiAction("ListCommands"), cancellationToken).ConfigureAwait(false);
        var listed = ManagerClasses.ParseListCommands(response.AsSpan().ToArray().Select(h => new KeyValuePair<string, string>(h.Key, h.Value)));
        var needed = DialerActions.Needed(config.Ledger);
        var missing = DialerActions.Missing(needed, listed);
        var user = config.Client.Username;
        foreach (var (need, add) in missing)
        {
            checks.Add(DoctorCheck.Fail($"write {need.Action}", $"user '{user}' may not run {need.Action}, which {need.Why}",
                $"add {add} to write = in manager.conf [{user}], then `manager reload`", need.Blocking));
        }

        if (missing.Count == 0)
        {
            checks.Add(DoctorCheck.Ok("write classes", "may run " + string.Join(", ", needed.Select(n => n.Action))));
        }

        _ = key;
        return listed;
    }

    /// <summary>ShowDialPlan of each place (with its extension, and the priority among what it lists).</summary>
    private static async Task DialplanAsync(AmiClient client, DoctorNeeds needs, IReadOnlyDictionary<string, string[]> listed, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        if (needs.Places.Count == 0)
        {
            return;
        }

        if (!listed.ContainsKey("ShowDialPlan"))
        {
            checks.Add(DoctorCheck.Warn("dialplan", $"could not check {string.Join(", ", needs.Places.Select(p => p.Place))}: the user may not run ShowDialPlan",
                $"add reporting to write = in manager.conf [{client.Options.Username}] to let the doctor check the dialplan"));
            return;
        }

        foreach (var use in needs.Places)
        {
            var place = use.Place;
            var name = "dialplan " + place;
            var action = new AmiAction("ShowDialPlan").Add("Context", place.Context);
            if (place.Extension is not null)
            {
                action.Add("Extension", place.Extension);
            }

            var usedBy = string.Join(", ", use.UsedBy);
            string? problem;
            try
            {
                var list = await client.SendListAsync(action, cancellationToken).ConfigureAwait(false);
                problem = place.Priority is { } priority && !list.Items.Any(m => m.IsEventNamed("ListDialplan") && m.Get("Priority") == priority.ToString(CultureInfo.InvariantCulture))
                    ? $"{place.Extension}@{place.Context} has no priority {priority.ToString(CultureInfo.InvariantCulture)}"
                    : null;
            }
            catch (AmiActionException e) when (e.Message.StartsWith("Did not find", StringComparison.OrdinalIgnoreCase))
            {
                problem = "Asterisk says: " + e.Message;
            }

            if (problem is null)
            {
                checks.Add(DoctorCheck.Ok(name, $"exists (used by {usedBy})"));
                continue;
            }

            var fix = $"add it to extensions.conf and `dialplan reload`, or change {usedBy} to a place that exists";
            checks.Add(use.IfMissing == CheckLevel.Fail
                ? DoctorCheck.Fail(name, $"{problem} (used by {usedBy})", fix, use.Blocking)
                : DoctorCheck.Warn(name, $"{problem} (used by {usedBy})", fix));
        }
    }

    /// <summary>
    /// For the queues campaigns follow (issue #26): each exists on the server (QueueStatus lists it: FAIL, blocking, when
    /// not: the campaign would wait for agents forever), its campaigns' destination runs <c>Queue(name)</c> (ShowDialPlan,
    /// where the user may run it), and the user may pause agents (QueuePause needs <c>agent</c> in write; WARN: only the
    /// Agents page's pause would fail).
    /// </summary>
    /// <summary>
    /// Each followed queue's wrap-up (no AMI event or list carries it): OK when queues.conf can be read (GetConfig, the
    /// <c>config</c> read class) or <c>Dialing:QueueWrapUp:&lt;queue&gt;</c> is set; WARN when neither, since the dialer
    /// would then count an agent free as soon as its call ends and place calls for agents still wrapping up.
    /// </summary>
    private static async Task WrapUpsAsync(AmiClient client, DoctorNeeds needs, IReadOnlyDictionary<string, string[]> listed, DoctorOptions options, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        var user = client.Options.Username;
        foreach (var queue in needs.Queues.Select(q => q.Queue).Distinct(StringComparer.Ordinal))
        {
            string? unread = null;
            if (listed.ContainsKey("GetConfig"))
            {
                try
                {
                    var response = await client.SendAsync(new AmiAction("GetConfig").Add("Filename", "queues.conf").Add("Category", queue), cancellationToken).ConfigureAwait(false);
                    var category = Pbx.AmiConfigCategory.Parse(response).FirstOrDefault(c => c.Name == queue);
                    if (category is not null && QueueWrapUp.FromConfigLines(category.Lines) is { } time)
                    {
                        checks.Add(DoctorCheck.Ok("wrap-up " + queue, new QueueWrapUp(time, QueueWrapUpSource.QueuesConf).Describe(queue)));
                        continue;
                    }

                    unread = category is null ? $"queues.conf has no [{queue}]" : "its wrapuptime in queues.conf is not a number of seconds";
                }
                catch (AmiActionException e)
                {
                    unread = "GetConfig queues.conf failed: Asterisk says: " + e.Message;
                }
            }
            else
            {
                unread = $"user '{user}' may not run GetConfig (the config read class)";
            }

            checks.Add(options.QueueWrapUps.TryGetValue(queue, out var configured)
                ? DoctorCheck.Ok("wrap-up " + queue, new QueueWrapUp(configured, QueueWrapUpSource.Option).Describe(queue) + $" ({unread})")
                : DoctorCheck.Warn("wrap-up " + queue, $"unknown: {unread}, and Dialing:QueueWrapUp:{queue} is not set: an agent counts as free as soon as its call ends, so calls may be placed for agents still wrapping up",
                    $"add config to read = in manager.conf [{user}] (then `manager reload`), or set Dialing:QueueWrapUp:{queue} to the queue's wrapuptime"));
        }
    }

    private static async Task QueuesAsync(AmiClient client, DoctorNeeds needs, IReadOnlyDictionary<string, string[]> listed, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        if (needs.Queues.Count == 0)
        {
            return;
        }

        var user = client.Options.Username;
        checks.Add(listed.ContainsKey("QueuePause")
            ? DoctorCheck.Ok("write QueuePause", "may pause and unpause queue agents")
            : DoctorCheck.Warn("write QueuePause", $"user '{user}' may not run QueuePause: agents cannot be paused from the Agents page or the API",
                $"add agent to write = in manager.conf [{user}], then `manager reload`"));

        foreach (var group in needs.Queues.GroupBy(q => q.Queue, StringComparer.Ordinal))
        {
            var queue = group.Key;
            var usedBy = string.Join(", ", group.SelectMany(q => q.UsedBy).Distinct());
            try
            {
                var list = await client.SendListAsync(new AmiAction("QueueStatus").Add("Queue", queue), cancellationToken).ConfigureAwait(false);
                var members = list.Items.Count(m => m.IsEventNamed("QueueMember") && m.Get("Queue") == queue);
                checks.Add(list.Items.Any(m => m.IsEventNamed("QueueParams") && m.Get("Queue") == queue)
                    ? DoctorCheck.Ok("queue " + queue, $"exists with {members.ToString(CultureInfo.InvariantCulture)} member(s) (used by {usedBy})")
                    : DoctorCheck.Fail("queue " + queue, $"no queue '{queue}' on this server: the campaign would wait for its agents forever (used by {usedBy})",
                        $"define [{queue}] in queues.conf and `module reload app_queue.so`, or change the queue of {usedBy}", blocking: true));
            }
            catch (AmiActionException e)
            {
                checks.Add(DoctorCheck.Warn("queue " + queue, $"could not list it: Asterisk says: {e.Message} (used by {usedBy})",
                    "check that app_queue is loaded (`module show like app_queue`)"));
            }
        }

        if (!listed.ContainsKey("ShowDialPlan"))
        {
            return;
        }

        foreach (var use in needs.Queues)
        {
            var action = new AmiAction("ShowDialPlan").Add("Context", use.Destination.Context);
            if (use.Destination.Extension is not null)
            {
                action.Add("Extension", use.Destination.Extension);
            }

            try
            {
                var list = await client.SendListAsync(action, cancellationToken).ConfigureAwait(false);
                var priorities = list.Items.Where(m => m.IsEventNamed("ListDialplan")).Select(m => (m.Get("Application") ?? "", m.Get("AppData") ?? ""));
                checks.Add(QueueDestination.Check(use, priorities));
            }
            catch (AmiActionException)
            {
                // A destination that does not exist already failed its dialplan check above.
            }
        }
    }

    /// <summary>Queue events come only in the <c>agent</c> read class (QUEUES.md); like <c>call</c>, it is seen only from an event.</summary>
    private static void ReadAgentClass(string user, SeenEvents seen, List<DoctorCheck> checks) =>
        checks.Add(seen.Classes.Contains("agent")
            ? DoctorCheck.Ok("read agent", "queue events arrive (agents are followed)")
            : DoctorCheck.Warn("read agent", "unverified: no queue event arrived during the check (none comes while the queue is quiet)",
                $"make sure read = in manager.conf [{user}] includes agent: without it no queue event arrives and agent pacing sees no free agent"));

    /// <summary>
    /// With <c>Ledger</c> true the ledger must be there (FAIL, blocking: the engine does not dial through a server that
    /// lacks it). With false, a WARN either way: not installed means the outcome of a call that ends while the dialer is
    /// down is unknown; installed but unused is a setting to turn on.
    /// </summary>
    private static async Task LedgerAsync(AmiClient client, AmiServerConfig config, string key, IReadOnlyDictionary<string, string[]> listed, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        var enable = $"set {key}:Ledger to true";
        if (!listed.ContainsKey("ShowDialPlan"))
        {
            checks.Add(config.Ledger
                ? DoctorCheck.Warn(DoctorCheckNames.Ledger, "configured, but could not be checked: the user may not run ShowDialPlan", $"add reporting to write = in manager.conf [{config.Client.Username}]")
                : DoctorCheck.Warn(DoctorCheckNames.Ledger, "not configured: the outcome of a call that ends while the dialer is down is unknown", $"install the ledger dialplan (`amidialer pbx install-ledger --server {config.Name}`) and {enable}"));
            return;
        }

        var probe = await LedgerProbe.ProbeAsync(client, cancellationToken).ConfigureAwait(false);
        var (found, fix) = Split(probe.Message);
        if (config.Ledger)
        {
            checks.Add(probe.Status switch
            {
                LedgerStatus.Installed => DoctorCheck.Ok(DoctorCheckNames.Ledger, found),
                LedgerStatus.Unverified => DoctorCheck.Warn(DoctorCheckNames.Ledger, found, fix),
                _ => DoctorCheck.Fail(DoctorCheckNames.Ledger, $"{key}:Ledger is true but the {found}; the engine dials nothing through this server until it is there", fix, blocking: true),
            });
        }
        else
        {
            checks.Add(probe.IsInstalled
                ? DoctorCheck.Warn(DoctorCheckNames.Ledger, $"{found}, but not used", enable + " so calls go through it")
                : DoctorCheck.Warn(DoctorCheckNames.Ledger, "not configured: the outcome of a call that ends while the dialer is down is unknown",
                    $"install the ledger dialplan (`amidialer pbx install-ledger --server {config.Name}`) and {enable}"));
        }
    }

    /// <summary>The probe's sentence, split where its fix begins ("…; install …").</summary>
    private static (string Found, string Fix) Split(string message)
    {
        var at = message.IndexOf("; ", StringComparison.Ordinal);
        return at < 0 ? (message, "") : (message[..at], message[(at + 2)..]);
    }

    /// <summary>Each technology calls are dialed with (Local too on a ledger server: its wrapper is a Local channel) among <c>core show channeltypes</c>.</summary>
    private static async Task TechnologiesAsync(AmiClient client, AmiServerConfig config, DoctorNeeds needs, IReadOnlyDictionary<string, string[]> listed, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        var uses = needs.Technologies.ToList();
        if (config.Ledger && !uses.Any(u => u.Technology.Equals("Local", StringComparison.OrdinalIgnoreCase)))
        {
            uses.Add(new TechnologyUse("Local", ["the ledger's wrapper (amidialer-dial)"]));
        }

        if (uses.Count == 0)
        {
            return;
        }

        var names = string.Join(", ", uses.Select(u => u.Technology));
        if (!listed.ContainsKey("Command"))
        {
            checks.Add(DoctorCheck.Warn("channel types", $"could not check {names}: the user may not run Command (rightly: the dialer's user should not hold command)",
                "check by hand that each is listed: asterisk -rx 'core show channeltypes'"));
            return;
        }

        IReadOnlySet<string> loaded;
        try
        {
            var response = await client.SendAsync(new AmiAction("Command").Add("Command", "core show channeltypes"), cancellationToken).ConfigureAwait(false);
            loaded = ChannelTypes.Parse(response.GetAll("Output"));
        }
        catch (AmiActionException e)
        {
            checks.Add(DoctorCheck.Warn("channel types", $"could not check {names}: core show channeltypes failed ({e.Message})", "check by hand: asterisk -rx 'core show channeltypes'"));
            return;
        }

        foreach (var use in uses)
        {
            var usedBy = string.Join(", ", use.UsedBy);
            checks.Add(loaded.Contains(use.Technology)
                ? DoctorCheck.Ok("channel " + use.Technology, $"loaded (used by {usedBy})")
                : DoctorCheck.Fail("channel " + use.Technology, $"no {use.Technology} channel driver is loaded (used by {usedBy}): every such call fails",
                    $"load its module on Asterisk (e.g. `module load chan_{use.Technology.ToLowerInvariant()}.so`) or change the dial string"));
        }
    }

    private static async Task ClockAsync(AmiClient client, TimeProvider time, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        var sent = time.GetUtcNow();
        var pong = await client.PingAsync(cancellationToken).ConfigureAwait(false);
        var received = time.GetUtcNow();
        if (ClockSkew.ParseTimestamp(pong.Get("Timestamp")) is not { } asterisk)
        {
            checks.Add(DoctorCheck.Warn(DoctorCheckNames.Clock, "Ping's answer carries no Timestamp: the clocks could not be compared", "keep both hosts on NTP"));
            return;
        }

        var skew = ClockSkew.Skew(asterisk, sent, received);
        var text = $"Asterisk's clock is {Math.Abs(skew.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture)} s {(skew >= TimeSpan.Zero ? "ahead of" : "behind")} this host's";
        checks.Add(ClockSkew.IsTooLarge(skew)
            ? DoctorCheck.Warn(DoctorCheckNames.Clock, text, "keep both hosts on NTP: calling hours are judged on this host's clock, Asterisk's logs and CDRs on its own")
            : DoctorCheck.Ok(DoctorCheckNames.Clock, text));
    }

    /// <summary>
    /// Read classes cannot be listed: <c>system</c> is proven by FullyBooted arriving after the login, <c>call</c> by a
    /// call event on this connection, which only comes when calls are up.
    /// </summary>
    private static void ReadClasses(string user, SeenEvents seen, List<DoctorCheck> checks)
    {
        checks.Add(seen.FullyBooted
            ? DoctorCheck.Ok("read system", "FullyBooted arrived after the login (a restart of Asterisk is seen)")
            : DoctorCheck.Fail("read system", "no FullyBooted after the login: the user does not read system events, so a restart of Asterisk is not seen",
                $"add system to read = in manager.conf [{user}], then `manager reload`"));
        checks.Add(seen.Classes.Contains("call")
            ? DoctorCheck.Ok("read call", "call events arrive (outcomes are seen)")
            : DoctorCheck.Warn("read call", "unverified: no call event arrived during the check (none comes while no call is up)",
                $"make sure read = in manager.conf [{user}] includes call: every outcome comes from call events"));
    }

    /// <summary>What arrived on the doctor's connection: FullyBooted, and the classes named by events' Privilege headers.</summary>
    private sealed class SeenEvents
    {
        private readonly TaskCompletionSource _booted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly HashSet<string> _classes = new(StringComparer.OrdinalIgnoreCase);
        private readonly Lock _lock = new();

        public bool FullyBooted => _booted.Task.IsCompleted;

        public IReadOnlySet<string> Classes
        {
            get
            {
                lock (_lock)
                {
                    return _classes.ToHashSet(StringComparer.OrdinalIgnoreCase);
                }
            }
        }

        public async Task ReadAsync(AmiClient client, CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var e in client.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (e.Message.IsEventNamed(AmiEventNames.FullyBooted))
                    {
                        _booted.TrySetResult();
                    }

                    if (e.Message.Get("Privilege") is { } privilege)
                    {
                        lock (_lock)
                        {
                            foreach (var c in privilege.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                            {
                                if (c != "all")
                                {
                                    _classes.Add(c);
                                }
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async Task WaitForFullyBootedAsync(TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
        {
            try
            {
                await _booted.Task.WaitAsync(wait, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }
}

/// <summary>How long the doctor waits for what it checks.</summary>
public sealed record DoctorOptions
{
    /// <summary>For the first login to succeed or fail (a refused login takes Asterisk about 1 s; a dead host the connect timeout).</summary>
    public TimeSpan LoginWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>For FullyBooted after the login (it comes at once from an Asterisk that is up).</summary>
    public TimeSpan FullyBootedWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The operator's wrap-up per queue (<c>Dialing:QueueWrapUp</c>): what a login that may not read queues.conf relies on.</summary>
    public IReadOnlyDictionary<string, TimeSpan> QueueWrapUps { get; init; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
}
