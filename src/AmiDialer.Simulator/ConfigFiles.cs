namespace AmiDialer.Simulator;

/// <summary>One line of a configuration file: <c>name = value</c>, or <c>name =&gt; value</c> when <see cref="Object"/>.</summary>
internal sealed record ConfigLine(string Name, string Value, bool Object)
{
    /// <summary>As GetConfig shows it: always <c>name=value</c>, whatever the file has (k4).</summary>
    public override string ToString() => Name + "=" + Value;

    /// <summary>"exten=_X.,1,NoOp(x)" → (exten, _X.,1,NoOp(x)); lines of extensions.conf are objects.</summary>
    public static ConfigLine Parse(string line)
    {
        var eq = line.IndexOf('=', StringComparison.Ordinal);
        return new ConfigLine(line[..eq], line[(eq + 1)..], Object: true);
    }
}

/// <summary>A [category] of a configuration file and its lines, in file order.</summary>
internal sealed record ConfigCategory(string Name, List<ConfigLine> Lines)
{
    public ConfigCategory Copy() => new(Name, [.. Lines]);
}

/// <summary>
/// The PBX's configuration folder as the config actions see it (GetConfig, CreateConfig, UpdateConfig): files of
/// categories. extensions.conf is the test PBX's; it <c>#include</c>s <see cref="Includes"/> (amidialer.conf when the
/// ledger is installed). AMI cannot write an <c>#include</c> line (UpdateConfig only writes variables), so a file
/// written through AMI is only part of the dialplan once the administrator includes it by hand
/// (<see cref="AmiSimulator.IncludeConfigFile"/>, <see cref="SimulatorOptions.Includes"/>) and the dialplan is reloaded.
/// </summary>
internal sealed class ConfigFiles
{
    public const string Extensions = "extensions.conf";
    public const string Ledger = "amidialer.conf";
    public const string Queues = "queues.conf";

    private readonly Dictionary<string, List<ConfigCategory>> _files = new(StringComparer.Ordinal);
    private readonly List<string> _includes = [];
    private readonly Lock _gate = new();

    public ConfigFiles(bool ledgerInstalled, IEnumerable<string> includes, IReadOnlyCollection<string>? queues = null)
    {
        _files[Extensions] = [.. Dialplan.ExtensionsConf.Select(c => new ConfigCategory(c.Category, [.. c.Lines.Select(ConfigLine.Parse)]))];
        if (queues is { Count: > 0 })
        {
            // After the recorded file's contexts: the lab added [queue] for the q captures (QUEUES.md).
            var (category, lines) = Dialplan.QueueContext(queues);
            _files[Extensions].Add(new ConfigCategory(category, [.. lines.Select(ConfigLine.Parse)]));
        }

        if (ledgerInstalled)
        {
            _files[Ledger] = [.. Dialplan.LedgerConf.Select(c => new ConfigCategory(c.Category, [.. c.Lines.Select(ConfigLine.Parse)]))];
            _includes.Add(Ledger);
        }

        foreach (var file in includes)
        {
            Include(file);
        }
    }

    public bool Exists(string file)
    {
        lock (_gate)
        {
            return _files.ContainsKey(file);
        }
    }

    /// <summary>A copy of the file's categories, or null when there is no such file.</summary>
    public List<ConfigCategory>? Read(string file)
    {
        lock (_gate)
        {
            return _files.TryGetValue(file, out var categories) ? [.. categories.Select(c => c.Copy())] : null;
        }
    }

    /// <summary>
    /// The file as Asterisk's config loader reads it: extensions.conf with the categories of the files it includes
    /// (its last lines), which exist at the time; null when there is no such file.
    /// </summary>
    public List<ConfigCategory>? Load(string file)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(file, out var categories))
            {
                return null;
            }

            var loaded = categories.Select(c => c.Copy()).ToList();
            if (file == Extensions)
            {
                foreach (var included in _includes)
                {
                    if (_files.TryGetValue(included, out var more))
                    {
                        loaded.AddRange(more.Select(c => c.Copy()));
                    }
                }
            }

            return loaded;
        }
    }

    /// <summary>CreateConfig: an empty file; false when it exists (Asterisk opens it O_CREAT|O_EXCL).</summary>
    public bool Create(string file)
    {
        lock (_gate)
        {
            return _files.TryAdd(file, []);
        }
    }

    public void Write(string file, List<ConfigCategory> categories)
    {
        lock (_gate)
        {
            _files[file] = [.. categories.Select(c => c.Copy())];
        }
    }

    public void Delete(string file)
    {
        lock (_gate)
        {
            _files.Remove(file);
            _includes.Remove(file);
        }
    }

    /// <summary>Adds <c>#include file</c> at the end of extensions.conf (what an administrator does by hand).</summary>
    public void Include(string file)
    {
        lock (_gate)
        {
            if (!_includes.Contains(file, StringComparer.Ordinal))
            {
                _includes.Add(file);
            }
        }
    }
}
