using System.Globalization;
using System.Text.Json;

namespace Sluice.BatchFiles;

/// <summary>A model's price in US dollars per million tokens.</summary>
/// <param name="InputPerMillion">Dollars per million input (prompt) tokens.</param>
/// <param name="OutputPerMillion">Dollars per million output (completion) tokens.</param>
public readonly record struct ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    /// <summary>The cost of the given tokens.</summary>
    /// <param name="inputTokens">Input tokens.</param>
    /// <param name="outputTokens">Output tokens.</param>
    /// <returns>Dollars.</returns>
    public decimal Cost(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1_000_000m;
}

/// <summary>
/// Prices per model, read from a JSON file (<c>sluice run --prices</c>):
/// <c>{"models": {"gpt-4o-mini": {"input_per_1m": 0.15, "output_per_1m": 0.60}, …}}</c>. A model is found by its exact
/// name, else, for a dated variant (a name ending in <c>-YYYY-MM-DD</c> or in four digits such as <c>-0125</c>, as in
/// <c>gpt-4o-mini-2024-07-18</c>), by the name without the date; <c>o1-pro</c> never takes <c>o1</c>'s price. A model the table does not name has no price:
/// costs are then unknown, never 0.
/// </summary>
public sealed class PriceTable
{
    private readonly Dictionary<string, ModelPrice> _prices;

    /// <summary>Creates a table from prices by model name.</summary>
    /// <param name="prices">The prices; names compare ordinally, ignoring case.</param>
    public PriceTable(IReadOnlyDictionary<string, ModelPrice> prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        _prices = new Dictionary<string, ModelPrice>(prices, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets the models the table prices.</summary>
    public IReadOnlyCollection<string> Models => _prices.Keys;

    /// <summary>Reads a price file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The table.</returns>
    /// <exception cref="BatchFileFormatException">The file is not valid JSON or not in the expected shape; the message names
    /// the file, the line and the field.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PriceTable Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new BatchFileFormatException(path, ex.LineNumber + 1, $"not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("models", out var models)
                || models.ValueKind != JsonValueKind.Object)
            {
                throw new BatchFileFormatException(path, null, "expected {\"models\": {\"<model>\": {\"input_per_1m\": <dollars>, \"output_per_1m\": <dollars>}}}");
            }

            var prices = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);
            foreach (var model in models.EnumerateObject())
            {
                prices[model.Name] = new ModelPrice(
                    Dollars(path, model, "input_per_1m"),
                    Dollars(path, model, "output_per_1m"));
            }

            return new PriceTable(prices);
        }
    }

    /// <summary>Finds a model's price.</summary>
    /// <param name="model">The model as the request names it; <see langword="null"/> has no price.</param>
    /// <param name="price">The price when found.</param>
    /// <returns>Whether the table prices the model.</returns>
    public bool TryGetPrice(string? model, out ModelPrice price)
    {
        price = default;
        if (string.IsNullOrEmpty(model))
        {
            return false;
        }

        if (_prices.TryGetValue(model, out price))
        {
            return true;
        }

        var date = System.Text.RegularExpressions.Regex.Match(model, @"-(\d{4}-\d{2}-\d{2}|\d{4})$");
        return date.Success && _prices.TryGetValue(model[..date.Index], out price);
    }

    private static decimal Dollars(string path, JsonProperty model, string field)
    {
        if (model.Value.ValueKind == JsonValueKind.Object
            && model.Value.TryGetProperty(field, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetDecimal(out decimal dollars)
            && dollars >= 0)
        {
            return dollars;
        }

        throw new BatchFileFormatException(path, null, string.Create(CultureInfo.InvariantCulture, $"models.{model.Name}.{field}: expected a number of dollars per million tokens, 0 or more"));
    }
}
