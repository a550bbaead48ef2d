namespace Sluice.Rag.Tests.Ingestion;

public sealed class SentenceSplitterTests
{
    private static SourceDocument Document(string text) => new() { Id = "doc", Source = "doc.txt", Title = "T", Text = text };

    [Fact]
    public void Chunks_fit_the_model_in_its_own_tokens_end_on_sentences_and_overlap()
    {
        var model = SharedModel.Generator;
        var splitter = new SentenceSplitter(model.CountTokens);
        string text = IngestionTestBed.Prose("sluice", 80, seed: 1) + "\n\n" + IngestionTestBed.Prose("weir", 40, seed: 2);

        var chunks = splitter.Split(Document(text));

        Assert.True(chunks.Count >= 5, $"{chunks.Count} chunks");
        for (int i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            Assert.Equal(i, chunk.Position);
            Assert.Equal(("doc", "doc.txt", "T"), (chunk.DocumentId, chunk.Source, chunk.Title));
            int tokens = model.CountTokens(chunk.Text);
            Assert.Equal(tokens, chunk.Tokens); // the splitter's sum equals the tokenizer's count of the whole
            Assert.InRange(tokens, 3, 240);
            Assert.EndsWith(".", chunk.Text, StringComparison.Ordinal);
            if (i > 0)
            {
                // The overlap: whole sentences (at most 32 tokens) from the end of the previous chunk start this one.
                string previous = chunks[i - 1].Text;
                string lastSentence = previous[previous.LastIndexOf("The ", StringComparison.Ordinal)..];
                string firstSentence = chunk.Text[..(chunk.Text.IndexOf('.', StringComparison.Ordinal) + 1)];
                Assert.Contains(lastSentence, chunk.Text, StringComparison.Ordinal);
                Assert.Contains(firstSentence, previous, StringComparison.Ordinal);
                Assert.InRange(model.CountTokens(chunk.Text[..(chunk.Text.IndexOf(lastSentence, StringComparison.Ordinal) + lastSentence.Length)]), 3, 32 + 2);
            }
        }

        // Every sentence of the text is in some chunk.
        foreach (string sentence in text.Split(". ", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Contains(chunks, c => c.Text.Contains(sentence.Trim().TrimEnd('.'), StringComparison.Ordinal));
        }
    }

    [Fact]
    public void A_sentence_or_word_longer_than_a_chunk_is_split_within_the_limit()
    {
        var model = SharedModel.Generator;
        var splitter = new SentenceSplitter(model.CountTokens, new SentenceSplitterOptions { ChunkTokens = 64, OverlapTokens = 8 });
        string run = string.Join(' ', Enumerable.Range(0, 300).Select(i => $"word{i}"));
        string blob = new('x', 2_000);
        var chunks = splitter.Split(Document($"{run} {blob}. Short end."));

        Assert.All(chunks, c => Assert.InRange(model.CountTokens(c.Text), 3, 64));
        Assert.Contains("word0 ", chunks[0].Text, StringComparison.Ordinal);
        Assert.Contains(chunks, c => c.Text.Contains("word299", StringComparison.Ordinal));
        Assert.EndsWith("Short end.", chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void White_space_gives_no_chunks_and_options_name_the_bad_property()
    {
        var splitter = new SentenceSplitter(SharedModel.Generator.CountTokens);
        Assert.Empty(splitter.Split(Document(" \n\n \t ")));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceSplitterOptions { ChunkTokens = 100, OverlapTokens = 50 }.Validate());
        Assert.Equal("OverlapTokens", error.ParamName);
    }
}
