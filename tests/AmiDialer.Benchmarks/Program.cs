using BenchmarkDotNet.Running;

if (args is ["report", ..]) { return await AmiDialer.Benchmarks.Reports.ReportBench.RunAsync(args[1..]); } // report of 1M attempts (issue 8)

// BenchmarkDotNet suites: dotnet run -c Release --project tests/AmiDialer.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(System.Reflection.Assembly.GetExecutingAssembly()).Run(args); // not typeof(Program): amidialer has a public Program too
return 0;
