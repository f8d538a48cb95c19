using System.CommandLine;

namespace AmiDialer.Cli;

/// <summary>
/// <c>simulate</c>: the built-in AMI simulator alone, for pointing another AmiDialer (or any AMI client) at it.
/// Without --scenario, calls end by <see cref="Simulator.OutcomeRules.RealisticMix"/>; --outcomes last-digit gives
/// the recorded test PBX's table instead. The scenario file's format is documented on <see cref="Simulator.SimulatorScenario"/>.
/// </summary>
internal static class SimulateCommand
{
    public const string Realistic = "realistic";
    public const string LastDigit = "last-digit";

    public static Command Build(CliContext context)
    {
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var port = new Option<int>("--port")
        {
            Description = "TCP port to listen on (0 picks a free one).",
            DefaultValueFactory = _ => 5038,
        }.Check(p => p is >= 0 and <= 65535 ? null : $"must be between 0 and 65535 (was {p}).");
        var timeScale = new Option<double?>("--time-scale")
        {
            Description = "Simulated seconds per real second (calls ring and talk faster); overrides the scenario's timeScale.",
            HelpName = "x",
        }.Check(x => OptionValidation.Positive(x!.Value));
        var scenario = new Option<FileInfo>("--scenario")
        {
            Description = "A JSON scenario: users, outcome rules by number, a weighted mix, time scale, seed (example: scenario.example.json in the simulator's source).",
            HelpName = "file",
        }.AcceptExistingOnly();
        var outcomes = new Option<string?>("--outcomes")
        {
            Description = $"How calls end without a scenario: {Realistic} (a seeded random mix, the default) or {LastDigit} (the test PBX: the number's last digit decides).",
            HelpName = "kind",
        }.CheckText(v => v is Realistic or LastDigit ? null : $"'{v}' is not one of {Realistic}, {LastDigit}.");
        var seed = new Option<int?>("--seed")
        {
            Description = "Seed of the random mix: the same seed gives the same outcomes in the same call order (default: the scenario's, else a new one, printed).",
            HelpName = "n",
        };
        var ledger = new Option<bool>("--ledger")
        {
            Description = "The simulated PBX has AmiDialer's outcome-ledger dialplan (amidialer-dial, amidialer-ledger, amidialer-c2c) and AstDB; without it (and without the scenario's ledger: true) dialing through it fails as a missing context.",
        };
        var record = new Option<FileInfo>("--record")
        {
            Description = "Append the ground truth to this file, one JSON line per Originate received and per call when it ends (for tests that compare a dialer's outcomes with what happened).",
            HelpName = "file",
        };
        var username = Credential("--username", "The full-access AMI user's name (default dialer).", "name");
        var secret = Credential("--secret", "The full-access AMI user's secret (default dialerpass).", "secret");
        var readonlyUsername = Credential("--readonly-username", "The read-only AMI user's name (default readonly).", "name");
        var readonlySecret = Credential("--readonly-secret", "The read-only AMI user's secret (default ro).", "secret");
        var command = new Command("simulate", "Run the built-in Asterisk AMI simulator alone and print how to log in to it; serves until Ctrl-C.");
        foreach (var option in new Option[] { host, port, timeScale, scenario, outcomes, seed, ledger, record, username, secret, readonlyUsername, readonlySecret })
        {
            command.Options.Add(option);
        }

        // Tokens, not values: a value that failed to convert (a missing --scenario file) must stay a parse error.
        command.Validators.Add(result =>
        {
            string? Given(Option option) => result.GetResult(option) is { Implicit: false } given ? given.Tokens.FirstOrDefault()?.Value ?? "" : null;
            if (Given(scenario) is not null && Given(outcomes) is not null)
            {
                result.AddError("--outcomes applies only without --scenario: the scenario's rules and mix decide.");
            }

            if (Given(outcomes) == LastDigit && Given(seed) is not null)
            {
                result.AddError($"--seed applies to a random mix; --outcomes {LastDigit} has none.");
            }

            if (Given(username) is { } user && user == Given(readonlyUsername))
            {
                result.AddError($"--username and --readonly-username must differ (both '{user}').");
            }
        });
        command.SetAction((parse, ct) => SimulateActions.SimulateAsync(
            context,
            new SimulateRequest(
                parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(timeScale), parse.GetValue(scenario), parse.GetValue(outcomes), parse.GetValue(seed),
                parse.GetValue(ledger), parse.GetValue(record),
                parse.GetValue(username), parse.GetValue(secret), parse.GetValue(readonlyUsername), parse.GetValue(readonlySecret)),
            ct));
        return command;
    }

    // An AMI header value ends at the line break: a name or secret with one could never be typed in a Login.
    private static Option<string?> Credential(string name, string description, string helpName) =>
        new Option<string?>(name) { Description = description, HelpName = helpName }
            .CheckText(v => v.Length == 0 ? "must not be empty." : v.Any(char.IsControl) ? "must not contain control characters." : v.Trim() != v ? "must not start or end with spaces." : null);
}

/// <summary>What <c>simulate</c> was asked for; null means "not given" (the scenario's value, or the default).</summary>
internal sealed record SimulateRequest(
    string Host, int Port, double? TimeScale, FileInfo? Scenario, string? Outcomes, int? Seed, bool Ledger, FileInfo? Record,
    string? Username, string? Secret, string? ReadonlyUsername, string? ReadonlySecret)
{
    public bool GivesUsers => Username is not null || Secret is not null || ReadonlyUsername is not null || ReadonlySecret is not null;
}
