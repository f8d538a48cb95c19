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

        return builder.Build();
    }

    /// <summary>Binds and validates; throws <see cref="SettingsException"/> naming every bad key at once.</summary>
    public static AmiDialerSettings Load(IConfiguration configuration, SettingsUse use)
    {
        var settings = new AmiDialerSettings();
        var errors = new List<string>();
        try
        {
            configuration.Bind(settings, o => o.ErrorOnUnknownConfiguration = false);
        }
        catch (InvalidOperationException ex)
        {
            // The binder names the key and the value it could not convert.
            errors.Add(ex.InnerException is null ? ex.Message : $"{ex.Message} {ex.InnerException.Message}");
        }

        // The binder silently drops a list element it cannot convert; bind servers one by one so that
        // a typo in one server's Port is an error naming it, not a server that vanished.
        settings.Ami.Servers = [];
        foreach (var section in configuration.GetSection("Ami:Servers").GetChildren())
        {
            var server = new AmiServerSettings();
            try
            {
                section.Bind(server);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"{section.Path}: {ex.Message}");
            }

            settings.Ami.Servers.Add(server);
        }

        errors.AddRange(SettingsValidator.Validate(settings, use));
        if (errors.Count > 0)
        {
            throw new SettingsException(errors);
        }

        return settings;
    }
}

/// <summary>What the command about to run needs, so that e.g. a demo does not demand an AMI secret.</summary>
[Flags]
public enum SettingsUse
{
    None = 0,
    Ami = 1,
    Web = 2,
}

public sealed class SettingsException(IReadOnlyList<string> errors)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
