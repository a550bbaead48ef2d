namespace Sluice.Rag;

/// <summary>Settings for <see cref="FileEmbedder"/>.</summary>
public sealed record FileEmbedderOptions
{
    /// <summary>Gets how the input is read (format, text and id fields).</summary>
    /// <value>Default <c>new TextRecordReaderOptions()</c>: the format by extension, fields <c>text</c> and <c>id</c>.</value>
    public TextRecordReaderOptions Input { get; init; } = new();

    /// <summary>Gets the output format, or <see langword="null"/> to choose by the output's extension
    /// (<see cref="EmbeddingFileWriter.FormatOf"/>).</summary>
    /// <value>Default <see langword="null"/>.</value>
    public EmbeddingFileFormat? OutputFormat { get; init; }

    /// <summary>Gets how many texts are handed to the generator in one call. The generator splits a call into its own
    /// groups (the local model's adaptive group size, a remote generator's requests); the next call's texts are read
    /// while a call runs, so at most two calls' texts are in memory.</summary>
    /// <value>Default 2,048.</value>
    public int TextsPerCall { get; init; } = 2_048;

    /// <summary>Gets where to report progress once the input is checked (the total known) and after each call, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public IProgress<FileEmbeddingProgress>? Progress { get; init; }

    /// <summary>Gets the clock elapsed times are measured with.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks every setting.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public FileEmbedderOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Input);
        Input.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TextsPerCall);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }
}
