using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Notifications.Tests.Webhooks;

public sealed class WebhookNotifierOptionsTests
{
    [Fact]
    public void Validate_EndpointAndSecret_HasNoErrors()
    {
        var options = new WebhookNotifierOptions { Endpoint = new Uri("https://hooks.example.com/arrears"), Secret = "0123456789abcdef" };

        Assert.Empty(WebhookNotifier.Validate(options));
    }

    [Fact]
    public void Defaults_NewOptions_AreTheDocumentedOnes()
    {
        var options = new WebhookNotifierOptions();

        Assert.Equal(
            ("Webhook", ContactKind.None, (Uri?)null, string.Empty, Duration.FromSeconds(10)),
            (options.Channel, options.Contact, options.Endpoint, options.Secret, options.Timeout));
    }

    [Fact]
    public void Validate_EveryFieldWrong_ListsEveryProblemNamingFieldAndValueButNeverTheSecret()
    {
        var options = new WebhookNotifierOptions
        {
            Channel = "",
            Contact = (ContactKind)7,
            Endpoint = new Uri("ftp://files.example.com/"),
            Secret = "short-secret",
            Timeout = Duration.FromHours(2),
        };

        var errors = WebhookNotifier.Validate(options).Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "channel: must not be empty, got \"\"",
                "contact: must be None, Email or Phone, got \"7\"",
                "endpoint: must be an absolute http or https address, got \"ftp://files.example.com/\"",
                "secret: must be at least 16 bytes of UTF-8, got 12 bytes",
                "timeout: must be positive and at most one hour, got \"PT2H\"",
            ],
            errors);
    }

    [Theory]
    [InlineData(null, "endpoint: must be an absolute http or https address, got none")]
    [InlineData("/relative/path", "endpoint: must be an absolute http or https address, got \"/relative/path\"")]
    [InlineData("https://user:pass@hooks.example.com/", "endpoint: must not hold credentials (user:password@); the signature authenticates the requests")]
    public void Validate_BadEndpoint_NamesTheProblem(string? endpoint, string expected)
    {
        var options = new WebhookNotifierOptions
        {
            Endpoint = endpoint is null ? null : new Uri(endpoint, UriKind.RelativeOrAbsolute),
            Secret = "0123456789abcdef",
        };

        Assert.Equal([expected], WebhookNotifier.Validate(options).Select(e => e.ToString()));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsListingEveryProblem()
    {
        using var http = new HttpClient();

        var exception = Assert.Throws<ArgumentException>(
            () => new WebhookNotifier(http, new WebhookNotifierOptions(), new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0))));

        Assert.Equal("options", exception.ParamName);
        Assert.StartsWith(
            "Invalid webhook notifier options: endpoint: must be an absolute http or https address, got none; secret: must be at least 16 bytes of UTF-8, got 0 bytes",
            exception.Message,
            StringComparison.Ordinal);
    }
}
