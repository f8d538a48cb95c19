using BenchmarkDotNet.Running;

// Bench modes print figures: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- <mode> [options]
// Everything else goes to BenchmarkDotNet: ... -- --filter '*'
var modes = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["ami"] = AmiDialer.Benchmarks.Ami.AmiBench.RunAsync, // AMI parser and client throughput (issue 3)
    ["import"] = AmiDialer.Benchmarks.Data.ImportBenchmark.RunAsync, // CSV import vs sqlite3 .import (issue 5); `import N postgres`: vs psql \copy (issue 25)
    ["sim"] = AmiDialer.Benchmarks.Simulator.SimulatorBench.RunAsync, // simulator originates per second (issue 4)
    ["dnc"] = AmiDialer.Benchmarks.Data.DncBench.RunAsync, // dnc import of 10,000 numbers into 1M leads (issue 21)
    ["report"] = AmiDialer.Benchmarks.Reports.ReportBench.RunAsync, // report summary at 1M attempts (issue 8)
    ["engine"] = AmiDialer.Benchmarks.Engine.EngineBench.RunAsync, // a campaign at 500 calls/s, dialer CPU per call (issue 6)
    ["store"] = AmiDialer.Benchmarks.Engine.StoreBench.RunAsync, // the store's share of a call, alone (issue 6)
    ["sim-server"] = AmiDialer.Benchmarks.Engine.SimServer.RunAsync, // hidden: the engine bench's simulator process
    ["import-once"] = AmiDialer.Benchmarks.Data.ImportBenchmark.RunOnceAsync, // hidden: one import in a fresh process
    ["import-once-pg"] = AmiDialer.Benchmarks.Data.PostgresImportBench.RunOnceAsync, // hidden: one PostgreSQL import in a fresh process
    ["upload"] = AmiDialer.Benchmarks.Web.UploadBench.RunAsync, // a CSV uploaded through the web host vs the CLI import (issue 21)
    ["pacing"] = AmiDialer.Benchmarks.Pacing.PacingBench.RunAsync, // progressive and predictive pacing vs the best fixed concurrency, virtual time (issue 26)
    ["pacing-sim"] = AmiDialer.Benchmarks.Pacing.PacingSimBench.RunAsync, // the same against the simulator's queue, the real engine dialing (issue 26)
    ["upload-once"] = AmiDialer.Benchmarks.Web.UploadBench.RunOnceAsync, // hidden: one upload in a fresh process
};

if (args.Length > 0 && modes.TryGetValue(args[0], out var mode))
{
    return await mode(args[1..]);
}

// Not typeof(Program): amidialer has a public Program too.
BenchmarkSwitcher.FromAssembly(System.Reflection.Assembly.GetExecutingAssembly()).Run(args);
return 0;
