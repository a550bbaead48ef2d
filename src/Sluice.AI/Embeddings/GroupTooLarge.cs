using System.ClientModel;
using System.Net;

namespace Sluice.AI;

/// <summary>The default test for "the provider rejected this group as too large": an HTTP 400 whose message speaks of
/// a limit. OpenAI says, for example, "Invalid 'input': array too long. Expected an array with maximum length 2048"
/// or "Requested 312000 tokens, max 300000 tokens per request".</summary>
internal static class GroupTooLarge
{
    private static readonly string[] Phrases = ["too many", "too large", "too long", "at most", "maximum", "exceed", "limit", " max "];

    public static bool Recognise(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            int? status = e switch
            {
                ClientResultException result => result.Status,
                HttpRequestException { StatusCode: { } code } => (int)code,
                _ => null,
            };
            if (status == (int)HttpStatusCode.BadRequest)
            {
                return Phrases.Any(phrase => e.Message.Contains(phrase, StringComparison.OrdinalIgnoreCase));
            }
        }

        return false;
    }
}
