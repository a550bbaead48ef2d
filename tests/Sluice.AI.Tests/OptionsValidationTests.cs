using Microsoft.Extensions.AI;

namespace Sluice.AI.Tests;

/// <summary>Every options error names the property the user set, by the path it was set through.</summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string, Action<SluiceClientOptions>> BadValues => new()
    {
        { "SluiceClientOptions.Retry.MaxAttempts", o => o.Retry.MaxAttempts = 0 },
        { "SluiceClientOptions.Retry.BaseDelay", o => o.Retry.BaseDelay = TimeSpan.FromSeconds(-1) },
        { "SluiceClientOptions.Retry.MaxDelay", o => o.Retry.MaxDelay = TimeSpan.FromSeconds(-1) },
        { "SluiceClientOptions.RateBudget.RequestsPerMinute", o => o.RateBudget.RequestsPerMinute = 0 },
        { "SluiceClientOptions.RateBudget.TokensPerMinute", o => o.RateBudget.TokensPerMinute = -5 },
        { "SluiceClientOptions.RateBudget.BurstSeconds", o => o.RateBudget.BurstSeconds = 0 },
        { "SluiceClientOptions.RateBudget.Headroom", o => o.RateBudget.Headroom = 1.5 },
        { "SluiceClientOptions.RateBudget.InitialFill", o => o.RateBudget.InitialFill = -0.1 },
        { "SluiceClientOptions.RateBudget.QueueLimit", o => o.RateBudget.QueueLimit = -1 },
        { "SluiceClientOptions.RateBudget.DefaultOutputTokens", o => o.RateBudget.DefaultOutputTokens = 0 },
        { "SluiceClientOptions.Concurrency.MaxConcurrency", o => o.Concurrency.MaxConcurrency = 0 },
        { "SluiceClientOptions.Concurrency.Adaptive.InitialLimit", o => o.Concurrency.Adaptive.InitialLimit = 1_000 },
        { "SluiceClientOptions.Concurrency.Adaptive.MinLimit", o => o.Concurrency.Adaptive.MinLimit = 0 },
        { "SluiceClientOptions.Concurrency.Adaptive.MaxLimit", o => o.Concurrency.Adaptive.MaxLimit = 0 },
        { "SluiceClientOptions.Concurrency.Adaptive.BackoffRatio", o => o.Concurrency.Adaptive.BackoffRatio = 1 },
        { "SluiceClientOptions.Concurrency.Adaptive.Tolerance", o => o.Concurrency.Adaptive.Tolerance = 0.5 },
        { "SluiceClientOptions.Concurrency.Adaptive.Smoothing", o => o.Concurrency.Adaptive.Smoothing = 0 },
        { "SluiceClientOptions.AttemptTimeout.Timeout", o => o.AttemptTimeout.Timeout = TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_in_the_whole_stacks_options_is_named_by_its_path(string path, Action<SluiceClientOptions> bad)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            OpenAICompatible.CreateChatClient(new Uri("http://127.0.0.1:1/v1"), "sk-test", "gpt-4o-mini", Options(bad)));
        Assert.StartsWith(path + " must be ", ex.Message);
        Assert.Equal(path[(path.LastIndexOf('.') + 1)..], ex.ParamName);
    }

    [Fact]
    public void A_null_nested_options_object_is_named()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => ProviderLane.Create("test", Options(o => o.RateBudget = null!)));
        Assert.Contains("SluiceClientOptions.RateBudget must not be null", ex.Message);
    }

    [Fact]
    public void Options_standing_alone_name_their_own_type()
    {
        Assert.StartsWith("RateBudgetOptions.Headroom must be in (0, 1]; it was 2.",
            Assert.Throws<ArgumentOutOfRangeException>(() => new LocalRateBudget(new RateBudgetOptions { Headroom = 2 })).Message);
        Assert.StartsWith("AdaptiveConcurrencyOptions.Smoothing must be",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveConcurrencyLimit(new AdaptiveConcurrencyOptions { Smoothing = 2 })).Message);
        Assert.StartsWith("ConcurrencyOptions.MaxConcurrency must be",
            Assert.Throws<ArgumentOutOfRangeException>(() => new ConcurrencyOptions { MaxConcurrency = -1 }.CreateLimit()).Message);
        Assert.StartsWith("SluiceRetryOptions.MaxAttempts must be",
            Assert.Throws<ArgumentOutOfRangeException>(() => new Polly.ResiliencePipelineBuilder().AddSluiceRetry(new SluiceRetryOptions { MaxAttempts = 0 })).Message);
        Assert.StartsWith("AdaptiveGroupSizeOptions.MinSize must be positive; it was 0.",
            Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveGroupSizeOptions { MinSize = 0 }.Validate()).Message);
        Assert.StartsWith("AttemptTimeoutOptions.Timeout must be",
            Assert.Throws<ArgumentOutOfRangeException>(() => new ChatClientBuilder(new NullChatClient()).UseSluiceAttemptTimeout(o => o.Timeout = TimeSpan.Zero)).Message);
    }

    private static SluiceClientOptions Options(Action<SluiceClientOptions> change)
    {
        var options = new SluiceClientOptions { Lanes = new ProviderLaneRegistry() };
        change(options);
        return options;
    }

    private sealed class NullChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
