namespace Sluice.Rag.Tests;

/// <summary>The int8 search paths: the integer kernel on int8 rows (one or two queries) and on tiles widened to int16 (blocks).</summary>
public sealed class Int8KernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(384)]
    [InlineData(1536)]
    public void DotInt8x2_equals_the_integer_dot_products_at_the_extremes_of_the_codes(int d)
    {
        var random = new Random(d);
        int largest = DotKernel.MaxQueryCode(d);
        var rows = new sbyte[4][];
        for (int r = 0; r < 4; r++)
        {
            // Row 0 is all +127 against a query of +largest: the largest sum the caller allows.
            rows[r] = Enumerable.Range(0, d).Select(_ => r == 0 ? (sbyte)127 : (sbyte)random.Next(-127, 128)).ToArray();
        }

        short[] q0 = Enumerable.Range(0, d).Select(_ => (short)largest).ToArray();
        short[] q1 = Enumerable.Range(0, d).Select(_ => (short)random.Next(-largest, largest + 1)).ToArray();
        var dots = new int[8];
        DotKernel.DotInt8x2(ref rows[0][0], ref rows[1][0], ref rows[2][0], ref rows[3][0], ref q0[0], ref q1[0], d, dots);
        for (int r = 0; r < 4; r++)
        {
            Assert.Equal(Reference(rows[r], q0), dots[r * 2]);
            Assert.Equal(Reference(rows[r], q1), dots[(r * 2) + 1]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(384)]
    [InlineData(1536)]
    public void DotInt16x2_on_widened_rows_equals_the_integer_dot_products_at_the_extremes_of_the_codes(int d)
    {
        var random = new Random(d + 1);
        int largest = DotKernel.MaxQueryCode(d);
        var rows = new short[4][];
        for (int r = 0; r < 4; r++)
        {
            // Row 0 is all -127 against a query of +largest: the most negative sum the caller allows.
            var codes = Enumerable.Range(0, d).Select(_ => r == 0 ? (sbyte)-127 : (sbyte)random.Next(-127, 128)).ToArray();
            rows[r] = new short[d];
            DotKernel.Widen(codes, rows[r]);
            Assert.Equal(codes.Select(c => (short)c), rows[r]);
        }

        short[] q0 = Enumerable.Range(0, d).Select(_ => (short)largest).ToArray();
        short[] q1 = Enumerable.Range(0, d).Select(_ => (short)random.Next(-largest, largest + 1)).ToArray();
        var dots = new int[8];
        DotKernel.DotInt16x2(ref rows[0][0], ref rows[1][0], ref rows[2][0], ref rows[3][0], ref q0[0], ref q1[0], d, dots);
        for (int r = 0; r < 4; r++)
        {
            Assert.Equal(Reference(rows[r], q0), dots[r * 2]);
            Assert.Equal(Reference(rows[r], q1), dots[(r * 2) + 1]);
        }
    }

    [Theory]
    [InlineData(37, 7)]
    [InlineData(384, 33)]
    public void An_int8_query_scores_exactly_the_same_alone_and_inside_a_block(int d, int queryCount)
    {
        float[][] rows = TestData.RandomUnitVectors(203, d, seed: 23); // 203: the last tile has 3 rows
        float[][] queries = TestData.RandomUnitVectors(queryCount, d, seed: 24);
        var matrix = new VectorMatrix(d, int8: true);
        for (int r = 0; r < rows.Length; r++)
        {
            matrix.Set(r, rows[r]);
        }

        var block = queries.Select(_ => new TopK(rows.Length)).ToArray();
        matrix.ScoreBlock(queries.SelectMany(q => q).ToArray(), block, 0, matrix.Count, null);
        for (int q = 0; q < queryCount; q++)
        {
            var alone = new[] { new TopK(rows.Length) };
            matrix.ScoreBlock(queries[q], alone, 0, matrix.Count, null);
            var expected = alone[0].Sorted().ToDictionary(hit => hit.Row, hit => hit.Score);
            var actual = block[q].Sorted();
            Assert.Equal(rows.Length, actual.Length);
            Assert.All(actual, hit => Assert.Equal(expected[hit.Row], hit.Score));
        }
    }

    [Theory]
    [InlineData(37, 1)]
    [InlineData(37, 2)]
    [InlineData(384, 1)] // one or two queries: scored in integers
    [InlineData(384, 2)]
    [InlineData(384, 5)] // a block: row tiles widened to int16 once
    public void Int8_scores_match_the_float_dot_of_the_decoded_rows(int d, int queryCount)
    {
        float[][] rows = TestData.RandomUnitVectors(203, d, seed: 21);
        float[][] queries = TestData.RandomUnitVectors(queryCount, d, seed: 22);
        var matrix = new VectorMatrix(d, int8: true);
        for (int r = 0; r < rows.Length; r++)
        {
            matrix.Set(r, rows[r]);
        }

        var heaps = queries.Select(_ => new TopK(rows.Length)).ToArray();
        matrix.ScoreBlock(queries.SelectMany(q => q).ToArray(), heaps, 0, matrix.Count, null);
        for (int q = 0; q < queries.Length; q++)
        {
            var hits = heaps[q].Sorted();
            Assert.Equal(rows.Length, hits.Length);
            foreach (var hit in hits)
            {
                double expected = matrix.Row(hit.Row).Zip(queries[q], (a, b) => (double)a * b).Sum();
                Assert.True(Math.Abs(hit.Score - expected) < 1e-4, $"row {hit.Row}: {hit.Score} vs {expected}");
            }
        }
    }

    private static long Reference(short[] row, short[] query)
    {
        long sum = 0;
        for (int i = 0; i < row.Length; i++)
        {
            sum += row[i] * query[i];
        }

        return sum;
    }

    private static long Reference(sbyte[] row, short[] query)
    {
        long sum = 0;
        for (int i = 0; i < row.Length; i++)
        {
            sum += row[i] * query[i];
        }

        return sum;
    }
}
