using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Bench;

/// <summary>One measured case, printed as one JSON line.</summary>
internal static class BenchResult
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Print(object result)
    {
        Console.WriteLine(JsonSerializer.Serialize(result, result.GetType(), Json));
        Console.Out.Flush();
    }
}
