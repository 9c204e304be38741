using NodaTime;

namespace Arrears.Policy.Notifications.Tests.Templates;

public sealed class EnglishNotificationTemplatesTests
{
    private static readonly Instant OverdueAt = Instant.FromUtc(2026, 2, 1, 8, 30);
    private static readonly Instant SuspendAt = Instant.FromUtc(2026, 2, 2, 8, 30);
    private static readonly Instant PurgeAt = Instant.FromUtc(2026, 8, 1, 8, 30);

    public static TheoryData<NotificationKind, Instant, decimal, Instant?, string, string, string> Kinds => new()
    {
        {
            NotificationKind.Overdue, OverdueAt, -25.00m, SuspendAt,
            "Account acct-1: payment overdue",
            "The balance of account acct-1 is -25.00 CNY: it has been overdue since 1 Feb 2026 16:30 (Asia/Shanghai).\n" +
            "Pay the arrears before 2 Feb 2026 16:30 (Asia/Shanghai) to keep the service running; after that it is suspended.\n",
            "Account acct-1 is overdue, balance -25.00 CNY. Pay before 2 Feb 2026 16:30 (Asia/Shanghai) to avoid suspension."
        },
        {
            NotificationKind.Suspended, SuspendAt, -20.00m, PurgeAt,
            "Account acct-1: service suspended",
            "The service of account acct-1 was suspended on 2 Feb 2026 16:30 (Asia/Shanghai) because the balance is -20.00 CNY.\n" +
            "Pay the arrears before 1 Aug 2026 16:30 (Asia/Shanghai) to resume it; after that its configuration and data are deleted.\n",
            "Account acct-1 is suspended, balance -20.00 CNY. Pay before 1 Aug 2026 16:30 (Asia/Shanghai) or its data is deleted."
        },
        {
            NotificationKind.PurgeWarning, Instant.FromUtc(2026, 7, 25, 8, 30), -20.00m, PurgeAt,
            "Account acct-1: data will be deleted",
            "The configuration and data of account acct-1 will be deleted on 1 Aug 2026 16:30 (Asia/Shanghai): the service is suspended and the balance is -20.00 CNY.\n" +
            "Pay the arrears before then to resume the service and keep the data.\n",
            "Account acct-1: data will be deleted on 1 Aug 2026 16:30 (Asia/Shanghai), balance -20.00 CNY. Pay to keep it."
        },
        {
            NotificationKind.Resumed, Instant.FromUtc(2026, 2, 3, 9, 0), 0m, null,
            "Account acct-1: service resumed",
            "The service of account acct-1 resumed on 3 Feb 2026 17:00 (Asia/Shanghai) after payment. The balance is 0.00 CNY.\n",
            "Account acct-1 resumed on 3 Feb 2026 17:00 (Asia/Shanghai), balance 0.00 CNY."
        },
        {
            NotificationKind.Purged, PurgeAt, -20.00m, null,
            "Account acct-1: data deleted",
            "The configuration and data of account acct-1 were deleted on 1 Aug 2026 16:30 (Asia/Shanghai) because the arrears were not paid. The balance is -20.00 CNY.\n",
            "Account acct-1: data deleted on 1 Aug 2026 16:30 (Asia/Shanghai) (arrears unpaid), balance -20.00 CNY."
        },
        {
            NotificationKind.BalanceLow, OverdueAt, 4.5m, null,
            "Account acct-1: balance low",
            "The balance of account acct-1 fell to 4.50 CNY on 1 Feb 2026 16:30 (Asia/Shanghai), below its alarm threshold.\n" +
            "Top up to keep the service running.\n",
            "Account acct-1: balance low, 4.50 CNY on 1 Feb 2026 16:30 (Asia/Shanghai). Top up to avoid arrears."
        },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EmailAndShortText_EachKind_SayWhatHappenedTheBalanceAndTheNextDeadline(
        NotificationKind kind, Instant at, decimal balance, Instant? deadline, string subject, string body, string shortText)
    {
        var delivery = Deliveries.Of(kind, at, balance, deadline);

        var email = EnglishNotificationTemplates.Instance.Email(delivery);

        Assert.Equal((subject, body, shortText), (email.Subject, email.Body, EnglishNotificationTemplates.Instance.ShortText(delivery)));
    }

    [Fact]
    public void ShortText_EveryKind_FitsOneSms()
    {
        foreach (var row in Kinds)
        {
            var text = EnglishNotificationTemplates.Instance.ShortText(Deliveries.Of((NotificationKind)row[0], (Instant)row[1], (decimal)row[2], (Instant?)row[3]));

            Assert.True(text.Length <= 160, $"{row[0]}: {text.Length} characters: {text}");
        }
    }

    [Fact]
    public void Email_WithProduct_NamesTheProduct()
    {
        var delivery = Deliveries.Of(NotificationKind.Suspended, SuspendAt, -20m, PurgeAt, product: "apigw");

        var email = EnglishNotificationTemplates.Instance.Email(delivery);

        Assert.Equal("Account acct-1 (apigw): service suspended", email.Subject);
        Assert.StartsWith("The service of account acct-1 (product apigw) was suspended on", email.Body, StringComparison.Ordinal);
        Assert.StartsWith("Account acct-1 (apigw) is suspended", EnglishNotificationTemplates.Instance.ShortText(delivery), StringComparison.Ordinal);
    }

    [Fact]
    public void Email_NoNextDeadline_LeavesTheDeadlineOut()
    {
        var delivery = Deliveries.Of(NotificationKind.Overdue, OverdueAt, -25m, null);

        Assert.Equal(
            "The balance of account acct-1 is -25.00 CNY: it has been overdue since 1 Feb 2026 16:30 (Asia/Shanghai).\n" +
            "Pay the arrears to keep the service running; otherwise it is suspended.\n",
            EnglishNotificationTemplates.Instance.Email(delivery).Body);
        Assert.Equal("Account acct-1 is overdue, balance -25.00 CNY. Pay now to avoid suspension.", EnglishNotificationTemplates.Instance.ShortText(delivery));
    }

    [Fact]
    public void ShortText_DeadlineWithSecondsInADaylightSavingZone_ShowsLocalTimeWithSeconds()
    {
        var delivery = new NotificationDelivery
        {
            Key = "k",
            Kind = NotificationKind.Overdue,
            Account = "acct-9",
            At = Instant.FromUtc(2026, 3, 8, 6, 0),
            Balance = -1200m,
            Currency = Currency.FromCode("JPY"),
            Recipient = "owner",
            Channel = "SMS",
            Address = "+15550100",
            NextDeadline = Instant.FromUtc(2026, 3, 8, 7, 0, 1), // 03:00:01 EDT, just after the spring-forward gap
            TimeZone = DateTimeZoneProviders.Tzdb["America/New_York"],
        };

        Assert.Equal(
            "Account acct-9 is overdue, balance -1200 JPY. Pay before 8 Mar 2026 03:00:01 (America/New_York) to avoid suspension.",
            EnglishNotificationTemplates.Instance.ShortText(delivery));
    }

    [Fact]
    public void Email_IdsWithControlCharacters_AreEscapedSoTheSubjectStaysOneLine()
    {
        var delivery = new NotificationDelivery
        {
            Key = "k",
            Kind = NotificationKind.Resumed,
            Account = "acct-1\r\nBcc: everyone@example.com",
            At = SuspendAt,
            Balance = 0m,
            Currency = Currency.FromCode("CNY"),
            Recipient = "owner",
            Channel = "Email",
            Address = "owner@example.com",
            TimeZone = Deliveries.Shanghai,
        };

        var email = EnglishNotificationTemplates.Instance.Email(delivery);

        Assert.Equal("Account acct-1\\u000d\\u000aBcc: everyone@example.com: service resumed", email.Subject);
    }

    [Fact]
    public void Email_UndefinedKind_StillSaysTheKindAndTheBalance()
    {
        var delivery = Deliveries.Of((NotificationKind)99, SuspendAt, -20m, null);

        var email = EnglishNotificationTemplates.Instance.Email(delivery);

        Assert.Equal(
            ("Account acct-1: notification 99", "Notification 99 for account acct-1 on 2 Feb 2026 16:30 (Asia/Shanghai). The balance is -20.00 CNY.\n"),
            (email.Subject, email.Body));
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("subject", " ")]
    [InlineData("two\nlines", "body")]
    public void EmailContent_EmptyPartOrMultiLineSubject_Throws(string subject, string body)
    {
        Assert.ThrowsAny<ArgumentException>(() => new EmailContent(subject, body));
    }
}
