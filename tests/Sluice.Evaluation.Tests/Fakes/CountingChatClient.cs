using Microsoft.Extensions.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>A thread-safe chat client whose reply (or exception) is a function of the last message; counts calls.</summary>
internal sealed class CountingChatClient(Func<string, int, string> reply, string model = "judge-model") : IChatClient
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        var text = reply(messages.Last().Text, call);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = model });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", null, model) : null;

    public void Dispose()
    {
    }
}
