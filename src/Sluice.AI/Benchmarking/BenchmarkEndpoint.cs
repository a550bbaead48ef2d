namespace Sluice.AI;

/// <summary>Which OpenAI-compatible endpoint a benchmark sends to.</summary>
public enum BenchmarkEndpoint
{
    /// <summary><c>POST chat/completions</c>: one short prompt per request, output capped by
    /// <see cref="EndpointBenchmarkOptions.MaxOutputTokens"/>.</summary>
    Chat,

    /// <summary><c>POST embeddings</c>: a group of short texts per request; the sweep also varies the group size.</summary>
    Embeddings,
}
