using System.Globalization;
using System.Text.Json;
using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Reads what a scenario's ledger is built from: the billing <c>items</c>, the ledger <c>entries</c> and the <c>usage</c>
/// records, each kept with its position in the document so that later checks can name it.
/// </summary>
internal sealed class LedgerReader
{
    private static readonly string[] ItemFields = ["id", "unit", "unitPrice", "cycle", "settlementDelay"];
    private static readonly string[] EntryFields = ["id", "kind", "at", "amount"];
    private static readonly string[] UsageFields = ["item", "at", "quantity"];
    private static readonly string[] EntryKinds = ["charge", "payment", "credit", "refund"];

    /// <summary>Initializes a reader that reports problems to <paramref name="fields"/>.</summary>
    /// <param name="fields">Where problems go.</param>
    /// <param name="currency">The account's currency, when known, to check entry amounts against its minor units.</param>
    public LedgerReader(JsonFields fields, Currency? currency)
    {
        Fields = fields;
        AccountCurrency = currency;
    }

    private JsonFields Fields { get; }

    private Currency? AccountCurrency { get; }

    /// <summary>Gets every item id that was readable, even from an item with other problems, to check usage against.</summary>
    private HashSet<string> KnownItems { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Reads the optional <c>items</c> array.</summary>
    /// <returns>The items with their positions, or <see langword="null"/> when any has a problem.</returns>
    public List<ItemData>? ReadItems(Dictionary<string, JsonElement> root)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = Fields.ReadObjects(root, "items", ItemFields, (i, itemPath, fields) =>
        {
            var itemBefore = Fields.Count;
            var id = Fields.ReadString(fields, itemPath, "id", required: true);
            if (id is not null && !ids.TryAdd(id, i))
            {
                Fields.Add(JsonFields.Field(itemPath, "id"), $"duplicate billing item id (also items[{ids[id].ToString(CultureInfo.InvariantCulture)}]), got {Invariant.Quote(id)}");
            }

            var unit = Fields.ReadDecimal(fields, itemPath, "unit", required: true);
            if (unit <= 0)
            {
                Fields.Add(JsonFields.Field(itemPath, "unit"), $"must be positive, got {JsonFields.Describe(fields["unit"])}");
            }

            var unitPrice = Fields.ReadDecimal(fields, itemPath, "unitPrice", required: true);
            if (unitPrice < 0)
            {
                Fields.Add(JsonFields.Field(itemPath, "unitPrice"), $"must not be negative, got {JsonFields.Describe(fields["unitPrice"])}");
            }

            var cycleText = Fields.ReadString(fields, itemPath, "cycle", required: true);
            var cycle = BillingCycle.None;
            if (cycleText is not null && !BillingCycle.TryParse(cycleText, out cycle))
            {
                Fields.Add(
                    JsonFields.Field(itemPath, "cycle"),
                    $"must be \"none\", a sub-day duration such as \"PT1H\", \"P1D\", \"P1W\" or \"P1M\", got {Invariant.Quote(cycleText)}");
            }

            var delay = Fields.ReadDuration(fields, itemPath, "settlementDelay", required: false) ?? Duration.Zero;
            return Fields.Count > itemBefore || id is null || unit is null || unitPrice is null
                ? null
                : new ItemData(i, new BillingItem(id, unit.Value, unitPrice.Value, cycle, settlementDelay: delay));
        });

        // Usage is checked against every item id that was readable, even when the item itself has problems.
        KnownItems = ids.Keys.ToHashSet(StringComparer.Ordinal);
        return items;
    }

    /// <summary>Reads the optional <c>entries</c> array; an entry repeated with the same content is kept once.</summary>
    /// <returns>The entries with their positions, or <see langword="null"/> when any has a problem.</returns>
    public List<EntryData>? ReadEntries(Dictionary<string, JsonElement> root)
    {
        var byId = new Dictionary<string, EntryData>(StringComparer.Ordinal);
        return Fields.ReadObjects(root, "entries", EntryFields, (i, entryPath, fields) =>
        {
            var entryBefore = Fields.Count;
            var id = Fields.ReadString(fields, entryPath, "id", required: true);
            var kind = Fields.OneOf(fields, entryPath, "kind", required: true, EntryKinds);
            var at = Fields.ReadInstant(fields, entryPath, "at", required: true);
            var amount = Fields.ReadDecimal(fields, entryPath, "amount", required: true);
            if (amount <= 0)
            {
                Fields.Add(JsonFields.Field(entryPath, "amount"), $"must be positive, got {JsonFields.Describe(fields["amount"])}");
            }
            else if (amount is { } value && AccountCurrency is { } currency)
            {
                Fields.CheckMinorUnits(JsonFields.Field(entryPath, "amount"), fields["amount"], value, currency);
            }

            if (Fields.Count > entryBefore || id is null || kind is null || at is null || amount is null)
            {
                return null;
            }

            var entry = new LedgerEntry(id, Enum.Parse<LedgerEntryKind>(kind, ignoreCase: true), at.Value, amount.Value);
            if (byId.TryGetValue(id, out var existing))
            {
                if (existing.Entry != entry)
                {
                    Fields.Add(
                        JsonFields.Field(entryPath, "id"),
                        $"an entry with this id already exists with different content (entries[{existing.Index.ToString(CultureInfo.InvariantCulture)}]: {existing.Entry}), got {Invariant.Quote(id)} ({entry})");
                }

                return null;
            }

            var data = new EntryData(i, entry);
            byId.Add(id, data);
            return data;
        });
    }

    /// <summary>Reads the optional <c>usage</c> array, checking item ids against the items read by <see cref="ReadItems"/>.</summary>
    /// <returns>The records with their positions, or <see langword="null"/> when any has a problem or the items had one.</returns>
    public List<UsageData>? ReadUsage(Dictionary<string, JsonElement> root, List<ItemData>? items)
    {
        var usage = Fields.ReadObjects(root, "usage", UsageFields, (i, recordPath, fields) =>
        {
            var recordBefore = Fields.Count;
            var item = Fields.ReadString(fields, recordPath, "item", required: true);
            if (item is not null && !KnownItems.Contains(item))
            {
                var known = KnownItems.Count == 0 ? "no billing items are defined" : "known items: " + string.Join(", ", KnownItems.Order(StringComparer.Ordinal));
                Fields.Add(JsonFields.Field(recordPath, "item"), $"unknown billing item ({known}), got {Invariant.Quote(item)}");
            }

            var at = Fields.ReadInstant(fields, recordPath, "at", required: true);
            var quantity = Fields.ReadDecimal(fields, recordPath, "quantity", required: true);
            if (quantity < 0)
            {
                Fields.Add(JsonFields.Field(recordPath, "quantity"), $"must not be negative, got {JsonFields.Describe(fields["quantity"])}");
            }

            return Fields.Count > recordBefore || item is null || at is null || quantity is null
                ? null
                : new UsageData(i, new UsageRecord(item, at.Value, quantity.Value));
        });

        return items is null ? null : usage;
    }
}

/// <summary>A billing item and its position in <c>items</c>.</summary>
internal sealed record ItemData(int Index, BillingItem Item);

/// <summary>A ledger entry and its position in <c>entries</c>.</summary>
internal sealed record EntryData(int Index, LedgerEntry Entry);

/// <summary>A usage record and its position in <c>usage</c>.</summary>
internal sealed record UsageData(int Index, UsageRecord Record);
