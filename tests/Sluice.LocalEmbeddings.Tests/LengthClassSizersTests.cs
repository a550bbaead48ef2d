namespace Sluice.LocalEmbeddings.Tests;

/// <summary>The local generator's sizes per length class against scripted costs: no model, no clock.</summary>
public sealed class LengthClassSizersTests
{
    [Theory]
    [InlineData(2, 0)]
    [InlineData(16, 0)]
    [InlineData(17, 1)]
    [InlineData(64, 2)]
    [InlineData(65, 3)]
    [InlineData(256, 4)]
    [InlineData(512, 5)]
    public void Texts_fall_into_classes_by_length(int tokens, int expected) =>
        Assert.Equal(expected, LengthClassSizers.ClassOf(tokens));

    [Fact]
    public void Short_and_long_texts_each_keep_their_own_best_size()
    {
        // Short texts (10 word pieces) are cheapest per position in groups of 40, long ones (200) in groups of 8, as
        // length-sorted input meets them: first every short group, then every long one. One sizer for both would carry
        // 40 into the long texts; one per class learns 8 there and keeps 40 for the short ones.
        var options = new LocalEmbeddingOptions();
        var sizers = new LengthClassSizers(options);
        var longSizes = new List<int>();
        Drive(sizers, tokens: 10, groups: 200, best: 40, longSizes);
        var shortSizer = sizers.Of(LengthClassSizers.ClassOf(10))!;
        int shortHeld = shortSizer.SizeInForce;
        Assert.InRange(shortHeld, 20, 80);

        longSizes.Clear();
        Drive(sizers, tokens: 200, groups: 200, best: 8, longSizes);
        var longSizer = sizers.Of(LengthClassSizers.ClassOf(200))!;
        Assert.InRange(longSizer.SizeInForce, 6, 12);
        Assert.Equal(shortHeld, shortSizer.SizeInForce);

        // The long class never proposes more texts than the token limit lets through at its shortest length (129).
        Assert.All(longSizes, size => Assert.InRange(size, options.MinGroupSize, options.MaxGroupTokens / 129));
        Assert.Equal(longSizer.Current, sizers.Current); // progress shows the size of the class in use
    }

    [Fact]
    public void A_new_class_starts_from_the_shorter_class_scaled_to_the_same_positions()
    {
        var sizers = new LengthClassSizers(new LocalEmbeddingOptions { InitialGroupSize = 64 });
        Assert.Equal(64, sizers.Current);
        Assert.Equal(64, sizers.For(10).SizeInForce);      // class 0: the initial size
        Assert.Equal(16, sizers.For(50).SizeInForce);      // class 2: two doublings of length later, a quarter
        Assert.Equal(4, sizers.For(300).SizeInForce);      // class 5: 16 / 8 = 2, held at MinGroupSize
    }

    private static void Drive(LengthClassSizers sizers, int tokens, int groups, int best, List<int> proposed)
    {
        for (int g = 0; g < groups; g++)
        {
            var sizer = sizers.For(tokens);
            int size = sizer.Current;
            proposed.Add(size);
            double perPosition = ((best * best / 4.0 / size) + (size / 4.0) + 10) * tokens;
            sizer.Record(size, (long)size * tokens, TimeSpan.FromTicks((long)(perPosition * size * tokens)));
        }
    }
}
