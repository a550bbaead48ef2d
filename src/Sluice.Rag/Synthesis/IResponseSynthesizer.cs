namespace Sluice.Rag;

/// <summary>
/// Turns a query and its retrieved passages into one answer with a chat model (LlamaIndex's response synthesizer).
/// Sluice has four: <see cref="CompactSynthesizer"/>, <see cref="RefineSynthesizer"/>,
/// <see cref="TreeSummarizeSynthesizer"/> and <see cref="AccumulateSynthesizer"/>.
/// </summary>
/// <remarks>Implementations must be safe to call concurrently: a query engine calls one from many workers at once.</remarks>
public interface IResponseSynthesizer
{
    /// <summary>Answers <paramref name="query"/> from <paramref name="passages"/>.</summary>
    /// <param name="query">The question.</param>
    /// <param name="passages">The retrieved passages, best first; at least one with text (blank ones are skipped).</param>
    /// <param name="cancellationToken">Cancels every chat call of this answer.</param>
    /// <returns>The answer text, as the model wrote it.</returns>
    Task<string> SynthesizeAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default);
}
