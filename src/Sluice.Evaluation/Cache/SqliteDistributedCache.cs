using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Caching.Distributed;

namespace Sluice.Evaluation;

/// <summary>
/// An <see cref="IDistributedCache"/> in one SQLite file: the store behind the judge cache
/// (<see cref="JudgeCacheChatClientBuilderExtensions.UseJudgeCache"/>), usable behind any of Microsoft.Extensions.AI's
/// <c>UseDistributedCache</c> doors too. Counts its hits, misses, stores and failed stores.
/// </summary>
/// <remarks>
/// <para>Safe for concurrent use from many threads and processes: the database is in WAL mode, each operation opens its
/// own (pooled) connection, SQLite's busy timeout absorbs write contention, and a write is one upsert, so concurrent
/// writers never lose an entry (the last write of a key wins). Dispose it to release the file.</para>
/// <para>Absolute expirations are honoured (an expired entry reads as missing until <see cref="Prune"/> or a later
/// write removes it); sliding expirations are not supported, so <see cref="Refresh"/> does nothing.</para>
/// </remarks>
public sealed class SqliteDistributedCache : IDistributedCache, IDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private long _hits;
    private long _misses;
    private long _stores;
    private long _storeFailures;

    /// <summary>Opens (creating when missing) the cache file at <paramref name="path"/>.</summary>
    /// <param name="path">The SQLite file; its directory must exist.</param>
    /// <param name="timeProvider">The clock that stamps and expires entries; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/>, empty or white space.</exception>
    /// <exception cref="SqliteException">The file cannot be opened or is not a cache file.</exception>
    public SqliteDistributedCache(string path, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _timeProvider = timeProvider ?? TimeProvider.System;
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
            CREATE TABLE IF NOT EXISTS cache_entries (
                key TEXT PRIMARY KEY NOT NULL,
                value BLOB NOT NULL,
                stored_utc TEXT NOT NULL,
                expires_utc TEXT NULL);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Gets the full path of the cache file.</summary>
    public string Path { get; }

    /// <summary>Gets how many reads found an entry since this instance was created.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Gets how many reads found nothing (or an expired entry) since this instance was created.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Gets how many entries this instance wrote.</summary>
    public long Stores => Interlocked.Read(ref _stores);

    /// <summary>Gets how many writes failed (the exception went to the writer, which for the judge cache still returns its reply).</summary>
    public long StoreFailures => Interlocked.Read(ref _storeFailures);

    /// <summary>Counts the entries in the file, expired ones included.</summary>
    /// <returns>The number of entries.</returns>
    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM cache_entries;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Removes the entries stored before <paramref name="storedBefore"/> and those already expired, so that a long-lived
    /// file does not grow without bound (for example after the judge model or the prompts changed, when old entries can
    /// never hit again).
    /// </summary>
    /// <param name="storedBefore">Entries stored earlier than this moment are removed.</param>
    /// <returns>The number of entries removed.</returns>
    public long Prune(DateTimeOffset storedBefore)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM cache_entries WHERE stored_utc < $cutoff OR expires_utc <= $now;";
        command.Parameters.AddWithValue("$cutoff", Timestamp(storedBefore));
        command.Parameters.AddWithValue("$now", Timestamp(_timeProvider.GetUtcNow()));
        return command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public byte[]? Get(string key)
    {
        using var connection = Open();
        using var command = ReadCommand(connection, key);
        return Counted(command.ExecuteScalar() as byte[]);
    }

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        await using var connection = await OpenAsync(token).ConfigureAwait(false);
        await using var command = ReadCommand(connection, key);
        return Counted(await command.ExecuteScalarAsync(token).ConfigureAwait(false) as byte[]);
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException"><paramref name="options"/> sets a sliding expiration.</exception>
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        var expires = Expiry(key, value, options);
        try
        {
            using var connection = Open();
            using var command = WriteCommand(connection, key, value, expires);
            command.ExecuteNonQuery();
            Interlocked.Increment(ref _stores);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _storeFailures);
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException"><paramref name="options"/> sets a sliding expiration.</exception>
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        var expires = Expiry(key, value, options);
        try
        {
            await using var connection = await OpenAsync(token).ConfigureAwait(false);
            await using var command = WriteCommand(connection, key, value, expires);
            await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            Interlocked.Increment(ref _stores);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _storeFailures);
            throw;
        }
    }

    /// <summary>Does nothing: sliding expirations are not supported.</summary>
    /// <param name="key">The key.</param>
    public void Refresh(string key) => ArgumentNullException.ThrowIfNull(key);

    /// <summary>Does nothing: sliding expirations are not supported.</summary>
    /// <param name="key">The key.</param>
    /// <param name="token">Not used.</param>
    /// <returns>A completed task.</returns>
    public Task RefreshAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Remove(string key)
    {
        using var connection = Open();
        using var command = RemoveCommand(connection, key);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        await using var connection = await OpenAsync(token).ConfigureAwait(false);
        await using var command = RemoveCommand(connection, key);
        await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
    }

    /// <summary>Releases the file's pooled connections.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private byte[]? Counted(byte[]? value)
    {
        Interlocked.Increment(ref value is null ? ref _misses : ref _hits);
        return value;
    }

    private SqliteCommand ReadCommand(SqliteConnection connection, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM cache_entries WHERE key = $key AND (expires_utc IS NULL OR expires_utc > $now);";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", Timestamp(_timeProvider.GetUtcNow()));
        return command;
    }

    private SqliteCommand WriteCommand(SqliteConnection connection, string key, byte[] value, DateTimeOffset? expires)
    {
        var command = connection.CreateCommand();
        command.CommandText =
            """
            INSERT INTO cache_entries (key, value, stored_utc, expires_utc) VALUES ($key, $value, $stored, $expires)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, stored_utc = excluded.stored_utc, expires_utc = excluded.expires_utc;
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$stored", Timestamp(_timeProvider.GetUtcNow()));
        command.Parameters.AddWithValue("$expires", expires is { } e ? Timestamp(e) : DBNull.Value);
        return command;
    }

    private static SqliteCommand RemoveCommand(SqliteConnection connection, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM cache_entries WHERE key = $key;";
        command.Parameters.AddWithValue("$key", key);
        return command;
    }

    /// <summary>Checks a write's arguments and returns when the entry expires, if ever.</summary>
    private DateTimeOffset? Expiry(string key, byte[] value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        if (options.SlidingExpiration is not null)
        {
            throw new NotSupportedException($"{nameof(SqliteDistributedCache)} does not support {nameof(DistributedCacheEntryOptions.SlidingExpiration)}; use an absolute expiration.");
        }

        return options.AbsoluteExpirationRelativeToNow is { } relative
            ? _timeProvider.GetUtcNow() + relative
            : options.AbsoluteExpiration;
    }

    /// <summary>Round-trip UTC text of fixed width, so that text order is time order.</summary>
    private static string Timestamp(DateTimeOffset moment) =>
        moment.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

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
