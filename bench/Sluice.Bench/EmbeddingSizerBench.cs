using System.Diagnostics;
using Sluice.LocalEmbeddings;
using Sluice.Testing;

namespace Sluice.Bench;

/// <summary>
/// The adaptive group size alone, quicker than <see cref="EmbeddingBench"/> (no SentenceEncoder, no bare loop): on the
/// same mixed-length sample (2,000 texts; 600 with --quick), the generator with its defaults, with the defaults it had
/// before (16,384 token positions per group, no minimum size) and with 4,096 positions, and a sweep of fixed group sizes, all in one run, each as texts/s and as a ratio to the best fixed
/// size of the sweep.
/// </summary>
internal static class EmbeddingSizerBench
{
    public static async Task RunAsync(bool quick)
    {
        string[] texts = SampleTexts.Mixed(quick ? 600 : 2_000, seed: 2024);
        var cases = new List<(string Name, LocalEmbeddingOptions Options)>
        {
            ("adaptive_default", new LocalEmbeddingOptions()),
            ("adaptive_before_issue_11_perf", new LocalEmbeddingOptions { MaxGroupTokens = 16_384, MinGroupSize = 1 }),
            ("adaptive_max_tokens_4096", new LocalEmbeddingOptions { MaxGroupTokens = 4_096 }),
        };
        foreach (int size in new[] { 4, 8, 16, 32 })
        {
            cases.Add(($"fixed_{size}", new LocalEmbeddingOptions { FixedGroupSize = size }));
        }

        var rates = new Dictionary<string, double>();
        var ends = new Dictionary<string, int>();
        foreach (var (name, options) in cases)
        {
            using var generator = new LocalEmbeddingGenerator(options);
            await generator.GenerateAsync(texts.Take(64)); // warm-up: session initialisation, JIT
            var watch = Stopwatch.StartNew();
            await generator.GenerateAsync(texts);
            rates[name] = texts.Length / watch.Elapsed.TotalSeconds;
            ends[name] = generator.CurrentGroupSize;
        }

        double best = rates.Where(kv => kv.Key.StartsWith("fixed_", StringComparison.Ordinal)).Max(kv => kv.Value);
        BenchResult.Print(new
        {
            suite = "embeddings-sizer",
            texts = texts.Length,
            cores = Environment.ProcessorCount,
            texts_per_s = rates.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 1)),
            group_size_at_end = ends.ToDictionary(kv => kv.Key, kv => kv.Value),
            ratio_to_best_fixed = rates.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / best, 3)),
        });
    }
}
