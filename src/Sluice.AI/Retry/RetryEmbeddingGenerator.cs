using Microsoft.Extensions.AI;
using Polly;

namespace Sluice.AI;

/// <summary>Retries transient failures of the embedding layers inside it through a Polly pipeline.</summary>
public sealed class RetryEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, ResiliencePipeline pipeline)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    /// <inheritdoc />
    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values as IReadOnlyList<string> ?? values.ToList();
        return pipeline.ExecuteAsync(
            static (state, ct) => new ValueTask<GeneratedEmbeddings<Embedding<float>>>(state.Generator.InnerGenerator.GenerateAsync(state.List, state.Options, ct)),
            (Generator: this, List: list, Options: options),
            cancellationToken).AsTask();
    }
}
