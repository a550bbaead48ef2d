using Microsoft.Extensions.AI;

namespace Sluice.Rag;

/// <summary>
/// LlamaIndex's <c>tree_summarize</c>: packs the passages into as few prompts as fit, summarizes each block towards the
/// query (<see cref="SynthesizerOptions.SummaryTemplate"/>), packs the summaries again, and repeats until one block is
/// left, whose summary is the answer. The summaries of one level run in parallel through <see cref="Batch"/> with at
/// most <see cref="SynthesizerOptions.MaxConcurrency"/> calls at once (LlamaIndex's <c>use_async</c> starts a whole
/// level at once, however wide).
/// </summary>
/// <remarks>Each summary is bounded by <see cref="SynthesizerOptions.OutputTokens"/>, so each level is smaller than the
/// one before; a level that does not shrink (a model that ignores the bound) ends the answer with an
/// <see cref="InvalidOperationException"/> rather than looping.</remarks>
public sealed class TreeSummarizeSynthesizer : IResponseSynthesizer
{
    private readonly SynthesisChat _chat;

    /// <summary>Creates the synthesizer.</summary>
    /// <param name="chatClient">The chat model.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public TreeSummarizeSynthesizer(IChatClient chatClient, SynthesizerOptions? options = null)
    {
        _chat = new SynthesisChat(chatClient, options);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="passages"/> is empty or holds a <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><see cref="SynthesizerOptions.ContextTokens"/> leaves no room for
    /// passages, or a level of summaries did not shrink.</exception>
    public Task<string> SynthesizeAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        SynthesisChat.CheckArguments(query, passages);
        return SummarizeAsync(query, passages, cancellationToken);
    }

    private async Task<string> SummarizeAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        var options = _chat.Options;
        string template = options.SummaryTemplate;
        int capacity = _chat.Capacity(template, query, refining: false);
        var blocks = PassagePacker.Pack(passages, capacity, options.Separator, options.CountTokens);
        for (int level = 0; ; level++)
        {
            if (blocks.Count == 1)
            {
                return await _chat.AskAsync(SynthesisChat.Fill(template, query, blocks[0], ""), cancellationToken).ConfigureAwait(false);
            }

            var prompts = blocks.Select(block => SynthesisChat.Fill(template, query, block, "")).ToList();
            string[] summaries = await _chat.AskAllAsync(prompts, cancellationToken).ConfigureAwait(false);
            var next = PassagePacker.Pack(summaries, capacity, options.Separator, options.CountTokens);
            if (next.Count >= blocks.Count)
            {
                throw new InvalidOperationException(
                    $"Tree summarize made no progress at level {level}: {blocks.Count} summaries still need {next.Count} prompts of {capacity} passage tokens. " +
                    "The model's summaries are longer than SynthesizerOptions.OutputTokens allows; lower OutputTokens or raise ContextTokens.");
            }

            blocks = next;
        }
    }
}
