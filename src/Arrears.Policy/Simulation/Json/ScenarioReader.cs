using System.Text.Json;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Assembles a <see cref="Scenario"/> from a scenario document: reads the root object with the policy, account and
/// ledger readers, in document order, then makes the checks that span them (policy amounts against the account's
/// currency, and the rating of usage), collecting every problem in <see cref="Fields"/>.
/// </summary>
internal sealed class ScenarioReader
{
    private static readonly string[] RootFields = ["policy", "account", "items", "entries", "usage", "until"];

    /// <summary>Gets every problem found so far.</summary>
    public JsonFields Fields { get; } = new();

    /// <summary>Reads a scenario document.</summary>
    /// <returns>The scenario, or <see langword="null"/> when the document has problems (each one in <see cref="Fields"/>).</returns>
    public Scenario? Read(JsonElement root)
    {
        var fields = Fields.ReadObject(root, string.Empty, RootFields);
        if (fields is null)
        {
            return null;
        }

        var policyReader = new PolicyReader(Fields);
        var policy = fields.TryGetValue("policy", out var policyElement) ? policyReader.Read(policyElement, "policy") : Required<LifecyclePolicy>("policy");
        var accountReader = new AccountReader(Fields);
        var account = fields.TryGetValue("account", out var accountElement) ? accountReader.Read(accountElement) : Required<AccountData>("account");
        if (accountReader.AccountCurrency is { } currency)
        {
            foreach (var (path, element, value) in policyReader.Amounts)
            {
                Fields.CheckMinorUnits(path, element, value, currency);
            }
        }

        var ledgerReader = new LedgerReader(Fields, accountReader.AccountCurrency);
        var items = ledgerReader.ReadItems(fields);
        var until = Fields.ReadInstant(fields, string.Empty, "until", required: true);
        var entries = ledgerReader.ReadEntries(fields);
        var usage = ledgerReader.ReadUsage(fields, items);

        if (Fields.Count > 0 || policy is null || account is null || items is null || until is null || entries is null || usage is null)
        {
            return null;
        }

        var scenario = new Scenario(
            policy,
            account.Profile,
            account.Currency,
            until.Value,
            openingBalance: account.OpeningBalance,
            timeZone: account.Zone,
            items: [.. items.Select(item => item.Item)],
            entries: [.. entries.Select(entry => entry.Entry)],
            usage: [.. usage.Select(record => record.Record)]);

        CheckRating(scenario, items, entries, usage);
        return Fields.Count > 0 ? null : scenario;
    }

    private T? Required<T>(string name)
        where T : class
    {
        Fields.ReportMissing(string.Empty, name, required: true);
        return null;
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
