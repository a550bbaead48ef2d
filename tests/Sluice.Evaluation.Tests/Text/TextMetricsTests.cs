namespace Sluice.Evaluation.Tests;

public sealed class TextMetricsTests
{
    private const int Precision = 6;

    [Theory]
    [InlineData("The  Eiffel Tower!", "eiffel tower", 1.0)]
    [InlineData("An apple, a day.", "apple day", 1.0)]
    [InlineData("Eiffel Tower", "Eiffel Towers", 0.0)]
    [InlineData("", "", 1.0)]
    public void ExactMatch_compares_squad_normalised_answers(string candidate, string reference, double expected) =>
        Assert.Equal(expected, TextMetrics.ExactMatch(candidate, reference));

    [Theory]
    [InlineData("The Cat, sat on a MAT!", "cat sat on mat")]
    [InlineData("  an   apple\tthe pie ", "apple pie")]
    [InlineData("theory and anthem", "theory and anthem")]
    [InlineData("don't", "dont")]
    public void NormalizeAnswer_follows_squad(string text, string expected) =>
        Assert.Equal(expected, TextMetrics.NormalizeAnswer(text));

    [Fact]
    public void TokenF1_partial_overlap()
    {
        // "cat sat on mat" vs "cat is on mat": common = {cat, on, mat} = 3; P = 3/4, R = 3/4, F1 = 3/4.
        Assert.Equal(0.75, TextMetrics.TokenF1("The cat sat on the mat.", "A cat is on the mat"), Precision);
    }

    [Fact]
    public void TokenF1_subset()
    {
        // [paris] vs [paris, france]: common 1; P = 1, R = 1/2; F1 = 2·1·½ / (1 + ½) = 2/3.
        Assert.Equal(2.0 / 3.0, TextMetrics.TokenF1("Paris", "Paris, France"), Precision);
    }

    [Fact]
    public void TokenF1_clips_repeated_tokens()
    {
        // [cat, cat, cat] vs [cat]: common min(3, 1) = 1; P = 1/3, R = 1; F1 = 2·⅓·1 / (⅓ + 1) = 1/2.
        Assert.Equal(0.5, TextMetrics.TokenF1("cat cat cat", "cat"), Precision);
    }

    [Theory]
    [InlineData("the the the", "", 1.0)] // both normalise to nothing
    [InlineData("a", "b", 0.0)] // "a" is an article: no candidate tokens, one reference token
    [InlineData("dog", "cat", 0.0)]
    public void TokenF1_edge_cases(string candidate, string reference, double expected) =>
        Assert.Equal(expected, TextMetrics.TokenF1(candidate, reference));

    [Fact]
    public void Bleu_identical_long_sentences_score_1() =>
        Assert.Equal(1.0, TextMetrics.Bleu("the cat sat on the mat", "the cat sat on the mat"), Precision);

    [Fact]
    public void Bleu_one_word_changed()
    {
        // candidate: the cat sat on the mat (c = 6); reference: the cat is on the mat (r = 6).
        // p1 = the×2, cat, on, mat → 5/6
        // p2 = "the cat", "on the", "the mat" → 3/5
        // p3 = "on the mat" → 1/4
        // p4 = no match → smoothed 0.1/3 (Chen & Cherry method 1)
        // BP = exp(1 − 6/6) = 1
        // BLEU = (5/6 · 3/5 · 1/4 · 1/30)^(1/4) = (1/240)^(1/4) ≈ 0.254066
        Assert.Equal(Math.Pow(1.0 / 240.0, 0.25), TextMetrics.Bleu("the cat sat on the mat", "the cat is on the mat"), Precision);
        Assert.Equal(0.254066, TextMetrics.Bleu("the cat sat on the mat", "the cat is on the mat"), Precision);
    }

    [Fact]
    public void Bleu_short_candidate_pays_the_brevity_penalty()
    {
        // candidate: the cat (c = 2); reference: the cat sat on the mat (r = 6).
        // p1 = 2/2, p2 = 1/1, p3 = 0.1/max(1, 0) = 0.1, p4 = 0.1
        // geometric mean = (1 · 1 · 0.1 · 0.1)^(1/4) = 0.01^(1/4) ≈ 0.316228
        // BP = exp(1 − 6/2) = e^−2 ≈ 0.135335
        // BLEU ≈ 0.135335 · 0.316228 ≈ 0.042797
        Assert.Equal(Math.Exp(-2) * Math.Pow(0.01, 0.25), TextMetrics.Bleu("the cat", "the cat sat on the mat"), Precision);
        Assert.Equal(0.042797, TextMetrics.Bleu("the cat", "the cat sat on the mat"), Precision);
    }

    [Fact]
    public void Bleu_short_identical_answers_are_smoothed_not_zero()
    {
        // "The Cat!" tokenises to [the, cat] like the reference: p1 = p2 = 1, p3 = p4 = 0.1; BP = 1.
        // BLEU = 0.01^(1/4) ≈ 0.316228.
        Assert.Equal(0.316228, TextMetrics.Bleu("The Cat!", "the cat"), Precision);
    }

    [Theory]
    [InlineData("dog", "cat")] // no unigram matches
    [InlineData("", "the cat")] // empty candidate
    [InlineData("the cat", "")] // empty reference
    public void Bleu_is_zero_without_unigram_matches(string candidate, string reference) =>
        Assert.Equal(0.0, TextMetrics.Bleu(candidate, reference));

    [Fact]
    public void RougeL_one_word_changed()
    {
        // LCS(the cat sat on the mat, the cat is on the mat) = the cat on the mat = 5; P = R = 5/6; F(β=1) = 5/6.
        Assert.Equal(5.0 / 6.0, TextMetrics.RougeL("the cat sat on the mat", "the cat is on the mat"), Precision);
    }

    [Fact]
    public void RougeL_short_candidate()
    {
        // LCS = 2; P = 2/2 = 1; R = 2/6 = 1/3; F = 2·1·⅓ / (1 + ⅓) = 1/2.
        Assert.Equal(0.5, TextMetrics.RougeL("the cat", "the cat sat on the mat"), Precision);
    }

    [Fact]
    public void RougeL_reordered_words()
    {
        // [the, gunman, kill, police] vs [police, killed, the, gunman]: LCS = "the gunman" = 2; P = R = 2/4; F = 1/2.
        Assert.Equal(0.5, TextMetrics.RougeL("the gunman kill police", "police killed the gunman"), Precision);
    }

    [Theory]
    [InlineData("", "the cat", 0.0)]
    [InlineData("dog", "cat", 0.0)]
    [InlineData("The cat.", "the CAT", 1.0)]
    public void RougeL_edge_cases(string candidate, string reference, double expected) =>
        Assert.Equal(expected, TextMetrics.RougeL(candidate, reference), Precision);
}
