namespace AmiDialer.Simulator;

/// <summary>
/// Asterisk's database (AstDB: family/key → value), as the DB* actions and the dialplan's DB() function see it.
/// On a real PBX it is a file, so it survives restarts; keys list in sorted order like Asterisk's SQLite store.
/// </summary>
internal sealed class AstDb
{
    private readonly SortedDictionary<string, string> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Put(string family, string key, string value)
    {
        lock (_gate)
        {
            _entries[Path(family, key)] = value;
        }
    }

    public string? Get(string family, string key)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(Path(family, key), out var value) ? value : null;
        }
    }

    public bool Delete(string family, string key)
    {
        lock (_gate)
        {
            return _entries.Remove(Path(family, key));
        }
    }

    /// <summary>Deletes a family (or one key tree under it); the number deleted (0: Asterisk answers an error).</summary>
    public int DeleteTree(string family, string? key)
    {
        var prefix = Prefix(family, key);
        lock (_gate)
        {
            var doomed = _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) || k == prefix[..^1]).ToList();
            foreach (var k in doomed)
            {
                _entries.Remove(k);
            }

            return doomed.Count;
        }
    }

    /// <summary>Every entry under a family (or all with none), as full paths ("/family/key").</summary>
    public List<KeyValuePair<string, string>> Tree(string? family, string? key)
    {
        var prefix = string.IsNullOrEmpty(family) ? "/" : Prefix(family, key);
        lock (_gate)
        {
            return _entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal) || e.Key == prefix[..^1]).ToList();
        }
    }

    private static string Path(string family, string key) => "/" + family + "/" + key;

    private static string Prefix(string family, string? key) => "/" + family + (string.IsNullOrEmpty(key) ? "" : "/" + key) + "/";
}
