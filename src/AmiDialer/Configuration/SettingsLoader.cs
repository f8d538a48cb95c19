using Microsoft.Extensions.Configuration;

namespace AmiDialer.Configuration;

/// <summary>Reads the settings in .NET's usual order: embedded defaults, appsettings.json, --config, AMIDIALER_ variables.</summary>
public static class SettingsLoader
{
    public const string EnvironmentPrefix = "AMIDIALER_";

    public static IConfigurationRoot BuildConfiguration(string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);

        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new SettingsException([$"--config: file not found: {full}"]);
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        try
        {
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            // "Failed to load configuration from file 'x'" wraps the reason; the JSON reader's says where (line, byte).
            var reason = ex.InnerException?.InnerException?.Message ?? ex.InnerException?.Message ?? ex.Message;
            throw new SettingsException([$"{ex.Message} {reason}"]);
        }
    }

    /// <summary>Binds and validates; throws <see cref="SettingsException"/> naming every bad key at once.</summary>
    public static AmiDialerSettings Load(IConfiguration configuration, SettingsUse use) => LoadChecked(configuration, use).Settings;

    /// <summary>
    /// Binds and validates; throws <see cref="SettingsException"/> naming every bad key at once. Keys under our
    /// sections that match no setting come back as warnings (they are ignored, which a typo must not be silently).
    /// </summary>
    public static LoadedSettings LoadChecked(IConfiguration configuration, SettingsUse use)
    {
        var settings = new AmiDialerSettings();
        var errors = new List<string>();
        var warnings = new List<string>();
        SettingsBinder.Bind(configuration, settings, errors, warnings);
        errors.AddRange(SettingsValidator.Validate(settings, use).Select(e => WithSource(configuration, e)));
        if (errors.Count > 0)
        {
            throw new SettingsException(errors, warnings);
        }

        return new LoadedSettings(settings, warnings);
    }

    /// <summary>Adds where the value of the key a validation error starts with came from (an environment variable, a file).</summary>
    private static string WithSource(IConfiguration configuration, string error)
    {
        var end = error.IndexOfAny([' ', '\'']);
        var key = (end < 0 ? error : error[..end]).TrimEnd(':');
        var source = key.Contains(':', StringComparison.Ordinal) ? SettingsBinder.SourceOf(configuration, key) : "";
        return source.Length == 0 ? error : error.TrimEnd('.') + source + ".";
    }
}

/// <summary>Valid settings, and the keys that were ignored because they match no setting.</summary>
public sealed record LoadedSettings(AmiDialerSettings Settings, IReadOnlyList<string> Warnings);

/// <summary>What the command about to run needs, so that e.g. a demo does not demand an AMI secret.</summary>
[Flags]
public enum SettingsUse
{
    None = 0,
    Ami = 1,
    Web = 2,
}

public sealed class SettingsException(IReadOnlyList<string> errors, IReadOnlyList<string>? warnings = null)
    : Exception(Describe(errors, warnings ?? []))
{
    public IReadOnlyList<string> Errors { get; } = errors;

    /// <summary>Keys ignored because they match no setting: often the reason a value looks missing.</summary>
    public IReadOnlyList<string> Warnings { get; } = warnings ?? [];

    private static string Describe(IReadOnlyList<string> errors, IReadOnlyList<string> warnings)
    {
        var lines = new List<string> { errors.Count == 1 ? "Invalid configuration:" : $"Invalid configuration ({errors.Count} problems):" };
        lines.AddRange(errors.Select(e => "  " + e));
        lines.AddRange(warnings.Select(w => "  warning: " + w));
        if (errors.Any(e => e.StartsWith("--config", StringComparison.Ordinal)))
        {
            return string.Join(Environment.NewLine, lines);
        }

        lines.Add("Fix them in appsettings.json, the --config file or the AMIDIALER_ environment variables (Ami:Servers:0:Port is AMIDIALER_Ami__Servers__0__Port); 'amidialer config check' checks again.");
        return string.Join(Environment.NewLine, lines);
    }
}
