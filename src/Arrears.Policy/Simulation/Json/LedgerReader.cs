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
    private static readonly string[] ItemFields = ["id", "unit", "unitPrice", "tiers", "cycle", "settlementDelay", "product"];
    private static readonly string[] TierFields = ["upTo", "unitPrice"];
    private static readonly string[] EntryFields = ["id", "kind", "at", "amount", "product", "recordedAt"];
    private static readonly string[] UsageFields = ["item", "at", "quantity"];
    private static readonly string[] EntryKinds = ["charge", "payment", "credit", "refund"];

    /// <summary>Initializes a reader that reports problems to <paramref name="fields"/>.</summary>
    /// <param name="fields">Where problems go.</param>
    /// <param name="currency">The account's currency, when known, to check entry amounts against its minor units.</param>
    /// <param name="products">The scenario's named products, which items and entries may name; <see langword="null"/> for a single-policy scenario, where a product is only a label.</param>
    public LedgerReader(JsonFields fields, Currency? currency, IReadOnlyList<string>? products = null)
    {
        Fields = fields;
        AccountCurrency = currency;
        Products = products;
    }

    private JsonFields Fields { get; }

    private IReadOnlyList<string>? Products { get; }

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

            var (tiers, beyond) = fields.TryGetValue("tiers", out var tiersElement) ? ReadTiers(tiersElement, JsonFields.Field(itemPath, "tiers")) : ([], null);
            decimal? unitPrice;
            if (beyond is not null && fields.TryGetValue("unitPrice", out var extraPrice))
            {
                Fields.Add(
                    JsonFields.Field(itemPath, "unitPrice"),
                    $"must be left out when the last tier (\"upTo\": null) prices the quantity beyond the tiers, got {JsonFields.Describe(extraPrice)}");
                unitPrice = null;
            }
            else
            {
                unitPrice = beyond ?? Fields.ReadDecimal(fields, itemPath, "unitPrice", required: true);
                if (beyond is null && unitPrice < 0)
                {
                    Fields.Add(JsonFields.Field(itemPath, "unitPrice"), $"must not be negative, got {JsonFields.Describe(fields["unitPrice"])}");
                }
            }

            var product = ReadProduct(fields, itemPath);

            var cycleText = Fields.ReadString(fields, itemPath, "cycle", required: true);
            var cycle = BillingCycle.None;
            if (cycleText is not null && !BillingCycle.TryParse(cycleText, out cycle))
            {
                Fields.Add(
                    JsonFields.Field(itemPath, "cycle"),
                    $"must be \"none\", a sub-day duration such as \"PT1H\", \"P1D\", \"P1W\" or \"P1M\", got {Invariant.Quote(cycleText)}");
            }

            var delay = Fields.ReadDuration(fields, itemPath, "settlementDelay", required: false) ?? Duration.Zero;
            return Fields.Count > itemBefore || id is null || unit is null || unitPrice is null || tiers is null
                ? null
                : new ItemData(i, new BillingItem(id, unit.Value, unitPrice.Value, cycle, settlementDelay: delay, product: product, tiers: tiers));
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

            var product = ReadProduct(fields, entryPath);
            var recordedAt = Fields.ReadInstant(fields, entryPath, "recordedAt", required: false);
            if (Fields.Count > entryBefore || id is null || kind is null || at is null || amount is null)
            {
                return null;
            }

            var entry = new LedgerEntry(id, Enum.Parse<LedgerEntryKind>(kind, ignoreCase: true), at.Value, amount.Value, product: product);
            if (byId.TryGetValue(id, out var existing))
            {
                var index = existing.Index.ToString(CultureInfo.InvariantCulture);
                if (existing.Entry != entry)
                {
                    Fields.Add(
                        JsonFields.Field(entryPath, "id"),
                        $"an entry with this id already exists with different content (entries[{index}]: {existing.Entry}), got {Invariant.Quote(id)} ({entry})");
                }
                else if (existing.RecordedAt != recordedAt)
                {
                    Fields.Add(
                        JsonFields.Field(entryPath, "recordedAt"),
                        $"the entry {Invariant.Quote(id)} repeats entries[{index}], which is recorded at {(existing.RecordedAt is { } known ? Invariant.Quote(Invariant.Format(known)) : "its own at")}, got {(recordedAt is { } other ? Invariant.Quote(Invariant.Format(other)) : "none")}");
                }

                return null;
            }

            var data = new EntryData(i, entry, recordedAt);
            byId.Add(id, data);
            return data;
        });
    }

    /// <summary>
    /// Reads the optional <c>product</c> of an item or entry: with named products it must be one of them; in a single-policy
    /// scenario it is only a label for bill details.
    /// </summary>
    private string? ReadProduct(Dictionary<string, JsonElement> fields, string path)
    {
        var product = Fields.ReadString(fields, path, "product", required: false);
        if (product is not null && Products is not null && !Products.Contains(product, StringComparer.Ordinal))
        {
            Fields.Add(JsonFields.Field(path, "product"), UnknownProduct(product, Products));
            return null;
        }

        return product;
    }

    /// <summary>The message for a product the scenario does not have.</summary>
    public static string UnknownProduct(string product, IReadOnlyList<string> products) =>
        $"must be one of the scenario's products ({string.Join(", ", products.Select(Invariant.Quote))}), got {Invariant.Quote(product)}";

    /// <summary>
    /// Reads the <c>tiers</c> of an item: bounded tiers with increasing <c>upTo</c>, the last of which may be unbounded
    /// (<c>"upTo": null</c>) to give the price beyond the tiers.
    /// </summary>
    /// <returns>The bounded tiers (or <see langword="null"/> on a problem) and the price beyond them, if the last tier gives it.</returns>
    private (List<PriceTier>? Tiers, decimal? Beyond) ReadTiers(JsonElement element, string path)
    {
        var before = Fields.Count;
        if (Fields.ReadArray(element, path) is not { } array)
        {
            return (null, null);
        }

        var tiers = new List<PriceTier>();
        decimal? beyond = null;
        for (var i = 0; i < array.Length; i++)
        {
            var tierPath = JsonFields.Index(path, i);
            if (Fields.ReadObject(array[i], tierPath, TierFields) is not { } tier)
            {
                continue;
            }

            var price = Fields.ReadDecimal(tier, tierPath, "unitPrice", required: true);
            if (price < 0)
            {
                Fields.Add(JsonFields.Field(tierPath, "unitPrice"), $"must not be negative, got {JsonFields.Describe(tier["unitPrice"])}");
            }

            if (!tier.TryGetValue("upTo", out var upToElement))
            {
                Fields.ReportMissing(tierPath, "upTo", required: true);
                continue;
            }

            if (upToElement.ValueKind == JsonValueKind.Null)
            {
                if (i != array.Length - 1)
                {
                    Fields.Add(JsonFields.Field(tierPath, "upTo"), "only the last tier may be unbounded, got null");
                }
                else if (price is { } last)
                {
                    beyond = last;
                }

                continue;
            }

            var upTo = Fields.ReadDecimal(upToElement, JsonFields.Field(tierPath, "upTo"));
            if (upTo <= 0)
            {
                Fields.Add(JsonFields.Field(tierPath, "upTo"), $"must be positive, got {JsonFields.Describe(upToElement)}");
            }
            else if (upTo is { } bound && tiers.Count > 0 && bound <= tiers[^1].UpTo)
            {
                Fields.Add(
                    JsonFields.Field(tierPath, "upTo"),
                    $"must be greater than {JsonFields.Index(path, i - 1)}.upTo {Invariant.Quote(Invariant.Format(tiers[^1].UpTo))}, got {JsonFields.Describe(upToElement)}");
            }
            else if (upTo is { } ok && price is { } p && p >= 0)
            {
                tiers.Add(new PriceTier(ok, p));
            }
        }

        return Fields.Count > before ? (null, null) : (tiers, beyond);
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

/// <summary>A ledger entry, its position in <c>entries</c> and when it became known, if the scenario says.</summary>
internal sealed record EntryData(int Index, LedgerEntry Entry, Instant? RecordedAt);

/// <summary>A usage record and its position in <c>usage</c>.</summary>
internal sealed record UsageData(int Index, UsageRecord Record);
