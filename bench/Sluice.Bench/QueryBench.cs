using System.Diagnostics;
using Sluice.LocalEmbeddings;
using Sluice.Rag;
using Sluice.Testing;

namespace Sluice.Bench;

/// <summary>
/// Retrieval-only querying with the local MiniLM model over a generated corpus (4,000 chunks of 1–60 words; 1,000 with
/// --quick), one run: 1,000 queries through <see cref="QueryEngine.QueryManyAsync"/> (queries embedded in groups, one
/// batched search per group; defaults, then all 1,000 in one group) against the same queries one
/// <see cref="QueryEngine.QueryAsync"/> at a time; the same two
/// paths' bare parts (embedding 1,000 queries in one call vs one by one, SearchMany vs Search) explain the ratio.
/// </summary>
internal static class QueryBench
{
    public static async Task RunAsync(bool quick)
    {
        int chunks = quick ? 1_000 : 4_000;
        const int QueryCount = 1_000;
        string[] corpus = SampleTexts.UpTo(chunks, maxWords: 60, seed: 31);
        string[] queries = SampleTexts.UpTo(QueryCount, maxWords: 12, seed: 32);
        string path = Path.Combine(Path.GetTempPath(), $"sluice-bench-query-{Guid.NewGuid():N}.db");
        using var generator = new LocalEmbeddingGenerator();
        try
        {
            var ingest = Stopwatch.StartNew();
            using var index = VectorIndex.Open(path);
            var vectors = await generator.GenerateAsync(corpus);
            await index.UpsertAsync(corpus.Select((text, i) => new IndexRecord { Key = $"c{i}", Text = text, Vector = vectors[i].Vector }));
            double ingestSeconds = ingest.Elapsed.TotalSeconds;

            var engine = new QueryEngine(new VectorRetriever(index, generator, new RetrieverOptions { TopK = 5 }));
            for (int i = 0; i < 20; i++)
            {
                await engine.QueryAsync(queries[i], CancellationToken.None); // warm-up: model, tokenizer, thread pool
            }

            var many = Stopwatch.StartNew();
            int answered = 0;
            await foreach (var result in engine.QueryManyAsync(queries))
            {
                answered += result.Succeeded ? 1 : 0;
            }

            double manySeconds = many.Elapsed.TotalSeconds;

            // The same with every query in one retrieval group and one embedding call.
            var oneGroupEngine = new QueryEngine(
                new VectorRetriever(index, generator, new RetrieverOptions { TopK = 5, EmbeddingGroupSize = QueryCount }),
                options: new QueryEngineOptions { RetrievalGroupSize = QueryCount });
            var oneGroup = Stopwatch.StartNew();
            await foreach (var result in oneGroupEngine.QueryManyAsync(queries))
            {
                answered += result.Succeeded ? 0 : -1;
            }

            double oneGroupSeconds = oneGroup.Elapsed.TotalSeconds;

            var single = Stopwatch.StartNew();
            foreach (string query in queries)
            {
                await engine.QueryAsync(query, CancellationToken.None);
            }

            double singleSeconds = single.Elapsed.TotalSeconds;

            // The parts: embedding, then search, each both ways.
            var embedGrouped = Stopwatch.StartNew();
            var queryVectors = await generator.GenerateAsync(queries);
            double embedGroupedSeconds = embedGrouped.Elapsed.TotalSeconds;
            var embedOne = Stopwatch.StartNew();
            foreach (string query in queries)
            {
                await generator.GenerateAsync([query]);
            }

            double embedOneSeconds = embedOne.Elapsed.TotalSeconds;
            var memories = queryVectors.Select(v => v.Vector).ToList();
            var searchMany = Stopwatch.StartNew();
            index.SearchMany(memories, 5);
            double searchManySeconds = searchMany.Elapsed.TotalSeconds;
            var searchOne = Stopwatch.StartNew();
            foreach (var vector in memories)
            {
                index.Search(vector.Span, 5);
            }

            double searchOneSeconds = searchOne.Elapsed.TotalSeconds;

            // One SearchMany over a small index takes 10-40 ms, which a context switch moves by a third: the best of
            // ten as well (each 1,000 queries).
            double searchManyBest = Enumerable.Range(0, 10).Min(_ => Time(() => index.SearchMany(memories, 5)));
            double searchOneBest = Enumerable.Range(0, 10).Min(_ => Time(() => { foreach (var vector in memories) { index.Search(vector.Span, 5); } }));

            BenchResult.Print(new
            {
                suite = "query",
                chunks,
                queries = QueryCount,
                top_k = 5,
                cores = Environment.ProcessorCount,
                ingest_s = Math.Round(ingestSeconds, 2),
                answered,
                query_many_queries_per_s = Math.Round(QueryCount / manySeconds, 1),
                one_at_a_time_queries_per_s = Math.Round(QueryCount / singleSeconds, 1),
                query_many_over_one_at_a_time = Math.Round(singleSeconds / manySeconds, 2),
                query_many_one_group_queries_per_s = Math.Round(QueryCount / oneGroupSeconds, 1),
                embed_one_call_queries_per_s = Math.Round(QueryCount / embedGroupedSeconds, 1),
                embed_one_by_one_queries_per_s = Math.Round(QueryCount / embedOneSeconds, 1),
                search_many_queries_per_s = Math.Round(QueryCount / searchManySeconds, 1),
                search_one_by_one_queries_per_s = Math.Round(QueryCount / searchOneSeconds, 1),
                best_of_10_search_many_queries_per_s = Math.Round(QueryCount / searchManyBest, 1),
                best_of_10_search_one_by_one_queries_per_s = Math.Round(QueryCount / searchOneBest, 1),
            });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (string file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    private static double Time(Action run)
    {
        var watch = Stopwatch.StartNew();
        run();
        return watch.Elapsed.TotalSeconds;
    }
}
