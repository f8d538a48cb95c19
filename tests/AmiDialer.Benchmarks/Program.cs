using BenchmarkDotNet.Running;

// Bench modes print figures: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- <mode> [options]
// Everything else goes to BenchmarkDotNet: ... -- --filter '*'
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

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
