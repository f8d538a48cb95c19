namespace AmiDialer.Core.Validation;

/// <summary>One problem with one field, named as the Campaign record names it (<c>RingTimeout</c>, <c>Variables[2].Name</c>).</summary>
public sealed record ValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
