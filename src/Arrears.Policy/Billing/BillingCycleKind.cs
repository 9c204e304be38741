namespace Arrears.Policy.Billing;

/// <summary>The kind of a <see cref="BillingCycle"/>.</summary>
public enum BillingCycleKind
{
    /// <summary>No cycle: the records of one item at one instant are billed at that instant as one charge.</summary>
    None = 0,

    /// <summary>A fixed sub-day duration (<c>PT1H</c>, <c>PT15M</c>…) aligned to the Unix epoch, independent of any time zone.</summary>
    Fixed = 1,

    /// <summary>A calendar day in the billing time zone, from one start of day to the next (23, 24 or 25 hours long, or other lengths in unusual zones).</summary>
    Day = 2,

    /// <summary>A calendar week in the billing time zone, starting at the start of day on Monday.</summary>
    Week = 3,

    /// <summary>A calendar month in the billing time zone, starting at the start of day on the first of the month.</summary>
    Month = 4,
}
