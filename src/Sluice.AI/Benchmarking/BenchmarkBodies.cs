using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Sluice.AI;

/// <summary>The request bodies a benchmark sends: short, distinct (each names its index, so no cache answers them),
/// the same shape a <c>sluice run</c> file carries.</summary>
internal static class BenchmarkBodies
{
    /// <summary>The path of the endpoint, relative to the API base.</summary>
    public static string PathOf(BenchmarkEndpoint endpoint) => endpoint == BenchmarkEndpoint.Chat ? "chat/completions" : "embeddings";

    /// <summary>The body of request <paramref name="index"/>: a chat prompt, or <paramref name="groupSize"/> texts to embed.</summary>
    public static byte[] Create(EndpointBenchmarkOptions options, long index, int groupSize)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", options.Model);
            if (options.Endpoint == BenchmarkEndpoint.Chat)
            {
                json.WriteStartArray("messages");
                json.WriteStartObject();
                json.WriteString("role", "user");
                json.WriteString("content", string.Create(CultureInfo.InvariantCulture, $"Benchmark request {index}: in one sentence, say something true about the number {index}."));
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteNumber("max_tokens", options.MaxOutputTokens);
            }
            else
            {
                json.WriteStartArray("input");
                for (int i = 0; i < groupSize; i++)
                {
                    json.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"Benchmark text {index}.{i}: a short sentence for the embedding model to read."));
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The tokens a request may use at most: its input, plus <c>max_tokens</c> for chat.</summary>
    public static long EstimateTokens(EndpointBenchmarkOptions options, long index, int groupSize)
    {
        var count = TokenEstimator.CountRequest(Create(options, index, groupSize));
        return count.InputTokens + (count.MaxOutputTokens ?? 0);
    }
}
