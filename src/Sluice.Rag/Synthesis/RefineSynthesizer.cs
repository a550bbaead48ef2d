using Microsoft.Extensions.AI;

namespace Sluice.Rag;

/// <summary>
/// LlamaIndex's <c>refine</c>: walks the passages one by one — an answer from the first
/// (<see cref="SynthesizerOptions.QuestionTemplate"/>), then one refining call per next passage
/// (<see cref="SynthesizerOptions.RefineTemplate"/>). A passage too long for one prompt is cut into pieces, each a step.
/// The calls are sequential by nature: n passages cost n calls, one after another.
/// </summary>
public sealed class RefineSynthesizer : IResponseSynthesizer
{
    private readonly SynthesisChat _chat;

    /// <summary>Creates the synthesizer.</summary>
    /// <param name="chatClient">The chat model.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public RefineSynthesizer(IChatClient chatClient, SynthesizerOptions? options = null)
    {
        _chat = new SynthesisChat(chatClient, options);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="passages"/> is empty or holds a <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><see cref="SynthesizerOptions.ContextTokens"/> leaves no room for passages.</exception>
    public Task<string> SynthesizeAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        SynthesisChat.CheckArguments(query, passages);
        int capacity = Math.Min(
            _chat.Capacity(_chat.Options.QuestionTemplate, query, refining: false),
            _chat.Capacity(_chat.Options.RefineTemplate, query, refining: true));
        return RefineSteps.RunAsync(_chat, query, PassagePacker.Split(passages, capacity, _chat.Options.CountTokens), cancellationToken);
    }
}
