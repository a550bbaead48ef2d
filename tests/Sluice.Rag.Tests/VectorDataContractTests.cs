using Microsoft.Extensions.VectorData;

namespace Sluice.Rag.Tests;

/// <summary>The parts of VectorStoreCollection's contract the Sluice collection implements, used only through the abstraction.</summary>
public sealed class VectorDataContractTests : IDisposable
{
    private readonly string _path = TestData.TempFile();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestData.Delete(_path);
    }

    [Fact]
    public async Task Upsert_get_delete_and_filtered_search_through_the_abstraction()
    {
        using var index = VectorIndex.Open(_path, new VectorIndexOptions { Dimensions = 3 });
        VectorStoreCollection<string, IndexRecord> collection = new SluiceVectorCollection(index, "docs");
        await collection.EnsureCollectionExistsAsync();
        Assert.True(await collection.CollectionExistsAsync());

        await collection.UpsertAsync(new IndexRecord { Key = "a", Text = "alpha", Metadata = new Dictionary<string, string> { ["lang"] = "en" }, Vector = new float[] { 1, 0, 0 } });
        await collection.UpsertAsync(
        [
            new IndexRecord { Key = "b", Text = "beta", Metadata = new Dictionary<string, string> { ["lang"] = "fr" }, Vector = new float[] { 0.9f, 0.1f, 0 } },
            new IndexRecord { Key = "c", Text = "gamma", Metadata = new Dictionary<string, string> { ["lang"] = "en" }, Vector = new float[] { 0, 1, 0 } },
        ]);

        var a = await collection.GetAsync("a", new RecordRetrievalOptions { IncludeVectors = true });
        Assert.NotNull(a);
        Assert.Equal("alpha", a.Text);
        Assert.Equal(new float[] { 1, 0, 0 }, a.Vector.ToArray());
        Assert.True((await collection.GetAsync("a"))!.Vector.IsEmpty);
        Assert.Null(await collection.GetAsync("zzz"));

        var all = await collection.SearchAsync(new float[] { 1, 0, 0 }, top: 3).ToListAsync();
        Assert.Equal(["a", "b", "c"], all.Select(r => r.Record.Key));
        Assert.Equal(1.0, all[0].Score!.Value, 5);

        string lang = "en";
        var english = await collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0]), top: 3,
            new VectorSearchOptions<IndexRecord> { Filter = r => r.Metadata["lang"] == lang }).ToListAsync();
        Assert.Equal(["a", "c"], english.Select(r => r.Record.Key));

        var skipped = await collection.SearchAsync(new float[] { 1, 0, 0 }, top: 1, new VectorSearchOptions<IndexRecord> { Skip = 1 }).ToListAsync();
        Assert.Equal(["b"], skipped.Select(r => r.Record.Key));

        var french = await collection.GetAsync(r => r.Metadata["lang"] == "fr", top: 10).ToListAsync();
        Assert.Equal(["b"], french.Select(r => r.Key));

        await collection.DeleteAsync("a");
        await collection.DeleteAsync(["b"]);
        Assert.Null(await collection.GetAsync("a"));
        Assert.Equal(["c"], (await collection.SearchAsync(new float[] { 1, 0, 0 }, top: 5).ToListAsync()).Select(r => r.Record.Key));

        await Assert.ThrowsAsync<NotSupportedException>(async () =>
            await collection.SearchAsync(new float[] { 1, 0, 0 }, 1, new VectorSearchOptions<IndexRecord> { Filter = r => r.Text.StartsWith('g') }).ToListAsync());

        await collection.EnsureCollectionDeletedAsync();
        Assert.Equal(0, index.Count);
    }
}
