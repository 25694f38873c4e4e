using System.Text;
using Tetragon.Docker.Agent.Export;

namespace Tetragon.Docker.Agent.Tests;

public sealed class Utf8LineWriterTests
{
    [Fact]
    public void EncodesWhatAStringWriterWouldHoldAsUtf8EvenAcrossSplitSurrogatesAndGrowth()
    {
        var writer = new Utf8LineWriter();
        var expected = new StringBuilder();
        for (var round = 0; round < 2; round++) // the second time after Clear, in the grown buffer
        {
            writer.Clear();
            expected.Clear();
            var big = new string('x', 40_000);
            var emoji = "\U0001F680";
            foreach (var piece in new[] { "{ \"a\": ", "\"é\u2028", big, "ü" })
            {
                writer.Write(piece);
                expected.Append(piece);
            }

            writer.Write(emoji[0]); // a surrogate pair written one char at a time
            writer.Write(emoji[1]);
            writer.Write("z".ToCharArray(), 0, 1);
            writer.Write('\n');
            expected.Append(emoji).Append("z\n");
            Assert.Equal(Encoding.UTF8.GetBytes(expected.ToString()), writer.Written.ToArray());
        }
    }

    [Fact]
    public void NumbersAreWrittenAsAStringWriterWritesThem()
    {
        var writer = new Utf8LineWriter(4); // numbers grow the buffer too
        var expected = new StringWriter();
        foreach (var w in new TextWriter[] { writer, expected })
        {
            w.Write(int.MinValue);
            w.Write(' ');
            w.Write(uint.MaxValue);
            w.Write(' ');
            w.Write(long.MinValue);
            w.Write(' ');
            w.Write(ulong.MaxValue);
            w.Write(' ');
            w.Write(0);
        }

        Assert.Equal(Encoding.UTF8.GetBytes(expected.ToString()), writer.Written.ToArray());
    }
}
