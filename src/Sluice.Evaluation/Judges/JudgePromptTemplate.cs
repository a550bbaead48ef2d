namespace Sluice.Evaluation;

/// <summary>
/// The two messages a judge evaluator sends: a system prompt and a user prompt, each a template whose placeholders in
/// braces (<c>{query}</c>, <c>{response}</c>, <c>{passages}</c>, …) are replaced by the evaluation's inputs. Write
/// <c>{{</c> and <c>}}</c> for a literal brace.
/// </summary>
/// <remarks>
/// <para>
/// Each judge evaluator has its own set of placeholders, some of them required, and its default template as a static
/// <c>DefaultTemplate</c> property (for example <c>FaithfulnessEvaluator.DefaultTemplate</c>). A template is
/// checked when the evaluator is constructed: an unknown placeholder, an unbalanced brace or a missing required
/// placeholder throws <see cref="ArgumentException"/> naming the evaluator, the placeholder and its line and column.
/// </para>
/// <para>
/// The judge's reply is still read by the evaluator's own parser, so a custom template must keep asking for the same
/// reply format as the default (YES/NO first, a score on the first line, <c>[RESULT] n</c>, a JSON verdict, or
/// <c>[[A]]</c>/<c>[[B]]</c>/<c>[[C]]</c>); otherwise every result is invalid.
/// </para>
/// <para>
/// Values are inserted once, as written: braces inside a query or response are never read as placeholders.
/// </para>
/// </remarks>
public sealed record JudgePromptTemplate
{
    private readonly string _systemPrompt = string.Empty;
    private readonly string _userPrompt = string.Empty;

    /// <summary>Creates a template.</summary>
    /// <param name="systemPrompt">The template of the system message.</param>
    /// <param name="userPrompt">The template of the user message.</param>
    /// <exception cref="ArgumentException">An argument is <see langword="null"/>, empty or white space.</exception>
    public JudgePromptTemplate(string systemPrompt, string userPrompt)
    {
        // Checked here as well, so that the exception names the constructor's parameter.
        ArgumentException.ThrowIfNullOrWhiteSpace(systemPrompt);
        ArgumentException.ThrowIfNullOrWhiteSpace(userPrompt);
        SystemPrompt = systemPrompt;
        UserPrompt = userPrompt;
    }

    /// <summary>Gets the template of the system message.</summary>
    /// <value>Text that is not empty or white space; it may use the evaluator's placeholders.</value>
    /// <exception cref="ArgumentException">The value is <see langword="null"/>, empty or white space.</exception>
    public string SystemPrompt
    {
        get => _systemPrompt;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(SystemPrompt));
            _systemPrompt = value;
        }
    }

    /// <summary>Gets the template of the user message, which holds the evaluation's inputs.</summary>
    /// <value>Text that is not empty or white space; it may use the evaluator's placeholders.</value>
    /// <exception cref="ArgumentException">The value is <see langword="null"/>, empty or white space.</exception>
    public string UserPrompt
    {
        get => _userPrompt;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value, nameof(UserPrompt));
            _userPrompt = value;
        }
    }
}
