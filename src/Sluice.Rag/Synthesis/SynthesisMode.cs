namespace Sluice.Rag;

/// <summary>How a response synthesizer uses the chat model (LlamaIndex's <c>ResponseMode</c>).</summary>
public enum SynthesisMode
{
    /// <summary>Packs the passages into as few prompts as fit <see cref="SynthesizerOptions.ContextTokens"/>, then
    /// refines an answer over them: the fewest calls for one sequential answer (<see cref="CompactSynthesizer"/>).</summary>
    Compact,

    /// <summary>One call per passage, in order: an answer from the first, then refined by each next one
    /// (<see cref="RefineSynthesizer"/>).</summary>
    Refine,

    /// <summary>Summarizes packed groups of passages in parallel (bounded), then summaries of summaries, until one
    /// answer remains (<see cref="TreeSummarizeSynthesizer"/>).</summary>
    TreeSummarize,

    /// <summary>Answers from each passage separately (in parallel, bounded) and concatenates the answers
    /// (<see cref="AccumulateSynthesizer"/>).</summary>
    Accumulate,
}
