using System.Diagnostics;

namespace Sluice.Rag.Tests;

/// <summary>The page reader against a static site on 127.0.0.1.</summary>
public sealed class WebPageReaderTests(StaticSite site) : IClassFixture<StaticSite>
{
    private static async Task<List<WebPageResult>> ReadAllAsync(WebPageReader reader, IEnumerable<string> urls)
    {
        var results = new List<WebPageResult>();
        await foreach (var result in reader.ReadAsync(urls))
        {
            results.Add(result);
        }

        return results;
    }

    [Fact]
    public async Task A_mixed_list_gives_one_result_per_url_in_order_and_a_bad_page_never_holds_up_the_others()
    {
        using var reader = new WebPageReader(new WebPageReaderOptions { Timeout = TimeSpan.FromSeconds(1), MaxBytes = 1024 * 1024, MaxRedirects = 3 });
        var cases = new (string Path, WebPageFailureKind? Expected)[]
        {
            ("pages/one", null),
            ("slow", WebPageFailureKind.Timeout),
            ("trickle", WebPageFailureKind.Timeout),
            ("huge", WebPageFailureKind.TooLarge),
            ("huge-chunked", WebPageFailureKind.TooLarge),
            ("image", WebPageFailureKind.UnsupportedContentType),
            ("octet", WebPageFailureKind.UnsupportedContentType),
            ("untyped", WebPageFailureKind.UnsupportedContentType),
            ("loop/a", WebPageFailureKind.RedirectLoop),
            ("chain/0", WebPageFailureKind.TooManyRedirects),
            ("to-ftp", WebPageFailureKind.InvalidUrl),
            ("missing", WebPageFailureKind.HttpStatus),
            ("moved", null),
            ("text", null),
            ("latin1", null),
        };
        string[] urls = [.. cases.Select(c => site.Url(c.Path)), "not a url", "file:///etc/passwd"];

        var clock = Stopwatch.StartNew();
        var results = await ReadAllAsync(reader, urls);
        clock.Stop();

        Assert.Equal(urls, results.Select(r => r.Url));
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.True(cases[i].Expected == results[i].Failure?.Kind, $"{cases[i].Path}: expected {cases[i].Expected?.ToString() ?? "success"}, got {results[i].Failure}");
        }

        Assert.Equal(WebPageFailureKind.InvalidUrl, results[^2].Failure!.Kind);
        Assert.Equal(WebPageFailureKind.InvalidUrl, results[^1].Failure!.Kind);
        Assert.Equal(404, results[11].Failure!.StatusCode);
        Assert.Contains("WebPageReaderOptions.MaxBytes", results[3].Failure!.Message);
        Assert.Contains("image/png", results[5].Failure!.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}: the slow pages held the run up");

        var page = results[0].Document!;
        Assert.Equal(site.Url("pages/one"), page.Id);
        Assert.Contains("The page called one.", page.Text);
        Assert.Equal("Page & one", page.Metadata[WebDocument.TitleKey]);
        Assert.Equal("text/html", page.Metadata[WebDocument.ContentTypeKey]);
        Assert.Equal(site.Url("pages/target"), results[12].Document!.Metadata[WebDocument.FinalUrlKey]);
        Assert.Equal(site.Url("moved"), results[12].Document!.Metadata[WebDocument.UrlKey]);
        Assert.Equal("plain words", results[13].Document!.Text);
        Assert.Equal("café crème", results[14].Document!.Text);
    }

    [Fact]
    public async Task A_long_redirect_chain_is_followed_when_the_limit_allows()
    {
        using var reader = new WebPageReader(new WebPageReaderOptions { MaxRedirects = 10 });
        var result = Assert.Single(await ReadAllAsync(reader, [site.Url("chain/0")]));
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("end of chain", result.Document!.Metadata[WebDocument.TitleKey]);
        Assert.Equal(site.Url("chain/10"), result.Document.Metadata[WebDocument.FinalUrlKey]);

        using var strict = new WebPageReader(new WebPageReaderOptions { MaxRedirects = 0 });
        Assert.Equal(WebPageFailureKind.TooManyRedirects, Assert.Single(await ReadAllAsync(strict, [site.Url("moved")])).Failure!.Kind);
    }

    [Fact]
    public async Task One_host_never_gets_more_requests_at_once_than_the_per_host_limit()
    {
        site.ResetPeak();
        using var reader = new WebPageReader(new WebPageReaderOptions { MaxConcurrency = 12, MaxConcurrencyPerHost = 3 });
        var results = await ReadAllAsync(reader, Enumerable.Range(0, 24).Select(i => site.Url($"hold/{i}")));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Failure?.Message));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"held {i}"), results.Select(r => r.Document!.Text));
        Assert.Equal(3, site.PeakHolding);
    }

    [Fact]
    public void Options_are_checked_with_messages_that_name_them()
    {
        Assert.Contains("WebPageReaderOptions.MaxConcurrencyPerHost", Assert.Throws<ArgumentOutOfRangeException>(
            () => new WebPageReader(new WebPageReaderOptions { MaxConcurrencyPerHost = 0 })).Message);
        Assert.Contains("WebPageReaderOptions.Timeout", Assert.Throws<ArgumentOutOfRangeException>(
            () => new WebPageReader(new WebPageReaderOptions { Timeout = TimeSpan.Zero })).Message);
        Assert.Contains("WebPageReaderOptions.AllowedContentTypes", Assert.Throws<ArgumentException>(
            () => new WebPageReader(new WebPageReaderOptions { AllowedContentTypes = [] })).Message);
    }
}
