using Arrears.Policy.Runtime;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.AspNetCore;

/// <summary>
/// The billing side of the sample: sign an account up, and record charges and payments. In a real host these facts come
/// from the billing system and these endpoints are not public.
/// </summary>
public static class BillingEndpoints
{
    /// <summary>A new account and its owner's contact.</summary>
    public sealed record NewAccount(string Id, string Email, string? Phone);

    /// <summary>A ledger entry: <c>kind</c> is charge, payment, credit or refund; <c>at</c> an ISO 8601 UTC instant, now when absent.</summary>
    public sealed record NewEntry(string Id, string Kind, decimal Amount, string? At);

    /// <summary>The policy every account of the sample follows (named in appsettings.json).</summary>
    public const string Policy = "api-gateway";

    /// <summary>Maps <c>POST /billing/accounts</c> and <c>POST /billing/accounts/{account}/entries</c>.</summary>
    public static RouteGroupBuilder MapBilling(this IEndpointRouteBuilder app)
    {
        var billing = app.MapGroup("/billing");

        billing.MapPost("/accounts", async (NewAccount body, ArrearsRuntime runtime, InMemoryRecipientDirectory directory, CancellationToken ct) =>
        {
            var owner = $"{body.Id}-owner";
            try
            {
                var profile = new AccountProfile(body.Id, owner);
                directory.Set(owner, new RecipientContact(body.Email, body.Phone));
                var created = await runtime.RegisterAsync(new AccountRegistration(profile, Policy, Currency.FromCode("CNY"), DateTimeZone.Utc), ct);
                return created ? Results.Created($"/billing/accounts/{body.Id}", null) : Results.Ok();
            }
            catch (ArgumentException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid account");
            }
        });

        billing.MapPost("/accounts/{account}/entries", async (string account, NewEntry body, ArrearsRuntime runtime, IClock clock, CancellationToken ct) =>
        {
            if (!Enum.TryParse<LedgerEntryKind>(body.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
            {
                return Results.Problem($"kind: must be charge, payment, credit or refund, got \"{body.Kind}\"", statusCode: StatusCodes.Status400BadRequest, title: "Invalid entry");
            }

            var at = clock.GetCurrentInstant();
            if (body.At is { } text)
            {
                var parsed = InstantPattern.ExtendedIso.Parse(text);
                if (!parsed.Success)
                {
                    return Results.Problem($"at: must be an ISO 8601 UTC instant, got \"{text}\"", statusCode: StatusCodes.Status400BadRequest, title: "Invalid entry");
                }

                at = parsed.Value;
            }

            try
            {
                // Appending wakes the hosted service: the account is evaluated at once, and a payment that clears the
                // arrears resumes it, which calls GatewaySwitch, which turns the API back on.
                var result = await runtime.AppendAsync(account, [new LedgerEntry(body.Id, kind, at, body.Amount)], ct);
                return Results.Ok(new { added = result.Added, replayed = result.Replayed });
            }
            catch (ArgumentException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid entry");
            }
        });

        return billing;
    }
}
