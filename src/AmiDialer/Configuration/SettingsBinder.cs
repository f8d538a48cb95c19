using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace AmiDialer.Configuration;

/// <summary>
/// Binds the configuration onto <see cref="AmiDialerSettings"/> one value at a time, so that every value that does
/// not convert is named (the framework's binder stops at the first and leaves the rest of its object unbound, which
/// then fails validation for values that were fine), and every key under our sections that matches no setting is
/// reported with the nearest known key instead of being ignored silently.
/// </summary>
public static class SettingsBinder
{
    /// <summary>Binds <paramref name="configuration"/> onto <paramref name="settings"/>; conversion errors and unknown keys are added to the lists.</summary>
    public static void Bind(IConfiguration configuration, AmiDialerSettings settings, List<string> errors, List<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(settings);
        var binder = new Binder(configuration, errors, warnings);
        var sections = Settable(typeof(AmiDialerSettings));
        foreach (var child in configuration.GetChildren())
        {
            if (Find(sections, child.Key) is { } property)
            {
                binder.BindProperty(settings, property, child);
            }
            else if (NearestKey.Find(child.Key, sections.Select(p => p.Name)) is { } near)
            {
                // Other top-level sections (Logging, Kestrel...) belong to the framework; only a near miss of ours is a typo.
                warnings.Add($"{child.Path}{binder.Source(child.Path)} is not a known section and is ignored; did you mean {near}?");
            }
        }
    }

    private static PropertyInfo[] Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0).ToArray();

    private static PropertyInfo? Find(PropertyInfo[] properties, string key) =>
        properties.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));

    private sealed class Binder(IConfiguration root, List<string> errors, List<string> warnings)
    {
        public void BindProperty(object target, PropertyInfo property, IConfigurationSection section)
        {
            if (Bind(property.PropertyType, property.GetValue(target), section, out var value))
            {
                property.SetValue(target, value);
            }
        }

        /// <summary>Whether <paramref name="section"/> gave a value for <paramref name="type"/> (false: keep the default).</summary>
        private bool Bind(Type type, object? current, IConfigurationSection section, out object? value)
        {
            value = null;
            var children = section.GetChildren().ToList();
            if (ValueText.Describe(type) is not null)
            {
                if (children.Count > 0)
                {
                    errors.Add($"{section.Path}{Source(children[0].Path)}: expected a single value, found a section ({string.Join(", ", children.Select(c => c.Key))}).");
                    return false;
                }

                // An empty value (an unset environment variable, "" in JSON) keeps the default rather than failing to convert.
                if (section.Value is null || (section.Value.Length == 0 && type != typeof(string)))
                {
                    return false;
                }

                if (ValueText.TryConvert(section.Value, type, out value, out var problem))
                {
                    return true;
                }

                errors.Add($"{section.Path}: {problem}{Source(section.Path)}.");
                return false;
            }

            if (ListItemType(type) is { } itemType)
            {
                if (children.Count == 0 && !string.IsNullOrEmpty(section.Value))
                {
                    errors.Add($"{section.Path}: expected a list ({section.Path}:0, {section.Path}:1, ...), found the single value '{section.Value}'{Source(section.Path)}.");
                    return false;
                }

                // A list given replaces the default one (the framework's binder appends to it, which surprises).
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
                foreach (var child in children)
                {
                    if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        warnings.Add($"{child.Path}{Source(child.Path)} is not a known setting and is ignored; {section.Path} is a list, numbered from 0.");
                        continue;
                    }

                    var fresh = ValueText.Describe(itemType) is null ? Activator.CreateInstance(itemType) : null;
                    if (Bind(itemType, fresh, child, out var item))
                    {
                        list.Add(item);
                    }
                    else if (fresh is not null)
                    {
                        list.Add(fresh);
                    }
                }

                value = type.IsArray ? ToArray(list, itemType) : list;
                return true;
            }

            if (DictionaryValueType(type) is { } valueType)
            {
                if (children.Count == 0 && !string.IsNullOrEmpty(section.Value))
                {
                    errors.Add($"{section.Path}: expected a section of named values, found the single value '{section.Value}'{Source(section.Path)}.");
                    return false;
                }

                // Any key is valid here (Logging:LogLevel's are category names): only the values are checked.
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.OrdinalIgnoreCase)!;
                foreach (var child in children)
                {
                    var fresh = ValueText.Describe(valueType) is null ? Activator.CreateInstance(valueType) : null;
                    if (Bind(valueType, fresh, child, out var item))
                    {
                        dictionary[child.Key] = item;
                    }
                    else if (fresh is not null)
                    {
                        dictionary[child.Key] = fresh;
                    }
                }

                value = dictionary;
                return true;
            }

            if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is not null)
            {
                if (children.Count == 0 && !string.IsNullOrEmpty(section.Value))
                {
                    errors.Add($"{section.Path}: expected a section of settings, found the single value '{section.Value}'{Source(section.Path)}.");
                    return false;
                }

                var target = current ?? Activator.CreateInstance(type)!;
                var properties = Settable(type);
                foreach (var child in children)
                {
                    if (Find(properties, child.Key) is { } property)
                    {
                        BindProperty(target, property, child);
                    }
                    else if (!type.IsDefined(typeof(SharedSectionAttribute), inherit: false))
                    {
                        warnings.Add(Unknown(child, properties));
                    }
                }

                value = target;
                return true;
            }

            // A type this binder does not know: the framework's binder, its error named as well as it can be.
            try
            {
                value = section.Get(type);
                return value is not null;
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"{section.Path}: {ex.Message}");
                return false;
            }
        }

        private string Unknown(IConfigurationSection child, PropertyInfo[] properties)
        {
            var known = properties.Select(p => p.Name).ToList();
            var parent = child.Path[..^child.Key.Length];
            var hint = NearestKey.Find(child.Key, known) is { } near
                ? $"did you mean {parent}{near}?"
                : $"the settings there are {string.Join(", ", known)}.";
            return $"{child.Path}{Source(child.Path)} is not a known setting and is ignored; {hint}";
        }

        public string Source(string path) => SourceOf(root, path);
    }

    /// <summary>Where a key's value came from, as a suffix for a message: an environment variable or a file; empty when unknown.</summary>
    public static string SourceOf(IConfiguration configuration, string path)
    {
        if (configuration is not IConfigurationRoot configurationRoot)
        {
            return "";
        }

        foreach (var provider in configurationRoot.Providers.Reverse())
        {
            if (!provider.TryGet(path, out _) && !provider.GetChildKeys([], path).Any())
            {
                continue;
            }

            return provider switch
            {
                EnvironmentVariablesConfigurationProvider => $" (from environment variable {SettingsLoader.EnvironmentPrefix}{path.Replace(":", "__", StringComparison.Ordinal)})",
                FileConfigurationProvider file => $" (in {file.Source.Path})",
                _ => "",
            };
        }

        return "";
    }

    private static Type? ListItemType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>)
                || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>)))
        {
            return type.GetGenericArguments()[0];
        }

        return null;
    }

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string)
            && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            ? value
            : null;

    private static Array ToArray(IList list, Type itemType)
    {
        var array = Array.CreateInstance(itemType, list.Count);
        list.CopyTo(array, 0);
        return array;
    }
}
