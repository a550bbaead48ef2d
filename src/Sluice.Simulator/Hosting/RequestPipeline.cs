using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Sluice.Simulator.Content;
using Sluice.Simulator.Endpoints;
using Sluice.Simulator.Faults;
using Sluice.Simulator.Limits;
using Sluice.Simulator.Timing;

namespace Sluice.Simulator;

/// <summary>
/// The path of one request: count it, read and fingerprint the body, let the endpoint answer, then apply (in this
/// order) invalid-request 400s, the rate limits, an injected fault, the latency model, and write the answer.
/// </summary>
internal sealed class RequestPipeline(SimulatorState state)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private static readonly byte[] QuotaExhaustedBody = SimulatedReply.ErrorBody(
        "You exceeded your current quota, please check your plan and billing details (simulated).",
        "insufficient_quota", null, "insufficient_quota");

    private static byte[] RateLimitedBody(in RateDecision decision)
    {
        string what = decision.LimitedBy ?? "requests";
        return SimulatedReply.ErrorBody(
            $"Rate limit reached for {what} per minute (simulated). Please try again in {decision.RetryAfterSeconds:0.###}s.",
            what, null, "rate_limit_exceeded");
    }

    public async Task HandleAsync(HttpContext context, ISimulatedEndpoint endpoint)
    {
        long start = Stopwatch.GetTimestamp();
        var counters = state.Counters;
        long inFlight = counters.Enter();
        int status = 0;
        try
        {
            var options = state.Options;
            byte[] body = await ReadBodyAsync(context.Request.BodyReader, context.RequestAborted);
            var hash = RequestHash.Of(body);
            int seen = counters.SeeBody(hash);
            var reply = AnswerOf(endpoint, new EndpointRequest(body, hash, context.Request, state, options));
            var response = context.Response;

            if (!endpoint.IsSimulatedWork || !reply.IsSuccess)
            {
                if (endpoint.IsSimulatedWork)
                    RateLimitHeaders.Write(response.Headers, state.Limits.Peek());
                status = reply.StatusCode;
                await WriteJsonAsync(response, status, reply.Body, context.RequestAborted);
                return;
            }

            // A key out of credit gets OpenAI's 429 insufficient_quota: no wait cures it, so the headers (from Peek,
            // which admits) carry no Retry-After and no budget is taken.
            var decision = options.QuotaExhausted ? state.Limits.Peek() : state.Limits.TryAdmit(reply.TokenCost, reply.UsesTokenBudget);
            RateLimitHeaders.Write(response.Headers, decision);
            if (options.QuotaExhausted || !decision.Admitted)
            {
                counters.RateLimited();
                status = 429;
                await WriteJsonAsync(response, 429, options.QuotaExhausted ? QuotaExhaustedBody : RateLimitedBody(decision), context.RequestAborted);
                return;
            }

            var fault = FaultPlan.Choose(options, hash, seen);
            if (fault != FaultKind.None)
                counters.Fault(fault);
            switch (fault)
            {
                case FaultKind.Error500 or FaultKind.Error502 or FaultKind.Error503:
                    status = fault switch { FaultKind.Error500 => 500, FaultKind.Error502 => 502, _ => 503 };
                    await WriteJsonAsync(response, status, SimulatedReply.Error(status,
                        $"The server had an error while processing your request (simulated {status}).", "server_error", null, null).Body, context.RequestAborted);
                    return;
                case FaultKind.Hang:
                    try { await Task.Delay(TimeSpan.FromMilliseconds(options.MaxHangMs), context.RequestAborted); }
                    catch (OperationCanceledException) { }
                    context.Abort();
                    return;
                case FaultKind.Drop:
                    context.Abort();
                    return;
            }

            var latency = new LatencyPlan(options, hash.Seed(options.Seed, 0x1A7UL + (ulong)seen), inFlight);
            if (reply.Stream is { } stream && fault != FaultKind.Malformed)
            {
                status = 200;
                await StreamAsync(context, stream, latency, start);
            }
            else
            {
                await state.Delay.WaitUntilAsync(latency.Deadline(start, reply.CompletionTokens), context.RequestAborted);
                double achieved = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                status = 200;
                byte[] payload = fault == FaultKind.Malformed ? reply.Body[..(reply.Body.Length / 2)] : reply.Body;
                await WriteJsonAsync(response, 200, payload, context.RequestAborted);
                if (fault != FaultKind.Malformed)
                    counters.Succeeded(hash, reply.PromptTokens, reply.CompletionTokens, achieved);
                return;
            }
            counters.Succeeded(hash, reply.PromptTokens, reply.CompletionTokens, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = 0;
        }
        finally
        {
            counters.Status(endpoint.Name, status);
            counters.Leave();
        }
    }

    private async Task StreamAsync(HttpContext context, IReadOnlyList<(byte[] Payload, int Tokens)> chunks, LatencyPlan latency, long start)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        int tokens = 0;
        foreach (var (payload, chunkTokens) in chunks)
        {
            tokens += chunkTokens;
            await state.Delay.WaitUntilAsync(latency.Deadline(start, tokens), context.RequestAborted);
            writer.Write(DataPrefix);
            writer.Write(payload);
            writer.Write(EventEnd);
            await writer.FlushAsync(context.RequestAborted);
        }
        writer.Write(Done);
        await writer.FlushAsync(context.RequestAborted);
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, byte[] body, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.BodyWriter.WriteAsync(body, cancellationToken);
    }

    private static async ValueTask<byte[]> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted || result.IsCanceled)
            {
                byte[] body = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return body;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>The endpoint's reply, or the OpenAI-shaped 400 when it finds the request invalid.</summary>
    private static SimulatedReply AnswerOf(ISimulatedEndpoint endpoint, in EndpointRequest request)
    {
        try
        {
            return endpoint.Answer(request);
        }
        catch (InvalidRequest invalid)
        {
            return invalid.ToReply();
        }
    }
}
