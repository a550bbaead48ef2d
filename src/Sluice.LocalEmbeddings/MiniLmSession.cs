using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace Sluice.LocalEmbeddings;

/// <summary>
/// One ONNX Runtime session over all-MiniLM-L6-v2, shared by every worker (a session's <c>Run</c> is thread-safe).
/// Embeds one group: pads to the group's longest text, runs the model, mean-pools the last hidden state over the
/// attention mask and L2-normalises.
/// </summary>
internal sealed class MiniLmSession : IDisposable
{
    internal const int Dimensions = 384;

    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasTokenTypes;

    /// <summary>Creates the session from the model's file (<see cref="MiniLmPackage.Load"/>: no copy in managed memory).</summary>
    public MiniLmSession(string modelPath, LocalEmbeddingOptions options)
        : this(null, modelPath, options)
    {
    }

    /// <summary>Creates the session from the model's bytes (where a file cannot be used).</summary>
    public MiniLmSession(byte[] model, LocalEmbeddingOptions options)
        : this(model, null, options)
    {
    }

    private MiniLmSession(byte[]? model, string? modelPath, LocalEmbeddingOptions options)
    {
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.ThreadsPerRun,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,

            // No memory patterns: with them each run of a new shape (texts × padded length, which changes from group to
            // group) takes its activations as one planned block from the CPU arena, and the arena grew to 301 MB; without
            // them tensors are taken and freed one by one from the same arena, which stayed at 169 MB. Measured on
            // ingestion, same speed: peak working set 499 → 433 MB at 1,000 documents and 508 → 431 MB at 10,000, the
            // run-to-run scatter halved (docs/benchmarks.md, "Issue 12, sixth pass"). ConfigureSession may turn them on.
            EnableMemoryPattern = false,
        };

        // The CPU arena in one 128 MB block from the start, shared by the process's sessions, instead of ONNX Runtime's
        // default blocks of 1, 2, 4, … MB that double as they fill: with 2,048 positions per run the two runs' activations
        // took up to about 127 MB, and with the default a long run sometimes found no free space in its 64 MB block and
        // took another of 128 MB (peaks 381–435 MB at 10,000 documents). With one block no measured run up to 30,000
        // documents needed a second (docs/benchmarks.md, "Issue 12, seventh pass"); only the pages a run touches are
        // resident, 53–58 MB since MaxGroupTokens is 1,024 (eighth pass; a smaller first block was not measured with
        // it). ConfigureSession may set "session.use_env_allocators" back to "0".
        SharedArena.EnsureRegistered();
        _sessionOptions.AddSessionConfigEntry("session.use_env_allocators", "1");
        options.ConfigureSession?.Invoke(_sessionOptions);
        _session = model is null ? new InferenceSession(modelPath!, _sessionOptions) : new InferenceSession(model, _sessionOptions);
        _hasTokenTypes = _session.InputMetadata.ContainsKey("token_type_ids");
        _inputNames = _hasTokenTypes ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
        _outputNames = [_session.OutputMetadata.Keys.First()];
    }

    /// <summary>Embeds <paramref name="group"/> (token ids per text) into <paramref name="outputs"/> (one new vector per text).</summary>
    public void Embed(ReadOnlySpan<long[]> group, Span<float[]> outputs, GroupBuffers buffers, CancellationToken cancellationToken)
    {
        int count = group.Length;
        int padded = 0;
        foreach (long[] text in group)
        {
            padded = Math.Max(padded, text.Length);
        }

        int positions = count * padded;
        buffers.EnsureCapacity(positions);
        var idSpan = buffers.Ids.AsSpan(0, positions);
        var maskSpan = buffers.Mask.AsSpan(0, positions);
        idSpan.Clear();
        maskSpan.Clear();
        for (int i = 0; i < count; i++)
        {
            group[i].CopyTo(idSpan.Slice(i * padded));
            maskSpan.Slice(i * padded, group[i].Length).Fill(1);
        }

        long[] shape = [count, padded];
        using var ids = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Ids.AsMemory(0, positions), shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Mask.AsMemory(0, positions), shape);
        using var types = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers.Types.AsMemory(0, positions), shape);
        OrtValue[] inputs = _hasTokenTypes ? [ids, mask, types] : [ids, mask];
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        IDisposableReadOnlyCollection<OrtValue> results;
        try
        {
            results = _session.Run(runOptions, _inputNames, inputs, _outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            // The terminate flag ends the run with ONNX Runtime's own error; the caller asked for cancellation.
            throw new OperationCanceledException(cancellationToken);
        }

        using var disposeResults = results;
        cancellationToken.ThrowIfCancellationRequested();

        ReadOnlySpan<float> hidden = results[0].GetTensorDataAsSpan<float>();
        for (int i = 0; i < count; i++)
        {
            var vector = new float[Dimensions];
            int length = group[i].Length;
            var rows = hidden.Slice(i * padded * Dimensions, length * Dimensions);
            for (int t = 0; t < length; t++)
            {
                TensorPrimitives.Add(vector, rows.Slice(t * Dimensions, Dimensions), vector);
            }

            float norm = TensorPrimitives.Norm(vector);
            TensorPrimitives.Divide(vector, Math.Max(norm, 1e-12f), vector); // the mean's 1/length cancels in the L2 normalisation
            outputs[i] = vector;
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _sessionOptions.Dispose();
    }

    /// <summary>The process's CPU arena for ONNX Runtime (an environment allocator), registered once.</summary>
    private static class SharedArena
    {
        internal const int InitialBlockBytes = 128 * 1024 * 1024;

        private static readonly Lazy<bool> Registered = new(Register);

        /// <summary>Registers the arena on the first call.</summary>
        internal static void EnsureRegistered() => _ = Registered.Value;

        private static bool Register()
        {
            using var memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);

            // maxMemory 0: no limit; extend strategy 0: next power of two (past the first block, which a run never fills);
            // maxDeadBytesPerChunk -1: ONNX Runtime's default.
            using var arena = new OrtArenaCfg(0, 0, InitialBlockBytes, -1);
            try
            {
                OrtEnv.Instance().CreateAndRegisterAllocator(memory, arena);
                return true;
            }
            catch (OnnxRuntimeException)
            {
                // The application registered a CPU allocator of its own: the sessions use that one.
                return true;
            }
        }
    }
}

/// <summary>One worker's reusable input buffers (ids, attention mask, token types), grown on demand.</summary>
internal sealed class GroupBuffers
{
    public long[] Ids { get; private set; } = [];

    public long[] Mask { get; private set; } = [];

    public long[] Types { get; private set; } = [];

    public void EnsureCapacity(int positions)
    {
        if (Ids.Length < positions)
        {
            Ids = new long[positions];
            Mask = new long[positions];
            Types = new long[positions];
        }
    }
}
