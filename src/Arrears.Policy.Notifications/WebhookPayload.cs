using System.Text.Encodings.Web;
using System.Text.Json;
using Arrears.Policy.Runtime;
using NodaTime.Text;

namespace Arrears.Policy.Notifications;

/// <summary>Writes the JSON body a <see cref="WebhookNotifier"/> posts (documented in docs/notifications.md).</summary>
internal static class WebhookPayload
{
    private static readonly JsonWriterOptions Options = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Returns the UTF-8 bytes of the body: the same bytes for every attempt with the same delivery and text.</summary>
    public static byte[] Write(NotificationDelivery delivery, string text)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("key", delivery.Key);
            json.WriteString("kind", delivery.Kind.ToString());
            json.WriteString("account", delivery.Account);
            if (delivery.Product is null)
            {
                json.WriteNull("product");
            }
            else
            {
                json.WriteString("product", delivery.Product);
            }

            json.WriteString("at", InstantPattern.ExtendedIso.Format(delivery.At));
            json.WriteString("balance", delivery.Currency.Format(delivery.Balance));
            json.WriteString("currency", delivery.Currency.Code);
            json.WriteString("recipient", delivery.Recipient);
            json.WriteString("channel", delivery.Channel);
            json.WriteString("address", delivery.Address);
            if (delivery.NextDeadline is { } deadline)
            {
                json.WriteString("nextDeadline", InstantPattern.ExtendedIso.Format(deadline));
            }
            else
            {
                json.WriteNull("nextDeadline");
            }

            json.WriteString("timeZone", delivery.TimeZone.Id);
            json.WriteNumber("attempt", delivery.Attempt);
            json.WriteString("text", text);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
