namespace Sluice.AI;

/// <summary>The one way every Sluice.AI options class reports an invalid value: the exception names the property by
/// the path the user set it through (<c>SluiceClientOptions.RateBudget.Headroom</c>, or <c>RateBudgetOptions.Headroom</c>
/// when the options stand alone), the value it had and what was expected.</summary>
internal static class OptionsCheck
{
    public static void Require(bool valid, string path, string property, object? value, string expected)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(property, value, $"{path}.{property} must be {expected}; it was {value ?? "null"}.");
        }
    }

    public static void NotNull(object? value, string path, string property)
    {
        if (value is null)
        {
            throw new ArgumentNullException(property, $"{path}.{property} must not be null.");
        }
    }
}

/// <summary>Options that can check themselves (each names its own properties in its messages).</summary>
internal interface ICheckedOptions
{
    void Check();
}
