using System.Globalization;
using System.Text.Json;
using NodaTime;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Reads a scenario's <c>holds</c> and <c>revocations</c> (specification section 9), each kept with its position in the
/// document and its <c>recordedAt</c>, so that later checks (the policy's hold limits, the recording order) can name it.
/// </summary>
internal sealed class HoldReader
{
    private static readonly string[] HoldFields = ["id", "kind", "from", "until", "product", "by", "reason", "recordedAt"];
    private static readonly string[] RevocationFields = ["id", "revokes", "at", "by", "reason", "recordedAt"];
    private static readonly string[] Kinds = ["suspension", "purge", "all"];

    /// <summary>Initializes a reader that reports problems to <paramref name="fields"/>.</summary>
    /// <param name="fields">Where problems go.</param>
    /// <param name="products">The scenario's named products; <see langword="null"/> for a single-policy scenario, whose holds name no product.</param>
    public HoldReader(JsonFields fields, IReadOnlyList<string>? products)
    {
        Fields = fields;
        Products = products;
    }

    private JsonFields Fields { get; }

    private IReadOnlyList<string>? Products { get; }

    /// <summary>Gets every hold id that was readable, even from a hold with other problems, to check revocations against.</summary>
    private HashSet<string> KnownHolds { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the optional <c>holds</c> array; a hold repeated with the same content is kept once.</summary>
    /// <returns>The holds with their positions, or <see langword="null"/> when any has a problem.</returns>
    public List<HoldData>? ReadHolds(Dictionary<string, JsonElement> root)
    {
        var byId = new Dictionary<string, HoldData>(StringComparer.Ordinal);
        return Fields.ReadObjects(root, "holds", HoldFields, (i, path, fields) =>
        {
            var before = Fields.Count;
            var id = Fields.ReadString(fields, path, "id", required: true);
            if (id is not null)
            {
                KnownHolds.Add(id);
            }

            var kind = Fields.OneOf(fields, path, "kind", required: true, Kinds);
            var from = Fields.ReadInstant(fields, path, "from", required: true);
            Instant? until = null;
            if (fields.TryGetValue("until", out var untilElement) && untilElement.ValueKind != JsonValueKind.Null)
            {
                until = Fields.ReadInstant(fields, path, "until", required: false);
                if (until is { } end && from is { } start && end <= start)
                {
                    Fields.Add(JsonFields.Field(path, "until"), $"must be after from ({Invariant.Quote(Invariant.Format(start))}), got {Invariant.Quote(Invariant.Format(end))}");
                }
            }

            var product = Fields.ReadString(fields, path, "product", required: false);
            if (product is not null)
            {
                if (Products is null)
                {
                    Fields.Add(JsonFields.Field(path, "product"), $"must be left out: the scenario has one policy, not \"products\", got {Invariant.Quote(product)}");
                }
                else if (!Products.Contains(product, StringComparer.Ordinal))
                {
                    Fields.Add(JsonFields.Field(path, "product"), LedgerReader.UnknownProduct(product, Products));
                }
            }

            var by = Fields.ReadString(fields, path, "by", required: true);
            var reason = Fields.ReadString(fields, path, "reason", required: true);
            var recordedAt = Fields.ReadInstant(fields, path, "recordedAt", required: false);
            if (Fields.Count > before || id is null || kind is null || from is null || by is null || reason is null)
            {
                return null;
            }

            var hold = new Hold(id, Kind(kind), from.Value, until, by, reason, product);
            if (byId.TryGetValue(id, out var existing))
            {
                if (!existing.Hold.Equals(hold) || existing.RecordedAt != recordedAt)
                {
                    Fields.Add(
                        JsonFields.Field(path, "id"),
                        $"a hold with this id already exists with different content (holds[{existing.Index.ToString(CultureInfo.InvariantCulture)}]: {existing.Hold}), got {Invariant.Quote(id)} ({hold})");
                }

                return null;
            }

            var data = new HoldData(i, hold, recordedAt);
            byId.Add(id, data);
            return data;
        });
    }

    /// <summary>Reads the optional <c>revocations</c> array, checking that each names a hold read by <see cref="ReadHolds"/>.</summary>
    /// <returns>The revocations with their positions, or <see langword="null"/> when any has a problem.</returns>
    public List<RevocationData>? ReadRevocations(Dictionary<string, JsonElement> root)
    {
        var byId = new Dictionary<string, RevocationData>(StringComparer.Ordinal);
        return Fields.ReadObjects(root, "revocations", RevocationFields, (i, path, fields) =>
        {
            var before = Fields.Count;
            var id = Fields.ReadString(fields, path, "id", required: true);
            var revokes = Fields.ReadString(fields, path, "revokes", required: true);
            if (revokes is not null && !KnownHolds.Contains(revokes))
            {
                var known = KnownHolds.Count == 0 ? "the scenario has no holds" : "known holds: " + string.Join(", ", KnownHolds.Order(StringComparer.Ordinal));
                Fields.Add(JsonFields.Field(path, "revokes"), $"must name a hold ({known}), got {Invariant.Quote(revokes)}");
            }

            var at = Fields.ReadInstant(fields, path, "at", required: true);
            var by = Fields.ReadString(fields, path, "by", required: true);
            var reason = Fields.ReadString(fields, path, "reason", required: true);
            var recordedAt = Fields.ReadInstant(fields, path, "recordedAt", required: false);
            if (Fields.Count > before || id is null || revokes is null || at is null || by is null || reason is null)
            {
                return null;
            }

            var revocation = new HoldRevocation(id, revokes, at.Value, by, reason);
            if (byId.TryGetValue(id, out var existing))
            {
                if (!existing.Revocation.Equals(revocation) || existing.RecordedAt != recordedAt)
                {
                    Fields.Add(
                        JsonFields.Field(path, "id"),
                        $"a revocation with this id already exists with different content (revocations[{existing.Index.ToString(CultureInfo.InvariantCulture)}]: {existing.Revocation}), got {Invariant.Quote(id)} ({revocation})");
                }

                return null;
            }

            var data = new RevocationData(i, revocation, recordedAt);
            byId.Add(id, data);
            return data;
        });
    }

    private static HoldKind Kind(string kind) => kind switch
    {
        "suspension" => HoldKind.Suspension,
        "purge" => HoldKind.Purge,
        _ => HoldKind.All,
    };
}

/// <summary>A hold, its position in <c>holds</c> and when it became known, if the scenario says.</summary>
internal sealed record HoldData(int Index, Hold Hold, Instant? RecordedAt)
{
    /// <summary>Gets when the hold became known: its <c>recordedAt</c>, else its start.</summary>
    public Instant Known => RecordedAt ?? Hold.From;
}

/// <summary>A revocation, its position in <c>revocations</c> and when it became known, if the scenario says.</summary>
internal sealed record RevocationData(int Index, HoldRevocation Revocation, Instant? RecordedAt)
{
    /// <summary>Gets when the revocation became known: its <c>recordedAt</c>, else its instant.</summary>
    public Instant Known => RecordedAt ?? Revocation.At;
}
