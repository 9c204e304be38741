using Arrears.Policy.Runtime;

namespace Arrears.Policy.PostgreSql.Internal;

/// <summary>Compares registrations as the in-memory store does (a replayed registration is a no-op).</summary>
internal static class Registrations
{
    public static bool Same(AccountRegistration a, AccountRegistration b) =>
        a.Profile.Equals(b.Profile) &&
        string.Equals(a.Policy, b.Policy, StringComparison.Ordinal) &&
        a.Currency == b.Currency &&
        string.Equals(a.TimeZone.Id, b.TimeZone.Id, StringComparison.Ordinal) &&
        a.OpeningBalance == b.OpeningBalance &&
        a.Items.SequenceEqual(b.Items);
}
