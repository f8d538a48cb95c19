using System.Data;
using System.Globalization;
using System.Text.Json;
using AmiDialer.Core.Model;
using AmiDialer.Core.Pacing;
using AmiDialer.Data.Database;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmiDialer.Data.Repositories;

/// <summary>Campaign settings and state. Every change is written to the audit log in the same transaction.</summary>
public sealed class CampaignRepository(AmiDialerDatabase database, TimeProvider time, ILogger<CampaignRepository>? logger = null)
{
    private readonly ILogger logger = logger ?? (ILogger)NullLogger.Instance;

    private const string SelectColumns = """
        SELECT id AS Id, name AS Name, state AS State, time_zone AS TimeZone, dial_template AS DialTemplate,
               destination_context AS DestinationContext, destination_extension AS DestinationExtension,
               destination_priority AS DestinationPriority, on_answer_context AS OnAnswerContext,
               on_answer_extension AS OnAnswerExtension, on_answer_priority AS OnAnswerPriority,
               caller_id AS CallerId, ring_timeout_ms AS RingTimeoutMs, variables AS Variables,
               max_concurrent_calls AS MaxConcurrentCalls, calls_per_second AS CallsPerSecond,
               start_at AS StartAt, end_at AS EndAt, days AS Days, windows AS Windows, calling_hours AS CallingHours,
               retry_policy AS RetryPolicy, max_attempts AS MaxAttempts, is_simulated AS IsSimulated, created_at AS CreatedAt,
               lead_order AS LeadOrder, queue AS Queue, pacing AS Pacing, pacing_ratio AS PacingRatio
        FROM campaigns
        """;

    /// <summary>Inserts a campaign; its Id and CreatedAt are assigned here. Throws <see cref="DuplicateNameException"/> on a taken name.</summary>
    public async Task<Campaign> CreateAsync(Campaign campaign, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM campaigns WHERE name = @name", new { name = campaign.Name }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (exists is not null)
        {
            throw new DuplicateNameException($"A campaign named '{campaign.Name}' already exists.");
        }

        var row = ToRow(campaign with { CreatedAt = now }, now);
        long id;
        try
        {
            id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                INSERT INTO campaigns (name, state, time_zone, dial_template, destination_context, destination_extension,
                    destination_priority, on_answer_context, on_answer_extension, on_answer_priority, caller_id, ring_timeout_ms,
                    variables, max_concurrent_calls, calls_per_second, start_at, end_at, days, windows, calling_hours,
                    retry_policy, max_attempts, is_simulated, created_at, updated_at, lead_order, queue, pacing, pacing_ratio)
                VALUES (@Name, @State, @TimeZone, @DialTemplate, @DestinationContext, @DestinationExtension,
                    @DestinationPriority, @OnAnswerContext, @OnAnswerExtension, @OnAnswerPriority, @CallerId, @RingTimeoutMs,
                    @Variables, @MaxConcurrentCalls, @CallsPerSecond, @StartAt, @EndAt, @Days, @Windows, @CallingHours,
                    @RetryPolicy, @MaxAttempts, @IsSimulated, @CreatedAt, @UpdatedAt, @LeadOrder, @Queue, @Pacing, @PacingRatio)
                RETURNING id
                """, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreErrors.IsUniqueViolation(e))
        {
            // Taken between the check and the insert by another node (PostgreSQL's transactions do not queue writers as SQLite's do).
            throw new DuplicateNameException($"A campaign named '{campaign.Name}' already exists.", e);
        }

        await AuditLog.WriteAsync(connection, transaction, now, actor, "campaign.create", $"campaign:{id}", campaign.Name, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return campaign with { Id = id, CreatedAt = now };
    }

    /// <summary>
    /// Replaces every setting (not the state, not the id, not the simulated mark: <see cref="MarkSimulatedAsync"/>
    /// and <see cref="CampaignRequeue"/> change that); false if the campaign does not exist. Throws
    /// <see cref="DuplicateNameException"/> when another campaign has the new name.
    /// </summary>
    public async Task<bool> UpdateAsync(Campaign campaign, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var taken = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM campaigns WHERE name = @name AND id <> @id AND EXISTS (SELECT 1 FROM campaigns WHERE id = @id)", new { name = campaign.Name, id = campaign.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (taken is not null)
        {
            throw new DuplicateNameException($"A campaign named '{campaign.Name}' already exists.");
        }

        var row = ToRow(campaign, now);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE campaigns SET name = @Name, time_zone = @TimeZone, dial_template = @DialTemplate,
                destination_context = @DestinationContext, destination_extension = @DestinationExtension,
                destination_priority = @DestinationPriority, on_answer_context = @OnAnswerContext,
                on_answer_extension = @OnAnswerExtension, on_answer_priority = @OnAnswerPriority, caller_id = @CallerId,
                ring_timeout_ms = @RingTimeoutMs, variables = @Variables, max_concurrent_calls = @MaxConcurrentCalls,
                calls_per_second = @CallsPerSecond, start_at = @StartAt, end_at = @EndAt, days = @Days, windows = @Windows,
                calling_hours = @CallingHours, retry_policy = @RetryPolicy, max_attempts = @MaxAttempts,
                lead_order = @LeadOrder, queue = @Queue, pacing = @Pacing, pacing_ratio = @PacingRatio, updated_at = @UpdatedAt
            WHERE id = @Id
            """, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (changed == 0)
        {
            return false;
        }

        await AuditLog.WriteAsync(connection, transaction, now, actor, "campaign.update", $"campaign:{campaign.Id}", campaign.Name, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Marks the campaign as dialed by the simulator (a real engine then refuses it until it is requeued). True when it changed.</summary>
    public async Task<bool> MarkSimulatedAsync(long id, string actor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE campaigns SET is_simulated = TRUE, updated_at = @now WHERE id = @id AND NOT is_simulated",
            new { id, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (changed == 0)
        {
            return false;
        }

        await AuditLog.WriteAsync(connection, transaction, now, actor, "campaign.simulated", $"campaign:{id}", "dialed by the simulator", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<Campaign?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<CampaignRow>(new CommandDefinition(
            SelectColumns + " WHERE id = @id", new { id }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : FromRow(row);
    }

    public async Task<Campaign?> GetByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<CampaignRow>(new CommandDefinition(
            SelectColumns + " WHERE name = @name", new { name }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : FromRow(row);
    }

    public async Task<IReadOnlyList<Campaign>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CampaignRow>(new CommandDefinition(
            SelectColumns + " ORDER BY name", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(FromRow).ToList();
    }

    /// <summary>Campaigns in any of the given states (the engine's start-up scan).</summary>
    public async Task<IReadOnlyList<Campaign>> ListByStateAsync(IEnumerable<CampaignState> states, CancellationToken cancellationToken = default)
    {
        var names = states.Select(DbNames.Of).ToArray();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CampaignRow>(new CommandDefinition(
            SelectColumns + " WHERE " + database.Dialect.InList("state", "@names") + " ORDER BY id", new { names }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(FromRow).ToList();
    }

    /// <summary>
    /// Moves a campaign from one of <paramref name="from"/> to <paramref name="to"/>, atomically: false when the
    /// campaign is missing or in another state (somebody else moved it first). Which transitions are legal is Core's call.
    /// </summary>
    public async Task<bool> TransitionAsync(long id, IReadOnlyCollection<CampaignState> from, CampaignState to, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        var now = time.GetUtcNow();
        var fromNames = from.Select(DbNames.Of).ToArray();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var previous = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT state FROM campaigns WHERE id = @id" + database.Dialect.ForUpdate, new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (previous is null || !fromNames.Contains(previous))
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE campaigns SET state = @to, updated_at = @now WHERE id = @id",
            new { id, to = DbNames.Of(to), now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await AuditLog.WriteAsync(connection, transaction, now, actor, "campaign.state", $"campaign:{id}", $"{previous} -> {DbNames.Of(to)}", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        logger.CampaignStateChanged(id, previous, DbNames.Of(to));
        return true;
    }

    /// <summary>Deletes the campaign with its leads, attempts, counters and imports.</summary>
    public async Task<bool> DeleteAsync(long id, string actor, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction();
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM campaigns WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (deleted == 0)
        {
            return false;
        }

        await AuditLog.WriteAsync(connection, transaction, now, actor, "campaign.delete", $"campaign:{id}", null, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static CampaignRow ToRow(Campaign c, DateTimeOffset now) => new()
    {
        Id = c.Id,
        Name = c.Name,
        State = DbNames.Of(c.State),
        TimeZone = c.TimeZoneId,
        DialTemplate = c.DialTemplate,
        DestinationContext = c.Destination.Context,
        DestinationExtension = c.Destination.Extension,
        DestinationPriority = c.Destination.Priority,
        OnAnswerContext = c.OnAnswerRedirect?.Context,
        OnAnswerExtension = c.OnAnswerRedirect?.Extension,
        OnAnswerPriority = c.OnAnswerRedirect?.Priority,
        CallerId = c.CallerId,
        RingTimeoutMs = (long)c.RingTimeout.TotalMilliseconds,
        Variables = JsonSerializer.Serialize(c.Variables.Select(v => new VariableJson(v.Name, v.Value, v.Field)).ToList(), DataJson.Default.ListVariableJson),
        MaxConcurrentCalls = c.MaxConcurrentCalls,
        CallsPerSecond = c.CallsPerSecond,
        StartAt = c.StartAt,
        EndAt = c.EndAt,
        Days = string.Join(',', c.Days.Select(d => d.ToString()[..3])),
        Windows = string.Join(',', c.Windows.Select(w => w.ToString())),
        CallingHours = c.CallingHours.ToString(),
        RetryPolicy = c.RetryPolicy,
        MaxAttempts = c.MaxAttempts,
        IsSimulated = c.IsSimulated,
        LeadOrder = c.Order.ToWireName(),
        Queue = c.Queue,
        Pacing = c.Pacing.ToWireName(),
        PacingRatio = c.PacingRatio,
        CreatedAt = c.CreatedAt,
        UpdatedAt = now,
    };

    private static Campaign FromRow(CampaignRow r) => new()
    {
        Id = r.Id,
        Name = r.Name,
        State = DbNames.CampaignStateOf(r.State),
        TimeZoneId = r.TimeZone,
        DialTemplate = r.DialTemplate,
        Destination = new DialplanTarget(r.DestinationContext, r.DestinationExtension, r.DestinationPriority),
        OnAnswerRedirect = r.OnAnswerContext is null ? null : new DialplanTarget(r.OnAnswerContext, r.OnAnswerExtension ?? "", r.OnAnswerPriority ?? 1),
        CallerId = r.CallerId,
        RingTimeout = TimeSpan.FromMilliseconds(r.RingTimeoutMs),
        Variables = (JsonSerializer.Deserialize(r.Variables, DataJson.Default.ListVariableJson) ?? []).Select(v => new ChannelVariable(v.Name, v.Value, v.Field)).ToList(),
        MaxConcurrentCalls = r.MaxConcurrentCalls,
        CallsPerSecond = r.CallsPerSecond,
        StartAt = r.StartAt,
        EndAt = r.EndAt,
        Days = r.Days.Length == 0 ? [] : r.Days.Split(',').Select(ParseDay).ToList(),
        Windows = r.Windows.Length == 0 ? [] : r.Windows.Split(',').Select(ParseWindow).ToList(),
        CallingHours = ParseWindow(r.CallingHours),
        RetryPolicy = r.RetryPolicy,
        MaxAttempts = r.MaxAttempts,
        IsSimulated = r.IsSimulated,
        Order = LeadOrderNames.TryParse(r.LeadOrder, out var order) ? order : LeadOrder.RetriesFirst,
        Queue = r.Queue,
        Pacing = PacingModeNames.TryParse(r.Pacing, out var pacing) ? pacing : PacingMode.Fixed,
        PacingRatio = r.PacingRatio,
        CreatedAt = r.CreatedAt,
    };

    private static DayOfWeek ParseDay(string text) =>
        Enum.GetValues<DayOfWeek>().First(d => d.ToString().StartsWith(text, StringComparison.Ordinal));

    private static DailyWindow ParseWindow(string text)
    {
        var parts = text.Split('-');
        return new DailyWindow(ParseClock(parts[0]), ParseClock(parts[1]));
    }

    private static TimeSpan ParseClock(string text)
    {
        var hm = text.Split(':');
        return new TimeSpan(int.Parse(hm[0], CultureInfo.InvariantCulture), int.Parse(hm[1], CultureInfo.InvariantCulture), 0);
    }

    private sealed class CampaignRow
    {
        public long Id { get; set; }
        public string Name { get; set; } = "";
        public string State { get; set; } = "";
        public string TimeZone { get; set; } = "";
        public string DialTemplate { get; set; } = "";
        public string DestinationContext { get; set; } = "";
        public string DestinationExtension { get; set; } = "";
        public int DestinationPriority { get; set; }
        public string? OnAnswerContext { get; set; }
        public string? OnAnswerExtension { get; set; }
        public int? OnAnswerPriority { get; set; }
        public string? CallerId { get; set; }
        public long RingTimeoutMs { get; set; }
        public string Variables { get; set; } = "[]";
        public int MaxConcurrentCalls { get; set; }
        public double CallsPerSecond { get; set; }
        public DateTimeOffset? StartAt { get; set; }
        public DateTimeOffset? EndAt { get; set; }
        public string Days { get; set; } = "";
        public string Windows { get; set; } = "";
        public string CallingHours { get; set; } = "";
        public string RetryPolicy { get; set; } = "";
        public int MaxAttempts { get; set; }
        public bool IsSimulated { get; set; }
        public string LeadOrder { get; set; } = "retries-first";
        public string? Queue { get; set; }
        public string Pacing { get; set; } = "fixed";
        public double PacingRatio { get; set; } = 1.0;
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }
    }
}
