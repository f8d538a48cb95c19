namespace AmiDialer.Configuration;

/// <summary>
/// Marks settings read from a section the framework owns too (<c>Logging</c>): its keys we bind are checked, the rest
/// (<c>Logging:Console:*</c>, a provider's own levels) are the framework's and are not warned about as unknown.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SharedSectionAttribute : Attribute;
