using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiDialer.Ami;

namespace AmiDialer.Ami.Tests.Client;

public sealed class AmiClientTlsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Logs_in_and_works_over_tls()
    {
        using var certificate = SelfSigned();
        await using var server = new FakeAmiServer((s, a) => s.RespondAsync(a, new AmiHeader("Message", "over tls"))) { TlsCertificate = certificate };
        await using var client = new AmiClient(server.Options(o =>
        {
            o.UseTls = true;
            o.TlsTargetHost = "localhost";
            o.TlsCertificateValidation = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        }));
        await client.ConnectAsync().WaitAsync(Wait);
        Assert.Equal("over tls", (await client.SendAsync(new AmiAction("Status")).WaitAsync(Wait)).Message);
        Assert.Equal("Pong", (await client.PingAsync().WaitAsync(Wait))["Ping"]);
    }

    [Fact]
    public async Task An_untrusted_certificate_is_refused_and_reported()
    {
        using var certificate = SelfSigned();
        await using var server = new FakeAmiServer { TlsCertificate = certificate };
        // A handshake on a loaded machine may take seconds: only the certificate may fail it here, not the clock.
        await using var client = new AmiClient(server.Options(o =>
        {
            o.UseTls = true;
            o.TlsTargetHost = "localhost";
            o.ConnectTimeout = TimeSpan.FromMinutes(2);
        }));
        using var watching = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        client.Start();
        await foreach (var state in client.WatchStateAsync(watching.Token))
        {
            if (state.Status == AmiConnectionStatus.Disconnected && state.Error is not null)
            {
                Assert.IsType<System.Security.Authentication.AuthenticationException>(state.Error);
                break;
            }
        }

        var session = await server.NextSessionAsync();
        Assert.Empty(session.Received); // the login never went out over an untrusted connection
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
