using System.Globalization;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Cli.Tests.Stores;

/// <summary>
/// The contract's sameness check: what <c>history</c>, <c>outbox</c> and <c>status</c> say about an account equals
/// <c>simulate</c>'s timeline for the same facts and <c>until</c> (transitions in order, notifications as a multiset without
/// keys, final state, balance and next review).
/// </summary>
internal static class Sameness
{
    /// <summary>One transition as both sides can state it.</summary>
    public sealed record Step(Instant At, string From, string To, string Reason, string? Product, bool Late, Instant? DeferredFrom = null, string? HeldBy = null);

    /// <summary>One notification without its key.</summary>
    public sealed record Notice(Instant At, string Kind, string Recipient, string Channel);

    /// <summary>The final state.</summary>
    public sealed record Final(string State, decimal Balance, Instant? NextReviewAt);

    /// <summary>What one side says about one account.</summary>
    public sealed record View(IReadOnlyList<Step> Transitions, IReadOnlyList<Notice> Notifications, Final Final);

    /// <summary>Reads <c>simulate</c>'s JSON timeline.</summary>
    public static View FromTimeline(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var transitions = root.GetProperty("transitions").EnumerateArray().Select(t => new Step(
            Parse(t.GetProperty("at").GetString()!),
            t.GetProperty("from").GetString()!,
            t.GetProperty("to").GetString()!,
            t.GetProperty("reason").GetString()!,
            t.TryGetProperty("product", out var product) ? product.GetString() : null,
            t.TryGetProperty("late", out var late) && late.GetBoolean(),
            DeferredFrom(t),
            HeldBy(t))).ToList();
        var final = root.GetProperty("final");
        return new View(
            transitions,
            Notices(root.GetProperty("notifications").EnumerateArray()),
            new Final(final.GetProperty("state").GetString()!, Amount(final.GetProperty("balance")), Instant(final.GetProperty("nextReviewAt"))));
    }

    /// <summary>Reads the account from the store through the tool: <c>history --json</c>, <c>outbox --json</c> and <c>status --json</c>.</summary>
    public static View FromStore(CliHost host, string store, string account)
    {
        var history = Run(host, "history", "--store", store, account, "--json");
        var outbox = Run(host, "outbox", "--store", store, "--account", account, "--json");
        var status = Run(host, "status", "--store", store, account, "--json");

        var transitions = new List<Step>();
        foreach (var line in Cli.Lines(history))
        {
            using var document = JsonDocument.Parse(line);
            var t = document.RootElement;
            if (t.TryGetProperty("event", out _))
            {
                // A hold granted or revoked: part of the audit trail, not a transition.
                continue;
            }

            var step = new Step(
                Parse(t.GetProperty("at").GetString()!),
                t.GetProperty("from").GetString()!,
                t.GetProperty("to").GetString()!,
                t.GetProperty("reason").GetString()!,
                t.GetProperty("product").GetString(),
                t.GetProperty("late").GetBoolean(),
                DeferredFrom(t),
                HeldBy(t));
            Assert.True(Parse(t.GetProperty("evaluatedAt").GetString()!) >= step.At, line);
            transitions.Add(step);
        }

        var documents = Cli.Lines(outbox).Select(line => JsonDocument.Parse(line)).ToList();
        try
        {
            var keys = documents.Select(d => d.RootElement.GetProperty("key").GetString()).ToList();
            Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
            Assert.All(documents, d => Assert.Equal(account, d.RootElement.GetProperty("account").GetString()));
            var notices = Notices(documents.Select(d => d.RootElement));
            using var statusDocument = JsonDocument.Parse(status);
            var s = statusDocument.RootElement;
            Assert.Equal(account, s.GetProperty("account").GetString());
            return new View(
                transitions,
                notices,
                new Final(s.GetProperty("state").GetString()!, Amount(s.GetProperty("balance")), Instant(s.GetProperty("nextReviewAt"))));
        }
        finally
        {
            documents.ForEach(d => d.Dispose());
        }
    }

    /// <summary>Asserts that the store's view of an account equals the simulation's, naming the account.</summary>
    public static void Equal(View simulated, View stored, string account)
    {
        Assert.True(simulated.Transitions.SequenceEqual(stored.Transitions), $"{account}: transitions differ\nsimulate: {string.Join("; ", simulated.Transitions)}\nstore:    {string.Join("; ", stored.Transitions)}");
        Assert.True(simulated.Notifications.SequenceEqual(stored.Notifications), $"{account}: notifications differ ({simulated.Notifications.Count} simulated, {stored.Notifications.Count} in the outbox)");
        Assert.True(simulated.Final == stored.Final, $"{account}: final differs: simulate {simulated.Final}, store {stored.Final}");
    }

    /// <summary>Evaluation instants for a scenario: its facts' instants, a day after each, seeded random instants, always ending at <paramref name="until"/>.</summary>
    public static List<Instant> Instants(Scenario scenario, Instant until, int seed, int random = 8)
    {
        var facts = scenario.Entries.Select(e => e.At).Concat(scenario.Usage.Select(u => u.At)).ToList();
        var first = facts.Count > 0 ? facts.Min() - Duration.FromDays(1) : until - Duration.FromDays(30);
        var rng = new Random(seed);
        var span = (until - first).TotalSeconds;
        var instants = facts
            .Concat(facts.Select(f => f + Duration.FromDays(1)))
            .Concat(Enumerable.Range(0, random).Select(_ => first + Duration.FromSeconds(Math.Floor(rng.NextDouble() * span))))
            .Where(i => i < until)
            .Append(until)
            .Distinct()
            .Order()
            .ToList();
        return instants;
    }

    public static string Run(CliHost host, params string[] args)
    {
        var (exit, stdout, stderr) = Cli.RunOn(host, new MemoryStream(), args);
        Assert.True(exit == 0, $"arrears {string.Join(' ', args)}: exit {exit}: {stderr}");
        return stdout;
    }

    public static string Format(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    private static List<Notice> Notices(IEnumerable<JsonElement> notifications) =>
    [
        .. notifications
            .Select(n => new Notice(Parse(n.GetProperty("at").GetString()!), n.GetProperty("kind").GetString()!, n.GetProperty("recipient").GetString()!, n.GetProperty("channel").GetString()!))
            .OrderBy(n => n.At).ThenBy(n => n.Kind, StringComparer.Ordinal).ThenBy(n => n.Recipient, StringComparer.Ordinal).ThenBy(n => n.Channel, StringComparer.Ordinal),
    ];

    private static Instant Parse(string text) => InstantPattern.ExtendedIso.Parse(text).Value;

    private static Instant? DeferredFrom(JsonElement transition) =>
        transition.TryGetProperty("deferredFrom", out var deferred) && deferred.ValueKind == JsonValueKind.String ? Parse(deferred.GetString()!) : null;

    private static string? HeldBy(JsonElement transition) =>
        transition.TryGetProperty("heldBy", out var held) && held.ValueKind == JsonValueKind.Array ? string.Join(",", held.EnumerateArray().Select(id => id.GetString())) : null;

    private static Instant? Instant(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : Parse(element.GetString()!);

    private static decimal Amount(JsonElement element) => decimal.Parse(element.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture);
}
