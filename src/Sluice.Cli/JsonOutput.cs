using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sluice.Cli;

/// <summary>How the verbs' <c>--json</c> output is written: one line, non-ASCII text as itself.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Line(object value) => JsonSerializer.Serialize(value, Options);
}
