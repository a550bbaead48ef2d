using Microsoft.Extensions.AI;
using Sluice.LocalEmbeddings;

namespace Sluice.Rag;

/// <summary>
/// Embeds a file of texts (text lines or JSON Lines) into a vectors file (JSON Lines, or <c>.npy</c> with an ids file),
/// streaming: the input is read twice — once to check every line and count the records, so bad input fails before any
/// embedding call, then again to embed — and never held whole; at most two calls' texts are in memory.
/// </summary>
/// <remarks>Any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> works: the local MiniLM model, or a remote one built
/// with Sluice.AI's throughput stack (<c>OpenAICompatible.CreateEmbeddingGenerator</c>) and <c>UseSluiceGrouping</c>
/// so a call becomes adaptively sized requests. The vectors keep the input's order.</remarks>
public sealed class FileEmbedder
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;

    /// <summary>Creates an embedder.</summary>
    /// <param name="generator">The embedding model.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    public FileEmbedder(IEmbeddingGenerator<string, Embedding<float>> generator, FileEmbedderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        _generator = generator;
        Options = (options ?? new FileEmbedderOptions()).Validate();
    }

    /// <summary>Gets the settings in force.</summary>
    public FileEmbedderOptions Options { get; }

    /// <summary>The generator's group size now: <see cref="LocalEmbeddingGenerator.CurrentGroupSize"/> for the local
    /// model, the <see cref="AdaptiveGroupSize"/> a grouping layer exposes for a remote one, else 0.</summary>
    /// <returns>The size, or 0.</returns>
    public int CurrentGroupSize() =>
        _generator.GetService<LocalEmbeddingGenerator>() is { } local ? local.CurrentGroupSize
        : _generator.GetService<AdaptiveGroupSize>() is { } sizer ? sizer.Current
        : 0;

    /// <summary>Embeds every record of <paramref name="inputPath"/> into <paramref name="outputPath"/>.</summary>
    /// <param name="inputPath">The texts.</param>
    /// <param name="outputPath">The vectors file; written under a temporary name and moved into place at the end.</param>
    /// <param name="cancellationToken">Stops the run; nothing is left under the output's name.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="TextRecordFormatException">A line of the input is not a valid record (nothing was embedded).</exception>
    /// <exception cref="InvalidOperationException">The generator returned the wrong number of vectors, or vectors of differing lengths.</exception>
    public async Task<FileEmbeddingReport> RunAsync(string inputPath, string outputPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        long started = Options.TimeProvider.GetTimestamp();
        var reader = new TextRecordReader(inputPath, Options.Input);
        var format = Options.OutputFormat ?? EmbeddingFileWriter.FormatOf(outputPath);
        long total = await CheckAsync(reader, format, cancellationToken).ConfigureAwait(false);
        Options.Progress?.Report(new FileEmbeddingProgress(0, total, CurrentGroupSize(), 0, Options.TimeProvider.GetElapsedTime(started)));

        await using var writer = EmbeddingFileWriter.Create(outputPath, format);
        long calls = 0;
        await using var records = reader.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var current = await NextCallAsync(records).ConfigureAwait(false);
        while (current.Count > 0)
        {
            var embedding = _generator.GenerateAsync(current.Select(r => r.Text), cancellationToken: cancellationToken);
            var next = await NextCallAsync(records).ConfigureAwait(false); // read ahead while the call runs
            var vectors = await embedding.ConfigureAwait(false);
            calls++;
            if (vectors.Count != current.Count)
            {
                throw new InvalidOperationException($"The embedding generator returned {vectors.Count} vectors for {current.Count} texts (lines {current[0].Line}–{current[^1].Line} of {inputPath}).");
            }

            for (int i = 0; i < current.Count; i++)
            {
                try
                {
                    await writer.WriteAsync(current[i].Id, vectors[i].Vector, cancellationToken).ConfigureAwait(false);
                }
                catch (ArgumentException exception)
                {
                    throw new InvalidOperationException($"{inputPath}, line {current[i].Line}: {exception.Message}", exception);
                }
            }

            Options.Progress?.Report(new FileEmbeddingProgress(writer.Count, total, CurrentGroupSize(), calls, Options.TimeProvider.GetElapsedTime(started)));
            current = next;
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return new FileEmbeddingReport(writer.Count, writer.Dimensions, format, writer.Path, writer.IdsPath, calls, Options.TimeProvider.GetElapsedTime(started));
    }

    /// <summary>The validation pass: every line parses, and an <c>.npy</c> output's ids fit one per line.</summary>
    private static async Task<long> CheckAsync(TextRecordReader reader, EmbeddingFileFormat format, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var record in reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (format == EmbeddingFileFormat.Npy && record.Id.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new TextRecordFormatException(reader.Path, record.Line, "the id has a line break; an .npy output's ids file holds one id per line (write JSON Lines instead).");
            }

            count++;
        }

        return count;
    }

    private async Task<List<TextRecord>> NextCallAsync(IAsyncEnumerator<TextRecord> records)
    {
        var call = new List<TextRecord>(Math.Min(Options.TextsPerCall, 4_096));
        while (call.Count < Options.TextsPerCall && await records.MoveNextAsync().ConfigureAwait(false))
        {
            call.Add(records.Current);
        }

        return call;
    }
}
