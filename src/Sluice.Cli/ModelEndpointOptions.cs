using System.CommandLine;
using System.Text.RegularExpressions;

namespace Sluice.Cli;

/// <summary>The options that name an OpenAI-compatible model endpoint (<c>--base-url</c>, <c>--model</c>,
/// <c>--api-key-env</c>, <c>--no-api-key</c>), shared by <c>embed</c>, <c>query</c> and <c>bench</c>, and their checks.
/// The key is read from the named variable and never printed.</summary>
internal sealed partial class ModelEndpointOptions
{
    /// <param name="modelDescription">What <c>--model</c> means for the verb.</param>
    /// <param name="baseUrlRequired">Whether the verb cannot run without <c>--base-url</c> (<c>bench</c>); <c>embed</c> and
    /// <c>query</c> run without an endpoint.</param>
    public ModelEndpointOptions(string modelDescription, bool baseUrlRequired = false)
    {
        Model = new Option<string?>("--model") { Description = modelDescription };
        BaseUrl = new Option<string?>("--base-url") { Description = "An OpenAI-compatible API base, /v1 included (e.g. http://127.0.0.1:8080/v1).", Required = baseUrlRequired };
    }

    public Option<string?> BaseUrl { get; }

    public Option<string?> Model { get; }

    public Option<string> ApiKeyEnv { get; } = new("--api-key-env") { Description = "The environment variable that holds the API key (the key is never printed or stored).", DefaultValueFactory = _ => "OPENAI_API_KEY" };

    public Option<bool> NoApiKey { get; } = new("--no-api-key") { Description = "Send no API key (a local server that needs none)." };

    public IEnumerable<Option> All => [BaseUrl, Model, ApiKeyEnv, NoApiKey];

    /// <summary>Whether the user named an endpoint at all.</summary>
    public bool IsGiven(ParseResult parse) => !string.IsNullOrWhiteSpace(parse.GetValue(BaseUrl)) || !string.IsNullOrWhiteSpace(parse.GetValue(Model));

    /// <summary>The endpoint, or an error message naming the option (the key's value never appears in it).</summary>
    public (Uri BaseUrl, string Model, string ApiKey)? Resolve(ParseResult parse, out string? error)
    {
        error = null;
        string? baseUrlText = parse.GetValue(BaseUrl);
        string? model = parse.GetValue(Model);
        if (string.IsNullOrWhiteSpace(baseUrlText) || string.IsNullOrWhiteSpace(model))
        {
            error = "--base-url and --model go together: give both (e.g. --base-url http://127.0.0.1:8080/v1 --model gpt-4o-mini), or neither.";
            return null;
        }

        if (ResolveBaseUrl(parse, out error) is not { } baseUrl || !TryResolveApiKey(parse, out string? key, out error))
        {
            return null;
        }

        return (baseUrl, model, key ?? "none");
    }

    /// <summary>The <c>--base-url</c> given, or an error naming it: an absolute http(s) address with no user-info or query
    /// (either may carry a secret).</summary>
    public Uri? ResolveBaseUrl(ParseResult parse, out string? error)
    {
        error = null;
        string? baseUrlText = parse.GetValue(BaseUrl);
        if (string.IsNullOrWhiteSpace(baseUrlText) || !Uri.TryCreate(baseUrlText, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            error = "--base-url: expected an absolute http or https address such as http://127.0.0.1:8080/v1.";
            return null;
        }

        if (!string.IsNullOrEmpty(baseUrl.UserInfo) || !string.IsNullOrEmpty(baseUrl.Query))
        {
            error = "--base-url must not carry credentials (user-info or a query string): pass the key in the variable named by --api-key-env.";
            return null;
        }

        return baseUrl;
    }

    /// <summary>The API key from the variable <c>--api-key-env</c> names, or <see langword="null"/> with <c>--no-api-key</c>;
    /// <see langword="false"/> with an error naming the option when the name is not a variable name or the variable is
    /// unset (the key's value never appears in it).</summary>
    public bool TryResolveApiKey(ParseResult parse, out string? apiKey, out string? error)
    {
        apiKey = null;
        error = null;
        if (parse.GetValue(NoApiKey))
        {
            return true;
        }

        string variable = parse.GetValue(ApiKeyEnv)!;
        if (!VariableName().IsMatch(variable))
        {
            error = "--api-key-env takes the NAME of an environment variable (letters, digits, _), not the key itself; the value given is not a variable name and is not shown.";
            return false;
        }

        apiKey = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(apiKey))
        {
            apiKey = null;
            error = $"--api-key-env: the environment variable {variable} is not set (or is empty). Set it to the API key, name another variable with --api-key-env, or pass --no-api-key for a server that needs none.";
            return false;
        }

        return true;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}
