using Sluice.AI;
using Sluice.Redis;
using Sluice.Testing;
using StackExchange.Redis;

namespace Sluice.Cluster.Tests.Budgets;

/// <summary>The contract on the Redis script: a real <c>redis-server</c> on 127.0.0.1, one connection per holder (as
/// independent processes would have).</summary>
public sealed class RedisBudgetContractTests(RedisServer redis) : BudgetContract, IClassFixture<RedisServer>, IDisposable
{
    private readonly List<ConnectionMultiplexer> _connections = [];

    protected override CapacityLeaser? LeaserFor(int holder)
    {
        var connection = ConnectionMultiplexer.Connect(redis.Configuration);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return new RedisCapacityLeaser(connection);
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }
}
