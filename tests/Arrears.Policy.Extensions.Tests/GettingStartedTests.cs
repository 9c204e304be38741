using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Arrears.Policy.Notifications;
using Arrears.Policy.Notifications.Tests.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Arrears.Policy.Extensions.Tests;

// Getting started, enforcement handler: begin
// The host's own switch: turn an account's APIs off, on, or delete them. Called at least once per action, always with
// the same action.Key, so pass the key on (or remember it) to make a repeated call change nothing.
public sealed class GatewaySwitch : IEnforcementHandler
{
    public ConcurrentQueue<EnforcementAction> Done { get; } = new();

    public ValueTask<DeliveryResult> EnforceAsync(EnforcementAction action, CancellationToken cancellationToken)
    {
        // Call your gateway's admin API here: action.Kind is Suspend, Resume or Purge.
        Done.Enqueue(action);
        return ValueTask.FromResult(DeliveryResult.Delivered);
    }
}
// Getting started, enforcement handler: end

/// <summary>docs/getting-started.md runs as written; the page and this file hold the same code.</summary>
public sealed partial class GettingStartedTests
{
    private const string Page = "docs/getting-started.md";
    private const string ThisFile = "tests/Arrears.Policy.Extensions.Tests/GettingStartedTests.cs";
    private static readonly string[] Regions = ["Getting started, enforcement handler", "Getting started, host"];

    [Fact]
    public async Task GettingStarted_ChargeThenGraceExpires_DeliversOverdueThenSuspendsThenTellsOfIt()
    {
        await using var server = new LoopbackHttpServer(_ => Answer.Status(200, "OK"));
        var notificationService = server.Endpoint;
        var ct = CancellationToken.None;

        // Getting started, host: begin
        // This page moves time with NodaTime.Testing's FakeClock; a host registers no clock and gets the system clock.
        var clock = new FakeClock(Instant.FromUtc(2026, 2, 1, 8, 30));
        using var http = new HttpClient();   // in a host: IHttpClientFactory
        const string secret = "read-me-from-your-secret-store";

        var directory = new InMemoryRecipientDirectory();
        directory.Set("owner", new RecipientContact("owner@example.com", "+8613800000000"));
        var gateway = new GatewaySwitch();

        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddArrearsPolicy()
            .AddPreset("api-gateway", PolicyPresets.TencentApiGateway)   // 24 hours of grace; Email and SMS to everyone
            .AddNotifier(new WebhookNotifier(http, new WebhookNotifierOptions
            {
                Endpoint = notificationService, Secret = secret, Channel = "Email", Contact = ContactKind.Email,
            }, clock))
            .AddNotifier(new WebhookNotifier(http, new WebhookNotifierOptions
            {
                Endpoint = notificationService, Secret = secret, Channel = "SMS", Contact = ContactKind.Phone,
            }, clock))
            .UseEnforcementHandler(gateway)
            .UseRecipientDirectory(directory);
        await using var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<ArrearsRuntime>();   // checks everything, listing every problem

        // An account that follows the "api-gateway" policy, and a charge it cannot pay.
        var account = new AccountProfile("acct-1", "owner");
        await runtime.RegisterAsync(new AccountRegistration(account, "api-gateway", Currency.FromCode("CNY"), DateTimeZone.Utc), ct);
        await runtime.AppendAsync("acct-1", [new LedgerEntry("c1", LedgerEntryKind.Charge, clock.GetCurrentInstant(), 25.00m)], ct);

        // One pass: evaluate what is due, then deliver the outbox. The hosted service does this for you.
        var (evaluated, dispatched) = await runtime.RunOnceAsync(ct);
        // evaluated: Active -> Overdue at 2026-02-01T08:30:00Z; dispatched: 2 delivered, the Overdue email and SMS

        // 24 hours later the grace period is over: the pass suspends, calls the gateway, then tells the owner.
        clock.Advance(Duration.FromHours(24));
        var (_, later) = await runtime.RunOnceAsync(ct);
        // gateway.Done: Suspend with key "acct-1/1/Suspend"; later: 3 delivered (the action, the Suspended email and SMS)
        // Getting started, host: end

        Assert.Equal((1, 1, 2), (evaluated.Accounts, evaluated.TransitionsTo[LifecycleStatus.Overdue], dispatched.Delivered));
        Assert.Equal((3, 0, 0), (later.Delivered, later.Retried, later.DeadLettered));
        var suspend = Assert.Single(gateway.Done);
        Assert.Equal((EnforcementKind.Suspend, "acct-1/1/Suspend", Instant.FromUtc(2026, 2, 2, 8, 30)), (suspend.Kind, suspend.Key, suspend.At));
        Assert.Equal(
            ["acct-1/1/Overdue/owner/Email", "acct-1/1/Overdue/owner/SMS", "acct-1/1/Suspended/owner/Email", "acct-1/1/Suspended/owner/SMS"],
            server.Requests.Select(request => request.Header("Idempotency-Key")).Order(StringComparer.Ordinal));
        var history = await runtime.Store.HistoryAsync("acct-1", ct);
        Assert.Equal([LifecycleStatus.Overdue, LifecycleStatus.Suspended], history.Select(transition => transition.To));
    }

    [Fact]
    public void GettingStarted_Page_ShowsExactlyTheCodeOfThisFile()
    {
        var blocks = CSharpBlocks(File.ReadAllText(PathOf(Page)));
        var source = File.ReadAllText(PathOf(ThisFile));

        Assert.Equal(Regions.Length, blocks.Count);
        for (var i = 0; i < Regions.Length; i++)
        {
            var inPage = CodeLines(string.Join('\n', blocks[i].Split('\n').Where(line => !UsingDirective().IsMatch(line))));
            Assert.Equal(string.Join('\n', CodeLines(Region(source, Regions[i]))), string.Join('\n', inPage));
        }
    }

    [Fact]
    public void CodeLines_IndentedBlockWithBlankEdges_IsNormalised()
    {
        Assert.Equal(["a", "  b", "", "c"], CodeLines("\n    a\n      b\n\n    c   \n\n"));
    }

    /// <summary>Returns the bodies of the <c>```csharp</c> blocks of a markdown text, in order.</summary>
    private static List<string> CSharpBlocks(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<string>();
        for (var start = Array.FindIndex(lines, line => line.Trim() == "```csharp"); start >= 0;)
        {
            var end = Array.FindIndex(lines, start + 1, line => line.Trim() == "```");
            Assert.True(end > start, $"{Page}: a ```csharp block is not closed");
            blocks.Add(string.Join('\n', lines[(start + 1)..end]));
            start = end + 1 < lines.Length ? Array.FindIndex(lines, end + 1, line => line.Trim() == "```csharp") : -1;
        }

        return blocks;
    }

    private static string Region(string source, string name)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, line => line.Trim() == $"// {name}: begin");
        var end = Array.FindIndex(lines, line => line.Trim() == $"// {name}: end");
        Assert.True(start >= 0 && end > start, $"{ThisFile} has no region \"{name}\"");
        return string.Join('\n', lines[(start + 1)..end]);
    }

    /// <summary>Removes the common indentation, trailing spaces and leading and trailing blank lines.</summary>
    private static string[] CodeLines(string code)
    {
        var lines = code.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0)
        {
            lines.RemoveAt(0);
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var indent = lines.Where(line => line.Length > 0).Select(line => line.Length - line.TrimStart().Length).DefaultIfEmpty(0).Min();
        return [.. lines.Select(line => line.Length == 0 ? line : line[indent..])];
    }

    /// <summary>A using directive, which the page shows and the test file has at its top (not a <c>using var</c> declaration).</summary>
    [GeneratedRegex(@"^using [\w.]+;$")]
    private static partial Regex UsingDirective();

    private static string PathOf(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Arrears.Policy.sln")))
            {
                return Path.Combine(directory.FullName, relativePath.Replace('/', Path.DirectorySeparatorChar));
            }
        }

        throw new DirectoryNotFoundException($"No Arrears.Policy.sln above {AppContext.BaseDirectory}; these tests run from a checkout of the repository.");
    }
}
