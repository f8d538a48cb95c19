using System.Text.Json.Serialization;

namespace AmiDialer.Data.Database;

internal sealed record VariableJson(string Name, string? Value, string? Field);

/// <summary>One AMI server as a node describes it in <c>nodes.ami_servers</c> (schema step 12).</summary>
internal sealed record NodeServerJson(int Index, string Name, string Host, int Port, int MaxConcurrentCalls);

/// <summary>Source-generated JSON for the columns stored as JSON (no reflection on the import's hot path).</summary>
[JsonSerializable(typeof(List<VariableJson>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<long>))]
[JsonSerializable(typeof(List<NodeServerJson>))]
internal sealed partial class DataJson : JsonSerializerContext;
