using Arrears.Policy.Runtime;

namespace Arrears.Policy.PostgreSql.Internal;

/// <summary>
/// The recipient directory <c>UsePostgreSqlStore</c> registers when the host chose none: the contacts the store keeps, and
/// for a recipient without any, the fallback (a recipient that is an address is its own), as <c>UseSqliteStore</c> does.
/// </summary>
internal sealed class StoredContactsDirectory(IRecipientDirectory stored, IRecipientDirectory fallback) : IRecipientDirectory
{
    public async ValueTask<RecipientContact?> FindAsync(string recipient, CancellationToken cancellationToken) =>
        await stored.FindAsync(recipient, cancellationToken).ConfigureAwait(false)
            ?? await fallback.FindAsync(recipient, cancellationToken).ConfigureAwait(false);
}
