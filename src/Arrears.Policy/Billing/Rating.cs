using NodaTime;

namespace Arrears.Policy.Billing;

/// <summary>Turns usage records into charges: one charge per billing item and cycle with usage (one per tier touched, for a tiered item).</summary>
/// <remarks>
/// <para>For each item and each cycle <c>[start, end)</c> holding at least one of its usage records:</para>
/// <list type="bullet">
/// <item><description>
/// flat price: <c>amount = round(sum(quantity) * unitPrice / unit, currency minor units, MidpointRounding.AwayFromZero)</c>,
/// id <c>"{item}:{start}"</c>;
/// </description></item>
/// <item><description>
/// tiered price: the cycle's quantity continues the cumulative quantity of the calendar month (in the billing zone) that
/// the cycle starts in; the part falling in tier <c>n</c> becomes its own charge
/// <c>round(part * tierPrice / unit, …)</c> with id <c>"{item}:{start}:t{n}"</c>;
/// </description></item>
/// <item><description>every charge takes effect at <c>end + settlementDelay</c>; a charge that rounds to 0 is not billed.</description></item>
/// </list>
/// <para>
/// The cycle <c>none</c> bills the records of one item at one instant as one charge whose cycle starts and ends at that
/// instant. A record exactly at a cycle boundary belongs to the cycle starting there. <c>{start}</c> is the ISO 8601 UTC
/// instant, for example <c>calls:2026-01-01T01:00:00Z</c>.
/// </para>
/// <para>
/// Rating is a pure function: the result does not depend on the order of the items or of the usage, and is sorted by
/// <see cref="RatedCharge.At"/> then <see cref="RatedCharge.Id"/> (ordinal). Invalid input is rejected whole, with a
/// message naming the field and the value.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var calls = new BillingItem("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"), settlementDelay: Duration.FromMinutes(30));
/// var charges = Rating.Rate([calls], [new UsageRecord("calls", Instant.FromUtc(2026, 1, 1, 1, 15), 250000m)],
///     Currency.FromCode("CNY"), DateTimeZone.Utc);
/// // one charge: id "calls:2026-01-01T01:00:00Z", at 2026-01-01T02:30:00Z, amount 1.50
/// </code>
/// </example>
public static class Rating
{
    /// <summary>Rates usage into charges.</summary>
    /// <param name="items">The account's billing items; ids must be unique.</param>
    /// <param name="usage">The usage records, in any order.</param>
    /// <param name="currency">The account's currency, whose minor units the amounts are rounded to.</param>
    /// <param name="zone">The account's billing time zone, for day, week and month cycles and for the months of tiered prices.</param>
    /// <returns>The charges, sorted by instant then id.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// An item or record is null, two items share an id (<c>items[i].id</c>), a record names an unknown item
    /// (<c>usage[i].item</c>), the currency is the default value, or a total overflows <see cref="decimal"/>. Nothing is rated.
    /// </exception>
    public static IReadOnlyList<RatedCharge> Rate(IReadOnlyList<BillingItem> items, IReadOnlyList<UsageRecord> usage, Currency currency, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(zone);
        if (currency == default)
        {
            throw new ArgumentException("currency: must be an ISO 4217 currency, got the default value", nameof(currency));
        }

        var (charges, error) = TryRate(items, usage, currency, zone);
        return error is null ? charges! : throw error.ToException();
    }

    /// <summary>
    /// Rates usage as <see cref="Rate"/> does, but returns the first problem as a structured <see cref="RatingError"/>
    /// instead of throwing, so that a reader can map it to its own paths without parsing message text.
    /// </summary>
    /// <returns>The charges (sorted by instant then id) and no error, or no charges and the error.</returns>
    internal static (IReadOnlyList<RatedCharge>? Charges, RatingError? Error) TryRate(
        IReadOnlyList<BillingItem> items, IReadOnlyList<UsageRecord> usage, Currency currency, DateTimeZone zone)
    {
        var itemsById = new Dictionary<string, BillingItem>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not { } item)
            {
                return (null, new RatingError(nameof(items), i, string.Empty, "must not be null"));
            }

            if (!itemsById.TryAdd(item.Id, item))
            {
                return (null, new RatingError(nameof(items), i, "id", $"duplicate billing item id, got \"{item.Id}\""));
            }
        }

        // Validate every record and group it by (item, cycle) before rating anything.
        var cycles = new Dictionary<(string Item, Instant Start), CycleUsage>();
        for (var i = 0; i < usage.Count; i++)
        {
            if (usage[i] is not { } record)
            {
                return (null, new RatingError(nameof(usage), i, string.Empty, "must not be null"));
            }

            if (!itemsById.TryGetValue(record.Item, out var item))
            {
                return (null, new RatingError(nameof(usage), i, "item", $"unknown billing item, got \"{record.Item}\""));
            }

            var interval = item.Cycle.CycleContaining(record.At, zone);
            var key = (item.Id, interval.Start);
            if (!cycles.TryGetValue(key, out var cycleUsage))
            {
                cycleUsage = new CycleUsage(item, interval.Start, interval.End);
                cycles.Add(key, cycleUsage);
            }

            cycleUsage.Quantities.Add(record.Quantity);
            cycleUsage.FirstIndex = Math.Min(cycleUsage.FirstIndex, i);
        }

        var totals = new List<CycleUsage>(cycles.Count);
        foreach (var cycleUsage in cycles.Values)
        {
            if (Sum(cycleUsage) is { } sumError)
            {
                return (null, sumError);
            }

            totals.Add(cycleUsage);
        }

        // Cumulative monthly quantities need the cycles of one item in time order.
        totals.Sort(static (a, b) =>
        {
            var byItem = string.CompareOrdinal(a.Item.Id, b.Item.Id);
            return byItem != 0 ? byItem : a.Start.CompareTo(b.Start);
        });

        var charges = new List<RatedCharge>(totals.Count);
        var portions = new List<(int Tier, decimal Quantity, decimal Amount)>();
        string? monthItem = null;
        var month = default(YearMonth);
        var monthToDate = 0m;
        foreach (var cycleUsage in totals)
        {
            var item = cycleUsage.Item;
            var start = Invariant.Format(cycleUsage.Start);
            var at = cycleUsage.End + item.SettlementDelay;
            try
            {
                if (item.Tiers.Count == 0)
                {
                    var amount = currency.Round(cycleUsage.Total * item.UnitPrice / item.Unit);
                    AddIfBilled(charges, $"{item.Id}:{start}", cycleUsage, at, amount);
                    continue;
                }

                var cycleMonth = BillingCycle.TierMonthOf(cycleUsage.Start, zone);
                if (!string.Equals(monthItem, item.Id, StringComparison.Ordinal) || cycleMonth != month)
                {
                    monthItem = item.Id;
                    month = cycleMonth;
                    monthToDate = 0m;
                }

                portions.Clear();
                item.PriceTiered(monthToDate, cycleUsage.Total, portions);
                monthToDate += cycleUsage.Total;
                foreach (var (tier, _, unrounded) in portions)
                {
                    AddIfBilled(charges, $"{item.Id}:{start}:t{tier}", cycleUsage, at, currency.Round(unrounded));
                }
            }
            catch (OverflowException exception)
            {
                return (null, new RatingError(
                    nameof(usage),
                    cycleUsage.FirstIndex,
                    "quantity",
                    $"the amount of item \"{item.Id}\" in the cycle starting {start} overflows, got a total quantity of \"{Invariant.Format(cycleUsage.Total)}\"",
                    exception));
            }
        }

        charges.Sort(static (a, b) =>
        {
            var byAt = a.At.CompareTo(b.At);
            return byAt != 0 ? byAt : string.CompareOrdinal(a.Id, b.Id);
        });
        return (charges, null);
    }

    /// <summary>Sums the quantities of one cycle into <see cref="CycleUsage.Total"/>, or returns the overflow.</summary>
    private static RatingError? Sum(CycleUsage cycleUsage)
    {
        // Summed in a canonical order so that the result never depends on the order of the records, even where decimal
        // addition rounds (totals beyond 28 significant digits).
        cycleUsage.Quantities.Sort();
        var total = 0m;
        try
        {
            foreach (var quantity in cycleUsage.Quantities)
            {
                total += quantity;
            }
        }
        catch (OverflowException exception)
        {
            return new RatingError(
                "usage",
                cycleUsage.FirstIndex,
                "quantity",
                $"the total quantity of item \"{cycleUsage.Item.Id}\" in the cycle starting {Invariant.Format(cycleUsage.Start)} overflows",
                exception);
        }

        cycleUsage.Total = total;
        return null;
    }

    private static void AddIfBilled(List<RatedCharge> charges, string id, CycleUsage cycleUsage, Instant at, decimal amount)
    {
        if (amount > 0)
        {
            charges.Add(new RatedCharge(id, cycleUsage.Item.Id, cycleUsage.Item.Product, cycleUsage.Start, cycleUsage.End, at, amount));
        }
    }

    private sealed class CycleUsage(BillingItem item, Instant start, Instant end)
    {
        public BillingItem Item { get; } = item;

        public Instant Start { get; } = start;

        public Instant End { get; } = end;

        public List<decimal> Quantities { get; } = [];

        public int FirstIndex { get; set; } = int.MaxValue;

        public decimal Total { get; set; }
    }
}

/// <summary>A problem found by <see cref="Rating.TryRate"/>: which argument, which element and field, and what is wrong.</summary>
/// <param name="Argument">The argument holding the bad element: <c>items</c> or <c>usage</c>.</param>
/// <param name="Index">The element's position in that argument.</param>
/// <param name="Field">The element's field (<c>id</c>, <c>item</c>, <c>quantity</c>), or empty for the element itself.</param>
/// <param name="Message">What is wrong, with the value, without the path.</param>
/// <param name="Cause">The exception behind the problem (an overflow), if any.</param>
internal sealed record RatingError(string Argument, int Index, string Field, string Message, Exception? Cause = null)
{
    /// <summary>Gets the path of the problem in the arguments of <see cref="Rating.Rate"/>: <c>usage[3].quantity</c>.</summary>
    public string Path => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{Argument}[{Index}]{(Field.Length == 0 ? string.Empty : "." + Field)}");

    /// <summary>Returns the exception <see cref="Rating.Rate"/> throws for this problem.</summary>
    public ArgumentException ToException() => new($"{Path}: {Message}", Argument, Cause);
}
