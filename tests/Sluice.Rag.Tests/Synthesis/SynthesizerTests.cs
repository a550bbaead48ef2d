using Sluice.AI;

namespace Sluice.Rag.Tests;

/// <summary>The four synthesizers against a scripted chat model: which prompts they send, how many, in what order and
/// how many at once.</summary>
public sealed class SynthesizerTests
{
    private static readonly string[] Passages = ["Alpha is the first letter.", "Beta is the second letter.", "Gamma is the third letter."];

    private static string Sentence(int i) => $"Passage {i} says that item number {i} weighs {i * 7} grams and is painted a colour of its own.";

    [Fact]
    public async Task Compact_sends_passages_that_fit_one_prompt_in_one_call()
    {
        var chat = new ScriptedChatClient(_ => "the answer");
        var answer = await new CompactSynthesizer(chat).SynthesizeAsync("Which letters?", Passages);

        Assert.Equal("the answer", answer);
        Assert.Equal(1, chat.Calls);
        Assert.All(Passages, p => Assert.Contains(p, chat.Prompts[0]));
        Assert.Contains("Which letters?", chat.Prompts[0]);
        Assert.Equal(256, chat.LastMaxOutputTokens);
    }

    [Fact]
    public async Task Compact_packs_into_few_prompts_within_the_budget_then_refines_over_them()
    {
        var options = new SynthesizerOptions { ContextTokens = 400, OutputTokens = 40 };
        var passages = Enumerable.Range(1, 30).Select(Sentence).ToArray();
        int step = 0;
        var chat = new ScriptedChatClient(_ => $"answer {Interlocked.Increment(ref step)}");

        var answer = await new CompactSynthesizer(chat, options).SynthesizeAsync("How heavy is each item?", passages);

        int prompts = chat.Calls;
        Assert.InRange(prompts, 3, 10); // 30 passages of ~25 tokens, ~250 tokens of room per prompt
        Assert.Equal($"answer {prompts}", answer);
        Assert.DoesNotContain("Earlier answer", chat.Prompts[0]);
        for (int i = 1; i < prompts; i++)
        {
            Assert.Contains($"Earlier answer: answer {i}", chat.Prompts[i]); // refined in order
        }

        Assert.All(chat.Prompts, p => Assert.True(TokenEstimator.CountTokens(p) + options.OutputTokens <= options.ContextTokens, $"{TokenEstimator.CountTokens(p)} tokens"));
        string all = string.Concat(chat.Prompts);
        Assert.All(passages, p => Assert.Contains(p, all)); // nothing dropped
    }

    [Fact]
    public async Task Refine_walks_the_passages_one_by_one_in_order()
    {
        int step = 0;
        var chat = new ScriptedChatClient(_ => $"answer {Interlocked.Increment(ref step)}");
        var answer = await new RefineSynthesizer(chat).SynthesizeAsync("Which letters?", Passages);

        Assert.Equal(3, chat.Calls);
        Assert.Equal("answer 3", answer);
        for (int i = 0; i < 3; i++)
        {
            Assert.Contains(Passages[i], chat.Prompts[i]);
            Assert.DoesNotContain(Passages[(i + 1) % 3], chat.Prompts[i]);
        }

        Assert.Contains("Earlier answer: answer 1", chat.Prompts[1]);
        Assert.Contains("Earlier answer: answer 2", chat.Prompts[2]);
        Assert.Equal(1, chat.PeakConcurrency);
    }

    [Fact]
    public async Task A_passage_too_long_for_one_prompt_is_cut_at_whitespace_and_every_word_is_sent()
    {
        var options = new SynthesizerOptions { ContextTokens = 300, OutputTokens = 30 };
        string longPassage = string.Join(' ', Enumerable.Range(0, 600).Select(i => $"word{i}"));
        var chat = new ScriptedChatClient(_ => "ok");

        await new RefineSynthesizer(chat, options).SynthesizeAsync("Which words?", [longPassage]);

        Assert.True(chat.Calls >= 5, $"{chat.Calls} calls");
        Assert.All(chat.Prompts, p => Assert.True(TokenEstimator.CountTokens(p) + options.OutputTokens <= options.ContextTokens, $"{TokenEstimator.CountTokens(p)} tokens"));
        string all = string.Join(' ', chat.Prompts);
        for (int i = 0; i < 600; i++)
        {
            Assert.Matches($@"\bword{i}\b", all);
        }
    }

    [Fact]
    public async Task Tree_summarize_runs_each_level_in_parallel_within_the_bound_and_ends_with_one_answer()
    {
        var options = new SynthesizerOptions { ContextTokens = 400, OutputTokens = 40, MaxConcurrency = 3 };
        var passages = Enumerable.Range(1, 60).Select(Sentence).ToArray();
        var chat = new ScriptedChatClient(
            prompt => prompt.Contains("summary of", StringComparison.Ordinal) ? "final answer" : "a summary of some passages",
            TimeSpan.FromMilliseconds(20));

        var answer = await new TreeSummarizeSynthesizer(chat, options).SynthesizeAsync("How heavy is each item?", passages);

        Assert.Equal("final answer", answer);
        Assert.True(chat.Calls >= 6, $"{chat.Calls} calls"); // ≥ 5 leaf summaries (60 passages, ~12 per prompt) + the root
        Assert.Equal(3, chat.PeakConcurrency); // LlamaIndex's use_async would have sent every leaf at once
        Assert.All(chat.Prompts, p => Assert.True(TokenEstimator.CountTokens(p) + options.OutputTokens <= options.ContextTokens));
        Assert.Contains("a summary of some passages", chat.Prompts[^1]); // the root summarizes summaries
    }

    [Fact]
    public async Task Tree_summarize_with_passages_that_fit_one_prompt_makes_one_call()
    {
        var chat = new ScriptedChatClient(_ => "the answer");
        Assert.Equal("the answer", await new TreeSummarizeSynthesizer(chat).SynthesizeAsync("Which letters?", Passages));
        Assert.Equal(1, chat.Calls);
    }

    [Fact]
    public async Task Tree_summarize_stops_with_a_clear_error_when_a_level_does_not_shrink()
    {
        var options = new SynthesizerOptions { ContextTokens = 400, OutputTokens = 40 };
        var passages = Enumerable.Range(1, 40).Select(Sentence).ToArray();
        string tooLong = string.Join(' ', Enumerable.Repeat("verbose", 300)); // a model that ignores max tokens
        var chat = new ScriptedChatClient(_ => tooLong);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new TreeSummarizeSynthesizer(chat, options).SynthesizeAsync("q", passages));
        Assert.Contains("no progress", error.Message);
        Assert.Contains("OutputTokens", error.Message);
    }

    [Fact]
    public async Task Accumulate_answers_each_passage_in_parallel_and_joins_the_answers_in_passage_order()
    {
        var options = new SynthesizerOptions { MaxConcurrency = 2 };
        var passages = Enumerable.Range(1, 6).Select(Sentence).ToArray();
        var chat = new ScriptedChatClient(
            prompt => "about " + passages.Single(p => prompt.Contains(p, StringComparison.Ordinal))[..9],
            TimeSpan.FromMilliseconds(10));

        var answer = await new AccumulateSynthesizer(chat, options).SynthesizeAsync("q", passages);

        Assert.Equal(6, chat.Calls);
        Assert.Equal(2, chat.PeakConcurrency);
        string expected = string.Join(AccumulateSynthesizer.AnswerSeparator, Enumerable.Range(1, 6).Select(i => $"Response {i}: about Passage {i}"));
        Assert.Equal(expected, answer);
    }

    [Fact]
    public async Task A_placeholder_inside_a_passage_or_query_is_sent_as_written()
    {
        var chat = new ScriptedChatClient(_ => "ok");
        await new CompactSynthesizer(chat).SynthesizeAsync("What is {passages}?", ["Templates use {query} and {answer} as placeholders."]);
        Assert.Contains("Query: What is {passages}?", chat.Prompts[0]);
        Assert.Contains("Templates use {query} and {answer} as placeholders.", chat.Prompts[0]);
    }

    [Fact]
    public async Task A_failed_call_fails_the_answer_with_its_own_exception()
    {
        var chat = new ScriptedChatClient(prompt => prompt.Contains("Passage 3 ", StringComparison.Ordinal) ? throw new TimeoutException("model hung") : "ok");
        var passages = Enumerable.Range(1, 6).Select(Sentence).ToArray();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => new AccumulateSynthesizer(chat).SynthesizeAsync("q", passages));
        Assert.Equal("model hung", error.Message);
    }

    [Fact]
    public void Options_and_arguments_are_checked_with_messages_that_name_them()
    {
        var chat = new ScriptedChatClient(_ => "ok");
        Assert.Contains("SynthesizerOptions.OutputTokens", Assert.Throws<ArgumentOutOfRangeException>(
            () => new CompactSynthesizer(chat, new SynthesizerOptions { ContextTokens = 100, OutputTokens = 50 })).Message);
        Assert.Contains("SynthesizerOptions.MaxConcurrency", Assert.Throws<ArgumentOutOfRangeException>(
            () => new TreeSummarizeSynthesizer(chat, new SynthesizerOptions { MaxConcurrency = 0 })).Message);
        Assert.Contains("{answer}", Assert.Throws<ArgumentException>(
            () => new RefineSynthesizer(chat, new SynthesizerOptions { RefineTemplate = "{passages} {query}" })).Message);
        Assert.Contains("empty or white space", Assert.Throws<ArgumentException>(
            () => { _ = new TreeSummarizeSynthesizer(chat).SynthesizeAsync("q", ["", "  "]); }).Message);
        Assert.Contains("passages is empty", Assert.Throws<ArgumentException>(
            () => { _ = new CompactSynthesizer(chat).SynthesizeAsync("q", []); }).Message);
        Assert.Contains("ContextTokens", Assert.Throws<InvalidOperationException>(
            () => { _ = new CompactSynthesizer(chat, new SynthesizerOptions { ContextTokens = 64, OutputTokens = 16 }).SynthesizeAsync(string.Join(' ', Enumerable.Repeat("long", 80)), ["p"]); }).Message);
        Assert.IsType<TreeSummarizeSynthesizer>(ResponseSynthesizer.Create(chat, SynthesisMode.TreeSummarize));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResponseSynthesizer.Create(chat, (SynthesisMode)42));
    }
}
