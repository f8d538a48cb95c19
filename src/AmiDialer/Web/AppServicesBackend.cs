using AmiDialer.Hosting;

namespace AmiDialer.Web;

/// <summary>Adapts the shared composition root to what the web layer needs.</summary>
internal static class AppServicesBackend
{
    public static WebBackend Create(AppServices services) => new()
    {
        Settings = services.Settings,
        Services = services,
        Time = services.Time,
        LoggerFactory = services.LoggerFactory,
        IsSimulated = services.IsSimulated,
        AdminPassword = new HashedAdminPassword(() => services.AdminPasswordHash),
        Health = new EngineHealth(services),
    };

    /// <summary>Verifies against the hash <c>amidialer admin set-password</c> stored, read at each login so a new one takes effect at once.</summary>
    private sealed class HashedAdminPassword(Func<string?> hash) : IAdminPassword
    {
        public ValueTask<bool> IsSetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(!string.IsNullOrEmpty(hash()));

        // PBKDF2 is deliberately slow: keep it off the request thread's fast path.
        public async ValueTask<bool> VerifyAsync(string password, CancellationToken cancellationToken) =>
            await Task.Run(() => AdminPassword.Verify(password, hash()), cancellationToken);
    }

    private sealed class EngineHealth(AppServices services) : IHealthProbe
    {
        // This node's own setting and calls: the cluster's figures are added from the store (ServerFigures).
        public IReadOnlyList<AmiServerHealth> AmiServers() =>
            services.Engine is { } engine
                ? [.. engine.GetSnapshot().Servers.Select(s => new AmiServerHealth(s.Name, s.Connected ? (s.NotDialedBecause is { } why ? "connected, not dialed: " + why : "connected") : s.Status.ToString().ToLowerInvariant(), s.Connected && s.NotDialedBecause is null)
                {
                    MaxConcurrentCalls = s.ConfiguredMaxConcurrentCalls,
                    ThisNodeCalls = s.ActiveCalls,
                })]
                : [.. services.Settings.Ami.Servers.Select(s => new AmiServerHealth(s.Name, "engine not running", false) { MaxConcurrentCalls = s.MaxConcurrentCalls })];
    }
}
