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

    public MiniLmSession(byte[] model, LocalEmbeddingOptions options)
    {
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.ThreadsPerRun,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,

            // No memory patterns: with them each run of a new shape (texts × padded length, which changes from group to
            // group) takes its activations as one planned block from the CPU arena, and the arena grew to 301 MB; without
            // them tensors are taken and freed one by one from the same arena, which stays at 169 MB. Measured on
            // ingestion, same speed: peak working set 499 → 433 MB at 1,000 documents and 508 → 431 MB at 10,000, the
            // run-to-run scatter halved (docs/benchmarks.md, "Issue 12, sixth pass"). ConfigureSession may turn them on.
            EnableMemoryPattern = false,
        };
        options.ConfigureSession?.Invoke(_sessionOptions);
        _session = new InferenceSession(model, _sessionOptions);
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
