using AmiDialer.Ami;
using AmiDialer.Configuration;
using AmiDialer.Data;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace AmiDialer.Hosting;

/// <summary>
/// Where the instruments of <see cref="DataMetrics"/>, the engine and <see cref="AmiMetrics"/> are exported: pushed
/// to an OpenTelemetry collector when <c>Telemetry:OtlpEndpoint</c> is set (any command), and scraped from
/// <c>/metrics</c> in Prometheus' text format under <c>serve</c>.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "amidialer";

    /// <summary>Every meter of ours.</summary>
    public static readonly string[] Meters = [DataMetrics.MeterName, AmiMetrics.MeterName];

    /// <summary>Our meters, named as one service.</summary>
    public static MeterProviderBuilder AddAmiDialerMeters(this MeterProviderBuilder builder) =>
        builder.ConfigureResource(r => r.AddService(ServiceName)).AddMeter(Meters);

    /// <summary>A provider pushing to the configured collector for the life of the process; null when none is configured.</summary>
    public static MeterProvider? StartOtlp(TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(settings.OtlpEndpoint))
        {
            return null;
        }

        return Sdk.CreateMeterProviderBuilder()
            .AddAmiDialerMeters()
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(settings.OtlpEndpoint);
                o.Protocol = settings.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            })
            .Build();
    }
}
