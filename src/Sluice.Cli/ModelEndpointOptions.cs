using System.CommandLine;
using System.Text.RegularExpressions;

namespace Sluice.Cli;

/// <summary>The options that name an OpenAI-compatible model endpoint (<c>--base-url</c>, <c>--model</c>,
/// <c>--api-key-env</c>, <c>--no-api-key</c>), shared by <c>embed</c> and <c>query</c>, and their checks. The key is read
/// from the named variable and never printed.</summary>
internal sealed partial class ModelEndpointOptions
{
    public ModelEndpointOptions(string modelDescription)
    {
        Model = new Option<string?>("--model") { Description = modelDescription };
    }

    public Option<string?> BaseUrl { get; } = new("--base-url") { Description = "An OpenAI-compatible API base, /v1 included (e.g. http://127.0.0.1:8080/v1)." };

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

        if (!Uri.TryCreate(baseUrlText, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            error = "--base-url: expected an absolute http or https address such as http://127.0.0.1:8080/v1.";
            return null;
        }

        if (!string.IsNullOrEmpty(baseUrl.UserInfo) || !string.IsNullOrEmpty(baseUrl.Query))
        {
            error = "--base-url must not carry credentials (user-info or a query string): pass the key in the variable named by --api-key-env.";
            return null;
        }

        if (parse.GetValue(NoApiKey))
        {
            return (baseUrl, model, "none");
        }

        string variable = parse.GetValue(ApiKeyEnv)!;
        if (!VariableName().IsMatch(variable))
        {
            error = "--api-key-env takes the NAME of an environment variable (letters, digits, _), not the key itself; the value given is not a variable name and is not shown.";
            return null;
        }

        string? key = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(key))
        {
            error = $"--api-key-env: the environment variable {variable} is not set (or is empty). Set it to the API key, name another variable with --api-key-env, or pass --no-api-key for a server that needs none.";
            return null;
        }

        return (baseUrl, model, key);
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}
