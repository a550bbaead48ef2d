using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Sluice.Rag;

/// <summary>
/// The chat side of every synthesizer: fills templates in one pass (a passage that contains <c>{query}</c> stays as it
/// is), computes how many passage tokens a prompt can hold, and makes the calls — one at a time or many through
/// <see cref="Batch"/> with <see cref="SynthesizerOptions.MaxConcurrency"/>.
/// </summary>
internal sealed partial class SynthesisChat
{
    private readonly IChatClient _chat;

    public SynthesisChat(IChatClient chat, SynthesizerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(chat);
        _chat = chat;
        Options = (options ?? new SynthesizerOptions()).Validate();
    }

    public SynthesizerOptions Options { get; }

    public static void CheckArguments(string query, IReadOnlyList<string> passages)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(passages);
        if (passages.Count == 0)
        {
            throw new ArgumentException("passages is empty; a synthesizer needs at least one passage to answer from.", nameof(passages));
        }

        bool anyText = false;
        for (int i = 0; i < passages.Count; i++)
        {
            if (passages[i] is null)
            {
                throw new ArgumentException($"passages[{i}] is null; every passage must be a string.", nameof(passages));
            }

            anyText |= !string.IsNullOrWhiteSpace(passages[i]);
        }

        if (!anyText)
        {
            throw new ArgumentException($"All {passages.Count} passages are empty or white space; a synthesizer needs some text to answer from.", nameof(passages));
        }
    }

    /// <summary>The passage tokens one prompt of <paramref name="template"/> can hold for <paramref name="query"/>:
    /// the context window less the answer's reserve, the template, the query and (when refining) the earlier answer.</summary>
    public int Capacity(string template, string query, bool refining)
    {
        int fixedPart = Options.CountTokens(Fill(template, query, "", "")) + Options.OutputTokens + (refining ? Options.OutputTokens : 0);
        int capacity = Options.ContextTokens - fixedPart;
        if (capacity < 16)
        {
            throw new InvalidOperationException(
                $"SynthesizerOptions.ContextTokens ({Options.ContextTokens}) leaves {capacity} tokens for passages once the template, the query ({Options.CountTokens(query)} tokens) " +
                $"and the answer's reserve (OutputTokens {Options.OutputTokens}{(refining ? ", twice: the earlier answer and the new one" : "")}) are counted; raise ContextTokens or shorten the query.");
        }

        return capacity;
    }

    public static string Fill(string template, string query, string passages, string answer) =>
        Placeholder().Replace(template, match => match.Groups[1].Value switch
        {
            "query" => query,
            "passages" => passages,
            _ => answer,
        });

    public async Task<string> AskAsync(string prompt, CancellationToken cancellationToken)
    {
        var options = Options.ChatOptions?.Clone() ?? new ChatOptions();
        options.MaxOutputTokens ??= Options.OutputTokens;
        var response = await _chat.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], options, cancellationToken).ConfigureAwait(false);
        return response.Text;
    }

    /// <summary>Asks every prompt, at most <see cref="SynthesizerOptions.MaxConcurrency"/> at once; the first failure
    /// cancels the others and is rethrown as itself.</summary>
    public async Task<string[]> AskAllAsync(IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        var answers = new string[prompts.Count];
        var batch = new BatchOptions
        {
            MaxConcurrency = Options.MaxConcurrency,
            Ordered = false,
            FailFast = true,
            TimeProvider = Options.TimeProvider,
        };
        await foreach (var result in Batch.ProcessAsync(prompts, (prompt, ct) => new ValueTask<string>(AskAsync(prompt, ct)), batch, cancellationToken)
                           .ConfigureAwait(false))
        {
            answers[result.Index] = result.Value!;
        }

        return answers;
    }

    [GeneratedRegex(@"\{(query|passages|answer)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
