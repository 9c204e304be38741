using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace Arrears.Policy.Notifications.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test_0123456789abcdef";

    private static readonly Instant SignedAt = Instant.FromUnixTimeSeconds(1_770_021_075);

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"key\":\"acct-1/1/Suspended/owner/SMS\",\"text\":\"账户 acct-1\"}");

    private static readonly Duration Tolerance = Duration.FromMinutes(5);

    [Fact]
    public void Sign_KnownInput_IsHmacSha256OfTimestampDotBodyInLowerCaseHex()
    {
        var expected = Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), (byte[])[.. Encoding.ASCII.GetBytes("1770021075."), .. Body]));

        Assert.Equal($"t=1770021075,v1={expected}", Sign(Body));
    }

    [Fact]
    public void Verify_SignedBodyWithinTolerance_IsTrue()
    {
        Assert.True(WebhookSignature.Verify(Secret, Sign(Body), Body, SignedAt + Duration.FromMinutes(1), Tolerance));
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void Verify_TimestampExactlyAtTheTolerance_IsTrue(int seconds)
    {
        Assert.True(WebhookSignature.Verify(Secret, Sign(Body), Body, SignedAt + Duration.FromSeconds(seconds), Tolerance));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_TimestampBeyondTheTolerance_IsFalse(int seconds)
    {
        Assert.False(WebhookSignature.Verify(Secret, Sign(Body), Body, SignedAt + Duration.FromSeconds(seconds), Tolerance));
    }

    [Fact]
    public void Verify_OneByteOfTheBodyChanged_IsFalse()
    {
        var tampered = Body.ToArray();
        tampered[10] ^= 1;

        Assert.False(WebhookSignature.Verify(Secret, Sign(Body), tampered, SignedAt, Tolerance));
    }

    [Fact]
    public void Verify_OtherSecret_IsFalse()
    {
        Assert.False(WebhookSignature.Verify("whsec_other_0123456789abcdef", Sign(Body), Body, SignedAt, Tolerance));
    }

    [Fact]
    public void Verify_TimestampChangedInTheHeader_IsFalse()
    {
        var header = Sign(Body).Replace("t=1770021075", "t=1770021076", StringComparison.Ordinal);

        Assert.False(WebhookSignature.Verify(Secret, header, Body, SignedAt, Tolerance));
    }

    [Fact]
    public void Verify_SeveralSignaturesOneMatching_IsTrue()
    {
        // A sender rotating its secret may sign with both; spaces after commas are tolerated.
        var v1 = Sign(Body).Split(",v1=")[1];
        var header = $"t=1770021075, v1={new string('0', 64)}, v0=legacy, v1={v1}";

        Assert.True(WebhookSignature.Verify(Secret, header, Body, SignedAt, Tolerance));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1770021075")]
    [InlineData("t=,v1=VALID")]
    [InlineData("t=-1770021075,v1=VALID")]
    [InlineData("t=+1770021075,v1=VALID")]
    [InlineData("t=1770021075.0,v1=VALID")]
    [InlineData("t=999999999999,v1=VALID")]
    [InlineData("t=1770021075,t=1770021075,v1=VALID")]
    [InlineData("t=1770021075,v1=VALID00")]
    [InlineData("t=1770021075,v1=zz")]
    public void Verify_MalformedHeader_IsFalse(string? header)
    {
        var valid = Sign(Body).Split(",v1=")[1];

        Assert.False(WebhookSignature.Verify(Secret, header?.Replace("VALID", valid, StringComparison.Ordinal), Body, SignedAt, Tolerance));
    }

    [Fact]
    public void Verify_NegativeTolerance_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WebhookSignature.Verify(Secret, Sign(Body), Body, SignedAt, Duration.FromSeconds(-1)));
    }

    [Fact]
    public void Verify_EmptySecret_Throws()
    {
        Assert.Throws<ArgumentException>(() => WebhookSignature.Verify(string.Empty, Sign(Body), Body, SignedAt, Tolerance));
    }

    private static string Sign(byte[] body) => WebhookSignature.Sign(Encoding.UTF8.GetBytes(Secret), SignedAt, body);
}
