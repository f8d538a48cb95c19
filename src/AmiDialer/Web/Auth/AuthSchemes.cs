namespace AmiDialer.Web.Auth;

/// <summary>Names of the ways a request can be authenticated.</summary>
public static class AuthSchemes
{
    /// <summary>Picks <see cref="ApiKey"/> when the request carries <see cref="ApiKeyHeader"/>, else <see cref="Cookie"/>.</summary>
    public const string Default = "amidialer";

    public const string ApiKey = "api-key";

    public const string Cookie = "login";

    public const string ApiKeyHeader = "X-Api-Key";

    public const string CookieName = "amidialer.auth";

    public const string AntiforgeryCookieName = "amidialer.af";

    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    public const string AntiforgeryField = "__RequestVerificationToken";
}
