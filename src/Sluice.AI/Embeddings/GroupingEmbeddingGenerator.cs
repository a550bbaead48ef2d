using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Sluice.AI;

/// <summary>
/// Splits one large <c>GenerateAsync</c> into groups (one request each) sized by an <see cref="AdaptiveGroupSize"/>
/// and bounded by the provider's inputs- and tokens-per-request limits, sends up to
/// <see cref="SluiceGroupingOptions.MaxConcurrentGroups"/> at once, and returns the embeddings in input order. A group
/// the provider rejects as too large is split into halves, which are sent again, and later groups are kept at most
/// half the rejected one's inputs and tokens.
/// </summary>
internal sealed class GroupingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly Lazy<Tokenizer> DefaultTokenizer = new(() => TiktokenTokenizer.CreateForModel("gpt-4o"));

    private readonly SluiceGroupingOptions _options;
    private readonly AdaptiveGroupSize _sizer;
    private readonly Func<Exception, bool> _isTooLarge;
    private int _inputCap;
    private int _tokenCap;

    public GroupingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, SluiceGroupingOptions options)
        : base(inner)
    {
        _options = options;
        var size = options.GroupSize;
        int max = Math.Min(size.MaxSize, options.MaxInputsPerRequest);
        _sizer = new AdaptiveGroupSize(size with { MaxSize = max, MinSize = Math.Min(size.MinSize, max), TimeProvider = options.TimeProvider });
        _isTooLarge = options.IsGroupTooLarge ?? GroupTooLarge.Recognise;
        _inputCap = options.MaxInputsPerRequest;
        _tokenCap = options.MaxTokensPerRequest;
    }

    /// <summary>The sizer, also handed out by <see cref="GetService"/> so callers can watch the chosen size.</summary>
    public AdaptiveGroupSize Sizer => _sizer;

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(AdaptiveGroupSize) ? _sizer : base.GetService(serviceType, serviceKey);

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] texts = [.. values]; // a copy: truncation must not touch the caller's array
        int[] tokens = Measure(texts);
        var run = new GroupRun(this, texts, tokens, options);
        if (texts.Length > 0)
        {
            await run.RunAsync(cancellationToken).ConfigureAwait(false);
        }

        return run.Result();
    }

    private int[] Measure(string[] texts)
    {
        var tokenizer = _options.Tokenizer ?? DefaultTokenizer.Value;
        int limit = _options.MaxTokensPerInput;
        var tokens = new int[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            string text = texts[i] ?? throw new ArgumentException($"Input {i} (zero-based) is null; every input must be a string.", "values");
            int count = tokenizer.CountTokens(text);
            if (count > limit)
            {
                if (!_options.TruncateLongInputs)
                {
                    throw new ArgumentException(
                        $"Input {i} (zero-based) has {count:N0} tokens; the provider takes at most {limit:N0} per input " +
                        $"({nameof(SluiceGroupingOptions)}.{nameof(SluiceGroupingOptions.MaxTokensPerInput)}). Shorten it, or set " +
                        $"{nameof(SluiceGroupingOptions)}.{nameof(SluiceGroupingOptions.TruncateLongInputs)} to cut such inputs.", "values");
                }

                int end = tokenizer.GetIndexByTokenCount(text, limit, out _, out count);
                texts[i] = text[..end];
                AiMetrics.InputTruncated();
            }

            tokens[i] = count;
        }

        return tokens;
    }

    private static void LowerTo(ref int cap, int value)
    {
        int seen;
        while (value < (seen = Volatile.Read(ref cap)) && Interlocked.CompareExchange(ref cap, value, seen) != seen)
        {
        }
    }

    /// <summary>One call: the shared cursor over the inputs, the results in input order and the summed usage.</summary>
    private sealed class GroupRun(GroupingEmbeddingGenerator owner, string[] texts, int[] tokens, EmbeddingGenerationOptions? options)
    {
        private readonly Embedding<float>[] _results = new Embedding<float>[texts.Length];
        private readonly Lock _lock = new();
        private int _cursor;
        private long? _inputTokens;
        private long? _totalTokens;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            int workers = Math.Min(owner._options.MaxConcurrentGroups, texts.Length);
            var tasks = new Task[workers];
            for (int w = 0; w < workers; w++)
            {
                tasks[w] = WorkAsync(stop);
            }

            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch when (!cancellationToken.IsCancellationRequested)
            {
                // The first real failure, not a sibling's cancellation it caused.
                var first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                    .FirstOrDefault(e => e is not OperationCanceledException);
                if (first is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
                }

                throw;
            }
        }

        public GeneratedEmbeddings<Embedding<float>> Result()
        {
            var result = new GeneratedEmbeddings<Embedding<float>>(_results);
            if (_inputTokens is not null || _totalTokens is not null)
            {
                result.Usage = new UsageDetails { InputTokenCount = _inputTokens, TotalTokenCount = _totalTokens };
            }

            return result;
        }

        private async Task WorkAsync(CancellationTokenSource stop)
        {
            try
            {
                while (TakeGroup(out int start, out int count))
                {
                    await SendAsync(start, count, stop.Token).ConfigureAwait(false);
                }
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false); // one group failed: the call fails, stop the others
                throw;
            }
        }

        private bool TakeGroup(out int start, out int count)
        {
            lock (_lock)
            {
                start = _cursor;
                int most = Math.Min(owner._sizer.Current, Volatile.Read(ref owner._inputCap));
                int tokenCap = Volatile.Read(ref owner._tokenCap);
                long sum = 0;
                count = 0;
                while (start + count < texts.Length && count < most
                       && (count == 0 || sum + tokens[start + count] <= tokenCap))
                {
                    sum += tokens[start + count];
                    count++;
                }

                _cursor += count;
                return count > 0;
            }
        }

        private async Task SendAsync(int start, int count, CancellationToken cancellationToken)
        {
            long began = owner._sizer.Start();
            GeneratedEmbeddings<Embedding<float>> got;
            try
            {
                got = await owner.InnerGenerator.GenerateAsync(new ArraySegment<string>(texts, start, count), options, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception error) when (count > 1 && !cancellationToken.IsCancellationRequested && owner._isTooLarge(error))
            {
                int half = count / 2;
                LowerTo(ref owner._inputCap, half);
                LowerTo(ref owner._tokenCap, (int)Math.Max(1, Sum(start, count) / 2));
                AiMetrics.GroupSplit();
                await SendAsync(start, half, cancellationToken).ConfigureAwait(false);
                await SendAsync(start + half, count - half, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (got.Count != count)
            {
                throw new InvalidOperationException(
                    $"The provider returned {got.Count} embeddings for a group of {count} inputs (inputs {start} to {start + count - 1}, zero-based).");
            }

            owner._sizer.RecordSince(began, count, Math.Max(1, Sum(start, count)));
            got.CopyTo(_results, start);
            if (got.Usage is { } usage)
            {
                lock (_lock)
                {
                    _inputTokens = Add(_inputTokens, usage.InputTokenCount);
                    _totalTokens = Add(_totalTokens, usage.TotalTokenCount);
                }
            }
        }

        private long Sum(int start, int count)
        {
            long sum = 0;
            for (int i = start; i < start + count; i++)
            {
                sum += tokens[i];
            }

            return sum;
        }

        private static long? Add(long? total, long? part) => part is null ? total : (total ?? 0) + part;
    }
}
