using System.ClientModel;
using Microsoft.ML.Tokenizers;
using OpenAI.Chat;

namespace Sluice.Simulator.Tests;

public sealed class ChatCompletionTests
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    [Fact]
    public async Task The_official_SDK_parses_a_reply_whose_usage_matches_a_real_tokenizer()
    {
        await using var host = await SimulatorHost.StartAsync();
        var chat = Http.OpenAI(host).GetChatClient("gpt-4o-mini");

        ChatCompletion reply = await chat.CompleteChatAsync([new UserChatMessage("What is a sluice gate?")]);

        string text = reply.Content[0].Text;
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Equal(ChatFinishReason.Stop, reply.FinishReason);
        Assert.Equal(O200k.CountTokens(text), reply.Usage.OutputTokenCount);
        Assert.InRange(reply.Usage.OutputTokenCount, host.Options.MinCompletionTokens, host.Options.MaxCompletionTokens);
        Assert.Equal(O200k.CountTokens("What is a sluice gate?") + 6, reply.Usage.InputTokenCount);
        Assert.Equal(reply.Usage.InputTokenCount + reply.Usage.OutputTokenCount, reply.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task The_same_request_gets_the_same_reply_and_a_different_one_a_different_reply()
    {
        await using var host = await SimulatorHost.StartAsync();
        var chat = Http.OpenAI(host).GetChatClient("gpt-4o-mini");

        string a1 = (await chat.CompleteChatAsync([new UserChatMessage("one")])).Value.Content[0].Text;
        string a2 = (await chat.CompleteChatAsync([new UserChatMessage("one")])).Value.Content[0].Text;
        string b = (await chat.CompleteChatAsync([new UserChatMessage("two")])).Value.Content[0].Text;

        Assert.Equal(a1, a2);
        Assert.NotEqual(a1, b);
    }

    [Fact]
    public async Task A_different_seed_gives_a_different_reply_to_the_same_request()
    {
        await using var first = await SimulatorHost.StartAsync(new SimulatorOptions { Seed = 1 });
        await using var second = await SimulatorHost.StartAsync(new SimulatorOptions { Seed = 2 });

        string a = (await Http.OpenAI(first).GetChatClient("m").CompleteChatAsync([new UserChatMessage("same")])).Value.Content[0].Text;
        string b = (await Http.OpenAI(second).GetChatClient("m").CompleteChatAsync([new UserChatMessage("same")])).Value.Content[0].Text;

        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task Max_output_tokens_cuts_the_reply_with_finish_reason_length()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { MinCompletionTokens = 30, MaxCompletionTokens = 40 });
        var chat = Http.OpenAI(host).GetChatClient("gpt-4o-mini");

        ChatCompletion reply = await chat.CompleteChatAsync([new UserChatMessage("long please")], new ChatCompletionOptions { MaxOutputTokenCount = 5 });

        Assert.Equal(5, reply.Usage.OutputTokenCount);
        Assert.Equal(5, O200k.CountTokens(reply.Content[0].Text));
        Assert.Equal(ChatFinishReason.Length, reply.FinishReason);
    }

    [Fact]
    public async Task Streaming_delivers_the_text_in_chunks_and_a_final_usage_chunk()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { MinCompletionTokens = 20, MaxCompletionTokens = 20 });
        var chat = Http.OpenAI(host).GetChatClient("gpt-4o-mini");

        var text = new System.Text.StringBuilder();
        int updates = 0;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("stream it")]))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
                text.Append(part.Text);
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.True(updates >= 5, $"expected several chunks, got {updates}");
        Assert.NotNull(usage);
        Assert.Equal(20, usage!.OutputTokenCount);
        Assert.Equal(20, O200k.CountTokens(text.ToString()));
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task A_scripted_rule_answers_exactly_and_first_match_wins()
    {
        string file = Path.Combine(Path.GetTempPath(), $"sim-rules-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """[{"pattern": "(?i)is the answer correct", "reply": "YES"}, {"pattern": "answer", "reply": "NO"}]""");
        try
        {
            await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { RulesFile = file });
            var chat = Http.OpenAI(host).GetChatClient("judge");

            var yes = await chat.CompleteChatAsync([new SystemChatMessage("You are a judge."), new UserChatMessage("Is the answer correct? 4")]);
            var no = await chat.CompleteChatAsync([new UserChatMessage("the answer is 5")]);
            var free = await chat.CompleteChatAsync([new UserChatMessage("unrelated")]);

            Assert.Equal("YES", yes.Value.Content[0].Text);
            Assert.Equal("NO", no.Value.Content[0].Text);
            Assert.NotEqual("YES", free.Value.Content[0].Text);
            Assert.NotEqual("NO", free.Value.Content[0].Text);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_malformed_rules_file_is_reported_with_its_path()
    {
        string file = Path.Combine(Path.GetTempPath(), $"sim-rules-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """[{"pattern": "(unclosed", "reply": "x"}]""");
        try
        {
            var ex = await Assert.ThrowsAsync<InvalidDataException>(() => SimulatorHost.StartAsync(new SimulatorOptions { RulesFile = file }));
            Assert.Contains(file, ex.Message);
            Assert.Contains("rule 0", ex.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_SDK_surfaces_a_400_for_a_prompt_over_the_context_window()
    {
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { ContextWindowTokens = 50 });
        var chat = Http.OpenAI(host).GetChatClient("gpt-4o-mini");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage(string.Join(' ', Enumerable.Repeat("word", 80)))]));

        Assert.Equal(400, ex.Status);
        Assert.Contains("context_length_exceeded", ex.Message);
    }
}
