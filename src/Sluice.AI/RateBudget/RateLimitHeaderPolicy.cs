using System.ClientModel.Primitives;

namespace Sluice.AI;

/// <summary>
/// An OpenAI SDK pipeline policy that shows every response's <c>x-ratelimit-*</c> headers to a <see cref="RateBudget"/>,
/// and pauses the budget the moment a 429 arrives — before the SDK turns it into an exception — so that no other
/// caller of the budget slips through while the exception travels up the stack. A 429 that waiting cannot cure
/// (<c>insufficient_quota</c>, or <c>x-should-retry: false</c>) does not pause the budget: it fails at once, and the
/// calls behind it get the same answer without waiting for nothing.
/// </summary>
internal sealed class RateLimitHeaderPolicy(RateBudget budget, TimeProvider time) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        if (message.Response is { Status: 429 } limited && !message.BufferResponse)
        {
            limited.BufferContent(); // an error body is small, and the SDK reads it next anyway
        }

        Observe(message.Response);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        if (message.Response is { Status: 429 } limited && !message.BufferResponse)
        {
            await limited.BufferContentAsync().ConfigureAwait(false); // an error body is small, and the SDK reads it next anyway
        }

        Observe(message.Response);
    }

    private void Observe(PipelineResponse? response)
    {
        if (response is null)
        {
            return;
        }

        string? Header(string name) => response.Headers.TryGetValue(name, out string? value) ? value : null;
        if (response.Status == 429
            && FailureClassifier.ClassifyResponse(429, Header, response.Content.ToString()) == FailureKind.Overloaded)
        {
            budget.PauseFor(FailureClassifier.RetryAfter(Header, time.GetUtcNow()) ?? TimeSpan.FromSeconds(1));
        }

        var headers = RateLimitHeaders.Parse(Header);
        if (headers is not null)
        {
            budget.Observe(headers);
        }
    }
}
