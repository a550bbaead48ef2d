using Microsoft.Extensions.AI;

namespace Sluice.Rag;

/// <summary>
/// LlamaIndex's <c>compact</c> (its default): packs the passages, in order, into as few prompts as fit
/// <see cref="SynthesizerOptions.ContextTokens"/>, then refines over those blocks as <see cref="RefineSynthesizer"/>
/// does over passages. Top-k passages that fit one prompt cost exactly one call.
/// </summary>
public sealed class CompactSynthesizer : IResponseSynthesizer
{
    private readonly SynthesisChat _chat;

    /// <summary>Creates the synthesizer.</summary>
    /// <param name="chatClient">The chat model.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public CompactSynthesizer(IChatClient chatClient, SynthesizerOptions? options = null)
    {
        _chat = new SynthesisChat(chatClient, options);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="passages"/> is empty or holds a <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><see cref="SynthesizerOptions.ContextTokens"/> leaves no room for passages.</exception>
    public Task<string> SynthesizeAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        SynthesisChat.CheckArguments(query, passages);
        var options = _chat.Options;
        // Every block must fit the larger (refine) prompt, which also holds the earlier answer.
        int capacity = Math.Min(
            _chat.Capacity(options.QuestionTemplate, query, refining: false),
            _chat.Capacity(options.RefineTemplate, query, refining: true));
        var blocks = PassagePacker.Pack(passages, capacity, options.Separator, options.CountTokens);
        return RefineSteps.RunAsync(_chat, query, blocks, cancellationToken);
    }
}
