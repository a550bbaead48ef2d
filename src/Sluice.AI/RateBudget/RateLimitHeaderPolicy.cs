using System.ClientModel.Primitives;

namespace Sluice.AI;

/// <summary>
/// An OpenAI SDK pipeline policy that shows every response's <c>x-ratelimit-*</c> headers to a <see cref="RateBudget"/>,
/// so that a lane learns the provider's limits and remaining balances from successful responses too. A 429 does not
/// pause the budget here: the budget layer does that for every client alike (see <c>BudgetAccount.OnFailure</c>).
/// </summary>
internal sealed class RateLimitHeaderPolicy(RateBudget budget) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        Observe(message.Response);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        Observe(message.Response);
    }

    private void Observe(PipelineResponse? response)
    {
        if (response is not null
            && RateLimitHeaders.Parse(name => response.Headers.TryGetValue(name, out string? value) ? value : null) is { } headers)
        {
            budget.Observe(headers);
        }
    }
}
