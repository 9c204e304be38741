using NodaTime;

namespace Arrears.Policy.Notifications.Tests;

public sealed class NotificationTextTests
{
    [Fact]
    public void MessageId_SameKey_IsTheSameAndOtherKeysDiffer()
    {
        var id = NotificationText.MessageId("acct-1/1/Suspended/owner/Email", "example.com");

        Assert.Equal(id, NotificationText.MessageId("acct-1/1/Suspended/owner/Email", "example.com"));
        Assert.NotEqual(id, NotificationText.MessageId("acct-1/1/Suspended/dev/Email", "example.com"));
        Assert.Matches("^arrears\\.[0-9a-f]{32}@example\\.com$", id);
    }

    [Theory]
    [InlineData("acct-1/1/Suspended/owner/Email", "acct-1/1/Suspended/owner/Email")]
    [InlineData("a b~!", "a b~!")]
    [InlineData("é", "%C3%A9")]
    [InlineData("a\nb", "a%0Ab")]
    public void HeaderValue_Key_IsItselfWhenPrintableAsciiElsePercentEncoded(string key, string expected)
    {
        Assert.Equal(expected, NotificationText.HeaderValue(key));
    }

    [Theory]
    [InlineData("5.1.1 <bob@example.com>: Recipient address rejected", "5.1.1 <[address]>: Recipient address rejected")]
    [InlineData("no such number +86 138-0000-0000", "no such number [number]")]
    [InlineData("queue 550 5.7.1 ok", "queue 550 5.7.1 ok")]
    [InlineData("line one\r\n  line\ttwo", "line one line two")]
    [InlineData(null, "")]
    [InlineData("  ", "")]
    public void Safe_ServerText_HasNoAddressesNumbersOrLineBreaks(string? text, string expected)
    {
        Assert.Equal(expected, NotificationText.Safe(text));
    }

    [Fact]
    public void Safe_LongText_IsCutAt200Characters()
    {
        var safe = NotificationText.Safe(new string('x', 500));

        Assert.Equal(new string('x', 200) + "…", safe);
    }

    [Theory]
    [InlineData(30_000, "30 s")]
    [InlineData(300, "0.3 s")]
    [InlineData(1_234, "1.234 s")]
    public void Seconds_Duration_ReadsInSeconds(long milliseconds, string expected)
    {
        Assert.Equal(expected, NotificationText.Seconds(Duration.FromMilliseconds(milliseconds)));
    }
}
