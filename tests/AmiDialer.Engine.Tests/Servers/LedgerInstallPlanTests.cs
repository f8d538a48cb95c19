using AmiDialer.Engine.Pbx;
using AmiDialer.Engine.Servers;
using Xunit;

namespace AmiDialer.Engine.Tests.Servers;

/// <summary>install-ledger's decision from what it found: what it writes, what it refuses, and the text it writes.</summary>
public sealed class LedgerInstallPlanTests
{
    private static readonly IReadOnlyList<string> All = ["amidialer-dial", "amidialer-c2c", "amidialer-ledger"];

    private static LedgerProbeResult Probe(LedgerStatus status, params string[] missing) => new(status, missing, new Dictionary<string, int?>(), status.ToString());

    private static LedgerPbxState State(LedgerFileState file, LedgerProbeResult probe, IReadOnlyList<string>? categories = null, bool included = false, bool freePbx = false) =>
        new(file, categories ?? [], probe, included, freePbx);

    [Fact]
    public void A_pbx_without_the_file_or_the_contexts_gets_the_file_created_and_written()
    {
        var plan = LedgerInstallPlan.Decide(State(LedgerFileState.Missing, Probe(LedgerStatus.Missing, [.. All])), freePbx: false);
        Assert.Equal(LedgerInstallAction.Install, plan.Action);
        Assert.True(plan.CreateFile);
        Assert.True(plan.WriteFile);
        Assert.Empty(plan.ReplacedContexts);
        Assert.Contains(plan.Changes, c => c.StartsWith("create amidialer.conf", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_file_left_by_an_earlier_run_is_filled_without_creating_it_again()
    {
        var plan = LedgerInstallPlan.Decide(State(LedgerFileState.Empty, Probe(LedgerStatus.Missing, [.. All])), freePbx: false);
        Assert.Equal((LedgerInstallAction.Install, false, true), (plan.Action, plan.CreateFile, plan.WriteFile));
    }

    [Fact]
    public void Our_own_contexts_at_another_version_are_replaced_and_named()
    {
        var plan = LedgerInstallPlan.Decide(State(LedgerFileState.OtherVersion, Probe(LedgerStatus.WrongVersion), ["amidialer-dial", "amidialer-ledger"], included: true), freePbx: false);
        Assert.Equal(LedgerInstallAction.Install, plan.Action);
        Assert.Equal(["amidialer-dial", "amidialer-ledger"], plan.ReplacedContexts);
        Assert.Contains(plan.Changes, c => c.StartsWith("replace the contexts [amidialer-dial], [amidialer-ledger]", StringComparison.Ordinal));
    }

    [Fact]
    public void A_current_file_not_loaded_yet_is_not_written_again_only_reloaded()
    {
        var plan = LedgerInstallPlan.Decide(State(LedgerFileState.Current, Probe(LedgerStatus.Missing, [.. All]), All, included: true), freePbx: false);
        Assert.Equal((LedgerInstallAction.Install, false, false), (plan.Action, plan.CreateFile, plan.WriteFile));
    }

    [Fact]
    public void Installed_and_loaded_is_nothing_to_do()
    {
        var plan = LedgerInstallPlan.Decide(State(LedgerFileState.Current, Probe(LedgerStatus.Installed), All, included: true), freePbx: false);
        Assert.Equal(LedgerInstallAction.NothingToDo, plan.Action);
    }

    [Fact]
    public void A_file_with_other_contexts_is_refused_naming_them()
    {
        var plan = LedgerInstallPlan.Decide(State(LedgerFileState.Foreign, Probe(LedgerStatus.Missing, [.. All]), ["amidialer-dial", "mine"]), freePbx: false);
        Assert.Equal(LedgerInstallAction.Refuse, plan.Action);
        Assert.Contains("[mine]", plan.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("[amidialer-dial]", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Contexts_loaded_from_another_file_are_never_defined_a_second_time()
    {
        var wrong = LedgerInstallPlan.Decide(State(LedgerFileState.Missing, Probe(LedgerStatus.Missing, "amidialer-c2c")), freePbx: false);
        Assert.Equal(LedgerInstallAction.Refuse, wrong.Action);
        Assert.Contains("[amidialer-dial], [amidialer-ledger]", wrong.Reason, StringComparison.Ordinal);

        var right = LedgerInstallPlan.Decide(State(LedgerFileState.Missing, Probe(LedgerStatus.Installed)), freePbx: false);
        Assert.Equal(LedgerInstallAction.NothingToDo, right.Action);
    }

    [Fact]
    public void FreePbx_flagged_or_detected_gets_the_snippet_and_nothing_written()
    {
        Assert.Equal(LedgerInstallAction.PrintForFreePbx, LedgerInstallPlan.Decide(State(LedgerFileState.Missing, Probe(LedgerStatus.Missing, [.. All])), freePbx: true).Action);
        Assert.Equal(LedgerInstallAction.PrintForFreePbx, LedgerInstallPlan.Decide(State(LedgerFileState.Foreign, Probe(LedgerStatus.Missing, [.. All]), ["x"], freePbx: true), freePbx: false).Action);
    }

    [Fact]
    public void The_text_is_version_1_built_from_the_names_the_engine_dials_with()
    {
        Assert.Equal(["amidialer-dial", "amidialer-ledger", "amidialer-c2c"], LedgerConf.ContextNames);
        var text = LedgerConf.Text;
        Assert.Contains("[amidialer-dial]", text, StringComparison.Ordinal);
        Assert.Contains("exten => _X.,1,NoOp(amidialer-ledger v1)\n", text, StringComparison.Ordinal);
        Assert.Contains(" same => n,Dial(${AMIDIALER_DIALSTRING},${AMIDIALER_RING})\n", text, StringComparison.Ordinal);
        Assert.Contains("exten => s,1,Set(DB(amidialer/${AMIDIALER_ATTEMPT})=${DIALSTATUS}|${HANGUPCAUSE}|${ANSWEREDTIME}|${EPOCH})\n", text, StringComparison.Ordinal);
        Assert.Contains("exten => ledger,1,Set(DB(amidialer/${AMIDIALER_ATTEMPT}-customer)=", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split("NoOp(amidialer-ledger v1)").Length - 1);
    }
}
