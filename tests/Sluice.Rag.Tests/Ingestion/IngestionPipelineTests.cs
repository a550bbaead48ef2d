namespace Sluice.Rag.Tests.Ingestion;

public sealed class IngestionPipelineTests
{
    private static IngestionPipeline Pipeline(CountingEmbeddingGenerator generator, VectorIndex index, IngestionOptions? options = null) =>
        new(generator, EmbeddingModelIdentity.Of(SharedModel.Generator), SharedModel.Generator.CountTokens, index, options);

    private static Dictionary<string, List<KeyValuePair<string, IReadOnlyDictionary<string, string>>>> ByDocument(VectorIndex index) =>
        index.KeysWithMetadata()
            .GroupBy(e => e.Value[IngestionPipeline.DocumentIdField])
            .ToDictionary(g => g.Key, g => g.ToList());

    [Fact]
    public async Task A_mixed_corpus_is_searchable_with_metadata_per_chunk_and_a_corrupt_file_does_not_stop_the_run()
    {
        using var bed = new IngestionTestBed();
        bed.Write("rivers/sluice.md", "# Sluice Gates\n\n" + IngestionTestBed.Prose("sluice gate", 30, seed: 3));
        bed.Write("weather.txt", "Rain fell on the city all winter. The umbrellas sold out by March.");
        bed.Write("page.html", "<html><head><title>Bakery</title></head><body><p>Fresh bread comes out of the oven at dawn.</p></body></html>");
        bed.WriteBytes("locks.pdf", IngestionTestBed.Pdf("Canal Locks", "A canal lock lifts boats from one water level to another."));
        bed.WriteBytes("broken.pdf", [.. "%PDF-1.4\n"u8, .. new byte[200]]);
        bed.Write("notes.jsonl", """{"id": "note-1", "text": "Bees carry pollen between flowers in the orchard."}""" + "\n");

        var progress = new List<IngestionProgress>();
        using var index = VectorIndex.Open(bed.IndexPath);
        var generator = new CountingEmbeddingGenerator(SharedModel.Generator);
        var report = await Pipeline(generator, index, new IngestionOptions { Progress = new SynchronousProgress(progress.Add) })
            .IngestDirectoryAsync(bed.Corpus);

        var error = Assert.Single(report.Errors);
        Assert.Equal(("broken.pdf", IngestionStage.Read), (error.Source, error.Stage));
        Assert.Equal(5, report.Totals.DocumentsWritten);
        Assert.Equal(index.Count, report.Totals.ChunksWritten);
        Assert.Equal(1, report.Totals.Errors);
        Assert.Contains(progress, p => p.LastError == error);
        Assert.Equal(report.Totals.DocumentsWritten, progress[^1].DocumentsWritten);

        var documents = ByDocument(index);
        Assert.Equal(["locks.pdf", "note-1", "page.html", "rivers/sluice.md", "weather.txt"], documents.Keys.Order(StringComparer.Ordinal));
        var sluice = documents["rivers/sluice.md"];
        Assert.True(sluice.Count >= 2);
        Assert.Equal(Enumerable.Range(0, sluice.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            sluice.Select(e => e.Value[IngestionPipeline.PositionField]).Order(StringComparer.Ordinal).OrderBy(p => p.Length));
        Assert.All(sluice, e => Assert.Equal(("rivers/sluice.md", "Sluice Gates"), (e.Value[IngestionPipeline.SourceField], e.Value[IngestionPipeline.TitleField])));
        Assert.Equal("Canal Locks", documents["locks.pdf"][0].Value[IngestionPipeline.TitleField]);
        Assert.Equal("notes.jsonl", documents["note-1"][0].Value[IngestionPipeline.SourceField]);

        // Ingestion writes to the file only: nothing of the records is in memory until the first search loads them.
        Assert.False(index.IsLoaded);
        Assert.Equal(0, index.MatrixBytes);
        var query = (await SharedModel.Generator.GenerateAsync(["Where does fresh bread come from in the morning?"]))[0].Vector;
        Assert.Equal("page.html", index.Search(query.Span, 1)[0].Metadata[IngestionPipeline.DocumentIdField]);
        Assert.True(index.IsLoaded);
    }

    [Fact]
    public async Task Re_ingesting_an_unchanged_corpus_makes_no_embedding_calls_and_a_rebuilt_index_is_served_by_the_cache()
    {
        using var bed = new IngestionTestBed();
        for (int i = 0; i < 12; i++)
        {
            bed.Write($"d{i:D2}.txt", IngestionTestBed.Prose($"topic {i}", 12, seed: 100 + i));
        }

        using var cache = EmbeddingCache.Open(bed.CachePath);
        var options = new IngestionOptions { Cache = cache, MaxGroupTexts = 8 };
        var generator = new CountingEmbeddingGenerator(SharedModel.Generator);
        using (var index = VectorIndex.Open(bed.IndexPath))
        {
            var first = await Pipeline(generator, index, options).IngestDirectoryAsync(bed.Corpus);
            Assert.True(first.Succeeded);
            Assert.True(generator.Calls > 1);
            Assert.Equal(first.Totals.ChunksWritten, generator.Texts);
        }

        // The same index, reopened: every document is unchanged, nothing is split or embedded.
        var again = new CountingEmbeddingGenerator(SharedModel.Generator);
        using (var index = VectorIndex.Open(bed.IndexPath))
        {
            int rows = index.Count;
            var second = await Pipeline(again, index, options).IngestDirectoryAsync(bed.Corpus);
            Assert.Equal(0, again.Calls);
            Assert.Equal(12, second.Totals.DocumentsUnchanged);
            Assert.Equal(0, second.Totals.DocumentsSplit);
            Assert.Equal(rows, index.Count);
        }

        // A new, empty index with the same cache: every chunk is written again, every vector comes from the cache.
        TestData.Delete(bed.IndexPath);
        var rebuilt = new CountingEmbeddingGenerator(SharedModel.Generator);
        using (var index = VectorIndex.Open(bed.IndexPath))
        {
            var third = await Pipeline(rebuilt, index, options).IngestDirectoryAsync(bed.Corpus);
            Assert.Equal(0, rebuilt.Calls);
            Assert.Equal(12, third.Totals.DocumentsWritten);
            Assert.Equal(third.Totals.Chunks, third.Totals.CacheHits);
        }
    }

    [Fact]
    public async Task Two_documents_with_identical_text_keep_their_own_ids_and_chunks()
    {
        // LlamaIndex #23002: a cache keyed by concatenated texts handed one document's chunks (and id) to the other.
        using var bed = new IngestionTestBed();
        string text = IngestionTestBed.Prose("mill", 20, seed: 7);
        bed.Write("one.txt", text);
        bed.Write("two.txt", text);
        using var cache = EmbeddingCache.Open(bed.CachePath);
        using var index = VectorIndex.Open(bed.IndexPath);
        var generator = new CountingEmbeddingGenerator(SharedModel.Generator);

        var report = await Pipeline(generator, index, new IngestionOptions { Cache = cache }).IngestDirectoryAsync(bed.Corpus);

        Assert.True(report.Succeeded);
        var documents = ByDocument(index);
        Assert.Equal(["one.txt", "two.txt"], documents.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(documents["one.txt"].Count, documents["two.txt"].Count);
        Assert.All(documents["one.txt"], e => Assert.Equal("one.txt", e.Value[IngestionPipeline.SourceField]));
        Assert.All(documents["two.txt"], e => Assert.Equal("two.txt", e.Value[IngestionPipeline.SourceField]));
        Assert.Empty(documents["one.txt"].Select(e => e.Key).Intersect(documents["two.txt"].Select(e => e.Key)));
        Assert.Equal(documents["one.txt"].Count, generator.Texts); // the shared text was embedded once
        Assert.Equal(index.Count, 2 * documents["one.txt"].Count);
    }

    [Fact]
    public async Task A_failure_part_way_through_a_document_leaves_its_old_version_searchable()
    {
        // LlamaIndex PR #22816: a failed re-ingest deleted the document.
        using var bed = new IngestionTestBed();
        string oldText = IngestionTestBed.Prose("granary", 80, seed: 11);
        bed.Write("doc.txt", oldText);
        using var index = VectorIndex.Open(bed.IndexPath);
        var options = new IngestionOptions { MaxGroupTexts = 2 };
        await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index, options).IngestDirectoryAsync(bed.Corpus);
        var before = index.KeysWithMetadata().Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        Assert.True(before.Count >= 4, $"{before.Count} chunks");

        bed.Write("doc.txt", IngestionTestBed.Prose("lighthouse", 80, seed: 12));
        var failing = new CountingEmbeddingGenerator(SharedModel.Generator) { FailOnCall = 2 };
        var report = await Pipeline(failing, index, options).IngestDirectoryAsync(bed.Corpus);

        // The first call succeeded, the second failed, and the third (for a document already failed) was not made.
        Assert.Equal(2, failing.Calls);
        var error = Assert.Single(report.Errors);
        Assert.Equal(("doc.txt", "doc.txt", IngestionStage.Embed), (error.Source, error.DocumentId, error.Stage));
        Assert.Contains("Simulated provider failure", error.Reason, StringComparison.Ordinal);
        Assert.Equal(before, index.KeysWithMetadata().Select(e => e.Key).Order(StringComparer.Ordinal).ToList());
        var query = (await SharedModel.Generator.GenerateAsync(["The granary holds the water"]))[0].Vector;
        Assert.Contains("granary", index.Search(query.Span, 1)[0].Text, StringComparison.Ordinal);

        // The next run succeeds: the new version replaces the old one entirely.
        var healed = await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index, options).IngestDirectoryAsync(bed.Corpus);
        Assert.True(healed.Succeeded);
        Assert.DoesNotContain(index.KeysWithMetadata(), e => before.Contains(e.Key));
        Assert.All(index.KeysWithMetadata(), e => Assert.DoesNotContain("granary", index.Get(e.Key)!.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_chunk_of_a_many_chunk_document_is_kept()
    {
        // LlamaIndex PR #22046: chunks of one document shared an id, so only the last survived.
        using var bed = new IngestionTestBed();
        bed.Write("long.txt", IngestionTestBed.Prose("harbour", 1000, seed: 5));
        using var index = VectorIndex.Open(bed.IndexPath);
        var report = await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index, new IngestionOptions { MaxGroupTexts = 16 })
            .IngestDirectoryAsync(bed.Corpus);

        Assert.True(report.Succeeded);
        Assert.True(report.Totals.Chunks >= 40, $"{report.Totals.Chunks} chunks");
        var positions = index.KeysWithMetadata().Select(e => int.Parse(e.Value[IngestionPipeline.PositionField], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(0, (int)report.Totals.Chunks), positions);
        Assert.Equal(report.Totals.Chunks, index.Count);
    }

    [Fact]
    public async Task Prune_removes_a_deleted_files_chunks_but_keeps_a_file_that_failed_to_read()
    {
        using var bed = new IngestionTestBed();
        bed.Write("keep.txt", "The keeper stays. Nothing changes here.");
        string gone = bed.Write("gone.txt", "This file will be deleted. Its chunks must go.");
        string flaky = bed.Write("flaky.txt", "This file will be corrupted. Its chunks must stay.");
        using var index = VectorIndex.Open(bed.IndexPath);
        await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index).IngestDirectoryAsync(bed.Corpus);
        Assert.Equal(["flaky.txt", "gone.txt", "keep.txt"], ByDocument(index).Keys.Order(StringComparer.Ordinal));

        File.Delete(gone);
        File.WriteAllBytes(flaky, [0xFF, 0xFE, 0x00, 0xC3]); // not UTF-8

        var withoutPrune = await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index).IngestDirectoryAsync(bed.Corpus);
        Assert.Equal(0, withoutPrune.Totals.DocumentsPruned);
        Assert.Equal(["flaky.txt", "gone.txt", "keep.txt"], ByDocument(index).Keys.Order(StringComparer.Ordinal));

        var pruned = await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index, new IngestionOptions { Prune = true })
            .IngestDirectoryAsync(bed.Corpus);
        Assert.Equal(1, pruned.Totals.DocumentsPruned);
        Assert.Equal(["flaky.txt", "keep.txt"], ByDocument(index).Keys.Order(StringComparer.Ordinal));
        Assert.Equal("flaky.txt", Assert.Single(pruned.Errors).Source);
    }

    [Fact]
    public async Task A_changed_document_replaces_all_its_old_chunks_and_other_settings_make_a_new_version()
    {
        using var bed = new IngestionTestBed();
        bed.Write("a.txt", IngestionTestBed.Prose("orchard", 30, seed: 21));
        bed.Write("b.txt", "A short and steady document.");
        using var index = VectorIndex.Open(bed.IndexPath);
        await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index).IngestDirectoryAsync(bed.Corpus);
        var bKeys = ByDocument(index)["b.txt"].Select(e => e.Key).ToList();

        bed.Write("a.txt", "The orchard was sold. One sentence is left.");
        var report = await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index).IngestDirectoryAsync(bed.Corpus);
        Assert.Equal((1, 1), (report.Totals.DocumentsWritten, report.Totals.DocumentsUnchanged));
        var a = Assert.Single(ByDocument(index)["a.txt"]);
        Assert.Equal("The orchard was sold. One sentence is left.", index.Get(a.Key)!.Text);
        Assert.Equal(bKeys, ByDocument(index)["b.txt"].Select(e => e.Key).ToList());

        // Other chunking settings are another version of every document.
        var resized = new IngestionOptions { Splitter = new SentenceSplitterOptions { ChunkTokens = 120, OverlapTokens = 16 } };
        var again = await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index, resized).IngestDirectoryAsync(bed.Corpus);
        Assert.Equal((2, 0), (again.Totals.DocumentsWritten, again.Totals.DocumentsUnchanged));
        Assert.Equal(2, ByDocument(index).Count);
    }

    [Fact]
    public async Task Concurrent_groups_lose_no_cache_write_and_transforms_run_in_order()
    {
        using var bed = new IngestionTestBed();
        for (int i = 0; i < 24; i++)
        {
            bed.Write($"n{i:D2}.txt", IngestionTestBed.Prose($"note {i}", 3, seed: 300 + i));
        }

        using var cache = EmbeddingCache.Open(bed.CachePath);
        using var index = VectorIndex.Open(bed.IndexPath);
        var options = new IngestionOptions
        {
            Cache = cache,
            MaxGroupTexts = 3,
            MaxConcurrency = 4,
            Transforms = [c => c with { Text = "[" + c.Title + "] " + c.Text }, c => c with { Text = c.Text.Replace("[", "(", StringComparison.Ordinal) }],
        };
        var report = await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index, options).IngestDirectoryAsync(bed.Corpus);

        Assert.True(report.Succeeded);
        Assert.Equal(report.Totals.TextsEmbedded, cache.Count());
        Assert.Equal(24, report.Totals.DocumentsWritten);
        Assert.All(index.KeysWithMetadata(), e => Assert.StartsWith("(" + e.Value[IngestionPipeline.TitleField] + "] ", index.Get(e.Key)!.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_document_id_seen_twice_in_one_run_is_an_error_for_the_second_and_the_first_is_kept()
    {
        using var bed = new IngestionTestBed();
        bed.Write("records.jsonl", """
            {"id": "same", "text": "The first record wins."}
            {"id": "same", "text": "The second record with the same id is refused."}
            {"id": "other", "text": "Another record."}
            """);
        using var index = VectorIndex.Open(bed.IndexPath);
        var report = await Pipeline(new CountingEmbeddingGenerator(SharedModel.Generator), index).IngestDirectoryAsync(bed.Corpus);

        var error = Assert.Single(report.Errors);
        Assert.Equal(("records.jsonl", "same", IngestionStage.Read), (error.Source, error.DocumentId, error.Stage));
        Assert.Equal(2, report.Totals.DocumentsWritten);
        var same = Assert.Single(ByDocument(index)["same"]);
        Assert.Equal("The first record wins.", index.Get(same.Key)!.Text);
    }

    [Fact]
    public void Options_name_the_bad_property()
    {
        Assert.Equal("MaxConcurrency", Assert.Throws<ArgumentOutOfRangeException>(() => new IngestionOptions { MaxConcurrency = 0 }.Validate()).ParamName);
        Assert.Equal("MaxGroupTokens", Assert.Throws<ArgumentOutOfRangeException>(() => new IngestionOptions { MaxGroupTokens = 10 }.Validate()).ParamName);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the pool).</summary>
    private sealed class SynchronousProgress(Action<IngestionProgress> report) : IProgress<IngestionProgress>
    {
        private readonly Lock _lock = new();

        public void Report(IngestionProgress value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
