using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Sluice.Rag;

/// <summary>
/// The durable side of the index: one SQLite file (WAL journal, <c>synchronous=FULL</c>) with a <c>records</c> table
/// (key, text, metadata as JSON, float32 vector blob) and a <c>settings</c> table (dimensions). Every upsert and
/// delete is one transaction, so a process killed at any moment leaves the file as before or as after that call.
/// </summary>
internal sealed class IndexFile : IDisposable
{
    private readonly SqliteConnection _connection;

    public IndexFile(string path, int dimensions)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, text TEXT NOT NULL, metadata TEXT NOT NULL, vector BLOB NOT NULL);
            """);
        using var read = _connection.CreateCommand();
        read.CommandText = "SELECT value FROM settings WHERE name = 'dimensions'";
        if (read.ExecuteScalar() is string stored)
        {
            int existing = int.Parse(stored, CultureInfo.InvariantCulture);
            if (existing != dimensions)
            {
                throw new InvalidOperationException(
                    $"The index file '{path}' holds {existing}-dimensional vectors; it was opened with Dimensions = {dimensions}.");
            }
        }
        else
        {
            using var write = _connection.CreateCommand();
            write.CommandText = "INSERT INTO settings (name, value) VALUES ('dimensions', $value)";
            write.Parameters.AddWithValue("$value", dimensions.ToString(CultureInfo.InvariantCulture));
            write.ExecuteNonQuery();
        }
    }

    public IEnumerable<IndexRecord> ReadAll()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, text, metadata, vector FROM records ORDER BY rowid";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return ToRecord(reader);
        }
    }

    /// <summary>Every record's key and metadata in file order, without texts or vectors.</summary>
    public IEnumerable<KeyValuePair<string, Dictionary<string, string>>> ReadKeysWithMetadata()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, metadata FROM records ORDER BY rowid";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new(reader.GetString(0), ParseMetadata(reader.GetString(1)));
        }
    }

    public int Count()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM records";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public IndexRecord? Read(string key)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, text, metadata, vector FROM records WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ToRecord(reader) : null;
    }

    public void Upsert(IReadOnlyList<IndexRecord> records)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO records (key, text, metadata, vector) VALUES ($key, $text, $metadata, $vector)
            ON CONFLICT(key) DO UPDATE SET text = excluded.text, metadata = excluded.metadata, vector = excluded.vector
            """;
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var text = command.Parameters.Add("$text", SqliteType.Text);
        var metadata = command.Parameters.Add("$metadata", SqliteType.Text);
        var vector = command.Parameters.Add("$vector", SqliteType.Blob);
        command.Prepare();
        foreach (var record in records)
        {
            key.Value = record.Key;
            text.Value = record.Text;
            metadata.Value = JsonSerializer.Serialize(record.Metadata);
            vector.Value = MemoryMarshal.AsBytes(record.Vector.Span).ToArray();
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Deletes <paramref name="keys"/> in one transaction.</summary>
    /// <returns>How many records were deleted.</returns>
    public int Delete(IReadOnlyList<string> keys)
    {
        int deleted = 0;
        using var transaction = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM records WHERE key = $key";
        var key = command.Parameters.Add("$key", SqliteType.Text);
        command.Prepare();
        foreach (string k in keys)
        {
            key.Value = k;
            deleted += command.ExecuteNonQuery();
        }

        transaction.Commit();
        return deleted;
    }

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static Dictionary<string, string> ParseMetadata(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    private static IndexRecord ToRecord(SqliteDataReader reader)
    {
        byte[] blob = (byte[])reader.GetValue(3);
        return new IndexRecord
        {
            Key = reader.GetString(0),
            Text = reader.GetString(1),
            Metadata = ParseMetadata(reader.GetString(2)),
            Vector = MemoryMarshal.Cast<byte, float>(blob).ToArray(),
        };
    }
}
