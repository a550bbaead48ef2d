namespace Sluice.LocalEmbeddings.Tests;

/// <summary>Cancelling a call while its ONNX runs are under way.</summary>
public sealed class CancellationTests(ModelFixture fixture) : IClassFixture<ModelFixture>
{
    [Fact]
    public async Task Cancelling_part_way_is_an_OperationCanceledException_and_the_generator_still_works()
    {
        // Long texts in large groups: each ONNX run lasts long enough for the cancellation to land inside one.
        var texts = Enumerable.Range(0, 4_000).Select(i => string.Join(' ', Enumerable.Repeat($"reservoir {i} spillway gauge", 40))).ToArray();
        using var cancel = new CancellationTokenSource();
        var call = fixture.Generator.GenerateAsync(texts, cancellationToken: cancel.Token);
        await Task.Delay(300);
        cancel.Cancel();

        var error = await Record.ExceptionAsync(() => call);
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        var after = await fixture.Generator.GenerateAsync(["still works"]);
        Assert.Equal(LocalEmbeddingGenerator.Dimensions, after[0].Vector.Length);
    }
}
