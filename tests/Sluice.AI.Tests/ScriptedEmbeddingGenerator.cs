using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.AI;

namespace Sluice.AI.Tests;

/// <summary>A test-local provider: the embedding of input "t{i}" is the one-element vector [i]; it records every
/// request, rejects groups over <see cref="MaxInputs"/> with an HTTP 400 that says so, and can hold the first request
/// until a second one is in flight (to prove groups travel concurrently).</summary>
internal sealed class ScriptedEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly TaskCompletionSource _secondArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _calls;

    public int MaxInputs { get; init; } = int.MaxValue;

    public bool HoldFirstUntilSecond { get; init; }

    public Func<IReadOnlyList<string>, Exception?>? Fail { get; init; }

    public ConcurrentQueue<string[]> Requests { get; } = new();

    public int Rejected;

    public int MaxInFlight;

    public static string Text(int i) => $"t{i}";

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] inputs = [.. values];
        Requests.Enqueue(inputs);
        int inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref MaxInFlight, inFlight);
        try
        {
            int call = Interlocked.Increment(ref _calls);
            if (HoldFirstUntilSecond)
            {
                if (call == 1)
                {
                    await _secondArrived.Task.WaitAsync(cancellationToken);
                }
                else
                {
                    _secondArrived.TrySetResult();
                }
            }

            await Task.Yield();
            if (Fail?.Invoke(inputs) is { } error)
            {
                throw error;
            }

            if (inputs.Length > MaxInputs)
            {
                Interlocked.Increment(ref Rejected);
                throw new HttpRequestException($"Invalid 'input': at most {MaxInputs} inputs per request.", null, HttpStatusCode.BadRequest);
            }

            var result = new GeneratedEmbeddings<Embedding<float>>(
                inputs.Select(t => new Embedding<float>(new[] { float.Parse(t.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) })))
            {
                Usage = new UsageDetails { InputTokenCount = inputs.Length, TotalTokenCount = inputs.Length },
            };
            return result;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
