using System.Diagnostics;
using Sluice.LocalEmbeddings;
using Sluice.Testing;

namespace Sluice.Bench;

/// <summary>
/// The adaptive group size alone, quicker than <see cref="EmbeddingBench"/> (no SentenceEncoder, no bare loop): on the
/// same mixed-length sample (2,000 texts; 600 with --quick), the generator with its defaults (adaptive group size), the
/// defaults with 512, 1,024 and 2,048 token positions per group, and a sweep of fixed group sizes, all in one run (after a
/// warm-up, each case twice: the list forwards, then backwards), each as texts/s and as a ratio to the best fixed size
/// of the sweep; the adaptive sizes each length class held at the end go to stderr.
/// </summary>
internal static class EmbeddingSizerBench
{
    public static async Task RunAsync(bool quick)
    {
        string[] texts = SampleTexts.Mixed(quick ? 600 : 2_000, seed: 2024);
        var cases = new List<(string Name, LocalEmbeddingOptions Options)>
        {
            ("adaptive_default", new LocalEmbeddingOptions()),
        };
        foreach (int positions in new[] { 512, 1_024, 2_048 })
        {
            cases.Add(($"adaptive_max_group_tokens_{positions}", new LocalEmbeddingOptions { MaxGroupTokens = positions }));
        }

        foreach (int size in new[] { 4, 8, 16, 32 })
        {
            cases.Add(($"fixed_{size}", new LocalEmbeddingOptions { FixedGroupSize = size }));
        }

        // The process warms up first (JIT tiers, ONNX Runtime's arenas, the GC's budgets): the first case of a run used to
        // pay for it and ran 5-10 % slower whatever it was. Then every case runs twice, the list forwards and then
        // backwards, so each case's mean position in the run is the same; a case's rate is its texts over its total time.
        using (var warmUp = new LocalEmbeddingGenerator(new LocalEmbeddingOptions { FixedGroupSize = 16 }))
        {
            await warmUp.GenerateAsync(texts.Take(quick ? 200 : 500));
        }

        var seconds = cases.ToDictionary(c => c.Name, _ => 0.0);
        var ends = new Dictionary<string, int>();
        foreach (var (name, options) in cases.Concat(Enumerable.Reverse(cases)))
        {
            using var generator = new LocalEmbeddingGenerator(options);
            await generator.GenerateAsync(texts.Take(64)); // warm-up: session initialisation
            var watch = Stopwatch.StartNew();
            await generator.GenerateAsync(texts);
            seconds[name] += watch.Elapsed.TotalSeconds;
            ends[name] = generator.CurrentGroupSize;
            if (options.FixedGroupSize is null)
            {
                ReportClassSizes(generator);
            }
        }

        var rates = seconds.ToDictionary(kv => kv.Key, kv => 2 * texts.Length / kv.Value);

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

    private static void ReportClassSizes(LocalEmbeddingGenerator generator)
    {
        try
        {
            ReportClassSizesCore(generator);
        }
        catch (Exception error) when (error is MissingMemberException or TypeLoadException)
        {
            Console.Error.WriteLine("(a build with one sizer for every length)"); // the bench run against an older Sluice.LocalEmbeddings
        }
    }

    private static void ReportClassSizesCore(LocalEmbeddingGenerator generator)
    {
        var sizers = generator.SizersForTests!;
        var held = Enumerable.Range(0, LengthClassSizers.Classes)
            .Select(c => sizers.Of(c) is { } sizer ? $"<={LengthClassSizers.LongestOf(c)}: {sizer.SizeInForce} ({sizer.Steps} steps)" : null)
            .Where(text => text is not null);
        Console.Error.WriteLine($"adaptive sizes held at the end, per length class: {string.Join("; ", held)}");
    }
}
