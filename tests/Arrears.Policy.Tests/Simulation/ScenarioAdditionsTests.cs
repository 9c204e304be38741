using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>
/// The scenario additions of the simulate contract: products, routes, channels, tiers, holds and revocations, hold limits,
/// recordedAt and evaluations, the warnings on facts after until, and what the timeline JSON says about them.
/// </summary>
public sealed class ScenarioAdditionsTests
{
    private const string Account = """{ "id": "acct", "currency": "CNY", "creator": "owner@example.com" }""";
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30);
    private static readonly Currency Cny = Currency.FromCode("CNY");

    /// <summary>A scenario with one charge of 25.00 at 2026-02-01 08:30 and the given root fields.</summary>
    private static string With(string fields, string policy = "\"policy\": \"tencent-api-gateway\"") => $$"""
        {
          {{policy}},
          "account": {{Account}},
          "entries": [ { "id": "c1", "kind": "charge", "at": "2026-02-01T08:30:00Z", "amount": "25.00" } ],
          {{(fields.Length == 0 ? string.Empty : fields + ",")}}
          "until": "2026-02-10T00:00:00Z"
        }
        """;

    private static List<string> Errors(string json) => [.. ScenarioJson.Read(json).Errors.Select(e => e.ToString())];

    private static Scenario Valid(string json)
    {
        var read = ScenarioJson.Read(json);
        Assert.True(read.IsValid, string.Join(Environment.NewLine, read.Errors));
        return read.Scenario;
    }

    [Fact]
    public void Read_Products_EachUnderItsPolicyWithProductsInTheTimeline()
    {
        var scenario = Valid(With(
            "\"items\": [ { \"id\": \"calls\", \"unit\": \"1\", \"unitPrice\": \"1\", \"cycle\": \"none\", \"product\": \"apigw\" } ]",
            """
            "products": [
              { "product": "apigw", "policy": "tencent-api-gateway" },
              { "product": "cvm", "policy": { "preset": "tencent-api-gateway", "grace": "P3D" } }
            ]
            """));

        var timeline = Simulator.Run(scenario);
        using var json = JsonDocument.Parse(TimelineJson.ToJson(timeline));

        Assert.Equal(["apigw", "cvm"], scenario.AccountPolicy.Products.Select(p => p.Name));
        Assert.Equal(Duration.FromDays(3), scenario.AccountPolicy.Products[1].Policy.Grace);
        Assert.Equal("apigw", scenario.Items[0].Product);
        var suspensions = timeline.Transitions.Where(t => t.To == LifecycleStatus.Suspended).Select(t => (t.Product, t.At)).ToList();
        Assert.Equal([("apigw", T0 + Duration.FromDays(1)), ("cvm", T0 + Duration.FromDays(3))], suspensions);
        Assert.All(json.RootElement.GetProperty("notifications").EnumerateArray(), n => Assert.True(n.TryGetProperty("product", out _)));
        Assert.Equal(
            """[{"product":"apigw","state":"Suspended"},{"product":"cvm","state":"Suspended"}]""",
            JsonSerializer.Serialize(json.RootElement.GetProperty("final").GetProperty("products")));
    }

    [Fact]
    public void Final_SeveralProducts_StateIsTheFurthestAnyProductWent()
    {
        var products = new AccountPolicyBuilder()
            .AddProduct("apigw", PolicyPresets.TencentApiGateway.Policy)
            .AddProduct("redis", EngineHarnessPolicy(o => o.Grace = Duration.FromDays(30)))
            .Build();
        var scenario = new Scenario(products, new AccountProfile("acct", "owner@example.com"), Cny, T0 + Duration.FromDays(2),
            entries: [new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m)]);

        var final = Simulator.Run(scenario).Final;

        Assert.Equal([LifecycleStatus.Suspended, LifecycleStatus.Overdue], final.Products.Select(p => p.Status));
        Assert.Equal(LifecycleStatus.Suspended, final.Status);
    }

    [Theory]
    [InlineData("\"products\": [], \"policy\": \"tencent-api-gateway\"", "products: must be left out when \"policy\" is given")]
    [InlineData("\"products\": []", "products: must name at least one product, got []")]
    [InlineData("\"products\": [ { \"product\": \"a\", \"policy\": \"tencent-api-gateway\" }, { \"product\": \"a\", \"policy\": \"tencent-cvm\" } ]", "products[1].product: duplicate product, got \"a\"")]
    [InlineData("\"products\": [ { \"product\": \"a\" } ]", "products[0].policy: is required")]
    [InlineData("\"products\": [ { \"product\": \"a\", \"policy\": \"tencent-gateway\" } ]", "products[0].policy: unknown preset \"tencent-gateway\"")]
    public void Read_BadProducts_AreErrorsWithTheirPaths(string products, string expected)
    {
        var json = $$"""{ {{products}}, "account": {{Account}}, "until": "2026-02-10T00:00:00Z" }""";

        Assert.Contains(Errors(json), e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ProductOfAnItemEntryOrHold_MustBeOneOfTheScenariosProducts()
    {
        var json = $$"""
            {
              "products": [ { "product": "apigw", "policy": "tencent-api-gateway" } ],
              "account": {{Account}},
              "items": [ { "id": "calls", "unit": "1", "unitPrice": "1", "cycle": "none", "product": "apgw" } ],
              "entries": [ { "id": "c1", "kind": "charge", "at": "2026-02-01T08:30:00Z", "amount": "25.00", "product": "cvm" } ],
              "holds": [ { "id": "h1", "kind": "all", "from": "2026-02-01T08:30:00Z", "product": "redis", "by": "a", "reason": "b" } ],
              "until": "2026-02-10T00:00:00Z"
            }
            """;

        Assert.Equal(
            [
                "items[0].product: must be one of the scenario's products (\"apigw\"), got \"apgw\"",
                "entries[0].product: must be one of the scenario's products (\"apigw\"), got \"cvm\"",
                "holds[0].product: must be one of the scenario's products (\"apigw\"), got \"redis\"",
            ],
            Errors(json));
    }

    [Fact]
    public void Read_Routes_NarrowTheAudienceAndChannelsPerKind()
    {
        var scenario = Valid(With(string.Empty, """
            "policy": { "preset": "tencent-api-gateway", "routes": {
              "PurgeWarning": { "audience": "Creator", "channels": ["Email"] },
              "Overdue": { "audience": "None" },
              "Suspended": { "channels": ["SMS"] } } }
            """));

        Assert.Equal(new NotificationRoute(Audience.Creator, ["Email"]), scenario.Policy.RouteFor(NotificationKind.PurgeWarning));
        Assert.Equal(Audience.None, scenario.Policy.RouteFor(NotificationKind.Overdue).Audience);
        Assert.Equal(new NotificationRoute(Audience.Everyone, ["SMS"]), scenario.Policy.RouteFor(NotificationKind.Suspended));
        Assert.DoesNotContain(Simulator.Run(scenario).Notifications, n => n.Kind == NotificationKind.Overdue);
    }

    [Theory]
    [InlineData("""{ "Overdue": { "audience": "Owner" } }""", "policy.routes.Overdue.audience: must be one of \"Creator\", \"Collaborators\", \"Everyone\", \"None\", got \"Owner\"")]
    [InlineData("""{ "Overdu": { "audience": "None" } }""", "policy.routes.Overdu: unknown field, got an object, did you mean \"Overdue\"?")]
    [InlineData("""{ "Overdue": { "channels": ["Emial"] } }""", "policy.routes.Overdue.channels[0]: must be a known channel (Email, SMS, Webhook) or one declared in the scenario's \"channels\", got \"Emial\", did you mean \"Email\"?")]
    public void Read_BadRoute_IsAnErrorWithItsPath(string routes, string expected)
    {
        Assert.Equal([expected], Errors(With(string.Empty, $$"""
            "policy": { "preset": "tencent-api-gateway", "routes": {{routes}} }
            """)));
    }

    [Fact]
    public void Read_ChannelTypo_IsAnErrorThatListsTheKnownChannels()
    {
        var errors = Errors(With(string.Empty, "\"" + """policy": { "preset": "tencent-api-gateway", "channels": ["Emial", "SMS"] }"""));

        Assert.Equal(["policy.channels[0]: must be a known channel (Email, SMS, Webhook) or one declared in the scenario's \"channels\", got \"Emial\", did you mean \"Email\"?"], errors);
    }

    [Fact]
    public void Read_CustomChannels_MustBeDeclaredAndWellFormed()
    {
        var declared = Valid(With("\"channels\": [\"Slack\", \"pager-duty\"]", "\"" + """policy": { "preset": "tencent-api-gateway", "channels": ["Email", "Slack", "Webhook"], "routes": { "Purged": { "channels": ["pager-duty"] } } }"""));
        var undeclared = Errors(With(string.Empty, "\"" + """policy": { "preset": "tencent-api-gateway", "channels": ["Slack"] }"""));
        var malformed = Errors(With("\"channels\": [\"Slack\", \"2fa sms\", \"Slack\"]"));

        Assert.Equal(["Email", "Slack", "Webhook"], declared.Policy.Channels);
        Assert.Equal(["pager-duty"], declared.Policy.RouteFor(NotificationKind.Purged).Channels);
        Assert.Equal(["policy.channels[0]: must be a known channel (Email, SMS, Webhook) or one declared in the scenario's \"channels\", got \"Slack\""], undeclared);
        Assert.Equal(
            ["channels[1]: must be a letter followed by letters, digits and hyphens, such as \"Slack\" or \"pager-duty\", got \"2fa sms\"", "channels[2]: duplicate channel, got \"Slack\""],
            malformed);
    }

    [Fact]
    public void Read_HoldLimits_AreReadAndCheckedAgainstEveryHold()
    {
        var policy = "\"" + """policy": { "preset": "tencent-api-gateway", "holdLimits": { "suspension": "P7D", "purge": null } }""";
        var within = Valid(With("\"holds\": [ { \"id\": \"h1\", \"kind\": \"suspension\", \"from\": \"2026-02-01T09:00:00Z\", \"until\": \"2026-02-08T09:00:00Z\", \"by\": \"agent-7\", \"reason\": \"promise\" } ]", policy));
        var over = Errors(With(
            "\"holds\": [ { \"id\": \"h0\", \"kind\": \"purge\", \"from\": \"2026-02-01T09:00:00Z\", \"by\": \"a\", \"reason\": \"b\" }, { \"id\": \"h1\", \"kind\": \"all\", \"from\": \"2026-02-01T09:00:00Z\", \"by\": \"a\", \"reason\": \"b\" } ]",
            policy));
        var negative = Errors(With(string.Empty, "\"" + """policy": { "preset": "tencent-api-gateway", "holdLimits": { "suspension": "-P1D", "al": "P1D" } }"""));

        Assert.Equal(Duration.FromDays(7), within.Policy.HoldLimits[HoldKind.Suspension]);
        Assert.False(within.Policy.HoldLimits.ContainsKey(HoldKind.Purge));
        Assert.Equal(["holds[1].until: an open-ended hold exceeds the suspension hold limit \"P7D\" of policy \"custom\"; give the hold an end"], over);
        Assert.Equal(
            ["policy.holdLimits.al: unknown field, got \"P1D\"", "policy.holdLimits.suspension: must not be negative, got \"-P1D\""],
            negative);
    }

    [Fact]
    public void Read_Tiers_PriceGraduallyAsTheLibraryDoes()
    {
        var scenario = Valid(With("""
            "items": [
              { "id": "calls", "unit": "1", "cycle": "none",
                "tiers": [ { "upTo": "100", "unitPrice": "0.10" }, { "upTo": null, "unitPrice": "0.05" } ] },
              { "id": "storage", "unit": "1", "unitPrice": "0.01", "cycle": "none", "tiers": [ { "upTo": "10", "unitPrice": "0" } ] }
            ],
            "usage": [ { "item": "calls", "at": "2026-02-02T00:00:00Z", "quantity": "150" }, { "item": "storage", "at": "2026-02-02T00:00:00Z", "quantity": "30" } ]
            """));

        var calls = scenario.Items[0];
        Assert.Equal((0.05m, 100m, 0.10m), (calls.UnitPrice, Assert.Single(calls.Tiers).UpTo, calls.Tiers[0].UnitPrice));
        // 100 × 0.10 + 50 × 0.05 = 12.50 (one charge per tier: 10.00 and 2.50); 10 × 0 + 20 × 0.01 = 0.20.
        var charges = Simulator.Run(scenario).Charges;
        Assert.Equal([10.00m, 2.50m], charges.Where(c => c.Item == "calls").Select(c => c.Amount));
        Assert.Equal([0.20m], charges.Where(c => c.Item == "storage").Select(c => c.Amount));
    }

    [Theory]
    [InlineData("""[ { "upTo": null, "unitPrice": "0.10" }, { "upTo": "100", "unitPrice": "0.05" } ]""", "\"unitPrice\": \"1\",", "items[0].tiers[0].upTo: only the last tier may be unbounded, got null")]
    [InlineData("""[ { "upTo": "100", "unitPrice": "0.10" }, { "upTo": "100", "unitPrice": "0.05" } ]""", "\"unitPrice\": \"1\",", "items[0].tiers[1].upTo: must be greater than items[0].tiers[0].upTo \"100\", got \"100\"")]
    [InlineData("""[ { "upTo": "0", "unitPrice": "0.10" } ]""", "\"unitPrice\": \"1\",", "items[0].tiers[0].upTo: must be positive, got \"0\"")]
    [InlineData("""[ { "upTo": "10", "unitPrice": "-0.10" } ]""", "\"unitPrice\": \"1\",", "items[0].tiers[0].unitPrice: must not be negative, got \"-0.10\"")]
    [InlineData("""[ { "upTo": null, "unitPrice": "0.10" } ]""", "\"unitPrice\": \"1\",", "items[0].unitPrice: must be left out when the last tier (\"upTo\": null) prices the quantity beyond the tiers, got \"1\"")]
    [InlineData("""[ { "upTo": "10", "unitPrice": "0.10" } ]""", "", "items[0].unitPrice: is required")]
    public void Read_BadTiers_AreErrorsWithTheirPaths(string tiers, string unitPrice, string expected)
    {
        var items = $$"""
            "items": [ { "id": "calls", "unit": "1", {{unitPrice}} "cycle": "none", "tiers": {{tiers}} } ]
            """;

        Assert.Equal([expected], Errors(With(items)));
    }

    [Fact]
    public void Read_HoldsAndRevocations_BuildTheHoldSet()
    {
        var scenario = Valid(With("""
            "holds": [
              { "id": "h1", "kind": "suspension", "from": "2026-02-01T09:00:00Z", "until": "2026-02-05T00:00:00Z", "by": "agent-7", "reason": "promise to pay" },
              { "id": "h2", "kind": "purge", "from": "2026-02-01T09:00:00Z", "until": null, "by": "finance", "reason": "dispute" },
              { "id": "h1", "kind": "suspension", "from": "2026-02-01T09:00:00Z", "until": "2026-02-05T00:00:00Z", "by": "agent-7", "reason": "promise to pay" }
            ],
            "revocations": [ { "id": "r1", "revokes": "h2", "at": "2026-02-03T00:00:00Z", "by": "finance", "reason": "resolved" } ]
            """));

        Assert.Equal(
            [
                new Hold("h1", HoldKind.Suspension, Instant.FromUtc(2026, 2, 1, 9, 0), Instant.FromUtc(2026, 2, 5, 0, 0), "agent-7", "promise to pay"),
                new Hold("h2", HoldKind.Purge, Instant.FromUtc(2026, 2, 1, 9, 0), null, "finance", "dispute"),
            ],
            scenario.Holds.Holds);
        Assert.Equal(Instant.FromUtc(2026, 2, 3, 0, 0), scenario.Holds.EndOf("h2"));
        var suspended = Simulator.Run(scenario).Transitions.Single(t => t.Reason == TransitionReason.GraceExpired);
        Assert.Equal((Instant.FromUtc(2026, 2, 5, 0, 0), T0 + Duration.FromDays(1), "h1"), (suspended.At, suspended.DeferredFrom!.Value, Assert.Single(suspended.HeldBy)));
    }

    [Fact]
    public void Read_BadHoldsAndRevocations_AreErrorsWithTheirPaths()
    {
        var errors = Errors(With("""
            "holds": [
              { "id": "h1", "kind": "suspend", "from": "2026-02-01T09:00:00Z", "by": "a", "reason": "b" },
              { "id": "h2", "kind": "all", "from": "2026-02-05T00:00:00Z", "until": "2026-02-05T00:00:00Z", "by": "", "reason": "b" },
              { "id": "h3", "kind": "all", "from": "2026-02-01T09:00:00Z", "product": "apigw", "reason": "b" },
              { "id": "h4", "kind": "all", "from": "2026-02-01T09:00:00Z", "by": "a", "reason": "b" },
              { "id": "h4", "kind": "purge", "from": "2026-02-01T09:00:00Z", "by": "a", "reason": "b" }
            ],
            "revocations": [ { "id": "r1", "revokes": "h9", "at": "2026-02-03T00:00:00Z", "by": "a", "reason": "b" } ]
            """));

        Assert.Equal(
            [
                "holds[0].kind: must be one of \"suspension\", \"purge\", \"all\", got \"suspend\"",
                "holds[1].until: must be after from (\"2026-02-05T00:00:00Z\"), got \"2026-02-05T00:00:00Z\"",
                "holds[1].by: must not be empty, got \"\"",
                "holds[2].product: must be left out: the scenario has one policy, not \"products\", got \"apigw\"",
                "holds[2].by: is required",
                "holds[4].id: a hold with this id already exists with different content (holds[3]: h4: All hold from 2026-02-01T09:00:00Z open-ended, granted by a: b), got \"h4\" (h4: Purge hold from 2026-02-01T09:00:00Z open-ended, granted by a: b)",
                "revocations[0].revokes: must name a hold (known holds: h1, h2, h3, h4), got \"h9\"",
            ],
            errors);
    }

    [Fact]
    public void Read_EvaluationsAsAList_EvaluatesThereAndAtUntil()
    {
        var scenario = Valid(With("\"evaluations\": [\"2026-02-01T12:00:00Z\", \"2026-02-03T00:00:00Z\"]"));

        var timeline = Simulator.Run(scenario);
        using var json = JsonDocument.Parse(TimelineJson.ToJson(timeline));

        Assert.Equal([Instant.FromUtc(2026, 2, 1, 12, 0), Instant.FromUtc(2026, 2, 3, 0, 0)], scenario.Schedule!.Instants);
        Assert.Equal(
            ["2026-02-01T12:00:00Z", "2026-02-03T00:00:00Z"],
            json.RootElement.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("evaluatedAt").GetString()));
        Assert.All(json.RootElement.GetProperty("notifications").EnumerateArray(), n => Assert.True(n.TryGetProperty("evaluatedAt", out _)));
    }

    [Fact]
    public void Write_WithoutEvaluations_HasNoEvaluatedAt()
    {
        using var json = JsonDocument.Parse(TimelineJson.ToJson(Simulator.Run(Valid(With(string.Empty)))));

        Assert.All(
            json.RootElement.GetProperty("transitions").EnumerateArray().Concat(json.RootElement.GetProperty("notifications").EnumerateArray()),
            e => Assert.False(e.TryGetProperty("evaluatedAt", out _)));
    }

    [Theory]
    [InlineData("[\"2026-02-03T00:00:00Z\", \"2026-02-02T00:00:00Z\"]", "evaluations[1]: must be after the evaluation before it (\"2026-02-03T00:00:00Z\"), got \"2026-02-02T00:00:00Z\"")]
    [InlineData("[\"2026-02-10T00:00:00Z\"]", "evaluations[0]: must be before until (\"2026-02-10T00:00:00Z\"), which is always evaluated last, got \"2026-02-10T00:00:00Z\"")]
    [InlineData("\"PT0S\"", "evaluations: must be a positive duration such as \"PT1H\", got \"PT0S\"")]
    [InlineData("\"P1M\"", "evaluations: must use days, hours, minutes and seconds")]
    [InlineData("\"PT1S\"", "evaluations: must make at most 100000 evaluations, got \"PT1S\", which makes 746999 from the first fact (2026-02-01T08:30:00Z) to until (2026-02-10T00:00:00Z)")]
    [InlineData("3600", "evaluations: must be a list of instants or a duration such as \"PT1H\", got 3600")]
    public void Read_BadEvaluations_AreErrors(string evaluations, string expected)
    {
        Assert.Contains(Errors(With($"\"evaluations\": {evaluations}")), e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_RecordedAtWithoutEvaluations_IsIgnoredWithAWarning()
    {
        var node = JsonNode.Parse(With(string.Empty))!;
        node["entries"]![0]!["recordedAt"] = "2026-02-05T00:00:00Z";

        var read = ScenarioJson.Read(node.ToJsonString());

        Assert.True(read.IsValid);
        Assert.Equal(["recordedAt is ignored without \"evaluations\": the scenario is evaluated once, at until, with every fact known on time (1 fact with recordedAt)"], read.Warnings);
        Assert.DoesNotContain(Simulator.Run(read.Scenario).Transitions, t => t.IsLate);
    }

    [Fact]
    public void Read_RevocationRecordedBeforeItsHold_IsAnError()
    {
        var errors = Errors(With("""
            "holds": [ { "id": "h1", "kind": "suspension", "from": "2026-02-01T09:00:00Z", "by": "a", "reason": "b", "recordedAt": "2026-02-03T00:00:00Z" } ],
            "revocations": [ { "id": "r1", "revokes": "h1", "at": "2026-02-02T00:00:00Z", "by": "a", "reason": "b" } ],
            "evaluations": "PT1H"
            """));

        Assert.Equal(
            ["revocations[0].at: the revocation is recorded at \"2026-02-02T00:00:00Z\", before the hold it revokes (\"h1\", recorded at \"2026-02-03T00:00:00Z\"); give it a later recordedAt"],
            errors);
    }

    [Fact]
    public void Read_FactsAfterUntil_AreCountedInWarnings()
    {
        var read = ScenarioJson.Read(With("""
            "items": [ { "id": "calls", "unit": "1", "unitPrice": "1", "cycle": "none" } ],
            "usage": [ { "item": "calls", "at": "2026-03-01T00:00:00Z", "quantity": "1" } ],
            "holds": [ { "id": "h1", "kind": "all", "from": "2026-03-01T00:00:00Z", "by": "a", "reason": "b" },
                       { "id": "h2", "kind": "all", "from": "2026-02-01T00:00:00Z", "by": "a", "reason": "b", "recordedAt": "2026-03-01T00:00:00Z" } ],
            "revocations": [ { "id": "r1", "revokes": "h1", "at": "2026-03-02T00:00:00Z", "by": "a", "reason": "b" } ],
            "evaluations": "P1D"
            """).Replace(
                "\"" + """entries": [ { "id": "c1", "kind": "charge", "at": "2026-02-01T08:30:00Z", "amount": "25.00" } ]""",
                "\"" + """entries": [ { "id": "c1", "kind": "charge", "at": "2026-02-01T08:30:00Z", "amount": "25.00" }, { "id": "c2", "kind": "charge", "at": "2026-03-01T00:00:00Z", "amount": "1.00" }, { "id": "c3", "kind": "charge", "at": "2026-03-02T00:00:00Z", "amount": "1.00" } ]""",
                StringComparison.Ordinal));

        Assert.True(read.IsValid, string.Join(Environment.NewLine, read.Errors));
        Assert.Equal(
            [
                "2 entries after until 2026-02-10T00:00:00Z are ignored",
                "1 usage record after until 2026-02-10T00:00:00Z is ignored",
                "1 hold that starts after until 2026-02-10T00:00:00Z is ignored",
                "1 revocation after until 2026-02-10T00:00:00Z is ignored",
                "1 fact recorded after until 2026-02-10T00:00:00Z is ignored",
            ],
            read.Warnings);
    }

    [Fact]
    public void Run_EntryRecordedLate_ResumesLateAtTheFirstEvaluationThatSeesIt()
    {
        var scenario = Valid(With("\"evaluations\": \"PT6H\"").Replace(
            "\"" + """entries": [ { "id": "c1", "kind": "charge", "at": "2026-02-01T08:30:00Z", "amount": "25.00" } ]""",
            "\"" + """entries": [ { "id": "c1", "kind": "charge", "at": "2026-02-01T08:30:00Z", "amount": "25.00" }, { "id": "p1", "kind": "payment", "at": "2026-02-02T00:00:00Z", "amount": "25.00", "recordedAt": "2026-02-04T01:00:00Z" } ]""",
            StringComparison.Ordinal));

        var timeline = Simulator.Run(scenario);

        // Evaluated every 6 hours from 08:30: the payment of 02-02 00:00 is booked on 02-04 01:00, seen at 02-04 02:30.
        Assert.Equal(
            [(T0 + Duration.FromDays(1), TransitionReason.GraceExpired, false), (Instant.FromUtc(2026, 2, 4, 2, 30), TransitionReason.Resumed, true)],
            timeline.Transitions.Skip(1).Select(t => (t.At, t.Reason, t.IsLate)));
        Assert.Equal([T0 + Duration.FromHours(6), T0 + Duration.FromDays(1), Instant.FromUtc(2026, 2, 4, 2, 30)], timeline.Evaluations.Select(e => e.At));
    }

    [Fact]
    public void Run_HoldRecordedAfterTheDeadline_DoesNotUndoTheSuspension()
    {
        var scenario = Valid(With("""
            "holds": [ { "id": "h1", "kind": "suspension", "from": "2026-02-01T09:00:00Z", "until": "2026-02-05T00:00:00Z", "by": "a", "reason": "b", "recordedAt": "2026-02-03T00:00:00Z" } ],
            "evaluations": "PT1H"
            """));

        var suspended = Simulator.Run(scenario).Transitions.Single(t => t.Reason == TransitionReason.GraceExpired);

        Assert.Equal((T0 + Duration.FromDays(1), (Instant?)null), (suspended.At, suspended.DeferredFrom));
    }

    [Fact]
    public void Scenario_ScheduleThatDoesNotFit_ThrowsNamingFieldAndValue()
    {
        var policy = PolicyPresets.TencentApiGateway.Policy;
        var account = new AccountProfile("acct", "owner@example.com");
        var entries = new[] { new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 25m) };
        var hold = new Hold("h1", HoldKind.Suspension, T0, T0 + Duration.FromDays(1), "a", "b");
        var holds = new HoldSet([hold], [new HoldRevocation("r1", "h1", T0 + Duration.FromHours(1), "a", "b")]);
        var until = T0 + Duration.FromDays(5);
        string Error(EvaluationSchedule schedule) =>
            Assert.Throws<ArgumentException>(() => new Scenario(policy, account, Cny, until, entries: entries, holds: holds, schedule: schedule)).Message;

        Assert.StartsWith("schedule.instants: every evaluation must come before until (2026-02-06T08:30:00Z), got \"2026-02-06T08:30:00Z\"", Error(new EvaluationSchedule([until])), StringComparison.Ordinal);
        Assert.StartsWith("schedule.interval: every PT1S from 2026-02-01T08:30:00Z", Error(new EvaluationSchedule(Duration.FromSeconds(1))), StringComparison.Ordinal);
        Assert.StartsWith("schedule.entriesRecordedAt: no fact of the scenario has this id, got \"c9\"", Error(new EvaluationSchedule(Duration.FromHours(1), entriesRecordedAt: new Dictionary<string, Instant> { ["c9"] = T0 })), StringComparison.Ordinal);
        Assert.StartsWith(
            "schedule.revocationsRecordedAt: revocation \"r1\" is recorded at 2026-02-01T09:30:00Z, before the hold it revokes (\"h1\", recorded at 2026-02-02T00:00:00Z)",
            Error(new EvaluationSchedule(Duration.FromHours(1), holdsRecordedAt: new Dictionary<string, Instant> { ["h1"] = Instant.FromUtc(2026, 2, 2, 0, 0) })),
            StringComparison.Ordinal);
        Assert.StartsWith("instants[1]: must be after instants[0] (2026-02-01T08:30:00Z), got \"2026-02-01T08:30:00Z\"", Assert.Throws<ArgumentException>(() => new EvaluationSchedule([T0, T0])).Message, StringComparison.Ordinal);
        Assert.StartsWith("interval: must be positive, got \"PT0S\"", Assert.Throws<ArgumentException>(() => new EvaluationSchedule(Duration.Zero)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenario_HoldOverItsLimitOrProductUnknown_ThrowsNamingFieldAndValue()
    {
        var limited = EngineHarnessPolicy(o => o.HoldLimits[HoldKind.Suspension] = Duration.FromDays(1));
        var account = new AccountProfile("acct", "owner@example.com");
        var holds = new HoldSet([new Hold("h1", HoldKind.Suspension, T0, T0 + Duration.FromDays(2), "a", "b")]);
        var products = new AccountPolicyBuilder().AddProduct("apigw", limited).Build();

        var overLimit = Assert.Throws<ArgumentException>(() => new Scenario(limited, account, Cny, T0, holds: holds));
        var unknownProduct = Assert.Throws<ArgumentException>(() => new Scenario(products, account, Cny, T0, entries: [new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 1m, product: "cvm")]));

        Assert.StartsWith("holds[0].until: the hold lasts \"P2D\", longer than the suspension hold limit \"P1D\"", overLimit.Message, StringComparison.Ordinal);
        Assert.StartsWith("entries[0].product: the account policy has no product \"cvm\"; its products are \"apigw\"", unknownProduct.Message, StringComparison.Ordinal);
    }

    private static LifecyclePolicy EngineHarnessPolicy(Action<LifecyclePolicyOptions> configure)
    {
        var options = PolicyPresets.TencentApiGateway.Policy.ToOptions();
        configure(options);
        return LifecyclePolicy.Create(options);
    }
}
