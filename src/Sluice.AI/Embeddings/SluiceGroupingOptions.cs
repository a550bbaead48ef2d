using Microsoft.ML.Tokenizers;

namespace Sluice.AI;

/// <summary>
/// Settings for the grouping layer (<see cref="SluiceGroupingEmbeddingGeneratorBuilderExtensions.UseSluiceGrouping"/>):
/// how one large <c>GenerateAsync</c> is split into groups (requests), within the provider's limits. The defaults are
/// OpenAI's limits for its embedding models.
/// </summary>
public sealed class SluiceGroupingOptions
{
    /// <summary>Gets or sets the most inputs one request may carry.</summary>
    /// <value>Default 2,048 (OpenAI). At least 1.</value>
    public int MaxInputsPerRequest { get; set; } = 2_048;

    /// <summary>Gets or sets the most tokens (all inputs together) one request may carry.</summary>
    /// <value>Default 300,000 (OpenAI). At least 1.</value>
    public int MaxTokensPerRequest { get; set; } = 300_000;

    /// <summary>Gets or sets the most tokens one input may have.</summary>
    /// <value>Default 8,192 (OpenAI). At least 1 and at most <see cref="MaxTokensPerRequest"/>.</value>
    public int MaxTokensPerInput { get; set; } = 8_192;

    /// <summary>Gets or sets whether an input over <see cref="MaxTokensPerInput"/> is cut to that many tokens. When
    /// <see langword="false"/> such an input is an <see cref="ArgumentException"/> naming its index, raised before any
    /// request is sent.</summary>
    /// <value>Default <see langword="false"/>: a silently shortened text would embed something else than was asked.</value>
    public bool TruncateLongInputs { get; set; }

    /// <summary>Gets or sets how many groups of one call may be in flight at once.</summary>
    /// <value>Default 4. At least 1.</value>
    public int MaxConcurrentGroups { get; set; } = 4;

    /// <summary>Gets or sets the adaptive sizer's settings: the group size starts at
    /// <see cref="AdaptiveGroupSizeOptions.InitialSize"/> and moves by the measured time per token; its
    /// <see cref="AdaptiveGroupSizeOptions.MaxSize"/> is lowered to <see cref="MaxInputsPerRequest"/> when larger.
    /// Set <see cref="AdaptiveGroupSizeOptions.MinSize"/> = <see cref="AdaptiveGroupSizeOptions.MaxSize"/> for a fixed size.</summary>
    /// <value>Default: initial 256, between 1 and 2,048, named <c>remote-embeddings</c> on the <c>Sluice</c> meter.</value>
    public AdaptiveGroupSizeOptions GroupSize { get; set; } = new() { InitialSize = 256, MaxSize = 2_048, Name = "remote-embeddings" };

    /// <summary>Gets or sets the tokenizer that counts (and, with <see cref="TruncateLongInputs"/>, cuts) inputs.</summary>
    /// <value>Default <see langword="null"/>: the o200k tokenizer of the throughput layer's estimator, an estimate for
    /// models with another vocabulary; a group the provider still finds too large is split and retried.</value>
    public Tokenizer? Tokenizer { get; set; }

    /// <summary>Gets or sets how a rejection of a group as too large is recognised; such a group of more than one input
    /// is split into halves that are sent again.</summary>
    /// <value>Default <see langword="null"/>: an HTTP 400 whose message speaks of a limit ("too many", "too large",
    /// "too long", "at most", "maximum", "exceed", "limit").</value>
    public Func<Exception, bool>? IsGroupTooLarge { get; set; }

    /// <summary>Gets or sets the clock the sizer times groups with.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal SluiceGroupingOptions Clone() => (SluiceGroupingOptions)MemberwiseClone();

    internal SluiceGroupingOptions Validate(string path = nameof(SluiceGroupingOptions))
    {
        OptionsCheck.Require(MaxInputsPerRequest >= 1, path, nameof(MaxInputsPerRequest), MaxInputsPerRequest, "at least 1");
        OptionsCheck.Require(MaxTokensPerRequest >= 1, path, nameof(MaxTokensPerRequest), MaxTokensPerRequest, "at least 1");
        OptionsCheck.Require(MaxTokensPerInput >= 1 && MaxTokensPerInput <= MaxTokensPerRequest, path, nameof(MaxTokensPerInput),
            MaxTokensPerInput, "between 1 and MaxTokensPerRequest");
        OptionsCheck.Require(MaxConcurrentGroups >= 1, path, nameof(MaxConcurrentGroups), MaxConcurrentGroups, "at least 1");
        OptionsCheck.NotNull(GroupSize, path, nameof(GroupSize));
        GroupSize.Validate();
        OptionsCheck.NotNull(TimeProvider, path, nameof(TimeProvider));
        return this;
    }
}
