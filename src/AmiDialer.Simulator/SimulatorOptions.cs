using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Simulator;

/// <summary>Knobs of the simulated Asterisk. Defaults reproduce the recorded test PBX at real speed.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Address to listen on: loopback unless you mean to expose it.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one (read it back from <see cref="AmiSimulator.Port"/>).</summary>
    public int Port { get; set; }

    public IReadOnlyList<SimulatorUser> Users { get; set; } = SimulatorUser.TestPbxUsers;

    /// <summary>How each dialled number ends. Default: the test PBX's last-digit table.</summary>
    public OutcomeRules Outcomes { get; set; } = OutcomeRules.TestPbx();

    /// <summary>Extra dialplan contexts (name → extension patterns) on top of the test PBX's pstn, agents, ivr, outbound, agentphone.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ExtraContexts { get; set; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>PBX durations (ring, talk, dialplan waits, restart pauses) are divided by this factor: 100 makes a 5 s call last 50 ms.</summary>
    public double TimeScale { get; set; } = 1;

    /// <summary>Live channels allowed at once (each Local call holds 2, click-to-call 4); calls beyond it fail as congestion. Null = no limit.</summary>
    public int? MaxConcurrentChannels { get; set; }

    /// <summary>Added before every Response (not scaled).</summary>
    public TimeSpan ResponseLatency { get; set; } = TimeSpan.Zero;

    /// <summary>Delay before "Authentication failed" and the close (Asterisk: about 1 s; not scaled).</summary>
    public TimeSpan LoginFailureDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Asterisk's manager writetimeout: a client that does not take our bytes for this long is dropped (the captures' PBX: 100 ms).</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Asterisk drops an input line longer than this many bytes.</summary>
    public int MaxLineLength { get; set; } = 1024;

    /// <summary>Asterisk keeps at most this many headers of one action and ignores the rest.</summary>
    public int MaxHeaders { get; set; } = 128;

    /// <summary>Outgoing bytes queued for one client beyond which it is dropped even before the write timeout.</summary>
    public int MaxQueuedBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Channel technologies that can be dialled; others fail like Asterisk's unknown tech (OriginateResponse Failure, Reason 0).</summary>
    public IReadOnlyList<string> Technologies { get; set; } = ["Local", "PJSIP", "SIP", "IAX2", "DAHDI"];

    /// <summary>Uniqueid epoch and Uptime come from here; tests pass a FakeTimeProvider.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Seconds since "boot" reported by FullyBooted until the first restart.</summary>
    public int InitialUptimeSeconds { get; set; } = 30;

    /// <summary>
    /// True when the PBX has AmiDialer's outcome-ledger dialplan (version 1: [amidialer-dial], [amidialer-ledger],
    /// [amidialer-c2c]); false (the default) is a PBX where it was never installed, so dialing through it fails as a
    /// missing context does (d11).
    /// </summary>
    public bool LedgerInstalled { get; set; }

    /// <summary>
    /// Files the PBX's extensions.conf <c>#include</c>s besides amidialer.conf with <see cref="LedgerInstalled"/>: a
    /// file written later through CreateConfig/UpdateConfig joins the dialplan at the next "dialplan reload" (AMI itself
    /// cannot add an include; see <see cref="AmiSimulator.IncludeConfigFile"/>).
    /// </summary>
    public IReadOnlyList<string> Includes { get; set; } = [];

    /// <summary>
    /// A file to append the ground truth to: one JSON line per Originate received and one per call when it ends
    /// (see <see cref="GroundTruthRecorder"/>), for tests that run the simulator in another process. Null: none.
    /// </summary>
    public string? RecordPath { get; set; }

    /// <summary>
    /// app_queue's queues (queues.conf). Default: the lab's <c>sales</c> (QUEUES.md) with static members Agent 201 and
    /// Agent 202. Each queue's name is an extension of the <c>queue</c> context that runs <c>Queue(&lt;name&gt;,r)</c>.
    /// </summary>
    public IReadOnlyList<QueueOptions> Queues { get; set; } = [QueueOptions.TestPbx()];

    public string Banner { get; set; } = "Asterisk Call Manager/13.0.0";

    public string VersionLine { get; set; } = "Asterisk GIT-master-f0c1c1a7b7 built by root @ vm on a x86_64 running Linux on 2026-11-26 11:48:32 UTC";

    internal TimeSpan Scaled(TimeSpan pbxTime) => TimeScale <= 0 ? pbxTime : TimeSpan.FromTicks((long)(pbxTime.Ticks / TimeScale));

    internal void Validate()
    {
        if (TimeScale <= 0 || double.IsNaN(TimeScale) || double.IsInfinity(TimeScale))
        {
            throw new ArgumentOutOfRangeException(nameof(TimeScale), TimeScale, "TimeScale must be a positive number.");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 0-65535.");
        }

        if (MaxConcurrentChannels is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentChannels), MaxConcurrentChannels, "MaxConcurrentChannels must be 0 or more.");
        }

        if (MaxLineLength < 16 || MaxHeaders < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLineLength), "MaxLineLength must be at least 16 and MaxHeaders at least 1.");
        }

        foreach (var queue in Queues)
        {
            queue.Validate();
        }

        if (Queues.GroupBy(q => q.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Queue {twice.Key} is defined twice.", nameof(Queues));
        }

        if (Users.Count == 0)
        {
            throw new ArgumentException("At least one AMI user is needed.", nameof(Users));
        }
    }
}
