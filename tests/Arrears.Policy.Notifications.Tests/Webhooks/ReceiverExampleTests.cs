using System.Text.Json;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Notifications.Tests.Webhooks;

/// <summary>
/// The receiver of docs/notifications.md, compiled and run here against the real notifier over loopback HTTP; the
/// document and this file hold the same code.
/// </summary>
public sealed class ReceiverExampleTests
{
    private const string Begin = "// docs/notifications.md receiver: begin";
    private const string End = "// docs/notifications.md receiver: end";
    private const string Marker = "<!-- The receiver below is compiled and run by tests/Arrears.Policy.Notifications.Tests/Webhooks/ReceiverExampleTests.cs. -->";
    private const string Secret = "whsec_docs_0123456789abcdef";

    [Fact]
    public async Task Receive_NotificationDeliveredTwiceAndOneForged_SendsOnceAndRefusesTheForgery()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 2, 2, 8, 31, 15));
        var handled = new HashSet<string>(StringComparer.Ordinal);
        var sent = new List<(string Address, string Text)>();
        await using var server = new LoopbackHttpServer(request =>
        {
            var status = Receive(Secret, request.Header(WebhookSignature.HeaderName), request.Body, clock, handled, (address, text) => sent.Add((address, text)));
            return status == 200 ? Answer.Status(200, "OK") : Answer.Status(status, "Unauthorized");
        });
        using var http = new HttpClient();
        var notifier = Notifier(http, server.Endpoint, Secret, clock);
        var forger = Notifier(http, server.Endpoint, "whsec_forged_0123456789abcdef", clock);
        var delivery = Deliveries.Suspended("+8613800000000", channel: "SMS");

        var first = await notifier.DeliverAsync(delivery, CancellationToken.None);
        clock.Advance(Duration.FromMinutes(3));
        var repeat = await notifier.DeliverAsync(Deliveries.Suspended("+8613800000000", channel: "SMS", attempt: 2), CancellationToken.None);
        var forged = await forger.DeliverAsync(Deliveries.Suspended("+8613800000001", key: "forged", channel: "SMS"), CancellationToken.None);

        Assert.Equal((DeliveryResult.Delivered, DeliveryResult.Delivered), (first, repeat));
        Assert.Equal(DeliveryResult.Permanent("the endpoint rejected the notification: 401 Unauthorized"), forged);
        Assert.Equal([("+8613800000000", EnglishNotificationTemplates.Instance.ShortText(delivery))], sent);

        // docs/notifications.md receiver: begin
        // Returns the status to answer: 401 when the request is not genuine, 200 when it is handled (or was already).
        static int Receive(string secret, string? signature, byte[] body, IClock clock, ISet<string> handledKeys, Action<string, string> sendText)
        {
            // Check the signature over the raw bytes of the body, before parsing them.
            if (!WebhookSignature.Verify(secret, signature, body, clock.GetCurrentInstant(), Duration.FromMinutes(5)))
            {
                return 401; // not from the notifier, altered on the way, or too old to trust
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var key = root.GetProperty("key").GetString()!;
            if (handledKeys.Contains(key))
            {
                return 200; // a repeat of a notification already handled: answer success so that it is not retried
            }

            sendText(root.GetProperty("address").GetString()!, root.GetProperty("text").GetString()!);
            handledKeys.Add(key);
            return 200;
        }
        // docs/notifications.md receiver: end
    }

    [Fact]
    public void Receiver_Documentation_ShowsExactlyTheCodeOfThisTest()
    {
        var inDocs = CodeLines(BlockAfterMarker(File.ReadAllText(PathFromRoot("docs/notifications.md"))));
        var inTest = CodeLines(Region(File.ReadAllText(PathFromRoot("tests/Arrears.Policy.Notifications.Tests/Webhooks/ReceiverExampleTests.cs"))));

        Assert.Equal(string.Join('\n', inTest), string.Join('\n', inDocs));
    }

    private static WebhookNotifier Notifier(HttpClient http, Uri endpoint, string secret, IClock clock) =>
        new(http, new WebhookNotifierOptions { Endpoint = endpoint, Secret = secret, Channel = "SMS", Contact = ContactKind.Phone }, clock);

    private static string BlockAfterMarker(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var marker = Array.FindIndex(lines, line => line.Trim() == Marker);
        Assert.True(marker >= 0, "docs/notifications.md has no receiver marker");
        var start = Array.FindIndex(lines, marker, line => line.Trim() == "```csharp");
        var end = Array.FindIndex(lines, start + 1, line => line.Trim() == "```");
        Assert.True(start > marker && end > start, "docs/notifications.md has no ```csharp block after the receiver marker");
        return string.Join('\n', lines[(start + 1)..end]);
    }

    private static string Region(string source)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, line => line.Trim() == Begin);
        var end = Array.FindLastIndex(lines, line => line.Trim() == End);
        Assert.True(start >= 0 && end > start, "no receiver region in the test");
        return string.Join('\n', lines[(start + 1)..end]);
    }

    /// <summary>Removes the common indentation, trailing spaces and leading and trailing blank lines.</summary>
    private static string[] CodeLines(string code)
    {
        var lines = code.Split('\n').Select(line => line.TrimEnd()).SkipWhile(line => line.Length == 0).Reverse().SkipWhile(line => line.Length == 0).Reverse().ToList();
        var indent = lines.Where(line => line.Length > 0).Select(line => line.Length - line.TrimStart().Length).DefaultIfEmpty(0).Min();
        return [.. lines.Select(line => line.Length == 0 ? line : line[indent..])];
    }

    private static string PathFromRoot(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Arrears.Policy.sln")))
            {
                return Path.Combine(directory.FullName, relative);
            }
        }

        throw new DirectoryNotFoundException($"No Arrears.Policy.sln above {AppContext.BaseDirectory}");
    }
}
