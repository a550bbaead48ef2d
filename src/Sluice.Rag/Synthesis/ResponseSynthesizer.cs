using Microsoft.Extensions.AI;

namespace Sluice.Rag;

/// <summary>Creates a response synthesizer by <see cref="SynthesisMode"/> (LlamaIndex's <c>get_response_synthesizer</c>).</summary>
public static class ResponseSynthesizer
{
    /// <summary>Creates the synthesizer of <paramref name="mode"/>.</summary>
    /// <param name="chatClient">The chat model, for example one from <c>OpenAICompatible.CreateChatClient</c> (with
    /// Sluice's throughput stack: retries, rate budget, concurrency limit).</param>
    /// <param name="mode">How to use it; default <see cref="SynthesisMode.Compact"/>, as in LlamaIndex.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <returns>The synthesizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined mode.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public static IResponseSynthesizer Create(IChatClient chatClient, SynthesisMode mode = SynthesisMode.Compact, SynthesizerOptions? options = null) => mode switch
    {
        SynthesisMode.Compact => new CompactSynthesizer(chatClient, options),
        SynthesisMode.Refine => new RefineSynthesizer(chatClient, options),
        SynthesisMode.TreeSummarize => new TreeSummarizeSynthesizer(chatClient, options),
        SynthesisMode.Accumulate => new AccumulateSynthesizer(chatClient, options),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, $"'{mode}' is not a synthesis mode; use Compact, Refine, TreeSummarize or Accumulate."),
    };
}
