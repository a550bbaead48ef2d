using System.Reflection;
using Sluice.AI;

namespace Sluice.Evaluation.Tests;

/// <summary>What the evaluation layer may depend on.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void The_evaluation_assembly_pulls_in_no_provider_SDK_not_even_through_its_references()
    {
        var closure = References(typeof(BatchEvalRunner).Assembly);

        Assert.DoesNotContain(closure, static name => name.StartsWith("OpenAI", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("Microsoft.Extensions.AI.OpenAI", closure);
        Assert.DoesNotContain("Sluice.AI", closure); // the throughput layer is a sibling, not a dependency
    }

    [Fact]
    public void The_query_engine_contract_lives_below_the_evaluation_layer()
    {
        Assert.Equal("Sluice.AI.Abstractions", typeof(IQueryEngine).Assembly.GetName().Name);
        Assert.Equal("Sluice.AI.Abstractions", typeof(QueryResponse).Assembly.GetName().Name);
    }

    /// <summary>Every assembly reachable from <paramref name="root"/> through its references, by name.</summary>
    private static HashSet<string> References(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>(root.GetReferencedAssemblies());
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!) || name.Name!.StartsWith("System", StringComparison.Ordinal) || name.Name == "netstandard" || name.Name == "mscorlib")
            {
                continue;
            }

            foreach (var next in Assembly.Load(name).GetReferencedAssemblies())
            {
                pending.Push(next);
            }
        }

        return seen;
    }
}
