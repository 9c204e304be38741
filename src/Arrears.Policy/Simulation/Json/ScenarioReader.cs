using System.Globalization;
using System.Text.Json;
using NodaTime;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Assembles a <see cref="Scenario"/> from a scenario document: reads the root object with the policy, account, ledger and
/// hold readers, in document order, then makes the checks that span them (policy amounts against the account's currency,
/// holds against the policies' limits, the evaluation schedule against <c>until</c> and the facts, and the rating of usage),
/// collecting every problem in <see cref="Fields"/> and every note for the user in <see cref="Warnings"/>.
/// </summary>
internal sealed class ScenarioReader
{
    private static readonly string[] RootFields =
        ["policy", "products", "channels", "account", "items", "entries", "usage", "holds", "revocations", "evaluations", "until"];

    private static readonly string[] ProductFields = ["product", "policy"];

    /// <summary>Gets every problem found so far.</summary>
    public JsonFields Fields { get; } = new();

    /// <summary>Gets what the replay will ignore, for the user to know (the scenario is valid nonetheless).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Reads a scenario document.</summary>
    /// <returns>The scenario, or <see langword="null"/> when the document has problems (each one in <see cref="Fields"/>).</returns>
    public Scenario? Read(JsonElement root)
    {
        var fields = Fields.ReadObject(root, string.Empty, RootFields);
        if (fields is null)
        {
            return null;
        }

        var declared = ReadDeclaredChannels(fields);
        var policyReader = new PolicyReader(Fields, declared);
        var (policy, productNames) = ReadPolicies(fields, policyReader);
        var accountReader = new AccountReader(Fields);
        var account = fields.TryGetValue("account", out var accountElement) ? accountReader.Read(accountElement) : Required<AccountData>("account");
        if (accountReader.AccountCurrency is { } currency)
        {
            foreach (var (path, element, value) in policyReader.Amounts)
            {
                Fields.CheckMinorUnits(path, element, value, currency);
            }
        }

        var ledgerReader = new LedgerReader(Fields, accountReader.AccountCurrency, productNames);
        var items = ledgerReader.ReadItems(fields);
        var until = Fields.ReadInstant(fields, string.Empty, "until", required: true);
        var entries = ledgerReader.ReadEntries(fields);
        var usage = ledgerReader.ReadUsage(fields, items);
        var holdReader = new HoldReader(Fields, productNames);
        var holds = holdReader.ReadHolds(fields);
        var revocations = holdReader.ReadRevocations(fields);
        var holdSet = holds is null || revocations is null ? null : new HoldSet([.. holds.Select(h => h.Hold)], [.. revocations.Select(r => r.Revocation)]);
        if (policy is not null && holdSet is not null)
        {
            CheckHoldLimits(policy, holdSet, holds!);
        }

        var schedule = entries is null || usage is null || holds is null || revocations is null || until is null
            ? null
            : ReadSchedule(fields, until.Value, entries, usage, holds, revocations);

        if (Fields.Count > 0 || policy is null || account is null || items is null || until is null || entries is null || usage is null || holdSet is null)
        {
            return null;
        }

        Scenario scenario;
        try
        {
            scenario = new Scenario(
                policy,
                account.Profile,
                account.Currency,
                until.Value,
                openingBalance: account.OpeningBalance,
                timeZone: account.Zone,
                items: [.. items.Select(item => item.Item)],
                entries: [.. entries.Select(entry => entry.Entry)],
                usage: [.. usage.Select(record => record.Record)],
                holds: holdSet,
                schedule: schedule);
        }
        catch (ArgumentException exception)
        {
            // Every rule of the constructor is checked above with its JSON path; this only keeps a missed one from escaping.
            Fields.Add("$", JsonFields.Printable(exception.Message));
            return null;
        }

        CheckRating(scenario, items, entries, usage);
        if (Fields.Count > 0)
        {
            return null;
        }

        Warnings.AddRange(IgnoredFacts(scenario));
        return scenario;
    }

    /// <summary>Counts, in words, the facts a replay ignores because they come (or become known) after <c>until</c>.</summary>
    internal static IEnumerable<string> IgnoredFacts(Scenario scenario)
    {
        var until = scenario.Until;
        var after = $"after until {Invariant.Format(until)}";
        string Count(int count, string one, string many) => count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? one : many);
        string Are(int count) => count == 1 ? "is" : "are";

        var entries = scenario.Entries.DistinctBy(e => e.Id, StringComparer.Ordinal).Count(e => e.At > until);
        if (entries > 0)
        {
            yield return $"{Count(entries, "entry", "entries")} {after} {Are(entries)} ignored";
        }

        var usage = scenario.Usage.Count(u => u.At > until);
        if (usage > 0)
        {
            yield return $"{Count(usage, "usage record", "usage records")} {after} {Are(usage)} ignored";
        }

        var holds = scenario.Holds.Holds.Count(h => h.From > until);
        if (holds > 0)
        {
            yield return $"{Count(holds, "hold that starts", "holds that start")} {after} {Are(holds)} ignored";
        }

        var revocations = scenario.Holds.Revocations.Count(r => r.At > until);
        if (revocations > 0)
        {
            yield return $"{Count(revocations, "revocation", "revocations")} {after} {Are(revocations)} ignored";
        }

        if (scenario.Schedule is not null)
        {
            var late = scenario.Entries.DistinctBy(e => e.Id, StringComparer.Ordinal).Count(e => e.At <= until && scenario.RecordedAt(e) > until) +
                       scenario.Holds.Holds.Count(h => h.From <= until && scenario.RecordedAt(h) > until) +
                       scenario.Holds.Revocations.Count(r => r.At <= until && scenario.RecordedAt(r) > until);
            if (late > 0)
            {
                yield return $"{Count(late, "fact", "facts")} recorded {after} {Are(late)} ignored";
            }
        }
    }

    private T? Required<T>(string name)
        where T : class
    {
        Fields.ReportMissing(string.Empty, name, required: true);
        return null;
    }

    /// <summary>Reads the custom channels the scenario declares in its root <c>channels</c>.</summary>
    private List<string> ReadDeclaredChannels(Dictionary<string, JsonElement> root)
    {
        var declared = new List<string>();
        if (Fields.ReadOptionalArray(root, string.Empty, "channels") is not { } array)
        {
            return declared;
        }

        for (var i = 0; i < array.Length; i++)
        {
            var path = JsonFields.Index("channels", i);
            if (Fields.ReadString(array[i], path) is not { } channel)
            {
                continue;
            }

            if (!PolicyReader.ChannelName().IsMatch(channel))
            {
                Fields.Add(path, $"must be a letter followed by letters, digits and hyphens, such as \"Slack\" or \"pager-duty\", got {Invariant.Quote(channel)}");
            }
            else if (declared.Contains(channel, StringComparer.Ordinal))
            {
                Fields.Add(path, $"duplicate channel, got {Invariant.Quote(channel)}");
            }
            else
            {
                declared.Add(channel);
            }
        }

        return declared;
    }

    /// <summary>
    /// Reads <c>policy</c> (one unnamed product) or <c>products</c> (several named products, each with its policy), exactly
    /// one of the two, into an account policy.
    /// </summary>
    /// <returns>The account policy (or <see langword="null"/> on a problem) and the product names (<see langword="null"/> for a single policy).</returns>
    private (AccountPolicy? Policy, IReadOnlyList<string>? Products) ReadPolicies(Dictionary<string, JsonElement> root, PolicyReader policyReader)
    {
        var hasPolicy = root.TryGetValue("policy", out var policyElement);
        if (!root.TryGetValue("products", out var productsElement))
        {
            if (!hasPolicy)
            {
                Fields.Add("policy", "is required (or \"products\", for an account of several products)");
                return (null, null);
            }

            return policyReader.Read(policyElement, "policy") is { } single ? (AccountPolicy.For(single), null) : (null, null);
        }

        if (hasPolicy)
        {
            Fields.Add("products", "must be left out when \"policy\" is given: a scenario has one policy or several products, got both");
            return (null, null);
        }

        var before = Fields.Count;
        var names = new List<string>();
        var builder = new AccountPolicyBuilder();
        var products = Fields.ReadObjects(root, "products", ProductFields, (i, path, fields) =>
        {
            var name = Fields.ReadString(fields, path, "product", required: true);
            if (name is not null && names.Contains(name, StringComparer.Ordinal))
            {
                Fields.Add(JsonFields.Field(path, "product"), $"duplicate product, got {Invariant.Quote(name)}");
            }
            else if (name is not null)
            {
                names.Add(name);
            }

            LifecyclePolicy? policy = null;
            if (fields.TryGetValue("policy", out var element))
            {
                policy = policyReader.Read(element, JsonFields.Field(path, "policy"));
            }
            else
            {
                Fields.ReportMissing(path, "policy", required: true);
            }

            if (name is not null && policy is not null)
            {
                builder.AddProduct(name, policy);
            }

            return name;
        });
        if (products is { Count: 0 })
        {
            Fields.Add("products", "must name at least one product, got []");
        }

        return Fields.Count > before || products is null ? (null, names) : (builder.Build(), names);
    }

    /// <summary>Checks every hold against the limits of the policies it falls under, naming it by its position in the document.</summary>
    private void CheckHoldLimits(AccountPolicy policy, HoldSet holdSet, List<HoldData> holds)
    {
        foreach (var problem in policy.ValidateHolds(holdSet))
        {
            // The set keeps the holds in document order, each id once, as the list of read holds does.
            var close = problem.Path.IndexOf(']', StringComparison.Ordinal);
            var index = int.Parse(problem.Path["holds[".Length..close], CultureInfo.InvariantCulture);
            Fields.Add(JsonFields.Index("holds", holds[index].Index) + problem.Path[(close + 1)..], problem.Message);
        }
    }

    /// <summary>
    /// Reads <c>evaluations</c> (a list of instants or a duration) into a schedule with the facts' <c>recordedAt</c>; without
    /// it the facts' <c>recordedAt</c> have no effect, which a warning says.
    /// </summary>
    private EvaluationSchedule? ReadSchedule(
        Dictionary<string, JsonElement> root, Instant until, List<EntryData> entries, List<UsageData> usage, List<HoldData> holds, List<RevocationData> revocations)
    {
        var recorded = entries.Count(e => e.RecordedAt is not null) + holds.Count(h => h.RecordedAt is not null) + revocations.Count(r => r.RecordedAt is not null);
        if (!root.TryGetValue("evaluations", out var element))
        {
            if (recorded > 0)
            {
                Warnings.Add($"recordedAt is ignored without \"evaluations\": the scenario is evaluated once, at until, with every fact known on time ({recorded.ToString(CultureInfo.InvariantCulture)} fact{(recorded == 1 ? string.Empty : "s")} with recordedAt)");
            }

            return null;
        }

        var before = Fields.Count;
        foreach (var revocation in revocations)
        {
            var hold = holds.First(h => string.Equals(h.Hold.Id, revocation.Revocation.Revokes, StringComparison.Ordinal));
            if (revocation.Known < hold.Known)
            {
                var path = JsonFields.Index("revocations", revocation.Index);
                Fields.Add(
                    revocation.RecordedAt is null ? JsonFields.Field(path, "at") : JsonFields.Field(path, "recordedAt"),
                    $"the revocation is recorded at {Invariant.Quote(Invariant.Format(revocation.Known))}, before the hold it revokes (\"{hold.Hold.Id}\", recorded at {Invariant.Quote(Invariant.Format(hold.Known))}); give it a later recordedAt");
            }
        }

        var entriesRecordedAt = entries.Where(e => e.RecordedAt is not null).ToDictionary(e => e.Entry.Id, e => e.RecordedAt!.Value, StringComparer.Ordinal);
        var holdsRecordedAt = holds.Where(h => h.RecordedAt is not null).ToDictionary(h => h.Hold.Id, h => h.RecordedAt!.Value, StringComparer.Ordinal);
        var revocationsRecordedAt = revocations.Where(r => r.RecordedAt is not null).ToDictionary(r => r.Revocation.Id, r => r.RecordedAt!.Value, StringComparer.Ordinal);
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (Fields.ReadDuration(element, "evaluations") is not { } interval)
                {
                    return null;
                }

                if (interval == Duration.Zero)
                {
                    Fields.Add("evaluations", $"must be a positive duration such as \"PT1H\", got {JsonFields.Describe(element)}");
                    return null;
                }

                var first = entries.Select(e => e.Entry.At).Concat(usage.Select(u => u.Record.At)).Concat(holds.Select(h => h.Hold.From))
                    .Concat(revocations.Select(r => r.Revocation.At)).Cast<Instant?>().Min();
                if (first is { } start && EvaluationSchedule.CountBetween(interval, start, until) is var count && count > EvaluationSchedule.MaxEvaluations)
                {
                    Fields.Add(
                        "evaluations",
                        string.Create(CultureInfo.InvariantCulture, $"must make at most {EvaluationSchedule.MaxEvaluations} evaluations, got {JsonFields.Describe(element)}, which makes {count} from the first fact ({Invariant.Format(start)}) to until ({Invariant.Format(until)})"));
                }

                return Fields.Count > before ? null : new EvaluationSchedule(interval, entriesRecordedAt, holdsRecordedAt, revocationsRecordedAt);
            case JsonValueKind.Array:
                var instants = new List<Instant>();
                var array = element.EnumerateArray().ToList();
                if (array.Count > EvaluationSchedule.MaxEvaluations)
                {
                    Fields.Add("evaluations", string.Create(CultureInfo.InvariantCulture, $"must list at most {EvaluationSchedule.MaxEvaluations} instants, got {array.Count}"));
                    return null;
                }

                for (var i = 0; i < array.Count; i++)
                {
                    var path = JsonFields.Index("evaluations", i);
                    if (Fields.ReadInstant(array[i], path) is not { } at)
                    {
                        continue;
                    }

                    if (at >= until)
                    {
                        Fields.Add(path, $"must be before until ({Invariant.Quote(Invariant.Format(until))}), which is always evaluated last, got {Invariant.Quote(Invariant.Format(at))}");
                    }
                    else if (instants.Count > 0 && at <= instants[^1])
                    {
                        Fields.Add(path, $"must be after the evaluation before it ({Invariant.Quote(Invariant.Format(instants[^1]))}), got {Invariant.Quote(Invariant.Format(at))}");
                    }
                    else
                    {
                        instants.Add(at);
                    }
                }

                return Fields.Count > before ? null : new EvaluationSchedule(instants, entriesRecordedAt, holdsRecordedAt, revocationsRecordedAt);
            default:
                Fields.Add("evaluations", $"must be a list of instants or a duration such as \"PT1H\", got {JsonFields.Describe(element)}");
                return null;
        }
    }

    /// <summary>
    /// Rates the usage as the simulator will, so that an overflow or a clash of ids is reported here, with its path,
    /// rather than thrown by <see cref="Simulator.Run"/>.
    /// </summary>
    private void CheckRating(Scenario scenario, List<ItemData> items, List<EntryData> entries, List<UsageData> usage)
    {
        var (charges, error) = Simulator.RateUsage(scenario);
        if (error is not null)
        {
            // Scenario.Items and Scenario.Usage hold the read items and records in order; map back to their JSON positions.
            var path = error.Argument == "items" ? JsonFields.Index("items", items[error.Index].Index) : JsonFields.Index("usage", usage[error.Index].Index);
            Fields.Add(error.Field.Length == 0 ? path : JsonFields.Field(path, error.Field), JsonFields.Printable(error.Message));
            return;
        }

        var entryIds = entries.ToDictionary(e => e.Entry.Id, e => e.Index, StringComparer.Ordinal);
        foreach (var charge in charges!)
        {
            if (charge.Amount > JsonFields.MaxAmount)
            {
                var item = items.First(i => string.Equals(i.Item.Id, charge.Item, StringComparison.Ordinal));
                Fields.Add(
                    JsonFields.Index("items", item.Index),
                    $"the charge \"{charge.Id}\" rated from usage comes to {Invariant.Format(charge.Amount)}, more than the largest amount {Invariant.Format(JsonFields.MaxAmount)}");
            }

            if (entryIds.TryGetValue(charge.Id, out var entryIndex))
            {
                Fields.Add(
                    JsonFields.Field(JsonFields.Index("entries", entryIndex), "id"),
                    $"is also the id of a charge rated from usage, got {Invariant.Quote(charge.Id)}");
            }
        }
    }
}
