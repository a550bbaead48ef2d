using Microsoft.Extensions.AI;

namespace Sluice.Rag.Tests;

/// <summary>Passes calls through and counts them, with the size of each.</summary>
internal sealed class CountingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<int> _calls = new();

    public IReadOnlyList<int> CallSizes => [.. _calls];

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        _calls.Enqueue(list.Count);
        return base.GenerateAsync(list, options, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        // The shared corpus owns the inner generator.
    }
}
