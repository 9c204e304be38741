namespace Arrears.Policy.Notifications.Tests.Smtp;

/// <summary>When the tests that need aiosmtpd skip, and when they must run (and so fail) instead.</summary>
public sealed class AiosmtpdServerTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "true")]
    [InlineData("no Python with aiosmtpd", "true")]
    [InlineData("no Python with aiosmtpd", "TRUE")]
    public void SkipReason_ServerAvailableOrInCi_DoesNotSkip(string? unavailable, string? ci)
    {
        Assert.Null(AiosmtpdServer.SkipReason(unavailable, ci));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("false")]
    [InlineData("1")]
    public void SkipReason_ServerMissingOutsideCi_SkipsWithTheReason(string? ci)
    {
        Assert.Equal(
            "no Python with aiosmtpd (with CI=true this test fails instead of skipping)",
            AiosmtpdServer.SkipReason("no Python with aiosmtpd", ci));
    }
}
