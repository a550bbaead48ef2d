using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>The door to the grouping layer for embedding generators.</summary>
public static class SluiceGroupingEmbeddingGeneratorBuilderExtensions
{
    /// <summary>Adds the grouping layer: one large <c>GenerateAsync</c> becomes groups (requests) sized by an
    /// <see cref="AdaptiveGroupSize"/> within the provider's limits, sent concurrently and reassembled in input order;
    /// a group the provider rejects as too large is split into halves and sent again. Put it outside the throughput
    /// stack (<c>.UseSluiceGrouping().UseSluiceThroughput()</c>), so each group is retried, budgeted and limited as one
    /// request. The sizer is available as <c>GetService(typeof(AdaptiveGroupSize))</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the default <see cref="SluiceGroupingOptions"/> (OpenAI's limits).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> UseSluiceGrouping(
        this EmbeddingGeneratorBuilder<string, Embedding<float>> builder, Action<SluiceGroupingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SluiceGroupingOptions();
        configure?.Invoke(options);
        options.Validate();
        options = options.Clone(); // later changes to the caller's options object do not reach a built generator
        return builder.Use(inner => new GroupingEmbeddingGenerator(inner, options));
    }
}
