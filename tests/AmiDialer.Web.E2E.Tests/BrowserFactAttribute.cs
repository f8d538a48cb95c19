namespace AmiDialer.Web.E2E.Tests;

/// <summary>
/// A test that needs Debian's Chromium. Where it is missing the test is skipped with a message saying how to get it,
/// unless AMIDIALER_REQUIRE_BROWSER=1 (set by .ci/run), in which case it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Browser.IsAvailable && !Browser.IsRequired)
        {
            Skip = $"Chromium not found at {Browser.ExecutablePath}: install Debian's package (apt-get install -y chromium) " +
                   "or set AMIDIALER_CHROMIUM; set AMIDIALER_REQUIRE_BROWSER=1 to make this a failure.";
        }
    }
}
