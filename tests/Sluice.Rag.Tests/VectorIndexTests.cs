namespace Sluice.Rag.Tests;

public sealed class VectorIndexTests : IDisposable
{
    private readonly string _path = TestData.TempFile();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestData.Delete(_path);
    }

    private static List<IndexRecord> Records(float[][] vectors) =>
        vectors.Select((v, i) => new IndexRecord
        {
            Key = $"r{i}",
            Text = $"text {i}",
            Metadata = new Dictionary<string, string> { ["lang"] = i % 3 == 0 ? "fr" : "en", ["parity"] = i % 2 == 0 ? "even" : "odd" },
            Vector = v,
        }).ToList();

    [Fact]
    public async Task Search_and_SearchMany_return_the_brute_force_top_k()
    {
        float[][] rows = TestData.RandomUnitVectors(3_000, 384, seed: 1);
        float[][] queries = TestData.RandomUnitVectors(40, 384, seed: 2);
        using var index = VectorIndex.Open(_path, new VectorIndexOptions { QueryBlockSize = 16 });
        await index.UpsertAsync(Records(rows));

        var many = index.SearchMany(queries.Select(q => (ReadOnlyMemory<float>)q).ToList(), 10);
        for (int q = 0; q < queries.Length; q++)
        {
            string[] expected = TestData.BruteForce(rows, queries[q], 10).Select(r => $"r{r}").ToArray();
            Assert.Equal(expected, index.Search(queries[q], 10).Select(h => h.Key).ToArray());
            Assert.Equal(expected, many[q].Select(h => h.Key).ToArray());
        }
    }

    [Fact]
    public async Task KeysWithMetadata_lists_matching_records_and_DeleteAsync_by_filter_removes_them_durably()
    {
        float[][] rows = TestData.RandomUnitVectors(30, 384, seed: 9);
        using (var index = VectorIndex.Open(_path))
        {
            await index.UpsertAsync(Records(rows));
            var french = index.KeysWithMetadata(MetadataFilter.Where("lang", "fr"));
            Assert.Equal(10, french.Count);
            Assert.All(french, e => Assert.Equal("fr", e.Value["lang"]));
            Assert.Equal(30, index.KeysWithMetadata().Count);

            Assert.Equal(5, await index.DeleteAsync(MetadataFilter.Where("lang", "fr").And("parity", "even")));
            Assert.Equal(25, index.Count);
        }

        using var reopened = VectorIndex.Open(_path);
        Assert.Equal(25, reopened.Count);
        Assert.Empty(reopened.KeysWithMetadata(MetadataFilter.Where("lang", "fr").And("parity", "even")));
        Assert.Equal(5, reopened.KeysWithMetadata(MetadataFilter.Where("lang", "fr")).Count);
    }

    [Fact]
    public async Task Filters_apply_during_the_scan_and_still_give_k_results()
    {
        float[][] rows = TestData.RandomUnitVectors(2_000, 64, seed: 3);
        float[][] queries = TestData.RandomUnitVectors(10, 64, seed: 4);
        using var index = VectorIndex.Open(_path, new VectorIndexOptions { Dimensions = 64 });
        await index.UpsertAsync(Records(rows));
        var filter = MetadataFilter.Where("lang", "fr").And("parity", "even"); // i % 6 == 0: one row in six

        foreach (float[] query in queries)
        {
            var hits = index.Search(query, 10, filter);
            string[] expected = TestData.BruteForce(rows, query, 10, r => r % 6 == 0).Select(r => $"r{r}").ToArray();
            Assert.Equal(expected, hits.Select(h => h.Key).ToArray());
            Assert.All(hits, h => Assert.Equal("fr", h.Metadata["lang"]));
        }

        Assert.Empty(index.Search(queries[0], 10, MetadataFilter.Where("lang", "de")));
    }

    [Fact]
    public async Task Reopening_gives_the_same_results_after_upserts_replacements_and_deletes()
    {
        float[][] rows = TestData.RandomUnitVectors(500, 32, seed: 5);
        float[][] queries = TestData.RandomUnitVectors(5, 32, seed: 6);
        var options = new VectorIndexOptions { Dimensions = 32 };
        string[][] before;
        using (var index = VectorIndex.Open(_path, options))
        {
            await index.UpsertAsync(Records(rows));
            await index.UpsertAsync([new IndexRecord { Key = "r7", Text = "replaced", Vector = queries[0] }]);
            Assert.Equal(3, await index.DeleteAsync(["r1", "r2", "r3", "missing"]));
            Assert.Equal(497, index.Count);
            before = queries.Select(q => index.Search(q, 10).Select(h => h.Key).ToArray()).ToArray();
            Assert.Equal("r7", before[0][0]);
        }

        using (var reopened = VectorIndex.Open(_path, options))
        {
            Assert.Equal(497, reopened.Count);
            for (int q = 0; q < queries.Length; q++)
            {
                Assert.Equal(before[q], reopened.Search(queries[q], 10).Select(h => h.Key).ToArray());
            }

            var replaced = reopened.Get("r7");
            Assert.NotNull(replaced);
            Assert.Equal("replaced", replaced.Text);
            Assert.Equal(queries[0], replaced.Vector.ToArray());
            Assert.Null(reopened.Get("r1"));
        }

        Assert.Throws<InvalidOperationException>(() => VectorIndex.Open(_path, new VectorIndexOptions { Dimensions = 16 }));
    }

    [Fact]
    public async Task A_vector_of_the_wrong_length_is_named_and_nothing_is_written()
    {
        using var index = VectorIndex.Open(_path, new VectorIndexOptions { Dimensions = 8 });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => index.UpsertAsync(
        [
            new IndexRecord { Key = "ok", Vector = new float[8] },
            new IndexRecord { Key = "bad", Vector = new float[7] },
        ]));
        Assert.Contains("Record 1", error.Message);
        Assert.Contains("'bad'", error.Message);
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void Int8_recall_at_10_against_float_on_100000_random_unit_vectors()
    {
        const int dimensions = 384;
        float[][] rows = TestData.RandomUnitVectors(100_000, dimensions, seed: 8);
        float[][] queries = TestData.RandomUnitVectors(50, dimensions, seed: 9);
        var exact = new VectorMatrix(dimensions, int8: false);
        var quantised = new VectorMatrix(dimensions, int8: true);
        for (int r = 0; r < rows.Length; r++)
        {
            exact.Set(r, rows[r]);
            quantised.Set(r, rows[r]);
        }

        double recall = Recall(exact, quantised, queries, 10);
        Assert.True(recall >= 0.98, $"recall@10 {recall:F4}");
        Assert.True(quantised.Bytes * 3.5 < exact.Bytes);
    }

    internal static double Recall(VectorMatrix exact, VectorMatrix quantised, float[][] queries, int k)
    {
        int found = 0;
        foreach (float[] query in queries)
        {
            var a = new[] { new TopK(k) };
            var b = new[] { new TopK(k) };
            exact.ScoreBlock(query, a, 0, exact.Count, null);
            quantised.ScoreBlock(query, b, 0, quantised.Count, null);
            var truth = a[0].Sorted().Select(x => x.Row).ToHashSet();
            found += b[0].Sorted().Count(x => truth.Contains(x.Row));
        }

        return found / (double)(queries.Length * k);
    }

    [Fact]
    public async Task Metadata_is_copied_on_upsert_so_changing_the_callers_dictionary_changes_nothing()
    {
        using var index = VectorIndex.Open(_path, new VectorIndexOptions { Dimensions = 4 });
        var metadata = new Dictionary<string, string> { ["lang"] = "en" };
        await index.UpsertAsync([new IndexRecord { Key = "a", Metadata = metadata, Vector = new float[] { 1, 0, 0, 0 } }]);

        metadata["lang"] = "fr";
        metadata["extra"] = "x";

        var hit = Assert.Single(index.Search(new float[] { 1, 0, 0, 0 }, 1, MetadataFilter.Where("lang", "en")));
        Assert.Equal("en", hit.Metadata["lang"]);
        Assert.False(hit.Metadata.ContainsKey("extra"));
        Assert.Empty(index.Search(new float[] { 1, 0, 0, 0 }, 1, MetadataFilter.Where("lang", "fr")));
        Assert.False(hit.Metadata is IDictionary<string, string> { IsReadOnly: false }); // a hit cannot change the index either
    }
}
