using System.Runtime.CompilerServices;

namespace Sluice.Rag;

/// <summary>
/// Walks a directory and reads <c>.txt</c>, <c>.md</c>, <c>.html</c>/<c>.htm</c>, <c>.pdf</c> and <c>.jsonl</c> files
/// into <see cref="SourceDocument"/>s, lazily, one file at a time, in ordinal path order. Other files are ignored
/// (counted in <see cref="IgnoredFiles"/>). A file that cannot be read — missing permissions, a corrupt PDF, invalid
/// UTF-8, a bad JSON Lines record — becomes an error outcome naming the file (and line) and the reason; the walk goes on.
/// </summary>
public sealed class DirectoryReader
{
    private readonly DirectoryReaderOptions _options;
    private int _files;
    private int _ignored;

    /// <summary>Creates a reader of the corpus under <paramref name="root"/>.</summary>
    /// <param name="root">The corpus root; document ids are paths relative to it.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    public DirectoryReader(string root, DirectoryReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _options = (options ?? new DirectoryReaderOptions()).Validate();
    }

    /// <summary>Gets the corpus root (a full path).</summary>
    public string Root { get; }

    /// <summary>Gets how many files of a known format the last walk opened (or tried to).</summary>
    public int Files => Volatile.Read(ref _files);

    /// <summary>Gets how many files the last walk skipped because their extension is not a known format.</summary>
    public int IgnoredFiles => Volatile.Read(ref _ignored);

    /// <summary>Whether a file name has a format this reader reads.</summary>
    /// <param name="path">A file name or path.</param>
    /// <returns><see langword="true"/> for .txt, .md, .markdown, .html, .htm, .pdf and .jsonl (any case).</returns>
    public static bool IsSupported(string path) => Formats.TryGetValue(Path.GetExtension(path), out _);

    /// <summary>Reads every supported file under <see cref="Root"/>.</summary>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>One outcome per document (a JSON Lines file gives one per record) or per failed file.</returns>
    /// <exception cref="DirectoryNotFoundException"><see cref="Root"/> does not exist (raised on enumeration).</exception>
    public async IAsyncEnumerable<ReadOutcome> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(Root))
        {
            throw new DirectoryNotFoundException($"The corpus directory '{Root}' does not exist.");
        }

        Volatile.Write(ref _files, 0);
        Volatile.Write(ref _ignored, 0);
        foreach (var (path, walkError) in Walk(Root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string relative = Relative(path);
            if (walkError is not null)
            {
                yield return ReadOutcome.Failed(relative, walkError);
                continue;
            }

            if (!Formats.TryGetValue(Path.GetExtension(path), out var format))
            {
                Interlocked.Increment(ref _ignored);
                continue;
            }

            Interlocked.Increment(ref _files);
            if (format == Format.JsonLines)
            {
                await foreach (var outcome in JsonLinesFormat.ReadAsync(path, relative, _options, cancellationToken).ConfigureAwait(false))
                {
                    yield return outcome;
                }

                continue;
            }

            yield return await ReadOneAsync(path, relative, format, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReadOutcome> ReadOneAsync(string path, string relative, Format format, CancellationToken cancellationToken)
    {
        try
        {
            long length = new FileInfo(path).Length;
            if (length > _options.MaxFileBytes)
            {
                return ReadOutcome.Failed(relative, $"The file has {length:N0} bytes; MaxFileBytes is {_options.MaxFileBytes:N0}.", relative);
            }

            var (title, text) = format switch
            {
                Format.Pdf => PdfFormat.Read(path),
                Format.Html => HtmlFormat.Read(await PlainTextFormat.ReadUtf8Async(path, cancellationToken).ConfigureAwait(false)),
                Format.Markdown => PlainTextFormat.Markdown(await PlainTextFormat.ReadUtf8Async(path, cancellationToken).ConfigureAwait(false)),
                _ => ("", await PlainTextFormat.ReadUtf8Async(path, cancellationToken).ConfigureAwait(false)),
            };
            return ReadOutcome.Of(new SourceDocument
            {
                Id = relative,
                Source = relative,
                Title = title.Length > 0 ? title : Path.GetFileName(path),
                Text = text,
            });
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ReadOutcome.Failed(relative, $"{exception.GetType().Name}: {exception.Message}", relative);
        }
    }

    /// <summary>Depth-first, entries sorted ordinally; a directory that cannot be listed is one error, and the walk goes on.</summary>
    private IEnumerable<(string Path, string? Error)> Walk(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string directory = pending.Pop();
            string[] files;
            string[] subdirectories;
            string? error = null;
            try
            {
                files = Directory.GetFiles(directory);
                subdirectories = _options.Recursive ? Directory.GetDirectories(directory) : [];
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                files = [];
                subdirectories = [];
                error = $"The directory cannot be listed: {exception.GetType().Name}: {exception.Message}";
            }

            if (error is not null)
            {
                yield return (directory, error);
                continue;
            }

            Array.Sort(files, StringComparer.Ordinal);
            foreach (string file in files)
            {
                if (!Path.GetFileName(file).StartsWith('.'))
                {
                    yield return (file, null);
                }
            }

            Array.Sort(subdirectories, StringComparer.Ordinal);
            for (int i = subdirectories.Length - 1; i >= 0; i--)
            {
                if (!Path.GetFileName(subdirectories[i]).StartsWith('.'))
                {
                    pending.Push(subdirectories[i]);
                }
            }
        }
    }

    private string Relative(string path) => Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');

    private enum Format
    {
        Text,
        Markdown,
        Html,
        Pdf,
        JsonLines,
    }

    private static readonly Dictionary<string, Format> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = Format.Text,
        [".md"] = Format.Markdown,
        [".markdown"] = Format.Markdown,
        [".html"] = Format.Html,
        [".htm"] = Format.Html,
        [".pdf"] = Format.Pdf,
        [".jsonl"] = Format.JsonLines,
    };
}
