using Microsoft.Extensions.Hosting;

namespace AmiDialer.Web;

/// <summary>
/// The host's lifetime when its caller decides when it stops (serve, on the command's own SIGINT/SIGTERM; tests):
/// unlike the console lifetime, it registers no signal handler and does not hold process exit.
/// </summary>
internal sealed class CallerStoppedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
