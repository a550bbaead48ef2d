using System.Text.Json;

namespace Sluice.Reporting.Tests;

/// <summary>Run directories written by the tests in the shapes sluice run and sluice eval write.</summary>
internal static class Fixtures
{
    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "sluice-report-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);

    /// <summary>A run directory: summary, a two-session timeline, and a journal with successes and failures.</summary>
    public static string RunDirectory(string parent, string name = "results.jsonl.sluice", int failures500 = 2, long rateLimited = 7)
    {
        string dir = Path.Combine(parent, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "summary.json"), Json(new
        {
            kind = "run",
            outcome = failures500 > 0 ? "completed_with_failures" : "succeeded",
            input = "/data/in.jsonl",
            output = "/data/results.jsonl",
            errors = "/data/results.errors.jsonl",
            counts = new { total = 10, succeeded = 4, failed = 1, cache_hits = 0, retries = 3, rate_limited = rateLimited, input_tokens = 40, output_tokens = 80, cost_usd = 0.5, elapsed_seconds = 2.0 },
        }));
        int[] bounds = [.. Sluice.BatchFiles.LatencyHistogram.BoundsMilliseconds.Select(b => (int)b)];
        long[] request = new long[bounds.Length + 1], attempt = new long[bounds.Length + 1];
        request[10] = 6;
        attempt[8] = 9;
        var lines = new List<string>
        {
            Json(new { type = "session", session = 1, started_at = "2026-01-01T00:00:00.000Z", total = 10, resumed = 0 }),
            Sample(1, 0, 0, 0, 0, 0, 0),
            Sample(1, 1, 2, 2, 0, 1, 2),
            Sample(1, 2, 5, 5, 0, 2, 4),
            Json(new { type = "latency", session = 1, t = 2, of = "request", bounds_ms = bounds, counts = request }),
            Json(new { type = "latency", session = 1, t = 2, of = "attempt", bounds_ms = bounds, counts = attempt }),
            Json(new { type = "session", session = 2, started_at = "2026-01-01T00:10:00.000Z", total = 10, resumed = 5 }),
            Sample(2, 0, 5, 0, 0, 0, 0),
            Sample(2, 1, 8, 2, 1, 1, 3),
            Sample(2, 2, 10, 4, 1, 2, rateLimited - 4),
            Json(new { type = "latency", session = 2, t = 2, of = "request", bounds_ms = bounds, counts = request }),
        };
        File.WriteAllText(Path.Combine(dir, "timeline.jsonl"), string.Join('\n', lines) + "\n");
        var journal = new List<string>();
        for (int i = 0; i < 10 - failures500; i++)
        {
            journal.Add(JournalLine($"r{i}", 200, """{"id":"x","object":"chat.completion","usage":{"prompt_tokens":4,"completion_tokens":8,"total_tokens":12}}"""));
        }

        for (int i = 10 - failures500; i < 10; i++)
        {
            journal.Add(JournalLine($"r{i}", 500, """{"error":{"message":"The server had an error","type":"server_error","code":"server_error"}}"""));
        }

        File.WriteAllText(Path.Combine(dir, "journal.jsonl"), string.Join('\n', journal) + "\n");
        return dir;

        static string Sample(int session, double t, long done, long succeeded, long failed, long retries, long rateLimited) =>
            Json(new
            {
                type = "sample", session, t, done, succeeded, failed, in_flight = 3, concurrency_limit = 8, retries, rate_limited = rateLimited,
                cache_hits = 0, input_tokens = succeeded * 4, output_tokens = succeeded * 8, cost_usd = 0.25,
            });
    }

    public static string JournalLine(string customId, int status, string body) =>
        Json(new
        {
            custom_id = customId,
            outcome = status == 200 ? "succeeded" : "failed",
            input_line = 1,
            line = new
            {
                id = "batch_req_" + new string('0', 32),
                custom_id = customId,
                response = new { status_code = status, request_id = "req_1", body = JsonDocument.Parse(body).RootElement },
                error = (object?)null,
            },
        });

    /// <summary>An eval run directory in the contract's shape: summary.json and results.jsonl.</summary>
    public static string EvalDirectory(string parent, string name = "eval-run", double shift = 0)
    {
        string dir = Path.Combine(parent, name);
        Directory.CreateDirectory(dir);
        string dataset = Path.Combine(parent, "qa.jsonl");
        File.WriteAllText(dataset, string.Concat(Enumerable.Range(1, 6).Select(i => Json(new { query = $"question {i}" }) + "\n")));
        File.WriteAllText(Path.Combine(dir, "summary.json"), Json(new
        {
            kind = "eval",
            dataset,
            index = Path.Combine(parent, "index.db"),
            cases = 6,
            elapsed_seconds = 3.5,
            evaluators = new[] { "token_f1", "relevancy" },
            skipped = new[] { new { name = "faithfulness", reason = "needs a chat model (--judge-base-url)" } },
            metrics = new[]
            {
                new { evaluator = "token_f1", mean = 0.5 + shift, ci_low = 0.3, ci_high = 0.7, n = 6, invalid = 0 },
                new { evaluator = "relevancy", mean = 3.0 + shift, ci_low = 2.0, ci_high = 4.0, n = 5, invalid = 1 },
            },
        }));
        var lines = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            lines.Add(Json(new
            {
                evaluator = "token_f1", index = i, case_id = $"q{i + 1}", line = i + 1, query = $"question {i + 1}", response = $"answer {i + 1}",
                score = Math.Min(1, (i / 5.0) + shift), passing = (bool?)null, feedback = i == 0 ? "no overlap <b>at all</b>" : null, invalid_result = false, attempts = 1, elapsed_ms = 1.5,
            }));
            lines.Add(Json(new
            {
                evaluator = "relevancy", index = i, case_id = $"q{i + 1}", line = i + 1, query = $"question {i + 1}", response = $"answer {i + 1}",
                score = i == 5 ? (double?)null : 1 + (i % 5), passing = i == 5 ? (bool?)null : i > 1, feedback = $"judge says {i}", invalid_result = i == 5,
                invalid_reason = i == 5 ? "unparseable verdict" : null, attempts = 1, elapsed_ms = 20.0,
            }));
        }

        File.WriteAllText(Path.Combine(dir, "results.jsonl"), string.Join('\n', lines) + "\n");
        return dir;
    }
}
