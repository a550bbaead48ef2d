using Sluice.AI;

namespace Sluice.Cluster.Tests.Budgets;

/// <summary>The contract on the in-process budget: every holder draws on one <see cref="LocalRateBudget"/>.</summary>
public sealed class LocalBudgetContractTests : BudgetContract
{
    protected override CapacityLeaser? LeaserFor(int holder) => null;
}
