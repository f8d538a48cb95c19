namespace AmiDialer.Ami;

/// <summary>One <c>Key: Value</c> line of an AMI message, as it was on the wire (key spelling kept).</summary>
public readonly record struct AmiHeader(string Key, string Value)
{
    public override string ToString() => Key + ": " + Value;
}
