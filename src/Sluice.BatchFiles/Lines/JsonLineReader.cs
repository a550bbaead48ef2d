namespace Sluice.BatchFiles.Lines;

/// <summary>
/// Splits a stream into lines of UTF-8 bytes, streaming, with a buffer that grows only to the longest line.
/// Handles a UTF-8 byte order mark on the first line, CRLF line ends and a last line without a line end
/// (<see cref="Terminated"/> is then <see langword="false"/>). <see cref="Line"/> is valid until the next read.
/// </summary>
internal sealed class JsonLineReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer;
    private int _start;
    private int _scan;
    private int _end;
    private bool _eof;

    public JsonLineReader(Stream stream, bool leaveOpen = false, int initialBufferSize = 64 * 1024)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _buffer = new byte[initialBufferSize];
    }

    /// <summary>1-based number of the line last read (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>The bytes of the line last read, without its line end.</summary>
    public ReadOnlyMemory<byte> Line { get; private set; }

    /// <summary>Whether the line last read ended with a line feed (a last line without one may be torn).</summary>
    public bool Terminated { get; private set; }

    public static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    public async ValueTask<bool> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int index = _buffer.AsSpan(_scan, _end - _scan).IndexOf((byte)'\n');
            if (index >= 0)
            {
                int lineEnd = _scan + index;
                SetLine(_start, lineEnd, terminated: true);
                _start = _scan = lineEnd + 1;
                return true;
            }

            _scan = _end;
            if (_eof)
            {
                if (_start == _end)
                {
                    Line = ReadOnlyMemory<byte>.Empty;
                    return false;
                }

                SetLine(_start, _end, terminated: false);
                _start = _scan = _end;
                return true;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _scan -= _start;
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }
        }
    }

    private void SetLine(int start, int end, bool terminated)
    {
        if (end > start && _buffer[end - 1] == (byte)'\r')
        {
            end--;
        }

        if (LineNumber == 0 && end - start >= 3 && _buffer.AsSpan(start, 3).SequenceEqual("\uFEFF"u8))
        {
            start += 3;
        }

        LineNumber++;
        Terminated = terminated;
        Line = _buffer.AsMemory(start, end - start);
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
}
