using System.Numerics;
using System.Text;
using Arrears.Policy.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Tests.Text;

public sealed class IsoDurationPatternTests
{
    private static readonly IsoDurationPattern Pattern = IsoDurationPattern.Instance;

    [Theory]
    [InlineData("PT24H", 24L * 3600 * 1_000_000_000)]
    [InlineData("P180D", 180L * 86400 * 1_000_000_000)]
    [InlineData("PT0S", 0L)]
    [InlineData("P0D", 0L)]
    [InlineData("-PT0S", 0L)]
    [InlineData("P1DT2H30M", ((26L * 60) + 30) * 60 * 1_000_000_000)]
    [InlineData("PT15M", 15L * 60 * 1_000_000_000)]
    [InlineData("PT36H", 36L * 3600 * 1_000_000_000)]
    [InlineData("PT01H", 3600L * 1_000_000_000)]
    [InlineData("-PT30M", -30L * 60 * 1_000_000_000)]
    [InlineData("PT0.5S", 500_000_000L)]
    [InlineData("PT1H0.25S", (3600L * 1_000_000_000) + 250_000_000)]
    [InlineData("PT0.000000001S", 1L)]
    [InlineData("PT1.500000000000S", 1_500_000_000L)]
    [InlineData("P1DT0S", 86400L * 1_000_000_000)]
    public void Parse_AcceptedForm_ReadsTheDuration(string text, long nanoseconds)
    {
        var result = Pattern.Parse(text);

        Assert.True(result.Success, result.Success ? null : result.Exception.Message);
        Assert.Equal(Duration.FromNanoseconds(nanoseconds), result.Value);
    }

    [Theory]
    [InlineData("", "must be an ISO 8601 duration such as \"PT24H\", got \"\"")]
    [InlineData("24H", "must be an ISO 8601 duration such as \"PT24H\", got \"24H\"")]
    [InlineData("P", "must be an ISO 8601 duration such as \"PT24H\", got \"P\"")]
    [InlineData("PT", "must be an ISO 8601 duration such as \"PT24H\", got \"PT\"")]
    [InlineData("-P", "must be an ISO 8601 duration such as \"PT24H\", got \"-P\"")]
    [InlineData("P1DT", "must be an ISO 8601 duration such as \"PT24H\", got \"P1DT\"")]
    [InlineData("PT1HT1M", "must be an ISO 8601 duration such as \"PT24H\", got \"PT1HT1M\"")]
    [InlineData("PT1", "must be an ISO 8601 duration such as \"PT24H\", got \"PT1\"")]
    [InlineData("PT1X", "must be an ISO 8601 duration such as \"PT24H\", got \"PT1X\"")]
    [InlineData("+PT1H", "must be an ISO 8601 duration such as \"PT24H\", got \"+PT1H\"")]
    [InlineData("P-1D", "must be an ISO 8601 duration such as \"PT24H\", got \"P-1D\"")]
    [InlineData("PT1,5S", "must be an ISO 8601 duration such as \"PT24H\", got \"PT1,5S\"")]
    [InlineData("PT.5S", "must be an ISO 8601 duration such as \"PT24H\", got \"PT.5S\"")]
    [InlineData("PT5.S", "must be an ISO 8601 duration such as \"PT24H\", got \"PT5.S\"")]
    [InlineData("30 minutes", "must be an ISO 8601 duration such as \"PT24H\", got \"30 minutes\"")]
    [InlineData("P1Y", "must use days, hours, minutes and seconds only (years, months and weeks have no fixed length), got \"P1Y\"")]
    [InlineData("P1M", "must use days, hours, minutes and seconds only (years, months and weeks have no fixed length), got \"P1M\"")]
    [InlineData("P2W", "must use days, hours, minutes and seconds only (years, months and weeks have no fixed length), got \"P2W\"")]
    [InlineData("P1H", "must write hours, minutes and seconds after a \"T\", such as \"PT1H\", got \"P1H\"")]
    [InlineData("PT1D", "must write days before the \"T\", such as \"P1DT12H\", got \"PT1D\"")]
    [InlineData("PT1M1H", "must give days, hours, minutes and seconds at most once each, in this order, got \"PT1M1H\"")]
    [InlineData("PT1H1H", "must give days, hours, minutes and seconds at most once each, in this order, got \"PT1H1H\"")]
    [InlineData("P1D1D", "must give days, hours, minutes and seconds at most once each, in this order, got \"P1D1D\"")]
    [InlineData("P1.5D", "must have a fraction only on seconds, such as \"PT0.5S\", got \"P1.5D\"")]
    [InlineData("PT1.5H", "must have a fraction only on seconds, such as \"PT0.5S\", got \"PT1.5H\"")]
    [InlineData("PT0.0000000001S", "must not be finer than a nanosecond, got \"PT0.0000000001S\"")]
    [InlineData("P16777216D", "must be within the range of a NodaTime Duration (about 16.7 million days either way), got \"P16777216D\"")]
    [InlineData("PT99999999999999999999999999999H", "must be within the range of a NodaTime Duration (about 16.7 million days either way), got \"PT99999999999999999999999999999H\"")]
    [InlineData("pt24h", "must use upper-case letters, such as \"PT24H\", got \"pt24h\"")]
    [InlineData(" PT24H", "must not contain spaces, got \" PT24H\"")]
    [InlineData("PT24H\n", "must be an ISO 8601 duration such as \"PT24H\", got \"PT24H\\n\"")]
    [InlineData("P\u001b[2J1D", "must be an ISO 8601 duration such as \"PT24H\", got \"P\\u001b[2J1D\"")]
    public void Parse_RejectedForm_FailsWithWhyAndTheText(string text, string expected)
    {
        var result = Pattern.Parse(text);

        Assert.False(result.Success);
        var exception = Assert.IsType<UnparsableValueException>(result.Exception);
        Assert.Equal(expected, exception.Message);
        Assert.Equal(text, exception.Value);
    }

    [Theory]
    [InlineData("P1M", 2)]
    [InlineData("PT1M1H", 5)]
    [InlineData("PT1.5H", 2)]
    [InlineData("P1DTx", 4)]
    [InlineData("pt24h", 0)]
    [InlineData("PT0.1234567891S", 13)]
    public void Parse_RejectedForm_IndexPointsAtTheProblem(string text, int index)
    {
        var exception = Assert.IsType<UnparsableValueException>(Pattern.Parse(text).Exception);

        Assert.Equal(index, exception.Index);
    }

    [Fact]
    public void Parse_Null_FailsWithArgumentNullException()
    {
        var result = Pattern.Parse(null!);

        Assert.False(result.Success);
        Assert.IsType<ArgumentNullException>(result.Exception);
    }

    [Fact]
    public void Parse_RejectedForm_ValueThrowsTheException()
    {
        var exception = Assert.Throws<UnparsableValueException>(() => Pattern.Parse("P1M").Value);

        Assert.EndsWith("got \"P1M\"", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongText_IsShortenedInTheMessage()
    {
        var text = "P" + new string('x', 100);

        var exception = Assert.IsType<UnparsableValueException>(Pattern.Parse(text).Exception);

        Assert.EndsWith($"got \"{text[..64]}…\"", exception.Message, StringComparison.Ordinal);
        Assert.Equal(text, exception.Value);
    }

    [Theory]
    [InlineData("PT24H", "P1D")]
    [InlineData("PT90M", "PT1H30M")]
    [InlineData("PT0.5S", "PT0.5S")]
    [InlineData("PT1.250S", "PT1.25S")]
    [InlineData("-PT1H", "-PT1H")]
    [InlineData("-PT30M", "-PT30M")]
    [InlineData("P180D", "P180D")]
    [InlineData("PT0S", "PT0S")]
    [InlineData("-PT0S", "PT0S")]
    [InlineData("P1DT2H30M", "P1DT2H30M")]
    [InlineData("P1DT0.000000001S", "P1DT0.000000001S")]
    public void Format_ParsedText_UsesLargestWholeUnits(string text, string expected)
    {
        Assert.Equal(expected, Pattern.Format(Pattern.Parse(text).Value));
    }

    [Fact]
    public void Format_RangeEnds_ParseBackToTheSameDuration()
    {
        Assert.Equal("P16777215DT23H59M59.999999999S", Pattern.Format(Duration.MaxValue));
        Assert.Equal("-P16777216D", Pattern.Format(Duration.MinValue));
        Assert.Equal(Duration.MaxValue, Pattern.Parse(Pattern.Format(Duration.MaxValue)).Value);
        Assert.Equal(Duration.MinValue, Pattern.Parse(Pattern.Format(Duration.MinValue)).Value);
    }

    [Fact]
    public void AppendFormat_Builder_AppendsTheFormattedDurationAndReturnsTheBuilder()
    {
        var builder = new StringBuilder("grace ");

        var returned = Pattern.AppendFormat(Duration.FromMinutes(-90), builder);

        Assert.Same(builder, returned);
        Assert.Equal("grace -PT1H30M", builder.ToString());
    }

    [Property(MaxTest = 2000)]
    public Property Format_AnyDuration_ParsesBackToTheSameDuration() =>
        Prop.ForAll(
            Gen.Choose(-16_777_216, 16_777_215).SelectMany(days => ArbMap.Default.GeneratorFor<long>().Select(nanos => (days, nanos))).ToArbitrary(),
            pair =>
            {
                var nanoseconds = (new BigInteger(pair.days) * NodaConstants.NanosecondsPerDay) + BigInteger.Remainder(BigInteger.Abs(pair.nanos), NodaConstants.NanosecondsPerDay);
                var duration = Duration.FromNanoseconds(nanoseconds);
                return Pattern.Parse(Pattern.Format(duration)).Value == duration;
            });
}
