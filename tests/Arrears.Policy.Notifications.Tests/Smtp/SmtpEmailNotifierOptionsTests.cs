using MailKit.Security;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Notifications.Tests.Smtp;

public sealed class SmtpEmailNotifierOptionsTests
{
    [Fact]
    public void Validate_HostAndSender_HasNoErrors()
    {
        var options = new SmtpEmailNotifierOptions { Host = "smtp.example.com", FromAddress = "billing@example.com" };

        Assert.Empty(SmtpEmailNotifier.Validate(options));
    }

    [Fact]
    public void Defaults_NewOptions_AreTheDocumentedOnes()
    {
        var options = new SmtpEmailNotifierOptions();

        Assert.Equal(
            ("Email", 587, SecureSocketOptions.StartTls, (string?)null, (string?)null, (string?)null, Duration.FromSeconds(30)),
            (options.Channel, options.Port, options.SecureSocketOptions, options.UserName, options.Password, options.FromName, options.Timeout));
    }

    [Fact]
    public void Validate_EveryFieldWrong_ListsEveryProblemNamingFieldAndValue()
    {
        var options = new SmtpEmailNotifierOptions
        {
            Channel = " ",
            Host = "smtp example.com",
            Port = 70000,
            SecureSocketOptions = (SecureSocketOptions)42,
            FromAddress = "billing",
            FromName = "Billing\nBcc: x",
            Timeout = Duration.FromSeconds(-1),
        };

        var errors = SmtpEmailNotifier.Validate(options).Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "channel: must not be empty, got \" \"",
                "host: must be a host name or an address without spaces, got \"smtp example.com\"",
                "port: must be from 1 to 65535, got \"70000\"",
                "secureSocketOptions: must be None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable, got \"42\"",
                "fromAddress: must be an email address such as billing@example.com, got \"billing\"",
                "fromName: must be null or a one-line name, got \"Billing\\u000aBcc: x\"",
                "timeout: must be positive and at most one hour, got \"-PT1S\"",
            ],
            errors);
    }

    [Fact]
    public void Validate_CredentialsOverAPlainConnection_AreRefusedWithoutShowingThePassword()
    {
        var options = new SmtpEmailNotifierOptions
        {
            Host = "smtp.example.com",
            FromAddress = "billing@example.com",
            UserName = "notifier",
            Password = "hunter2-secret",
            SecureSocketOptions = SecureSocketOptions.None,
        };

        var errors = SmtpEmailNotifier.Validate(options).Select(e => e.ToString()).ToList();

        Assert.Equal(["secureSocketOptions: must secure the connection when credentials are set (Auto, SslOnConnect or StartTls), got \"None\""], errors);
    }

    [Theory]
    [InlineData("notifier", null, "password: must be set when userName is set, got none")]
    [InlineData(null, "hunter2-secret", "password: is set but userName is not; set both or neither")]
    [InlineData("", "hunter2-secret", "userName: must be null (no authentication) or a user name, got \"\"")]
    public void Validate_HalfTheCredentials_IsAnErrorThatNeverShowsThePassword(string? userName, string? password, string expected)
    {
        var options = new SmtpEmailNotifierOptions { Host = "smtp.example.com", FromAddress = "billing@example.com", UserName = userName, Password = password };

        var error = Assert.Single(SmtpEmailNotifier.Validate(options));

        Assert.Equal(expected, error.ToString());
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsListingEveryProblem()
    {
        var options = new SmtpEmailNotifierOptions { Port = 0 };

        var exception = Assert.Throws<ArgumentException>(() => new SmtpEmailNotifier(options, new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0))));

        Assert.Equal("options", exception.ParamName);
        Assert.StartsWith(
            "Invalid SMTP email notifier options: host: must not be empty, got \"\"; port: must be from 1 to 65535, got \"0\"; fromAddress: ",
            exception.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OptionsChangedAfterwards_KeepsTheCopiedSettings()
    {
        var options = new SmtpEmailNotifierOptions { Host = "smtp.example.com", FromAddress = "billing@example.com", Channel = "Email" };
        var notifier = new SmtpEmailNotifier(options, new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0)));

        options.Channel = "Other";

        Assert.Equal("Email", notifier.Channel);
    }
}
