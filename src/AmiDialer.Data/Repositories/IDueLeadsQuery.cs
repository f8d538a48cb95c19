using AmiDialer.Core.Model;

namespace AmiDialer.Data.Repositories;

/// <summary>
/// What the dialer asks the store for, several times a second: the campaign's due leads, in its order. One caller at a
/// time; dispose it when done. SQLite: <see cref="DueLeadsQuery"/>; PostgreSQL: <see cref="PostgresDueLeadsQuery"/>.
/// </summary>
public interface IDueLeadsQuery : IAsyncDisposable
{
    /// <summary>
    /// Up to <paramref name="limit"/> due leads (pending or waiting to retry, due at or before <paramref name="now"/>) in
    /// the campaign's <paramref name="order"/>: the due leads of the first kind, earliest first, then the other kind's.
    /// </summary>
    Task<IReadOnlyList<Lead>> GetAsync(long campaignId, DateTimeOffset now, int limit, LeadOrder order, CancellationToken cancellationToken = default);
}
