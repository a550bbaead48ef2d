using Sluice.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>What the evaluation layer may depend on.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void The_evaluation_assembly_uses_no_OpenAI_SDK_type()
    {
        var references = typeof(BatchEvalRunner).Assembly.GetReferencedAssemblies().Select(static a => a.Name!).ToList();

        Assert.DoesNotContain(references, static name => name.StartsWith("OpenAI", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("Microsoft.Extensions.AI.OpenAI", references);
    }

    [Fact]
    public void The_query_engine_contract_lives_below_the_evaluation_layer()
    {
        Assert.Equal("Sluice.AI", typeof(IQueryEngine).Assembly.GetName().Name);
        Assert.Equal("Sluice.AI", typeof(QueryResponse).Assembly.GetName().Name);
    }
}
