using System.Text.Json.Serialization;

namespace AmiDialer.Data.Database;

internal sealed record VariableJson(string Name, string? Value, string? Field);

/// <summary>Source-generated JSON for the columns stored as JSON (no reflection on the import's hot path).</summary>
[JsonSerializable(typeof(List<VariableJson>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<long>))]
internal sealed partial class DataJson : JsonSerializerContext;
