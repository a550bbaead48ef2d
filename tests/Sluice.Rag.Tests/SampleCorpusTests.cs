using Microsoft.Extensions.AI;
using Sluice.LocalEmbeddings;
using Sluice.Testing;

namespace Sluice.Rag.Tests;

/// <summary>The index on real embeddings: the sample corpus embedded by the local model.</summary>
public sealed class SampleCorpusTests
{
    [Fact]
    public async Task Exact_top_k_and_int8_recall_on_the_sample_corpus()
    {
        string[] corpus = SampleTexts.Mixed(600, seed: 21);
        string[] questions = SampleTexts.UpTo(30, maxWords: 12, seed: 22);
        using var generator = new LocalEmbeddingGenerator();
        float[][] rows = (await generator.GenerateAsync(corpus)).Select(e => e.Vector.ToArray()).ToArray();
        float[][] queries = (await generator.GenerateAsync(questions)).Select(e => e.Vector.ToArray()).ToArray();

        string path = TestData.TempFile();
        try
        {
            using var index = VectorIndex.Open(path);
            await index.UpsertAsync(rows.Select((v, i) => new IndexRecord { Key = $"c{i}", Text = corpus[i], Vector = v }));
            var many = await index.SearchManyAsync(queries.Select(q => (ReadOnlyMemory<float>)q).ToList(), 10);
            for (int q = 0; q < queries.Length; q++)
            {
                string[] expected = TestData.BruteForce(rows, queries[q], 10).Select(r => $"c{r}").ToArray();
                Assert.Equal(expected, many[q].Select(h => h.Key).ToArray());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TestData.Delete(path);
        }

        var exact = new VectorMatrix(384, int8: false);
        var quantised = new VectorMatrix(384, int8: true);
        for (int r = 0; r < rows.Length; r++)
        {
            exact.Set(r, rows[r]);
            quantised.Set(r, rows[r]);
        }

        double recall = VectorIndexTests.Recall(exact, quantised, queries, 10);
        Assert.True(recall >= 0.98, $"recall@10 {recall:F4}");
    }
}
