using BenchmarkDotNet.Running;

// BenchmarkDotNet suites: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
