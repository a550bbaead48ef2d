using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sluice.Rag;

/// <summary>
/// Writes vectors with their ids to a file as they come, in bounded memory: JSON Lines (id and vector per line) or a
/// NumPy <c>.npy</c> matrix with a sidecar ids file. Everything goes to temporary files beside the targets, which
/// <see cref="CompleteAsync"/> moves into place; a writer disposed before that deletes them, so a failed run never
/// leaves a half-written file under the final name.
/// </summary>
public sealed class EmbeddingFileWriter : IAsyncDisposable
{
    // A fixed header size, so the header (whose shape is known only at the end) can be written last in place.
    private const int NpyHeaderBytes = 128;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly FileStream _vectors;
    private readonly StreamWriter? _ids;
    private readonly Utf8JsonWriter? _json;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private readonly string _vectorsTemp;
    private readonly string? _idsTemp;
    private byte[] _row = [];
    private bool _completed;

    private EmbeddingFileWriter(string path, EmbeddingFileFormat format)
    {
        Path = System.IO.Path.GetFullPath(path);
        Format = format;
        _vectorsTemp = Path + ".partial";
        _vectors = new FileStream(_vectorsTemp, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        if (format == EmbeddingFileFormat.Npy)
        {
            IdsPath = IdsPathFor(Path);
            _idsTemp = IdsPath + ".partial";
            _ids = new StreamWriter(_idsTemp, append: false, Utf8, 1 << 16);
            _vectors.Write(new byte[NpyHeaderBytes]);
        }
        else
        {
            _json = new Utf8JsonWriter(_buffer);
        }
    }

    /// <summary>Gets the file the vectors go to (a full path).</summary>
    public string Path { get; }

    /// <summary>Gets the sidecar ids file of an <see cref="EmbeddingFileFormat.Npy"/> output, else <see langword="null"/>.</summary>
    public string? IdsPath { get; }

    /// <summary>Gets the format.</summary>
    public EmbeddingFileFormat Format { get; }

    /// <summary>Gets the vectors written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Gets the vectors' length, fixed by the first vector (0 before it).</summary>
    public int Dimensions { get; private set; }

    /// <summary>Creates a writer.</summary>
    /// <param name="path">The output file.</param>
    /// <param name="format">The format, or <see langword="null"/> to choose by the extension (<see cref="FormatOf"/>).</param>
    /// <returns>The writer.</returns>
    /// <exception cref="IOException">The temporary file cannot be created.</exception>
    public static EmbeddingFileWriter Create(string path, EmbeddingFileFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new EmbeddingFileWriter(path, format ?? FormatOf(path));
    }

    /// <summary>The format an output file's extension implies: <see cref="EmbeddingFileFormat.Npy"/> for <c>.npy</c>
    /// (any case), else <see cref="EmbeddingFileFormat.JsonLines"/>.</summary>
    /// <param name="path">A file name or path.</param>
    /// <returns>The format.</returns>
    public static EmbeddingFileFormat FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return System.IO.Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase) ? EmbeddingFileFormat.Npy : EmbeddingFileFormat.JsonLines;
    }

    /// <summary>The sidecar ids file of an <c>.npy</c> output: the path with <c>.ids.txt</c> in place of the extension
    /// (<c>vectors.npy</c> → <c>vectors.ids.txt</c>).</summary>
    /// <param name="path">The <c>.npy</c> file.</param>
    /// <returns>The ids file.</returns>
    public static string IdsPathFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return System.IO.Path.ChangeExtension(path, ".ids.txt");
    }

    /// <summary>Appends one vector.</summary>
    /// <param name="id">Its id; for <see cref="EmbeddingFileFormat.Npy"/> without line breaks (the ids file has one per line).</param>
    /// <param name="vector">The vector; every vector has the length of the first.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the vector is buffered or written.</returns>
    /// <exception cref="ArgumentException">The vector's length differs from the first's, or an <c>.npy</c> id has a line break.</exception>
    public async ValueTask WriteAsync(string id, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ObjectDisposedException.ThrowIf(_completed, this);
        if (Count == 0)
        {
            Dimensions = vector.Length;
            _row = new byte[vector.Length * sizeof(float)];
        }
        else if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"The vector of '{id}' has {vector.Length} dimensions; the earlier vectors have {Dimensions}.", nameof(vector));
        }

        if (_ids is not null)
        {
            if (id.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException($"The id '{id.ReplaceLineEndings(" ")}' has a line break; the .npy ids file holds one id per line. Write JSON Lines instead.", nameof(id));
            }

            var span = vector.Span;
            for (int i = 0; i < span.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(_row.AsSpan(i * sizeof(float)), span[i]);
            }

            await _vectors.WriteAsync(_row, cancellationToken).ConfigureAwait(false);
            await _ids.WriteAsync(id.AsMemory(), cancellationToken).ConfigureAwait(false);
            await _ids.WriteAsync('\n').ConfigureAwait(false);
        }
        else
        {
            WriteJsonLine(id, vector.Span);
            if (_buffer.WrittenCount >= 1 << 16)
            {
                await _vectors.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                _buffer.ResetWrittenCount();
            }
        }

        Count++;
    }

    /// <summary>Finishes the file (for <c>.npy</c>, writes the header with the final shape) and moves it, and the ids
    /// file, into place, replacing files of the same names.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the files are in place.</returns>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_json is not null)
        {
            await _vectors.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _buffer.ResetWrittenCount();
            await _json.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            await _ids!.FlushAsync(cancellationToken).ConfigureAwait(false);
            await _ids.DisposeAsync().ConfigureAwait(false);
            _vectors.Position = 0;
            await _vectors.WriteAsync(NpyHeader(Count, Dimensions), cancellationToken).ConfigureAwait(false);
        }

        await _vectors.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _vectors.DisposeAsync().ConfigureAwait(false);
        File.Move(_vectorsTemp, Path, overwrite: true);
        if (_idsTemp is not null)
        {
            File.Move(_idsTemp, IdsPath!, overwrite: true);
        }

        _completed = true;
    }

    /// <summary>Closes the files; before <see cref="CompleteAsync"/>, deletes the temporary ones.</summary>
    /// <returns>A task that completes when the files are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (_json is not null)
        {
            await _json.DisposeAsync().ConfigureAwait(false);
        }

        if (_ids is not null)
        {
            await _ids.DisposeAsync().ConfigureAwait(false);
        }

        await _vectors.DisposeAsync().ConfigureAwait(false);
        File.Delete(_vectorsTemp);
        if (_idsTemp is not null)
        {
            File.Delete(_idsTemp);
        }
    }

    /// <summary>The 128-byte NPY 1.0 header: magic, version, header length, the dictionary padded with spaces and a
    /// newline (a multiple of 64 bytes, as NumPy writes it).</summary>
    internal static byte[] NpyHeader(long rows, int columns)
    {
        string dictionary = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        const int prefix = 10; // \x93NUMPY, major, minor, uint16 length
        var header = new byte[NpyHeaderBytes];
        header[0] = 0x93;
        "NUMPY"u8.CopyTo(header.AsSpan(1));
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), NpyHeaderBytes - prefix);
        header.AsSpan(prefix).Fill((byte)' ');
        Encoding.ASCII.GetBytes(dictionary, header.AsSpan(prefix));
        header[^1] = (byte)'\n';
        return header;
    }

    private void WriteJsonLine(string id, ReadOnlySpan<float> vector)
    {
        var json = _json!;
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteStartArray("vector"u8);
        foreach (float value in vector)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        _buffer.Write("\n"u8);
        json.Reset(_buffer);
    }
}
