using Microsoft.Extensions.AI;
using Sluice.AI;

namespace Sluice.Rag;

/// <summary>Settings shared by the response synthesizers. Every property has a documented, validated default.</summary>
public sealed record SynthesizerOptions
{
    /// <summary>The default <see cref="QuestionTemplate"/>.</summary>
    public const string DefaultQuestionTemplate =
        "Answer the query from the context below only, without prior knowledge.\n\n" +
        "Context:\n---------------------\n{passages}\n---------------------\n\nQuery: {query}\nAnswer:";

    /// <summary>The default <see cref="RefineTemplate"/>.</summary>
    public const string DefaultRefineTemplate =
        "There is an earlier answer to the query. If the new context below helps, improve the answer with it; " +
        "otherwise repeat the earlier answer unchanged.\n\nQuery: {query}\nEarlier answer: {answer}\n\n" +
        "New context:\n---------------------\n{passages}\n---------------------\n\nAnswer:";

    /// <summary>The default <see cref="SummaryTemplate"/>.</summary>
    public const string DefaultSummaryTemplate =
        "Information from several sources is below.\n---------------------\n{passages}\n---------------------\n" +
        "From this information only, without prior knowledge, answer the query.\nQuery: {query}\nAnswer:";

    /// <summary>Gets the context window a prompt and its answer must fit in, in tokens: passages are packed and split so
    /// that template + query + passages (+ the earlier answer when refining) + <see cref="OutputTokens"/> never exceed it.</summary>
    /// <value>Default 3,900 (LlamaIndex's default context window). Must be at least 64.</value>
    public int ContextTokens { get; init; } = 3_900;

    /// <summary>Gets the tokens reserved for each answer; sent as <see cref="ChatOptions.MaxOutputTokens"/> unless
    /// <see cref="ChatOptions"/> sets its own. Bounding summaries is what makes each tree level smaller than the last.</summary>
    /// <value>Default 256. Must be positive and at most a quarter of <see cref="ContextTokens"/>.</value>
    public int OutputTokens { get; init; } = 256;

    /// <summary>Gets how many chat calls of one answer may run at once (tree summaries of one level, accumulate answers).
    /// They run through <see cref="Batch"/>, so this bound holds whatever the number of passages; the chat client's
    /// own throughput stack bounds the calls of all answers together.</summary>
    /// <value>Default 4. Must be positive.</value>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Gets the prompt that answers from passages: <c>{passages}</c> and <c>{query}</c> are replaced.</summary>
    /// <value>Default <see cref="DefaultQuestionTemplate"/>. Must contain both placeholders.</value>
    public string QuestionTemplate { get; init; } = DefaultQuestionTemplate;

    /// <summary>Gets the prompt that refines an answer with more passages: <c>{passages}</c>, <c>{query}</c> and
    /// <c>{answer}</c> are replaced.</summary>
    /// <value>Default <see cref="DefaultRefineTemplate"/>. Must contain the three placeholders.</value>
    public string RefineTemplate { get; init; } = DefaultRefineTemplate;

    /// <summary>Gets the prompt that summarizes passages or summaries towards an answer (tree summarize):
    /// <c>{passages}</c> and <c>{query}</c> are replaced.</summary>
    /// <value>Default <see cref="DefaultSummaryTemplate"/>. Must contain both placeholders.</value>
    public string SummaryTemplate { get; init; } = DefaultSummaryTemplate;

    /// <summary>Gets the text put between two passages packed into one prompt.</summary>
    /// <value>Default a blank line (<c>"\n\n"</c>). Not null.</value>
    public string Separator { get; init; } = "\n\n";

    /// <summary>Gets how tokens are counted when packing passages.</summary>
    /// <value>Default <see cref="TokenEstimator.CountTokens"/> (o200k_base, the encoding of current OpenAI models).</value>
    public Func<string, int> CountTokens { get; init; } = TokenEstimator.CountTokens;

    /// <summary>Gets the chat options of every call (model, temperature…), or <see langword="null"/> for the client's defaults.</summary>
    /// <value>Default <see langword="null"/>. A copy is sent; <see cref="ChatOptions.MaxOutputTokens"/> defaults to <see cref="OutputTokens"/>.</value>
    public ChatOptions? ChatOptions { get; init; }

    /// <summary>Gets the clock of the batches that run parallel calls.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range; the message names it.</exception>
    /// <exception cref="ArgumentException">A template lacks a placeholder, or a value is null; the message names it.</exception>
    public SynthesizerOptions Validate()
    {
        Require(ContextTokens >= 64, nameof(ContextTokens), ContextTokens, "at least 64");
        Require(OutputTokens >= 1 && OutputTokens <= ContextTokens / 4, nameof(OutputTokens), OutputTokens, $"from 1 to a quarter of ContextTokens ({ContextTokens / 4})");
        Require(MaxConcurrency >= 1, nameof(MaxConcurrency), MaxConcurrency, "at least 1");
        Template(QuestionTemplate, nameof(QuestionTemplate), "{passages}", "{query}");
        Template(RefineTemplate, nameof(RefineTemplate), "{passages}", "{query}", "{answer}");
        Template(SummaryTemplate, nameof(SummaryTemplate), "{passages}", "{query}");
        if (Separator is null)
        {
            throw new ArgumentException($"SynthesizerOptions.{nameof(Separator)} must not be null.", nameof(Separator));
        }

        if (CountTokens is null)
        {
            throw new ArgumentException($"SynthesizerOptions.{nameof(CountTokens)} must not be null.", nameof(CountTokens));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentException($"SynthesizerOptions.{nameof(TimeProvider)} must not be null.", nameof(TimeProvider));
        }

        return this;
    }

    private static void Require(bool condition, string name, int value, string expected)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, value, $"SynthesizerOptions.{name} must be {expected}; it was {value}.");
        }
    }

    private static void Template(string? template, string name, params string[] placeholders)
    {
        foreach (string placeholder in placeholders)
        {
            if (template is null || !template.Contains(placeholder, StringComparison.Ordinal))
            {
                throw new ArgumentException($"SynthesizerOptions.{name} must contain the placeholder {placeholder}.", name);
            }
        }
    }
}
