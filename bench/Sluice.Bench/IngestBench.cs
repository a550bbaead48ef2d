using System.Diagnostics;
using Microsoft.Extensions.AI;
using Sluice.LocalEmbeddings;
using Sluice.Rag;
using Sluice.Testing;

namespace Sluice.Bench;

/// <summary>
/// Ingestion of a generated corpus (10,000 documents; 1,000 with --quick; 80 % .txt, 20 % .md, texts from the
/// mixed-length sample) with the local model, all in one run: the pipeline's chunks/s (fresh index and cache) against
/// the bare embedding throughput of the same chunks (the generator called directly, one call with every chunk,
/// measured before and after the pipeline, the mean taken), the pipeline's own cost (the same run with a generator
/// that answers at once), re-ingestion of the unchanged corpus (seconds, embedding calls), and the peak working set of a
/// whole ingestion of a small and a large corpus, each in a child process of its own (300 vs 1,000 with --quick, one
/// pair; 1,000 vs 10,000 in full, three alternating pairs and the ratio of their medians).
/// </summary>
internal static class IngestBench
{
    public static async Task RunAsync(IReadOnlyList<string> arguments, bool quick)
    {
        int child = arguments.ToList().IndexOf("--memory-child");
        if (child >= 0)
        {
            // --trim-interval S (seconds, 0 = none) measures the generator with another NativeMemoryTrimInterval.
            int trim = arguments.ToList().IndexOf("--trim-interval");
            var options = trim < 0 ? new LocalEmbeddingOptions()
                : new LocalEmbeddingOptions { NativeMemoryTrimInterval = TimeSpan.FromSeconds(double.Parse(arguments[trim + 1], System.Globalization.CultureInfo.InvariantCulture)) };
            await RunMemoryCaseAsync(int.Parse(arguments[child + 1], System.Globalization.CultureInfo.InvariantCulture), arguments[child + 2], options);
            return;
        }

        int documents = quick ? 1_000 : 10_000;
        string directory = Path.Combine(Path.GetTempPath(), $"sluice-bench-ingest-{Guid.NewGuid():N}");
        try
        {
            string corpus = Path.Combine(directory, "corpus");
            WriteCorpus(corpus, documents);
            using var generator = new LocalEmbeddingGenerator();
            await generator.GenerateAsync(SampleTexts.Mixed(200, seed: 5)); // warm-up: session initialisation, JIT

            // The same chunks the pipeline will embed, split ahead (not timed), embedded by the bare generator.
            using (var scratch = VectorIndex.Open(Path.Combine(directory, "scratch.db")))
            {
                var splitter = IngestionPipeline.Create(generator, scratch).Splitter;
                var chunks = new List<string>();
                var reader = new DirectoryReader(corpus);
                await foreach (var outcome in reader.ReadAsync())
                {
                    chunks.AddRange(splitter.Split(outcome.Document!).Select(c => c.Text));
                }

                var bareWatch = Stopwatch.StartNew();
                await generator.GenerateAsync(chunks);
                double bareBeforeSeconds = bareWatch.Elapsed.TotalSeconds;

                using var cache = EmbeddingCache.Open(Path.Combine(directory, "cache.db"));
                using var index = VectorIndex.Open(Path.Combine(directory, "index.db"));
                var counting = new CallCounter(generator);
                var pipeline = new IngestionPipeline(counting, EmbeddingModelIdentity.Of(generator), generator.CountTokens, index, new IngestionOptions { Cache = cache });
                var watch = Stopwatch.StartNew();
                var first = await pipeline.IngestDirectoryAsync(corpus);
                double seconds = watch.Elapsed.TotalSeconds;
                int firstCalls = counting.Calls;

                // The pipeline's own cost: the same run with a generator that answers at once (fresh index, no cache).
                using var instantIndex = VectorIndex.Open(Path.Combine(directory, "instant.db"));
                var instant = new IngestionPipeline(new InstantGenerator(), EmbeddingModelIdentity.Of(generator), generator.CountTokens, instantIndex);
                watch.Restart();
                await instant.IngestDirectoryAsync(corpus);
                double ownSeconds = watch.Elapsed.TotalSeconds;

                var again = new CallCounter(generator);
                var second = new IngestionPipeline(again, EmbeddingModelIdentity.Of(generator), generator.CountTokens, index, new IngestionOptions { Cache = cache });
                watch.Restart();
                var reingest = await second.IngestDirectoryAsync(corpus);
                double reingestSeconds = watch.Elapsed.TotalSeconds;

                // The bare run again after the pipeline: the machine is shared, so the pipeline is compared with the
                // mean of a bare run on each side of it.
                bareWatch.Restart();
                await generator.GenerateAsync(chunks);
                double bareAfterSeconds = bareWatch.Elapsed.TotalSeconds;

                double bareSeconds = (bareBeforeSeconds + bareAfterSeconds) / 2;
                double bareRate = chunks.Count / bareSeconds;
                double pipelineRate = first.Totals.ChunksWritten / seconds;
                BenchResult.Print(new
                {
                    suite = "ingest",
                    documents,
                    chunks = chunks.Count,
                    cores = Environment.ProcessorCount,
                    errors = first.Errors.Count,
                    bare_before_s = Math.Round(bareBeforeSeconds, 2),
                    bare_after_s = Math.Round(bareAfterSeconds, 2),
                    bare_chunks_per_s = Math.Round(bareRate, 1),
                    pipeline_s = Math.Round(seconds, 2),
                    pipeline_chunks_per_s = Math.Round(pipelineRate, 1),
                    pipeline_chunks_written = first.Totals.ChunksWritten,
                    pipeline_embedding_calls = firstCalls,
                    ratio_pipeline_vs_bare = Math.Round(pipelineRate / bareRate, 3),
                    pipeline_own_cost_s = Math.Round(ownSeconds, 2),
                    reingest_s = Math.Round(reingestSeconds, 2),
                    reingest_embedding_calls = again.Calls,
                    reingest_unchanged = reingest.Totals.DocumentsUnchanged,
                });
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        // The whole pipeline on a small and a large corpus, in alternating pairs: one child's peak varies by ±7 % from
        // run to run (where the GC and ONNX Runtime's arena happen to stand at the peak), as much as the 10 % the goal
        // allows, so one pair cannot say "flat"; the medians of several can, and every pair is printed beside them.
        int small = quick ? 300 : 1_000;
        int pairs = quick ? 1 : 3;
        var smallPeaks = new List<long>();
        var largePeaks = new List<long>();
        for (int pair = 0; pair < pairs; pair++)
        {
            smallPeaks.Add(PeakOf(await RunMemoryChildAsync(small, "pipeline")));
            largePeaks.Add(PeakOf(await RunMemoryChildAsync(documents, "pipeline")));
        }

        double medianSmall = Median(smallPeaks);
        double medianLarge = Median(largePeaks);
        var pairRatios = smallPeaks.Zip(largePeaks, (s, l) => Math.Round((double)l / s, 3)).ToArray();
        BenchResult.Print(new
        {
            suite = "ingest-memory-flatness",
            small_documents = small,
            large_documents = documents,
            small_peaks_mb = smallPeaks,
            large_peaks_mb = largePeaks,
            pair_ratios = pairRatios,
            median_small_mb = medianSmall,
            median_large_mb = medianLarge,
            ratio_of_medians = Math.Round(medianLarge / medianSmall, 3),
        });

        // The pipeline with an instant generator (its own memory); the bare generator on the large corpus's chunks in
        // calls of the same size (the model's own memory).
        foreach (var (size, mode) in new[] { (small, "instant"), (documents, "instant"), (documents, "bare") })
        {
            BenchResult.Print(await RunMemoryChildAsync(size, mode));
        }
    }

    private static long PeakOf(System.Text.Json.JsonElement child)
    {
        BenchResult.Print(child);
        return child.GetProperty("peak_working_set_mb").GetInt64();
    }

    private static double Median(List<long> values)
    {
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    /// <summary>Writes <paramref name="documents"/> files, 500 per folder: 4 in 5 plain text, 1 in 5 Markdown with a heading.</summary>
    private static void WriteCorpus(string corpus, int documents)
    {
        string[] texts = SampleTexts.Mixed(documents, seed: 12);
        for (int i = 0; i < documents; i++)
        {
            string folder = Path.Combine(corpus, $"f{i / 500:D3}");
            Directory.CreateDirectory(folder);
            if (i % 5 == 4)
            {
                File.WriteAllText(Path.Combine(folder, $"d{i:D5}.md"), $"# Document {i}\n\n{texts[i]}\n");
            }
            else
            {
                File.WriteAllText(Path.Combine(folder, $"d{i:D5}.txt"), texts[i]);
            }
        }
    }

    /// <summary>Runs in a child process: generates a corpus and ingests it (<c>pipeline</c>), ingests it with an instant
    /// generator (<c>instant</c>), or embeds its chunks with the bare generator in calls of 1,024 (<c>bare</c>); then
    /// reports the peak working set, and on stderr where the memory is (per-phase maxima, the kernel's and the C
    /// library's counters, the largest mappings).</summary>
    private static async Task RunMemoryCaseAsync(int documents, string mode, LocalEmbeddingOptions options)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"sluice-bench-ingest-memory-{Guid.NewGuid():N}");
        try
        {
            string corpus = Path.Combine(directory, "corpus");
            WriteCorpus(corpus, documents);
            // Generating the corpus is the bench's work, not ingestion's (10,000 texts in memory, then the files): give
            // its memory back and restart the peak, so what is measured is a process that only ingests.
            bool peakReset = ResetPeak();
            using var sampler = new MemorySampler();
            using var generator = new LocalEmbeddingGenerator(options);
            sampler.Mark("model");
            using var cache = EmbeddingCache.Open(Path.Combine(directory, "cache.db"));
            using var index = VectorIndex.Open(Path.Combine(directory, "index.db"));
            sampler.Mark("open");
            var watch = Stopwatch.StartNew();
            long chunks;
            if (mode == "bare")
            {
                var splitter = IngestionPipeline.Create(generator, index).Splitter;
                var texts = new List<string>();
                await foreach (var outcome in new DirectoryReader(corpus).ReadAsync())
                {
                    texts.AddRange(splitter.Split(outcome.Document!).Select(c => c.Text));
                }

                watch.Restart();
                foreach (var call in texts.Chunk(1_024))
                {
                    await generator.GenerateAsync(call);
                }

                chunks = texts.Count;
            }
            else
            {
                var pipeline = mode == "instant"
                    ? new IngestionPipeline(new InstantGenerator(), EmbeddingModelIdentity.Of(generator), generator.CountTokens, index, new IngestionOptions { Cache = cache })
                    : IngestionPipeline.Create(generator, index, new IngestionOptions { Cache = cache });
                chunks = (await pipeline.IngestDirectoryAsync(corpus)).Totals.ChunksWritten;
            }

            using var process = Process.GetCurrentProcess();
            process.Refresh();
            long peak = process.PeakWorkingSet64;
            sampler.Mark("end");
            var gc = GC.GetGCMemoryInfo(GCKind.Any);
            Console.Error.WriteLine(sampler.Describe()); // maxima in MB per phase, on stderr (the parent reads stdout)
            Console.Error.WriteLine(NativeMemoryReport.Describe());
            Console.Error.WriteLine($"gc: heap {gc.HeapSizeBytes / 1_048_576.0:F1} MB, committed {gc.TotalCommittedBytes / 1_048_576.0:F1} MB, fragmented {gc.FragmentedBytes / 1_048_576.0:F1} MB, collections gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, allocated {GC.GetTotalAllocatedBytes() / 1_048_576.0:F0} MB");
            GC.Collect();
            BenchResult.Print(new
            {
                suite = "ingest-memory",
                mode,
                trim_interval_s = options.NativeMemoryTrimInterval.TotalSeconds,
                trims = generator.TrimmerForTests?.Trims ?? 0,
                trim_seconds = Math.Round(generator.TrimmerForTests?.TrimTime.TotalSeconds ?? 0, 3),
                live_managed_mb_at_end = Math.Round(GC.GetTotalMemory(forceFullCollection: true) / 1_048_576.0, 1),
                documents,
                chunks,
                seconds = Math.Round(watch.Elapsed.TotalSeconds, 2),
                matrix_mb = Math.Round(index.MatrixBytes / 1_048_576.0, 1),
                peak_working_set_mb = peak / 1_048_576,
                peak_excludes_corpus_generation = peakReset,
            });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Collects (compacting, decommitting) and restarts the kernel's peak resident set (Linux: writing 5 to
    /// /proc/self/clear_refs resets VmHWM, which <see cref="Process.PeakWorkingSet64"/> reads).</summary>
    private static bool ResetPeak()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<System.Text.Json.JsonElement> RunMemoryChildAsync(int documents, string mode)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        string entry = Environment.GetCommandLineArgs()[0];
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet" && entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(entry);
        }

        start.ArgumentList.Add("ingest");
        start.ArgumentList.Add("--memory-child");
        start.ArgumentList.Add(documents.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(mode);
        using var child = Process.Start(start)!;
        string output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        return System.Text.Json.JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
    }

    /// <summary>Samples the working set, the GC's committed bytes and the managed heap every 20 ms and keeps the maxima per phase.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly Timer _timer;
        private readonly List<string> _phases = [];
        private long _ws;
        private long _committed;
        private long _heap;
        private long _private;

        public MemorySampler()
        {
            _timer = new Timer(_ => Sample(), null, 0, 20);
        }

        public void Mark(string phase)
        {
            lock (_phases)
            {
                Sample();
                _phases.Add($"{phase}: ws {_ws / 1_048_576} committed {_committed / 1_048_576} heap {_heap / 1_048_576} private {_private / 1_048_576}");
                _ws = _committed = _heap = _private = 0;
            }
        }

        public string Describe() => string.Join("\n", _phases);

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            using var process = Process.GetCurrentProcess();
            long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            lock (_phases)
            {
                _ws = Math.Max(_ws, process.WorkingSet64);
                _private = Math.Max(_private, process.PrivateMemorySize64);
                _committed = Math.Max(_committed, committed);
                _heap = Math.Max(_heap, GC.GetTotalMemory(false));
            }
        }
    }

    /// <summary>Where the resident memory is at the end of a memory child (stderr only, Linux): the kernel's counters,
    /// the C library's malloc totals (glibc <c>mallinfo2</c>, every arena) and arena count (<c>malloc_info</c>), and the
    /// largest resident anonymous mappings.</summary>
    private static class NativeMemoryReport
    {
        public static string Describe()
        {
            if (!OperatingSystem.IsLinux())
            {
                return "native: not Linux";
            }

            var lines = new List<string>();
            var status = File.ReadAllLines("/proc/self/status")
                .Where(l => l.StartsWith("VmHWM", StringComparison.Ordinal) || l.StartsWith("VmRSS", StringComparison.Ordinal) || l.StartsWith("Rss", StringComparison.Ordinal) || l.StartsWith("Threads", StringComparison.Ordinal))
                .Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            lines.Add("status: " + string.Join(", ", status));
            try
            {
                var info = MallInfo2();
                lines.Add($"mallinfo2: arena(sbrk+heaps) {info.Arena / 1_048_576.0:F1} MB, mmapped {info.Hblkhd / 1_048_576.0:F1} MB in {info.Hblks} blocks, in use {info.Uordblks / 1_048_576.0:F1} MB, free in arenas {info.Fordblks / 1_048_576.0:F1} MB, top releasable {info.Keepcost / 1_048_576.0:F1} MB");
                string file = Path.GetTempFileName();
                nint stream = FOpen(file, "w");
                _ = MallocInfo(0, stream);
                _ = FClose(stream);
                string xml = File.ReadAllText(file);
                File.Delete(file);
                int arenas = System.Text.RegularExpressions.Regex.Matches(xml, "<heap nr=").Count;
                var sizes = System.Text.RegularExpressions.Regex.Matches(xml, "<system type=\"current\" size=\"(\\d+)\"/>")
                    .Select(m => (long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) / 1_048_576).ToString(System.Globalization.CultureInfo.InvariantCulture));
                lines.Add($"malloc_info: {arenas} arenas, system MB per arena (last = total) {string.Join(" ", sizes)}");
            }
            catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
            {
                lines.Add("malloc: not glibc");
            }

            // Resident anonymous mappings, largest first (address range, size, rss, kB).
            var maps = new List<(string Range, long Size, long Rss, string Name)>();
            string? range = null;
            string name = "";
            long size = 0;
            foreach (string line in File.ReadLines("/proc/self/smaps"))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && line.AsSpan(0, space).Contains('-') && line[space - 1] != ':')
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    range = parts[0] + " " + parts[1];
                    name = parts.Length > 5 ? parts[5] : "";
                }
                else if (line.StartsWith("Size:", StringComparison.Ordinal))
                {
                    size = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Rss:", StringComparison.Ordinal) && range is not null)
                {
                    long rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
                    if (name.Length == 0 || name == "[heap]")
                    {
                        maps.Add((range, size, rss, name));
                    }
                }
            }

            long total = maps.Sum(m => m.Rss);
            lines.Add($"anonymous rss {total / 1024} MB in {maps.Count} mappings; by size class (mapping size → rss MB): "
                + string.Join(", ", maps.GroupBy(m => m.Name == "[heap]" ? "[heap]" : m.Size switch { >= 1L << 30 => ">=1G", >= 60 * 1024 and <= 64 * 1024 => "60-64M (glibc heap size)", >= 16 * 1024 => "16M-1G", >= 1024 => "1-16M", _ => "<1M" })
                    .Select(g => $"{g.Key}: {g.Sum(m => m.Rss) / 1024} in {g.Count()}")));
            lines.AddRange(maps.OrderByDescending(m => m.Rss).Take(12).Select(m => $"  {m.Range} {m.Name} size {m.Size / 1024} MB rss {m.Rss / 1024} MB"));
            return string.Join("\n", lines);
        }

        [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "mallinfo2")]
        private static extern MallInfo MallInfo2();

        [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "malloc_info")]
        private static extern int MallocInfo(int options, nint stream);

        [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "fopen")]
        private static extern nint FOpen([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string mode);

        [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "fclose")]
        private static extern int FClose(nint stream);

#pragma warning disable CS0649 // filled in by glibc
        private struct MallInfo
        {
            public nuint Arena;
            public nuint Ordblks;
            public nuint Smblks;
            public nuint Hblks;
            public nuint Hblkhd;
            public nuint Usmblks;
            public nuint Fsmblks;
            public nuint Uordblks;
            public nuint Fordblks;
            public nuint Keepcost;
        }
#pragma warning restore CS0649
    }

    /// <summary>Answers every text at once with the same unit vector: what is left is the pipeline's own work.</summary>
    private sealed class InstantGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private static readonly float[] Unit = [.. Enumerable.Repeat(1f / MathF.Sqrt(LocalEmbeddingGenerator.Dimensions), LocalEmbeddingGenerator.Dimensions)];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(Unit))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>Counts calls through to the real generator.</summary>
    private sealed class CallCounter(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return base.GenerateAsync(values, options, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            // The inner generator belongs to the caller.
        }
    }
}
