using Microsoft.OpenApi;

namespace AmiDialer.Web.Auth;

/// <summary>The OpenAPI document's statement of how to authenticate, so generated clients and tools send the key.</summary>
internal static class ApiKeySecurity
{
    public const string SchemeName = "ApiKey";

    /// <summary>Declares the X-Api-Key header scheme, requires it everywhere, and exempts the anonymous /health.</summary>
    public static void Declare(OpenApiDocument doc)
    {
        doc.Components ??= new OpenApiComponents();
        doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        doc.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = AuthSchemes.ApiKeyHeader,
            Description = "One of the keys in Web:ApiKeys. Browsers logged in on the pages use their cookie instead.",
        };
        doc.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, doc)] = [] }];

        if (doc.Paths?.TryGetValue("/health", out var health) == true && health.Operations is { } operations)
        {
            foreach (var operation in operations.Values)
            {
                operation.Security = [];
            }
        }
    }
}
