using System.Diagnostics.Metrics;

namespace Sluice.LocalEmbeddings;

/// <summary>The local model's instruments on the shared <c>Sluice</c> meter.</summary>
internal static class LocalEmbeddingMetrics
{
    internal static readonly Counter<long> Texts =
        SluiceDiagnostics.Meter.CreateCounter<long>("sluice.embeddings.local.texts", "{text}", "Texts embedded by the local model.");

    internal static readonly Counter<long> Truncated =
        SluiceDiagnostics.Meter.CreateCounter<long>("sluice.embeddings.local.truncated", "{text}",
            "Texts longer than MaxTokens word pieces, cut to MaxTokens before embedding.");
}
