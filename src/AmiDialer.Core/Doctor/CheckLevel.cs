namespace AmiDialer.Core.Doctor;

/// <summary>How one doctor check came out; a FAIL anywhere makes <c>amidialer doctor</c> exit 1.</summary>
public enum CheckLevel
{
    Ok,
    Warn,
    Fail,
}
