using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>The price of a sharded run's model in US dollars per million tokens (<see cref="ModelPrice"/>, in a shape
/// that crosses the cluster).</summary>
/// <param name="InputPerMillion">Dollars per million input (prompt) tokens.</param>
/// <param name="OutputPerMillion">Dollars per million output (completion) tokens.</param>
[GenerateSerializer, Immutable, Alias("Sluice.Cluster.Runs.ShardedRunPrice")]
public sealed record ShardedRunPrice([property: Id(0)] decimal InputPerMillion, [property: Id(1)] decimal OutputPerMillion)
{
    /// <summary>The price <paramref name="prices"/> gives <paramref name="model"/>, or <see langword="null"/> when it
    /// gives none.</summary>
    /// <param name="prices">A price table (<c>--prices</c>).</param>
    /// <param name="model">The run's model.</param>
    /// <returns>The price, or <see langword="null"/>.</returns>
    public static ShardedRunPrice? For(PriceTable prices, string? model)
    {
        ArgumentNullException.ThrowIfNull(prices);
        return model is not null && prices.TryGetPrice(model, out var price) ? new ShardedRunPrice(price.InputPerMillion, price.OutputPerMillion) : null;
    }

    /// <summary>A price table that prices <paramref name="model"/> at this price.</summary>
    internal PriceTable ToTable(string model) => new(new Dictionary<string, ModelPrice> { [model] = new(InputPerMillion, OutputPerMillion) });
}
