using BenchmarkDotNet.Running;

// Bench commands print figures: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- import 1000000
if (args is ["import", ..])
{
    return await AmiDialer.Benchmarks.Data.ImportBenchmark.RunAsync(args[1..]);
}

if (args is ["sim", ..]) { return await AmiDialer.Benchmarks.Simulator.SimulatorBench.RunAsync(args[1..]); }

if (args is ["report", ..]) { return await AmiDialer.Benchmarks.Reports.ReportBench.RunAsync(args[1..]); } // report of 1M attempts (issue 8)

// Bench modes print figures: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- <mode> [options]
var modes = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["ami"] = AmiDialer.Benchmarks.Ami.AmiBench.RunAsync, // AMI parser and client throughput (issue 3)
    ["sim"] = AmiDialer.Benchmarks.Simulator.SimulatorBench.RunAsync, // simulator originates/s with all events (issue 4)
    ["import"] = AmiDialer.Benchmarks.Data.ImportBenchmark.RunAsync, // CSV import rows/s (issue 5)
};

if (args.Length > 0 && modes.TryGetValue(args[0], out var mode))
{
    return await mode(args[1..]);
}

// BenchmarkDotNet suites: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(System.Reflection.Assembly.GetExecutingAssembly()).Run(args); // not typeof(Program): amidialer has a public Program too
return 0;
