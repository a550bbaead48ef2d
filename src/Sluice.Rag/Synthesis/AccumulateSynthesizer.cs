using Microsoft.Extensions.AI;

namespace Sluice.Rag;

/// <summary>
/// LlamaIndex's <c>accumulate</c>: answers the query from each passage separately
/// (<see cref="SynthesizerOptions.QuestionTemplate"/>) and concatenates the answers in passage order, numbered and
/// separated by a line of dashes. The calls run in parallel through <see cref="Batch"/>, at most
/// <see cref="SynthesizerOptions.MaxConcurrency"/> at once. A passage too long for one prompt is cut into pieces,
/// each answered.
/// </summary>
public sealed class AccumulateSynthesizer : IResponseSynthesizer
{
    /// <summary>The text between two answers.</summary>
    public const string AnswerSeparator = "\n---------------------\n";

    private readonly SynthesisChat _chat;

    /// <summary>Creates the synthesizer.</summary>
    /// <param name="chatClient">The chat model.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public AccumulateSynthesizer(IChatClient chatClient, SynthesizerOptions? options = null)
    {
        _chat = new SynthesisChat(chatClient, options);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="passages"/> is empty or holds a <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><see cref="SynthesizerOptions.ContextTokens"/> leaves no room for passages.</exception>
    public Task<string> SynthesizeAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken = default)
    {
        SynthesisChat.CheckArguments(query, passages);
        return AccumulateAsync(query, passages, cancellationToken);
    }

    private async Task<string> AccumulateAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        var options = _chat.Options;
        int capacity = _chat.Capacity(options.QuestionTemplate, query, refining: false);
        var prompts = PassagePacker.Split(passages, capacity, options.CountTokens)
            .Select(piece => SynthesisChat.Fill(options.QuestionTemplate, query, piece, ""))
            .ToList();
        string[] answers = await _chat.AskAllAsync(prompts, cancellationToken).ConfigureAwait(false);
        return string.Join(AnswerSeparator, answers.Select((answer, i) => $"Response {i + 1}: {answer}"));
    }
}
