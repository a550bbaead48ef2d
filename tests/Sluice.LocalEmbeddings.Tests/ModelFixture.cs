using Sluice.LocalEmbeddings;

namespace Sluice.LocalEmbeddings.Tests;

/// <summary>One generator (one model load) shared by the tests of a class.</summary>
public sealed class ModelFixture : IDisposable
{
    public LocalEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();

    internal static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
