namespace Sluice.Rag.Tests.Ingestion;

public sealed class EmbeddingCacheTests
{
    private static readonly EmbeddingModelIdentity Model = new("m", "hash-1", "mean", 256);

    private static float[] Vector(int seed) => TestData.RandomUnitVectors(1, 8, seed)[0];

    [Fact]
    public async Task Writes_from_concurrent_workers_are_never_lost()
    {
        using var bed = new IngestionTestBed();
        const int workers = 8;
        const int perWorker = 250;
        using (var cache = EmbeddingCache.Open(bed.CachePath))
        {
            var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(() =>
            {
                for (int batch = 0; batch < perWorker / 25; batch++)
                {
                    var entries = Enumerable.Range(batch * 25, 25)
                        .Select(i => new KeyValuePair<string, ReadOnlyMemory<float>>($"worker {w} text {i}", Vector(w * 10_000 + i)))
                        .ToList();
                    cache.Put(Model, entries);
                }
            }));
            await Task.WhenAll(tasks);
        }

        using var reopened = EmbeddingCache.Open(bed.CachePath);
        Assert.Equal(workers * perWorker, reopened.Count());
        for (int w = 0; w < workers; w++)
        {
            var texts = Enumerable.Range(0, perWorker).Select(i => $"worker {w} text {i}").ToList();
            var vectors = reopened.Get(Model, texts);
            for (int i = 0; i < perWorker; i++)
            {
                Assert.Equal(Vector(w * 10_000 + i), vectors[i]);
            }
        }
    }

    [Fact]
    public void Each_text_is_its_own_key_and_the_model_identity_is_part_of_it()
    {
        // LlamaIndex #23002: the key concatenated texts without separators, so ["ab", "c"] and ["a", "bc"] collided.
        using var bed = new IngestionTestBed();
        using var cache = EmbeddingCache.Open(bed.CachePath);
        cache.Put(Model, [new("ab", Vector(1)), new("c", Vector(2))]);

        var lookedUp = cache.Get(Model, ["a", "bc", "abc", "ab", "c"]);
        Assert.Null(lookedUp[0]);
        Assert.Null(lookedUp[1]);
        Assert.Null(lookedUp[2]);
        Assert.Equal(Vector(1), lookedUp[3]);
        Assert.Equal(Vector(2), lookedUp[4]);

        foreach (var other in new[]
        {
            new EmbeddingModelIdentity("m2", "hash-1", "mean", 256),
            new EmbeddingModelIdentity("m", "hash-2", "mean", 256),
            new EmbeddingModelIdentity("m", "hash-1", "cls", 256),
            new EmbeddingModelIdentity("m", "hash-1", "mean", 512),
        })
        {
            Assert.NotEqual(Model.Key, other.Key);
            Assert.Null(cache.Get(other, ["ab"])[0]);
        }

        Assert.Equal(Model.Key, new EmbeddingModelIdentity("m", "hash-1", "mean", 256).Key);
        Assert.Equal(2, cache.Hits);
    }
}
