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
    public async Task Writes_before_the_first_search_stay_in_the_file_and_the_first_search_loads_exactly_what_the_file_holds()
    {
        float[][] rows = TestData.RandomUnitVectors(2_000, 384, seed: 21);
        float[][] replaced = TestData.RandomUnitVectors(100, 384, seed: 22);
        float[][] queries = TestData.RandomUnitVectors(20, 384, seed: 23);
        var expectedRows = (float[][])rows.Clone();
        using var index = VectorIndex.Open(_path);
        await index.UpsertAsync(Records(rows));
        for (int i = 0; i < replaced.Length; i++)
        {
            expectedRows[i * 7] = replaced[i];
        }

        // Replace 100 vectors and delete 50 other rows, all before any search.
        await index.UpsertAsync(Records(expectedRows).Where((_, i) => i % 7 == 0 && i / 7 < replaced.Length));
        var deleted = Enumerable.Range(0, 50).Select(i => (i * 13) + 1).Where(i => i % 7 != 0).ToHashSet();
        Assert.Equal(deleted.Count, await index.DeleteAsync(deleted.Select(i => $"r{i}").Append("no-such-key")));

        Assert.False(index.IsLoaded);
        Assert.Equal(0, index.MatrixBytes);
        Assert.Equal(rows.Length - deleted.Count, index.Count);
        Assert.Equal(rows.Length - deleted.Count, index.Keys().Count);

        void AssertExact(MetadataFilter? filter, Func<int, bool> allowed)
        {
            var many = index.SearchMany(queries.Select(q => (ReadOnlyMemory<float>)q).ToList(), 10, filter);
            for (int q = 0; q < queries.Length; q++)
            {
                string[] expected = TestData.BruteForce(expectedRows, queries[q], 10, r => !deleted.Contains(r) && allowed(r)).Select(r => $"r{r}").ToArray();
                Assert.Equal(expected, many[q].Select(h => h.Key).ToArray());
                Assert.Equal(expected, index.Search(queries[q], 10, filter).Select(h => h.Key).ToArray());
                Assert.All(many[q], h => Assert.Equal($"text {h.Key[1..]}", h.Text));
            }
        }

        AssertExact(null, _ => true);
        Assert.True(index.IsLoaded);
        Assert.True(index.MatrixBytes >= (rows.Length - deleted.Count) * 384L * sizeof(float));
        AssertExact(MetadataFilter.Where("lang", "fr"), r => r % 3 == 0);

        // Once loaded, writes update memory as well as the file.
        deleted.Add(0);
        await index.DeleteAsync(["r0"]);
        expectedRows[3] = replaced[^1];
        await index.UpsertAsync(Records(expectedRows).Where((_, i) => i == 3));
        AssertExact(null, _ => true);
        AssertExact(MetadataFilter.Where("parity", "odd"), r => r % 2 == 1);

        using var reopened = VectorIndex.Open(_path);
        Assert.Equal(index.Count, reopened.Count);
        var before = index.SearchMany(queries.Select(q => (ReadOnlyMemory<float>)q).ToList(), 10);
        var after = reopened.SearchMany(queries.Select(q => (ReadOnlyMemory<float>)q).ToList(), 10);
        Assert.Equal(before.Select(h => h.Select(x => (x.Key, x.Score)).ToArray()), after.Select(h => h.Select(x => (x.Key, x.Score)).ToArray()));
    }

    [Fact]
    public async Task A_failed_first_load_leaves_nothing_half_loaded_and_the_next_search_loads_again()
    {
        float[][] rows = TestData.RandomUnitVectors(10, 16, seed: 41);
        using var index = VectorIndex.Open(_path, new VectorIndexOptions { Dimensions = 16 });
        await index.UpsertAsync(Records(rows));
        void SetMetadata(string json)
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE records SET metadata = $m WHERE key = 'r5'";
            command.Parameters.AddWithValue("$m", json);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        SetMetadata("{ not json");
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => index.Search(rows[7], 3));
        Assert.False(index.IsLoaded);

        SetMetadata("{}");
        Assert.Equal("r7", index.Search(rows[7], 3)[0].Key);
        Assert.True(index.IsLoaded);
        Assert.Equal(10, index.Count); // the rows read before the failure were not kept twice
        Assert.Equal(10, index.SearchMany(rows.Select(r => (ReadOnlyMemory<float>)r).ToList(), 10)[0].Count);
    }

    [Fact]
    public async Task Concurrent_first_searches_and_writes_load_once_and_lose_no_write()
    {
        float[][] rows = TestData.RandomUnitVectors(4_000, 64, seed: 31);
        var options = new VectorIndexOptions { Dimensions = 64 };
        using var index = VectorIndex.Open(_path, options);
        await index.UpsertAsync(Records(rows[..2_000]));

        // Searches start while the second half is written in 20 transactions: whichever way they interleave with the
        // first load, every record ends up searchable exactly once.
        var writes = Task.Run(async () =>
        {
            foreach (var part in Records(rows).Skip(2_000).Chunk(100))
            {
                await index.UpsertAsync(part);
            }
        });
        var searches = Enumerable.Range(0, 8).Select(s => Task.Run(() => index.Search(rows[s], 1))).ToArray();
        await Task.WhenAll(searches);
        await writes;
        Assert.All(searches.Select((task, s) => (task.Result, s)), x => Assert.Equal($"r{x.s}", x.Result[0].Key));

        Assert.True(index.IsLoaded);
        Assert.Equal(rows.Length, index.Count); // the matrix's rows: no write lost, none applied twice
        var own = index.SearchMany(rows.Select(r => (ReadOnlyMemory<float>)r).ToList(), 1);
        Assert.All(Enumerable.Range(0, rows.Length), r => Assert.Equal($"r{r}", own[r][0].Key));
        Assert.Equal(rows.Length, index.Keys().Distinct().Count());
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Matrix_rows_start_on_a_cache_line_and_keep_their_values_through_growth(bool int8)
    {
        // The kernel's 32-byte loads must not straddle cache lines: row 0 (and so every row of 384 dimensions, 1,536
        // or 384 bytes apart) sits on a 64-byte boundary, before and after the matrix grows by copying.
        const int dimensions = 384;
        float[][] rows = TestData.RandomUnitVectors(2_500, dimensions, seed: 12);
        var matrix = new VectorMatrix(dimensions, int8);
        for (int r = 0; r < 1_000; r++)
        {
            matrix.Set(r, rows[r]);
        }

        Assert.Equal(0, matrix.RowMisalignment);
        float[] before = matrix.Row(999);
        for (int r = 1_000; r < rows.Length; r++)
        {
            matrix.Set(r, rows[r]); // grows past 1,024 rows: a new array, rows copied
        }

        Assert.Equal(0, matrix.RowMisalignment);
        Assert.Equal(before, matrix.Row(999));
        Assert.Equal(rows.Length, matrix.Count);
        var heap = new[] { new TopK(1) };
        matrix.ScoreBlock(rows[2_400], heap, 0, matrix.Count, null);
        Assert.Equal(2_400, heap[0].Sorted()[0].Row);
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
