using BenchmarkDotNet.Running;

// BenchmarkDotNet suites: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- --filter '*'
if (args is ["sim", ..]) { return await AmiDialer.Benchmarks.Simulator.SimulatorBench.RunAsync(args[1..]); }

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
