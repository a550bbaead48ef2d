using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation;

/// <summary>Sends one judge prompt with the fixed judge options and returns the reply.</summary>
internal sealed class JudgeCall
{
    private readonly IChatClient? _chatClient;
    private readonly JudgeOptions _options;
    private readonly string _evaluatorName;

    public JudgeCall(IChatClient? chatClient, JudgeOptions? options, string evaluatorName)
    {
        _chatClient = chatClient;
        _options = options ?? JudgeOptions.Default;
        _evaluatorName = evaluatorName;
    }

    /// <summary>
    /// Asks the judge. The client is <paramref name="chatConfiguration"/>'s when given, else the constructor's.
    /// Exceptions from the client propagate.
    /// </summary>
    public async Task<JudgeReply> AskAsync(string system, string prompt, ChatConfiguration? chatConfiguration, CancellationToken cancellationToken)
    {
        var client = chatConfiguration?.ChatClient ?? _chatClient
            ?? throw new InvalidOperationException(
                $"{_evaluatorName} has no chat client: pass an IChatClient to its constructor or a ChatConfiguration to EvaluateAsync.");

        ChatMessage[] messages = [new(ChatRole.System, system), new(ChatRole.User, prompt)];
        var clock = _options.TimeProvider;
        var started = clock.GetTimestamp();
        var response = await client.GetResponseAsync(messages, _options.CreateChatOptions(), cancellationToken).ConfigureAwait(false);
        return new JudgeReply(response, clock.GetElapsedTime(started));
    }
}

/// <summary>A judge's reply and how long it took.</summary>
internal readonly record struct JudgeReply(ChatResponse Response, TimeSpan Duration)
{
    public string Text => Response.Text;

    /// <summary>Records the judge's model, token usage and duration on <paramref name="metric"/>.</summary>
    public void Describe(EvaluationMetric metric) => metric.AddOrUpdateChatMetadata(Response, Duration);
}
