using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Sluice.Rag.Tests;

/// <summary>A chat model in the test: answers with a function of the prompt, optionally after a delay, and records
/// every prompt, the options it came with and how many calls ran at once.</summary>
internal sealed class ScriptedChatClient(Func<string, string> answer, TimeSpan? delay = null) : IChatClient
{
    private readonly ConcurrentQueue<string> _prompts = new();
    private int _running;
    private int _peak;

    public IReadOnlyList<string> Prompts => [.. _prompts];

    public int Calls => _prompts.Count;

    public int PeakConcurrency => Volatile.Read(ref _peak);

    public int? LastMaxOutputTokens { get; private set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        string prompt = string.Concat(messages.Select(m => m.Text));
        _prompts.Enqueue(prompt);
        LastMaxOutputTokens = options?.MaxOutputTokens;
        int now = Interlocked.Increment(ref _running);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        try
        {
            if (delay is { } wait)
            {
                await Task.Delay(wait, TimeProvider.System, cancellationToken);
            }
            else
            {
                await Task.Yield();
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer(prompt)));
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
