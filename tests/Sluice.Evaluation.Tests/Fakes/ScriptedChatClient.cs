using Microsoft.Extensions.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>A chat client that answers with scripted replies in order and records every request.</summary>
internal sealed class ScriptedChatClient : IChatClient
{
    private readonly Queue<Func<ChatResponse>> _replies = new();

    public ScriptedChatClient(params string[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(() => new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)) { ModelId = "judge-model" });
        }
    }

    public List<(IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    public static ScriptedChatClient Throwing(Exception exception)
    {
        var client = new ScriptedChatClient();
        client._replies.Enqueue(() => throw exception);
        return client;
    }

    public string LastPrompt => Requests[^1].Messages[^1].Text;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Requests.Add((messages.ToList(), options));
        if (_replies.Count == 0)
        {
            throw new InvalidOperationException("The script has no more replies.");
        }

        return Task.FromResult(_replies.Dequeue()());
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
