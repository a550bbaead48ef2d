using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Sluice.Simulator;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice embed</c> as a child process: the local model, and an OpenAI-compatible endpoint (the simulator).</summary>
public sealed class EmbedTests
{
    [Fact]
    public async Task Local_model_writes_an_npy_matrix_of_unit_vectors_with_ids_in_order_the_same_as_json_lines()
    {
        string dir = Files.TempDirectory();
        var texts = Enumerable.Range(1, 40).Select(i => $"Sentence {i}: the reservoir level {(i % 2 == 0 ? "rose" : "fell")} by {i} centimetres overnight.").ToList();
        var lines = new List<string>(texts);
        lines.Insert(10, ""); // a blank line is skipped; ids stay line numbers
        File.WriteAllLines(Path.Combine(dir, "texts.txt"), lines);
        File.WriteAllLines(Path.Combine(dir, "texts.jsonl"), texts.Select((t, i) => JsonSerializer.Serialize(new { doc = $"d{i}", body = t })));

        var npy = await Cli.RunAsync(dir, null, "embed", "texts.txt", "-o", "vectors.npy");
        Assert.True(npy.ExitCode == 0, Runs.Explain(npy));
        var jsonl = await Cli.RunAsync(dir, null, "embed", "texts.jsonl", "--field", "body", "--id-field", "doc", "-o", "vectors.jsonl", "--batch-size", "7");
        Assert.True(jsonl.ExitCode == 0, Runs.Explain(jsonl));

        var (shape, matrix) = ReadNpy(Path.Combine(dir, "vectors.npy"));
        Assert.Equal((40, 384), shape);
        var expectedIds = Enumerable.Range(1, 41).Where(n => n != 11).Select(n => n.ToString()).ToList();
        Assert.Equal(expectedIds, File.ReadAllLines(Path.Combine(dir, "vectors.ids.txt")));
        var records = Runs.Lines(Path.Combine(dir, "vectors.jsonl"));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"d{i}"), records.Select(r => r.GetProperty("id").GetString()));
        for (int row = 0; row < 40; row++)
        {
            float[] fromNpy = matrix[row];
            float[] fromJson = records[row].GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(384, fromJson.Length);
            Assert.InRange(Math.Sqrt(fromNpy.Sum(v => (double)v * v)), 0.999, 1.001);
            // Same text, same model: the same vector, whatever the file format or the batch size.
            Assert.True(fromNpy.Zip(fromJson).All(p => Math.Abs(p.First - p.Second) < 1e-4), $"row {row} differs between .npy and JSON Lines");
        }

        Assert.NotEqual(matrix[0], matrix[1]);
        Assert.False(File.Exists(Path.Combine(dir, "vectors.npy.partial")), "no temporary file is left");
    }

    [Fact]
    public async Task An_OpenAI_compatible_endpoint_embeds_every_text_in_order_and_the_key_is_written_nowhere()
    {
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { LatencyMs = 5, EmbeddingDimensions = 64 });
        string dir = Files.TempDirectory();
        File.WriteAllLines(Path.Combine(dir, "docs.jsonl"), Enumerable.Range(0, 500).Select(i => JsonSerializer.Serialize(new { id = i, text = $"document number {i} about pipes" })));

        var run = await Cli.RunAsync(dir, Runs.Key,
            "embed", "docs.jsonl", "-o", "out.npy", "--format", "jsonl", "--json",
            "--base-url", simulator.OpenAIEndpoint.ToString(), "--model", "text-embedding-3-small", "--api-key-env", Runs.KeyVariable);

        Assert.True(run.ExitCode == 0, Runs.Explain(run));
        var records = Runs.Lines(Path.Combine(dir, "out.npy")); // --format wins over the extension
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i.ToString()), records.Select(r => r.GetProperty("id").GetString()));
        Assert.All(records, r => Assert.Equal(64, r.GetProperty("vector").GetArrayLength()));
        using var summary = JsonDocument.Parse(run.Stdout);
        Assert.Equal(500, summary.RootElement.GetProperty("records").GetInt64());
        Assert.Equal(64, summary.RootElement.GetProperty("dimensions").GetInt32());
        var stats = simulator.GetStats();
        Assert.True(stats.ByEndpoint.Keys.Any(k => k.Contains("embeddings", StringComparison.Ordinal)), string.Join(",", stats.ByEndpoint.Keys));
        Assert.True(stats.Requests >= 1);
        AssertKeyWrittenNowhere(dir, run);
    }

    [Fact]
    public async Task Bad_input_names_the_file_and_line_exits_2_and_writes_nothing()
    {
        string dir = Files.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "broken.jsonl"), "{\"id\": 1, \"text\": \"fine\"}\n\n{\"id\": 2, \"text\": \"cut off\"\n");
        File.WriteAllText(Path.Combine(dir, "missing.jsonl"), "{\"id\": 1, \"text\": \"fine\"}\n{\"id\": 2, \"body\": \"wrong field\"}\n");
        File.WriteAllText(Path.Combine(dir, "noid.jsonl"), "{\"text\": \"no id\"}\n");

        var broken = await Cli.RunAsync(dir, null, "embed", "broken.jsonl", "-o", "a.npy");
        var missing = await Cli.RunAsync(dir, null, "embed", "missing.jsonl", "-o", "b.jsonl");
        var noId = await Cli.RunAsync(dir, null, "embed", "noid.jsonl", "-o", "c.jsonl");
        var format = await Cli.RunAsync(dir, null, "embed", "missing.jsonl", "-o", "d.bin", "--format", "parquet");

        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("broken.jsonl, line 3: not valid JSON", broken.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("missing.jsonl, line 2: no 'text' field", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noId.ExitCode);
        Assert.Contains("noid.jsonl, line 1: no 'id' field", noId.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, format.ExitCode);
        Assert.Contains("--format", format.Stderr, StringComparison.Ordinal);
        Assert.Equal(new[] { "broken.jsonl", "missing.jsonl", "noid.jsonl" }, Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task An_output_directory_that_does_not_exist_exits_2_naming_output_before_anything_runs()
    {
        string dir = Files.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "ok.txt"), "one text\nanother text\n");
        string missing = Path.Combine(dir, "no-such-dir", "deeper");
        var run = await Cli.RunAsync(dir, null, "embed", "ok.txt", "-o", Path.Combine(missing, "out.jsonl"));

        Assert.True(run.ExitCode == 2, Runs.Explain(run));
        Assert.Contains($"--output: the directory {missing} does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("embedding failed", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("embedding: ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(["ok.txt"], Directory.GetFileSystemEntries(dir).Select(f => Path.GetFileName(f)!).ToArray());
    }

    [Fact]
    public async Task Interrupted_with_ctrl_c_exits_130_and_leaves_no_output_file()
    {
        string dir = Files.TempDirectory();
        File.WriteAllLines(Path.Combine(dir, "many.txt"), Enumerable.Range(0, 200_000).Select(i => $"Line {i} of a long file about valves, meters and the winter flushing programme."));

        using var cli = Cli.Start(dir, null, "embed", "many.txt", "-o", "many.npy");
        while (!cli.Stderr.Contains("embedding: ", StringComparison.Ordinal))
        {
            Assert.False(cli.HasExited, $"sluice exited before the interrupt: {cli.Stderr}");
            await Task.Delay(50);
        }

        cli.Interrupt();
        int code = await cli.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(code == 130, $"exit {code}\n{cli.Stderr}");
        Assert.Contains("interrupted; no output was written", cli.Stderr, StringComparison.Ordinal);
        Assert.Equal(["many.txt"], Directory.GetFiles(dir).Select(f => Path.GetFileName(f)!).ToArray());
    }

    /// <summary>The API key appears in no file under <paramref name="dir"/> and not in the command's output.</summary>
    internal static void AssertKeyWrittenNowhere(string dir, (int ExitCode, string Stdout, string Stderr) run)
    {
        string key = Runs.Key[Runs.KeyVariable];
        Assert.DoesNotContain(key, run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(key, run.Stderr, StringComparison.Ordinal);
        byte[] needle = Encoding.UTF8.GetBytes(key);
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(needle) < 0, $"the API key is in {file}");
        }
    }

    /// <summary>Reads an NPY 1.0 float32 C-order matrix the way NumPy does: magic, version, header length, dictionary.</summary>
    private static ((int Rows, int Columns) Shape, float[][] Rows) ReadNpy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal("NUMPY", Encoding.ASCII.GetString(bytes, 1, 5));
        Assert.Equal(1, bytes[6]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        int dataStart = 10 + headerLength;
        Assert.Equal(0, dataStart % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        Assert.Contains("'descr': '<f4'", header, StringComparison.Ordinal);
        Assert.Contains("'fortran_order': False", header, StringComparison.Ordinal);
        var shape = System.Text.RegularExpressions.Regex.Match(header, @"'shape': \((\d+), (\d+)\)");
        Assert.True(shape.Success, header);
        int rows = int.Parse(shape.Groups[1].Value), columns = int.Parse(shape.Groups[2].Value);
        Assert.Equal(dataStart + ((long)rows * columns * 4), bytes.Length);
        var matrix = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            matrix[r] = new float[columns];
            for (int c = 0; c < columns; c++)
            {
                matrix[r][c] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + (((r * columns) + c) * 4)));
            }
        }

        return ((rows, columns), matrix);
    }
}
