using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;

namespace Sluice.BatchFiles.Tests;

public sealed class RunManifestTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string?> Settings(string baseUrl = "http://a/v1") => new()
    {
        ["base URL"] = baseUrl,
        ["model"] = null,
        ["max attempts"] = "6",
        ["api key variable"] = "OPENAI_API_KEY",
        ["max_tokens"] = "100",
    };

    [Fact]
    public async Task Records_hash_settings_version_and_time_and_reads_back()
    {
        string input = _dir.Write("in.jsonl", "{\"custom_id\":\"a\"}\n");
        var manifest = await RunManifest.CreateAsync(input, Settings(), _time, sluiceVersion: "1.2.3");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(input))), manifest.InputSha256);
        Assert.Equal(_time.GetUtcNow(), manifest.CreatedAt);
        Assert.False(manifest.Settings.ContainsKey("model"));

        string path = _dir.File("manifest.json");
        await manifest.WriteAsync(path);
        var read = await RunManifest.ReadAsync(path);
        Assert.Empty(RunManifest.Compare(manifest, read));
        Assert.Equal(manifest.CreatedAt, read.CreatedAt);
        Assert.Equal("1.2.3", read.SluiceVersion);
    }

    [Fact]
    public async Task Compare_says_what_changed_in_words()
    {
        string input = _dir.Write("in.jsonl", "one\n");
        var before = await RunManifest.CreateAsync(input, Settings(), _time, "1.0");
        File.WriteAllText(input, "two\n");
        var settings = Settings("http://b/v1");
        settings["model"] = "gpt-x";
        var after = await RunManifest.CreateAsync(input, settings, _time, "1.1");

        var changes = RunManifest.Compare(before, after);
        Assert.Equal(4, changes.Count);
        Assert.StartsWith("the input file changed (SHA-256 was ", changes[0]);
        Assert.Contains("base URL was \"http://a/v1\", now \"http://b/v1\"", changes);
        Assert.Contains("model was not set, now \"gpt-x\"", changes);
        Assert.Contains("the Sluice version was 1.0, now 1.1", changes);
    }

    [Theory]
    [InlineData("api_key", "anything")]
    [InlineData("apiKey", "anything")]
    [InlineData("access token", "anything")]
    [InlineData("client secret", "anything")]
    [InlineData("header", "Bearer abc")]
    [InlineData("note", "sk-proj-abcdef")]
    public async Task Refuses_a_secret_without_repeating_it(string name, string value)
    {
        string input = _dir.Write("in.jsonl", "x\n");
        var settings = Settings();
        settings[name] = value;
        var exception = await Assert.ThrowsAsync<ArgumentException>(() => RunManifest.CreateAsync(input, settings, _time));
        Assert.Contains($"'{name}'", exception.Message);
        Assert.DoesNotContain(value, exception.Message);
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.json"));
    }

    [Fact]
    public async Task A_malformed_manifest_names_the_file()
    {
        string path = _dir.Write("manifest.json", "{\"format\":1}");
        var exception = await Assert.ThrowsAsync<BatchFileFormatException>(() => RunManifest.ReadAsync(path));
        Assert.StartsWith(path + ": not a run manifest", exception.Message);
    }
}
