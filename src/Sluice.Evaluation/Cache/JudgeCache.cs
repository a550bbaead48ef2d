using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;

namespace Sluice.Evaluation;

/// <summary>
/// A file of judge replies keyed by a SHA-256 of (model, messages, options, repetition), in SQLite. Put it in front of
/// a judge's chat client with <see cref="JudgeCacheChatClientBuilderExtensions.UseJudgeCache"/>; a rerun of the same
/// evaluation then costs no calls. Only successful replies are stored; hits and misses are counted.
/// </summary>
/// <remarks>Safe for concurrent use from many threads and processes: the database is in WAL mode, each operation opens
/// its own (pooled) connection, and SQLite's busy timeout absorbs write contention. Dispose it to release the file.</remarks>
public sealed class JudgeCache : IDisposable
{
    private readonly string _connectionString;
    private long _hits;
    private long _misses;
    private long _stores;
    private long _storeFailures;

    /// <summary>Opens (creating when missing) the cache file at <paramref name="path"/>.</summary>
    /// <param name="path">The SQLite file; its directory must exist.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/>, empty or white space.</exception>
    /// <exception cref="SqliteException">The file cannot be opened or is not a cache file.</exception>
    public JudgeCache(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS judge_replies (
                key TEXT PRIMARY KEY NOT NULL,
                response TEXT NOT NULL,
                created_utc TEXT NOT NULL);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Gets the full path of the cache file.</summary>
    public string Path { get; }

    /// <summary>Gets how many lookups found a stored reply since this instance was created.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Gets how many lookups found nothing since this instance was created.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Gets how many replies this instance stored.</summary>
    public long Stores => Interlocked.Read(ref _stores);

    internal void RecordStoreFailure() => Interlocked.Increment(ref _storeFailures);

    /// <summary>Gets how many replies could not be stored (the reply itself was still returned).</summary>
    public long StoreFailures => Interlocked.Read(ref _storeFailures);

    /// <summary>Counts the replies in the file.</summary>
    /// <returns>The number of stored replies.</returns>
    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM judge_replies;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Removes the replies stored before <paramref name="storedBefore"/>, so that a long-lived cache file does not grow
    /// without bound (for example after the judge model or the prompts changed, when old entries can never hit again).
    /// </summary>
    /// <param name="storedBefore">Replies stored earlier than this moment are removed.</param>
    /// <returns>The number of replies removed.</returns>
    public long Prune(DateTimeOffset storedBefore)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM judge_replies WHERE created_utc < $cutoff;";
        command.Parameters.AddWithValue("$cutoff", Timestamp(storedBefore.UtcDateTime));
        return command.ExecuteNonQuery();
    }

    /// <summary>Releases the file's pooled connections.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>The stored reply for <paramref name="key"/>, or <see langword="null"/>; counts a hit or a miss.</summary>
    internal async Task<ChatResponse?> TryGetAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT response FROM judge_replies WHERE key = $key;";
        command.Parameters.AddWithValue("$key", key);
        var json = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        var response = json is null ? null : JsonSerializer.Deserialize<ChatResponse>(json, AIJsonUtilities.DefaultOptions);
        Interlocked.Increment(ref response is null ? ref _misses : ref _hits);
        return response;
    }

    /// <summary>Stores a successful reply (the first one stored for a key wins).</summary>
    internal async Task StoreAsync(string key, ChatResponse response, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(response, AIJsonUtilities.DefaultOptions);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO judge_replies (key, response, created_utc) VALUES ($key, $response, $created);";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$response", json);
        command.Parameters.AddWithValue("$created", Timestamp(DateTime.UtcNow));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            Interlocked.Increment(ref _stores);
        }
    }

    /// <summary>Round-trip UTC text (fixed width, so that text order is time order).</summary>
    private static string Timestamp(DateTime utc) => utc.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
