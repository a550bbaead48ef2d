using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>
/// Answers identical deterministic requests from disk (<c>sluice run --cache DIR</c>). A request is deterministic when
/// it is an embeddings request, or a chat completion with <c>temperature</c> 0 or a <c>seed</c>. The key is the
/// SHA-256 of the scope (the endpoint's base URL), the URL and the exact body bytes; the entry is the response's
/// request id and body, written to a temporary file and renamed, so a reader never sees half an entry. Only 2xx answers
/// are stored: errors are never cached.
/// </summary>
public sealed class ResponseCache
{
    private readonly string _directory;
    private readonly byte[] _scope;
    private long _hits;
    private long _misses;

    /// <summary>Opens (and creates) a cache directory.</summary>
    /// <param name="directory">The directory; shared safely by several runs.</param>
    /// <param name="scope">What else the answers depend on, usually the base URL; never a secret.</param>
    public ResponseCache(string directory, string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(scope);
        _directory = Path.GetFullPath(directory);
        _scope = Encoding.UTF8.GetBytes(scope);
        Directory.CreateDirectory(_directory);
    }

    /// <summary>Gets how many requests were answered from the cache.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Gets how many deterministic requests were not in the cache.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Whether a request may be answered from the cache.</summary>
    /// <param name="request">The request.</param>
    /// <returns><see langword="true"/> for embeddings, and for chat with <c>temperature</c> 0 or a <c>seed</c>.</returns>
    public static bool IsDeterministic(BatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Endpoint == BatchEndpoint.Embeddings)
        {
            return true;
        }

        try
        {
            var reader = new Utf8JsonReader(request.Body.Span);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool temperature = reader.ValueTextEquals("temperature"u8);
                bool seed = reader.ValueTextEquals("seed"u8);
                reader.Read();
                if (seed && reader.TokenType == JsonTokenType.Number)
                {
                    return true;
                }

                if (temperature && reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double value) && value == 0)
                {
                    return true;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    /// <summary>Looks a deterministic request up.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The stored answer (status 200), or <see langword="null"/> (also for a request that is not deterministic).</returns>
    public async ValueTask<BatchResponse?> TryGetAsync(BatchRequest request, CancellationToken cancellationToken = default)
    {
        if (!IsDeterministic(request))
        {
            return null;
        }

        string path = EntryPath(request);
        byte[] entry;
        try
        {
            entry = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            Interlocked.Increment(ref _misses);
            return null;
        }

        int newline = entry.AsSpan().IndexOf((byte)'\n');
        if (newline < 0)
        {
            Interlocked.Increment(ref _misses);
            return null;
        }

        Interlocked.Increment(ref _hits);
        string? requestId = newline == 0 ? null : Encoding.UTF8.GetString(entry, 0, newline);
        return new BatchResponse(200, requestId, entry.AsMemory(newline + 1));
    }

    /// <summary>Stores a successful answer to a deterministic request; does nothing for other requests or answers.</summary>
    /// <param name="request">The request.</param>
    /// <param name="response">Its answer.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A task that completes when the entry is in place.</returns>
    public async ValueTask PutAsync(BatchRequest request, BatchResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode is < 200 or >= 300 || !IsDeterministic(request))
        {
            return;
        }

        string path = EntryPath(request);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes((response.RequestId ?? string.Empty).ReplaceLineEndings(" ") + "\n"), cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(response.Body, cancellationToken).ConfigureAwait(false);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private string EntryPath(BatchRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var part in new[] { _scope, Encoding.UTF8.GetBytes(request.Url) })
        {
            BitConverter.TryWriteBytes(length, (long)part.Length);
            hash.AppendData(length);
            hash.AppendData(part);
        }

        hash.AppendData(request.Body.Span);
        string key = Convert.ToHexStringLower(hash.GetHashAndReset());
        return Path.Combine(_directory, key[..2], key + ".entry");
    }
}
