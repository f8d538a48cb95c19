using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using AmiDialer.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AmiDialer.Web.Auth;

public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    public IReadOnlyList<string> Keys { get; set; } = [];
}

/// <summary>Accepts a request whose <c>X-Api-Key</c> is one of Web:ApiKeys.</summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyOptions>(options, loggerFactory, encoder)
{
    private readonly ILogger log = loggerFactory.CreateLogger("AmiDialer.Web.Auth");

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(AuthSchemes.ApiKeyHeader, out var values) || values.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = values.ToString();
        for (var i = 0; i < Options.Keys.Count; i++)
        {
            if (FixedTimeEquals(presented, Options.Keys[i]))
            {
                // The key itself never goes into the principal or the logs; its index is enough to audit.
                var identity = new ClaimsIdentity(
                    [new Claim(ClaimTypes.Name, $"api-key-{i}"), new Claim(ClaimTypes.Role, "api")],
                    AuthSchemes.ApiKey);
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
            }
        }

        WebLog.ApiKeyRejected(log, Context.Connection.RemoteIpAddress?.ToString());
        return Task.FromResult(AuthenticateResult.Fail("The X-Api-Key is not one of Web:ApiKeys."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"ApiKey header=\"{AuthSchemes.ApiKeyHeader}\"";
        var invalid = Request.Headers.ContainsKey(AuthSchemes.ApiKeyHeader);
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required",
            invalid ? "The X-Api-Key header does not hold a valid key." : "Send an X-Api-Key header or log in.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "This key may not do that.");

    private static bool FixedTimeEquals(string presented, string expected)
    {
        // Hash both sides so the comparison takes the same time whatever the lengths.
        var a = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
