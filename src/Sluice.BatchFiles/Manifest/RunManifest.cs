using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>
/// What a run's results depend on: the input file's SHA-256, the settings that change results (base URL, model
/// override, max attempts…, by name), the Sluice version. <c>--resume</c> compares the manifest it finds with the one
/// it would write (<see cref="Compare"/>) and refuses with the differences. A manifest never holds a secret: a setting
/// whose name or value looks like one is refused (<see cref="CreateAsync"/>).
/// </summary>
public sealed class RunManifest
{
    private const int FormatVersion = 1;

    private RunManifest(string inputSha256, long inputLength, SortedDictionary<string, string> settings, string sluiceVersion, DateTimeOffset createdAt)
    {
        InputSha256 = inputSha256;
        InputLength = inputLength;
        Settings = settings;
        SluiceVersion = sluiceVersion;
        CreatedAt = createdAt;
    }

    /// <summary>The input file's SHA-256, lower-case hexadecimal.</summary>
    public string InputSha256 { get; }

    /// <summary>The input file's length in bytes.</summary>
    public long InputLength { get; }

    /// <summary>The settings that change results, by name, sorted by name; unset ones are absent.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The version of Sluice that wrote the manifest.</summary>
    public string SluiceVersion { get; }

    /// <summary>When the manifest was made (from the <see cref="TimeProvider"/>); not compared.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// Makes the manifest of a run: hashes the input file (streamed) and takes the settings. Name settings with the
    /// words a person should read in <see cref="Compare"/>'s messages (<c>base URL</c>, <c>model</c>, <c>max attempts</c>).
    /// </summary>
    /// <param name="inputPath">The input file.</param>
    /// <param name="settings">The settings that change results; a <see langword="null"/> value means not set.</param>
    /// <param name="timeProvider">The clock for <see cref="CreatedAt"/>.</param>
    /// <param name="sluiceVersion">The version to record; <see langword="null"/> for this library's informational version.</param>
    /// <param name="cancellationToken">Stops the hashing.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ArgumentException">A setting looks like a secret (its name ends in <c>key</c> or <c>token</c>, or names a secret, password or authorization, or its value starts with <c>sk-</c> or <c>Bearer </c>). The message names the setting, never its value.</exception>
    public static async Task<RunManifest> CreateAsync(string inputPath, IReadOnlyDictionary<string, string?> settings, TimeProvider timeProvider, string? sluiceVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputPath);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in settings)
        {
            if (SecretSettings.LooksSecret(name, value))
            {
                throw new ArgumentException($"The setting '{name}' looks like a secret; a run manifest never stores one. Record the name of the variable that holds it instead (for example 'api key variable').", nameof(settings));
            }

            if (value is not null)
            {
                kept[name] = value;
            }
        }

        await using var input = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        byte[] hash = await SHA256.HashDataAsync(input, cancellationToken).ConfigureAwait(false);
        return new RunManifest(Convert.ToHexStringLower(hash), input.Length, kept, sluiceVersion ?? CurrentVersion(), timeProvider.GetUtcNow());
    }

    /// <summary>What changed from <paramref name="previous"/> to <paramref name="current"/>, one sentence each; empty when a resume is safe.</summary>
    /// <param name="previous">The manifest of the interrupted run.</param>
    /// <param name="current">The manifest of the run about to resume it.</param>
    /// <returns>The differences, in words.</returns>
    public static IReadOnlyList<string> Compare(RunManifest previous, RunManifest current)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var changes = new List<string>();
        if (previous.InputSha256 != current.InputSha256)
        {
            changes.Add($"the input file changed (SHA-256 was {previous.InputSha256[..12]}…, {previous.InputLength} bytes; now {current.InputSha256[..12]}…, {current.InputLength} bytes)");
        }

        foreach (string name in previous.Settings.Keys.Union(current.Settings.Keys).Order(StringComparer.Ordinal))
        {
            string? was = previous.Settings.GetValueOrDefault(name);
            string? now = current.Settings.GetValueOrDefault(name);
            if (was != now)
            {
                changes.Add($"{name} was {Describe(was)}, now {Describe(now)}");
            }
        }

        if (previous.SluiceVersion != current.SluiceVersion)
        {
            changes.Add($"the Sluice version was {previous.SluiceVersion}, now {current.SluiceVersion}");
        }

        return changes;
    }

    /// <summary>Writes the manifest as JSON to <paramref name="path"/> (a temporary file renamed into place).</summary>
    /// <param name="path">The manifest file.</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    public async Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string temporary = path + ".partial";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("format", FormatVersion);
                writer.WriteString("sluice_version", SluiceVersion);
                writer.WriteString("created_at", CreatedAt);
                writer.WriteStartObject("input");
                writer.WriteString("sha256", InputSha256);
                writer.WriteNumber("length", InputLength);
                writer.WriteEndObject();
                writer.WriteStartObject("settings");
                foreach (var (name, value) in Settings)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a manifest written by <see cref="WriteAsync"/>.</summary>
    /// <param name="path">The manifest file.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="BatchFileFormatException">The file is not a manifest; the message names it and what was expected.</exception>
    public static async Task<RunManifest> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            int format = root.GetProperty("format").GetInt32();
            if (format != FormatVersion)
            {
                throw new BatchFileFormatException(path, null, $"manifest format {format} is not supported (expected {FormatVersion})");
            }

            var input = root.GetProperty("input");
            var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var setting in root.GetProperty("settings").EnumerateObject())
            {
                settings[setting.Name] = setting.Value.GetString() ?? "";
            }

            return new RunManifest(
                input.GetProperty("sha256").GetString() ?? "",
                input.GetProperty("length").GetInt64(),
                settings,
                root.GetProperty("sluice_version").GetString() ?? "",
                root.GetProperty("created_at").GetDateTimeOffset());
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new BatchFileFormatException(path, null, $"not a run manifest ({exception.Message}); expected format, sluice_version, created_at, input.sha256, input.length and settings", exception);
        }
    }

    private static string Describe(string? value) => value is null ? "not set" : $"\"{value}\"";

    private static string CurrentVersion() =>
        typeof(RunManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(RunManifest).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
