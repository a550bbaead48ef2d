using System.Buffers.Binary;
using System.Text;

namespace Sluice.Rag.Tests.Embedding;

/// <summary>The reader of texts to embed and the writer of vectors files, without a model.</summary>
public sealed class EmbeddingFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sluice-embedding-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Text_lines_take_line_numbers_as_ids_and_json_lines_take_string_or_number_ids()
    {
        string lines = Write("a.txt", "first\n\n  \nfourth\n");
        string json = Write("b.jsonl", "{\"key\": 7, \"body\": \"seven\"}\n{\"key\": \"x\", \"body\": \"ex\"}\n");

        var plain = await new TextRecordReader(lines).ReadAsync().ToListAsync();
        var records = await new TextRecordReader(json, new TextRecordReaderOptions { IdField = "key", TextField = "body" }).ReadAsync().ToListAsync();

        Assert.Equal([new TextRecord("1", "first", 1), new TextRecord("4", "fourth", 4)], plain);
        Assert.Equal([new TextRecord("7", "seven", 1), new TextRecord("x", "ex", 2)], records);
        Assert.Equal(TextInputFormat.JsonLines, new TextRecordReader("c.NDJSON").Format);
        Assert.Equal(TextInputFormat.Lines, new TextRecordReader("c.csv").Format);
    }

    [Fact]
    public async Task Invalid_utf8_and_a_mistyped_field_name_the_file_and_line()
    {
        string latin1 = Path.Combine(_dir, "latin1.txt");
        File.WriteAllBytes(latin1, [.. "ok\n"u8, 0x63, 0x61, 0x66, 0xE9, (byte)'\n']);
        string json = Write("typed.jsonl", "{\"id\": 1, \"text\": \"a\"}\n{\"id\": true, \"text\": \"b\"}\n");

        var utf8 = await Assert.ThrowsAsync<TextRecordFormatException>(() => new TextRecordReader(latin1).ReadAsync().ToListAsync().AsTask());
        var id = await Assert.ThrowsAsync<TextRecordFormatException>(() => new TextRecordReader(json).ReadAsync().ToListAsync().AsTask());

        Assert.Equal((latin1, 2L), (utf8.Path, utf8.Line));
        Assert.Contains("UTF-8", utf8.Message, StringComparison.Ordinal);
        Assert.Equal(2, id.Line);
        Assert.StartsWith($"{json}, line 2: no 'id' field", id.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_disposed_before_completion_leaves_no_file_and_an_empty_npy_has_shape_0_by_0()
    {
        await using (var abandoned = EmbeddingFileWriter.Create(Path.Combine(_dir, "abandoned.npy")))
        {
            await abandoned.WriteAsync("a", new float[] { 1, 2 });
        }

        await using (var empty = EmbeddingFileWriter.Create(Path.Combine(_dir, "empty.npy")))
        {
            await empty.CompleteAsync();
        }

        Assert.Equal(["empty.ids.txt", "empty.npy"], Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal));
        byte[] bytes = File.ReadAllBytes(Path.Combine(_dir, "empty.npy"));
        Assert.Equal(128, bytes.Length);
        Assert.Equal(118, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Contains("'shape': (0, 0)", Encoding.ASCII.GetString(bytes, 10, 118), StringComparison.Ordinal);
        Assert.Empty(File.ReadAllText(Path.Combine(_dir, "empty.ids.txt")));
    }

    [Fact]
    public async Task Vectors_of_another_length_and_npy_ids_with_line_breaks_are_refused()
    {
        await using var npy = EmbeddingFileWriter.Create(Path.Combine(_dir, "v.bin"), EmbeddingFileFormat.Npy);
        await npy.WriteAsync("one", new float[] { 0.5f, -0.25f, 1e-8f });

        var length = await Assert.ThrowsAsync<ArgumentException>(() => npy.WriteAsync("two", new float[] { 1, 2 }).AsTask());
        var lineBreak = await Assert.ThrowsAsync<ArgumentException>(() => npy.WriteAsync("t\nwo", new float[] { 1, 2, 3 }).AsTask());
        await npy.CompleteAsync();

        Assert.Contains("'two' has 2 dimensions; the earlier vectors have 3", length.Message, StringComparison.Ordinal);
        Assert.Contains("line break", lineBreak.Message, StringComparison.Ordinal);
        Assert.Equal(1, npy.Count);
        byte[] bytes = File.ReadAllBytes(Path.Combine(_dir, "v.bin"));
        Assert.Equal(128 + 12, bytes.Length);
        Assert.Equal(-0.25f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(132)));
        Assert.Equal("one\n", File.ReadAllText(Path.Combine(_dir, "v.ids.txt")));
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
