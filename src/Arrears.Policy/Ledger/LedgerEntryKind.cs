namespace Arrears.Policy;

/// <summary>The kind of a ledger entry, which gives the sign of its (always positive) amount.</summary>
public enum LedgerEntryKind
{
    /// <summary>A settled bill (debit).</summary>
    Charge = 0,

    /// <summary>A top-up or payment (credit).</summary>
    Payment = 1,

    /// <summary>A voucher or goodwill adjustment (credit).</summary>
    Credit = 2,

    /// <summary>Money returned to the customer (debit).</summary>
    Refund = 3,
}
