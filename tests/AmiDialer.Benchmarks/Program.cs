using BenchmarkDotNet.Running;

// Bench commands print figures: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- import 1000000
if (args is ["import", ..])
{
    return await AmiDialer.Benchmarks.Data.ImportBenchmark.RunAsync(args[1..]);
}

// BenchmarkDotNet suites: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- --filter '*'
if (args is ["sim", ..]) { return await AmiDialer.Benchmarks.Simulator.SimulatorBench.RunAsync(args[1..]); }

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
