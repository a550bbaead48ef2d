namespace Sluice.Rag;

/// <summary>The refine loop shared by <see cref="RefineSynthesizer"/> and <see cref="CompactSynthesizer"/>.</summary>
internal static class RefineSteps
{
    public static async Task<string> RunAsync(SynthesisChat chat, string query, IReadOnlyList<string> blocks, CancellationToken cancellationToken)
    {
        string? answer = null;
        foreach (string block in blocks)
        {
            string prompt = answer is null
                ? SynthesisChat.Fill(chat.Options.QuestionTemplate, query, block, "")
                : SynthesisChat.Fill(chat.Options.RefineTemplate, query, block, answer);
            answer = await chat.AskAsync(prompt, cancellationToken).ConfigureAwait(false);
        }

        return answer ?? "";
    }
}
