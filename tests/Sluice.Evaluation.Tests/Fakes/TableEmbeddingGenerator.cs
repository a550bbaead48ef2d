using Microsoft.Extensions.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>An embedding generator that looks each text up in a table.</summary>
internal sealed class TableEmbeddingGenerator(Dictionary<string, float[]> table, int? forcedCount = null) : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        var embeddings = values.Select(v => new Embedding<float>(table[v])).Take(forcedCount ?? int.MaxValue);
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(embeddings));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
