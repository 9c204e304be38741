using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Arrears.Policy.Simulation;

/// <summary>
/// Writes a <see cref="Timeline"/> as the JSON document of the simulate contract (docs/spec/simulate-contract.md):
/// <c>account</c>, <c>charges</c>, <c>transitions</c>, <c>notifications</c> and <c>final</c>.
/// </summary>
/// <remarks>
/// Amounts are JSON strings with exactly the currency's minor units (<c>"-4.00"</c> for CNY, <c>"12"</c> for JPY);
/// instants are ISO 8601 UTC (<c>2026-01-01T02:30:00Z</c>, with fractional seconds only when present). Optional fields
/// appear only when they say something: <c>product</c> on transitions and notifications of a named product;
/// <c>"late": true</c> on a transition caused by a fact that became known late (<see cref="Transition.IsLate"/>);
/// <c>deferredFrom</c> and <c>heldBy</c> on a transition that holds deferred; <c>evaluatedAt</c> on every transition and
/// notification of a replay that followed an evaluation schedule; and <c>final.products</c> (each product's
/// <c>state</c>) for an account of named products.
/// <c>final.nextReviewAt</c> is <see langword="null"/> also when the next review falls after 8999-12-31T23:59:59Z, the
/// latest instant a scenario may hold: every instant written can be read back (decision 0009);
/// <see cref="TimelineFinal.NextReviewAt"/> keeps the instant.
/// </remarks>
/// <example>
/// <code>
/// string json = TimelineJson.ToJson(Simulator.Run(scenario));
///
/// using var stream = File.Create("timeline.json");
/// using var writer = new Utf8JsonWriter(stream);
/// TimelineJson.Write(writer, Simulator.Run(scenario));
/// </code>
/// </example>
public static class TimelineJson
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes a timeline as a JSON document.</summary>
    /// <param name="timeline">The timeline.</param>
    /// <param name="indented">Whether to indent the document (two spaces); otherwise it is written on one line.</param>
    /// <returns>The JSON text, without a trailing new line.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="timeline"/> is null.</exception>
    public static string ToJson(Timeline timeline, bool indented = true)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, indented ? Indented : Compact))
        {
            Write(writer, timeline);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes a timeline as one JSON object to a writer (which is flushed, not disposed).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="timeline">The timeline.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Write(Utf8JsonWriter writer, Timeline timeline)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(timeline);
        var currency = timeline.Currency;

        writer.WriteStartObject();
        writer.WriteString("account", timeline.Account);

        writer.WriteStartArray("charges");
        foreach (var charge in timeline.Charges)
        {
            writer.WriteStartObject();
            writer.WriteString("id", charge.Id);
            writer.WriteString("item", charge.Item);
            writer.WriteString("at", Invariant.Format(charge.At));
            writer.WriteString("amount", currency.Format(charge.Amount));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("transitions");
        foreach (var (evaluatedAt, transition) in timeline.Evaluations.SelectMany(e => e.Transitions.Select(t => (e.At, t))))
        {
            writer.WriteStartObject();
            writer.WriteString("at", Invariant.Format(transition.At));
            writer.WriteString("from", transition.From.ToString());
            writer.WriteString("to", transition.To.ToString());
            writer.WriteString("reason", transition.Reason.ToString());
            if (transition.Product is not null)
            {
                writer.WriteString("product", transition.Product);
            }

            if (transition.IsLate)
            {
                writer.WriteBoolean("late", true);
            }

            if (transition.DeferredFrom is { } deferredFrom)
            {
                writer.WriteString("deferredFrom", Invariant.Format(deferredFrom));
                writer.WriteStartArray("heldBy");
                foreach (var hold in transition.HeldBy)
                {
                    writer.WriteStringValue(hold);
                }

                writer.WriteEndArray();
            }

            if (timeline.IsScheduled)
            {
                writer.WriteString("evaluatedAt", Invariant.Format(evaluatedAt));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("notifications");
        foreach (var (evaluatedAt, notification) in timeline.Evaluations.SelectMany(e => e.Notifications.Select(n => (e.At, n))))
        {
            writer.WriteStartObject();
            writer.WriteString("at", Invariant.Format(notification.At));
            writer.WriteString("kind", notification.Kind.ToString());
            writer.WriteString("recipient", notification.Recipient);
            writer.WriteString("channel", notification.Channel);
            writer.WriteString("key", notification.Key.Value);
            if (notification.Product is not null)
            {
                writer.WriteString("product", notification.Product);
            }

            if (timeline.IsScheduled)
            {
                writer.WriteString("evaluatedAt", Invariant.Format(evaluatedAt));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartObject("final");
        writer.WriteString("state", timeline.Final.Status.ToString());
        writer.WriteString("balance", currency.Format(timeline.Final.Balance));
        if (timeline.Final.NextReviewAt is { } next && next <= JsonFields.MaxInstant)
        {
            writer.WriteString("nextReviewAt", Invariant.Format(next));
        }
        else
        {
            writer.WriteNull("nextReviewAt");
        }

        if (timeline.Final.Products is [{ Product: not null }, ..])
        {
            writer.WriteStartArray("products");
            foreach (var product in timeline.Final.Products)
            {
                writer.WriteStartObject();
                writer.WriteString("product", product.Product);
                writer.WriteString("state", product.Status.ToString());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
    }
}
