using System.Text.Json;
using NodaTime;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Reads the <c>account</c> object of a scenario: its id, currency, opening balance, time zone, creator, collaborators
/// and balance alarm.
/// </summary>
internal sealed class AccountReader
{
    private static readonly string[] AccountFields = ["id", "currency", "openingBalance", "timeZone", "creator", "collaborators", "balanceAlarm"];

    /// <summary>Initializes a reader that reports problems to <paramref name="fields"/>.</summary>
    public AccountReader(JsonFields fields) => Fields = fields;

    /// <summary>
    /// Gets the account's currency once a valid one is read, even when the account has other problems, so that amounts
    /// elsewhere can still be checked against its minor units.
    /// </summary>
    public Currency? AccountCurrency { get; private set; }

    private JsonFields Fields { get; }

    /// <summary>Reads the <c>account</c> object.</summary>
    /// <returns>The account, or <see langword="null"/> when it has problems (each one reported).</returns>
    public AccountData? Read(JsonElement element)
    {
        const string Path = "account";
        var before = Fields.Count;
        var fields = Fields.ReadObject(element, Path, AccountFields);
        if (fields is null)
        {
            return null;
        }

        var id = Fields.ReadString(fields, Path, "id", required: true);
        Currency currency = default;
        var code = Fields.ReadString(fields, Path, "currency", required: true);
        if (code is not null && !Currency.TryFromCode(code, out currency))
        {
            Fields.Add(JsonFields.Field(Path, "currency"), $"unknown ISO 4217 currency code, got {Invariant.Quote(code)}");
        }
        else if (code is not null)
        {
            AccountCurrency = currency;
        }

        var opening = Fields.ReadDecimal(fields, Path, "openingBalance", required: false) ?? 0m;
        if (AccountCurrency is { } openingCurrency && fields.TryGetValue("openingBalance", out var openingElement))
        {
            Fields.CheckMinorUnits(JsonFields.Field(Path, "openingBalance"), openingElement, opening, openingCurrency);
        }
        if (opening < 0)
        {
            Fields.Add(JsonFields.Field(Path, "openingBalance"), $"must not be negative (a debt carried over is a charge with its own instant), got {JsonFields.Describe(fields["openingBalance"])}");
        }

        DateTimeZone zone = DateTimeZone.Utc;
        var zoneId = Fields.ReadString(fields, Path, "timeZone", required: false);
        if (zoneId is not null)
        {
            var found = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId);
            if (found is null)
            {
                Fields.Add(JsonFields.Field(Path, "timeZone"), $"unknown IANA time zone such as \"Asia/Shanghai\", got {Invariant.Quote(zoneId)}");
            }
            else
            {
                zone = found;
            }
        }

        var creator = Fields.ReadString(fields, Path, "creator", required: true);
        var collaborators = new List<string>();
        if (Fields.ReadOptionalArray(fields, Path, "collaborators") is { } array)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (creator is not null)
            {
                seen.Add(creator);
            }

            for (var i = 0; i < array.Length; i++)
            {
                var itemPath = JsonFields.Index(JsonFields.Field(Path, "collaborators"), i);
                if (Fields.ReadString(array[i], itemPath) is not { } collaborator)
                {
                    continue;
                }

                if (!seen.Add(collaborator))
                {
                    Fields.Add(itemPath, $"is already the creator or another collaborator, got {Invariant.Quote(collaborator)}");
                    continue;
                }

                collaborators.Add(collaborator);
            }
        }

        decimal? alarm = null;
        if (fields.TryGetValue("balanceAlarm", out var alarmElement) && alarmElement.ValueKind != JsonValueKind.Null)
        {
            alarm = Fields.ReadDecimal(alarmElement, JsonFields.Field(Path, "balanceAlarm"));
            if (alarm is { } value && AccountCurrency is { } alarmCurrency)
            {
                Fields.CheckMinorUnits(JsonFields.Field(Path, "balanceAlarm"), alarmElement, value, alarmCurrency);
            }
        }

        if (Fields.Count > before || id is null || creator is null)
        {
            return null;
        }

        var profile = new AccountProfile(id, creator, collaborators, alarm);
        return new AccountData(profile, currency, opening, zone);
    }
}

/// <summary>An account read from a scenario.</summary>
internal sealed record AccountData(AccountProfile Profile, Currency Currency, decimal OpeningBalance, DateTimeZone Zone);
