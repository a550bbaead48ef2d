using System.Net;
using Microsoft.Extensions.AI;

namespace Sluice.AI.Tests;

/// <summary>The grouping layer's split, reassembly and limits against a scripted provider.</summary>
public sealed class GroupingEmbeddingGeneratorTests
{
    private static string[] Texts(int count) => [.. Enumerable.Range(0, count).Select(ScriptedEmbeddingGenerator.Text)];

    private static IEmbeddingGenerator<string, Embedding<float>> Grouping(
        ScriptedEmbeddingGenerator provider, Action<SluiceGroupingOptions>? configure = null) =>
        new EmbeddingGeneratorBuilder<string, Embedding<float>>(provider).UseSluiceGrouping(configure).Build();

    private static void Fixed(SluiceGroupingOptions o, int size) =>
        o.GroupSize = o.GroupSize with { InitialSize = size, MinSize = size, MaxSize = size };

    private static void AssertInInputOrder(GeneratedEmbeddings<Embedding<float>> embeddings, int count)
    {
        Assert.Equal(count, embeddings.Count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(i, embeddings[i].Vector.Span[0]);
        }
    }

    [Fact]
    public async Task A_large_call_becomes_concurrent_groups_within_the_count_limit_and_comes_back_in_input_order()
    {
        var provider = new ScriptedEmbeddingGenerator { HoldFirstUntilSecond = true };
        var generator = Grouping(provider, o => { o.MaxInputsPerRequest = 100; o.MaxConcurrentGroups = 3; });

        var embeddings = await generator.GenerateAsync(Texts(1_000));

        AssertInInputOrder(embeddings, 1_000);
        Assert.All(provider.Requests, r => Assert.InRange(r.Length, 1, 100));
        Assert.Equal(Texts(1_000), provider.Requests.SelectMany(r => r).OrderBy(t => int.Parse(t.AsSpan(1))).ToArray()); // each input sent once
        Assert.InRange(provider.MaxInFlight, 2, 3); // the first request waited for a second: groups travel together
        Assert.Equal(1_000, embeddings.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task Groups_stay_within_the_tokens_per_request_limit()
    {
        var provider = new ScriptedEmbeddingGenerator();
        var generator = Grouping(provider, o => { o.MaxTokensPerRequest = 40; o.MaxTokensPerInput = 40; });
        string[] texts = Texts(300);

        var embeddings = await generator.GenerateAsync(texts);

        AssertInInputOrder(embeddings, 300);
        Assert.All(provider.Requests, r => Assert.InRange(r.Sum(TokenEstimator.CountTokens), 1, 40));
    }

    [Fact]
    public async Task An_input_over_the_tokens_per_input_limit_is_an_error_naming_it_and_nothing_is_sent()
    {
        var provider = new ScriptedEmbeddingGenerator();
        var generator = Grouping(provider, o => o.MaxTokensPerInput = 50);
        string[] texts = Texts(10);
        texts[7] = string.Join(' ', Enumerable.Repeat("tokens", 200));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(texts));

        Assert.Contains("Input 7 (zero-based)", error.Message, StringComparison.Ordinal);
        Assert.Contains("TruncateLongInputs", error.Message, StringComparison.Ordinal);
        Assert.Empty(provider.Requests);
    }

    [Fact]
    public async Task With_truncation_an_over_long_input_is_cut_to_the_limit_and_the_callers_array_is_untouched()
    {
        var sent = new List<string>();
        var provider = new ScriptedEmbeddingGenerator
        {
            Fail = inputs => { lock (sent) { sent.AddRange(inputs); } return null; },
        };
        var generator = Grouping(provider, o => { o.MaxTokensPerInput = 50; o.TruncateLongInputs = true; });
        string longText = "t1 " + string.Join(' ', Enumerable.Repeat("tokens", 200));
        string[] texts = ["t0", longText];

        await Assert.ThrowsAnyAsync<FormatException>(() => generator.GenerateAsync(texts)); // the script parses "t1 tokens…"

        Assert.Equal(longText, texts[1]);
        string cut = Assert.Single(sent, s => s.StartsWith("t1 ", StringComparison.Ordinal));
        Assert.InRange(TokenEstimator.CountTokens(cut), 40, 50);
    }

    [Fact]
    public async Task A_group_rejected_as_too_large_is_split_in_halves_and_later_groups_are_smaller()
    {
        var provider = new ScriptedEmbeddingGenerator { MaxInputs = 7 };
        var generator = Grouping(provider, o => { Fixed(o, 32); o.MaxConcurrentGroups = 1; });

        var embeddings = await generator.GenerateAsync(Texts(200));

        AssertInInputOrder(embeddings, 200);
        Assert.True(provider.Rejected >= 3, $"{provider.Rejected} rejections"); // 32 → 16 → 8 → 4 the first time
        var accepted = provider.Requests.Where(r => r.Length <= 7).ToArray();
        Assert.Equal(200, accepted.Sum(r => r.Length));
        // After the first rejection the cap is half the rejected group: far fewer rejections than groups.
        Assert.True(provider.Rejected < 10, $"{provider.Rejected} rejections");
    }

    [Fact]
    public async Task A_400_that_is_not_about_size_fails_the_call_at_once_without_splitting()
    {
        var provider = new ScriptedEmbeddingGenerator
        {
            Fail = _ => new HttpRequestException("The model 'nope' does not exist.", null, HttpStatusCode.BadRequest),
        };
        var generator = Grouping(provider, o => { Fixed(o, 50); o.MaxConcurrentGroups = 1; });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => generator.GenerateAsync(Texts(100)));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Single(provider.Requests);
    }

    [Fact]
    public async Task A_single_input_rejected_as_too_large_is_not_split_further()
    {
        var provider = new ScriptedEmbeddingGenerator { MaxInputs = 0 };
        var generator = Grouping(provider, o => Fixed(o, 4));

        await Assert.ThrowsAsync<HttpRequestException>(() => generator.GenerateAsync(Texts(4)));

        Assert.Contains(provider.Requests, r => r.Length == 1);
    }

    [Fact]
    public async Task A_failing_group_fails_the_call_with_its_own_error_not_a_siblings_cancellation()
    {
        var provider = new ScriptedEmbeddingGenerator
        {
            Fail = inputs => inputs.Contains("t55") ? new InvalidOperationException("group with t55 failed") : null,
        };
        var generator = Grouping(provider, o => { Fixed(o, 10); o.MaxConcurrentGroups = 4; });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(Texts(1_000)));

        Assert.Equal("group with t55 failed", error.Message);
    }

    [Fact]
    public async Task The_sizer_is_a_service_of_the_generator_and_the_limits_are_validated()
    {
        var generator = Grouping(new ScriptedEmbeddingGenerator(), o => o.MaxInputsPerRequest = 64);
        var sizer = generator.GetService<AdaptiveGroupSize>();
        Assert.NotNull(sizer);
        Assert.Equal(64, sizer.Options.MaxSize);
        Assert.Empty(await generator.GenerateAsync([]));

        var builder = new EmbeddingGeneratorBuilder<string, Embedding<float>>(new ScriptedEmbeddingGenerator());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.UseSluiceGrouping(o => o.MaxConcurrentGroups = 0));
        Assert.Contains("SluiceGroupingOptions.MaxConcurrentGroups", error.Message, StringComparison.Ordinal);
    }
}
