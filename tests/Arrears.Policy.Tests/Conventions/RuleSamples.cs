using NodaTime;

// Deliberately bad public types: the tests of the tests run the public API rules over them and expect every breach reported.
#pragma warning disable CS0067 // events are never raised
#pragma warning disable CA1036, CA1051, CA1822 // the samples break design rules on purpose
namespace Arrears.Policy.Tests.Conventions.Samples;

/// <summary>A public class with a DateTime property.</summary>
public sealed class WithDateTimeProperty
{
    /// <summary>Gets the moment.</summary>
    public DateTime When { get; init; }
}

/// <summary>Forbidden types in every kind of signature position.</summary>
public sealed class EveryShape
{
    /// <summary>A field.</summary>
    public DateTimeOffset Field;

    /// <summary>Builds one.</summary>
    /// <param name="at">Nullable DateTime.</param>
    public EveryShape(DateTime? at) => _ = at;

    /// <summary>An event.</summary>
    public event Action<double>? Changed;

    /// <summary>An array property.</summary>
    public TimeSpan[] Spans { get; } = [];

    /// <summary>A nested generic argument.</summary>
    public IReadOnlyList<KeyValuePair<string, TimeSpan>> Nested => [];

    /// <summary>An indexer.</summary>
    /// <param name="day">A day.</param>
    public decimal this[DateOnly day] => 0m;

    /// <summary>A return type.</summary>
    /// <returns>Zero.</returns>
    public double Rate() => 0;

    /// <summary>A parameter.</summary>
    /// <param name="value">A value.</param>
    public void Take(float value) => _ = value;

    /// <summary>An out parameter.</summary>
    /// <param name="time">A time.</param>
    /// <returns>False.</returns>
    public bool TryGet(out TimeOnly time)
    {
        time = default;
        return false;
    }

    /// <summary>A generic method.</summary>
    /// <typeparam name="T">Anything.</typeparam>
    /// <param name="values">Values.</param>
    /// <returns>Nothing.</returns>
    public T? First<T>(Dictionary<T, Half> values)
        where T : notnull => default;

    /// <summary>Not visible outside the assembly, so not part of the API.</summary>
    internal DateTime Internal { get; set; }

    private DateTime Private => Internal;

    /// <summary>Uses the private member.</summary>
    /// <returns>The instant.</returns>
    public Instant Use() => Instant.FromDateTimeUtc(DateTime.SpecifyKind(Private, DateTimeKind.Utc));
}

/// <summary>Only NodaTime and decimal: nothing to report.</summary>
public sealed class Clean
{
    /// <summary>Builds one.</summary>
    /// <param name="at">An instant.</param>
    /// <param name="amount">An amount.</param>
    public Clean(Instant at, decimal amount)
    {
        At = at;
        Amount = amount;
    }

    /// <summary>An event.</summary>
    public event EventHandler? Changed;

    /// <summary>Gets the instant.</summary>
    public Instant At { get; }

    /// <summary>Gets the amount.</summary>
    public decimal Amount { get; }

    /// <summary>Gets durations.</summary>
    public IReadOnlyList<Duration?> Durations => [];

    /// <summary>A method.</summary>
    /// <param name="zone">A zone.</param>
    /// <returns>A date.</returns>
    public LocalDate Date(DateTimeZone zone) => At.InZone(zone).Date;
}

/// <summary>An unsealed class whose protected member is reachable by inheritors.</summary>
public class Unsealed
{
    /// <summary>Gets a moment.</summary>
    protected DateTime Protected => default;
}

/// <summary>An unsealed record.</summary>
/// <param name="Value">A value.</param>
public record OpenRecord(decimal Value);

/// <summary>A sealed record: synthesised members need no documentation.</summary>
/// <param name="Value">A value.</param>
public sealed record SealedRecord(decimal Value);

/// <summary>A struct whose default value throws when read: a defect the default-value rule reports.</summary>
public readonly struct ThrowingDefault
{
    private readonly string[] _items;

    /// <summary>Initializes the struct.</summary>
    /// <param name="items">The items.</param>
    public ThrowingDefault(string[] items) => _items = items;

    /// <summary>Gets the number of items; throws for the default value.</summary>
    public int Count => _items.Length;
}

/// <summary>A positional record struct.</summary>
/// <param name="Value">A value.</param>
public readonly record struct RecordStruct(decimal Value);

/// <summary>An abstract class.</summary>
public abstract class AbstractBase
{
    /// <summary>Initializes the base.</summary>
    protected AbstractBase()
    {
    }

    /// <summary>Gets a moment.</summary>
    protected abstract TimeSpan Delay { get; }
}

/// <summary>A static class.</summary>
public static class StaticHelpers
{
    /// <summary>Returns a number.</summary>
    /// <returns>One.</returns>
    public static float One() => 1f;
}

/// <summary>An interface.</summary>
public interface IHasMoment
{
    /// <summary>Gets the moment.</summary>
    DateTime Moment { get; }
}

/// <summary>A delegate.</summary>
/// <param name="delay">A delay.</param>
/// <returns>A rate.</returns>
public delegate decimal RateOf(TimeSpan delay);

/// <summary>Implements a generic interface over a forbidden type.</summary>
public sealed class ComparableToDateTime : IComparable<DateTime>
{
    /// <inheritdoc />
    public int CompareTo(DateTime other) => 0;
}

/// <summary>An enum.</summary>
public enum Shade
{
    /// <summary>Light.</summary>
    Light,

    /// <summary>Dark.</summary>
    Dark,
}

/// <summary>Outer generic type.</summary>
/// <typeparam name="T">Anything.</typeparam>
public static class Outer<T>
{
    /// <summary>Nested type.</summary>
    public sealed class Inner
    {
        /// <summary>Builds one.</summary>
        public Inner()
        {
        }

        /// <summary>Takes the outer argument.</summary>
        /// <param name="value">A value.</param>
        /// <param name="values">Values.</param>
        /// <returns>The same.</returns>
        public T Echo(T value, IEnumerable<Outer<T>.Inner> values) => values is null ? value : value;
    }
}

/// <summary>Documentation coverage: every kind of member, documented.</summary>
public sealed class FullyDocumented
{
    /// <summary>A constant.</summary>
    public const int Constant = 1;

    /// <summary>A field.</summary>
    public static readonly FullyDocumented Empty = new(0m);

    /// <summary>Builds one.</summary>
    /// <param name="amount">An amount.</param>
    public FullyDocumented(decimal amount) => Amount = amount;

    /// <summary>An event.</summary>
    public event EventHandler? Changed;

    /// <summary>Gets the amount.</summary>
    public decimal Amount { get; }

    /// <summary>Gets an item.</summary>
    /// <param name="index">An index.</param>
    /// <param name="name">A name.</param>
    public decimal this[int index, string name] => index + name.Length;

    /// <summary>A generic method with out and array parameters.</summary>
    /// <typeparam name="TKey">A key.</typeparam>
    /// <typeparam name="TValue">A value.</typeparam>
    /// <param name="source">A source.</param>
    /// <param name="grid">A grid.</param>
    /// <param name="found">What was found.</param>
    /// <returns>False.</returns>
    public bool TryFind<TKey, TValue>(IDictionary<TKey, List<TValue>> source, int[,] grid, out TValue[]? found)
    {
        found = null;
        return source is null && grid is null;
    }

    /// <summary>Adds.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>The sum.</returns>
    public static FullyDocumented operator +(FullyDocumented left, FullyDocumented right) => new(left.Amount + right.Amount);

    /// <summary>Converts.</summary>
    /// <param name="value">The value.</param>
    public static explicit operator decimal(FullyDocumented value) => value.Amount;

    /// <summary>Adds.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>The sum.</returns>
    public static FullyDocumented Add(FullyDocumented left, FullyDocumented right) => left + right;

    /// <summary>Converts.</summary>
    /// <returns>The amount.</returns>
    public decimal ToDecimal() => Amount;

    /// <inheritdoc />
    public override string ToString() => Amount.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Documentation coverage: some members left undocumented on purpose.</summary>
public sealed class PartlyDocumented
{
    public PartlyDocumented(int value) => Value = value;

    public event EventHandler? Changed;

    public int Value { get; }

    public int Field;

    /// <summary>Documented.</summary>
    /// <returns>The value.</returns>
    public int Documented() => Value;

    public int Undocumented() => Value;

    public sealed class UndocumentedNested;
}

public sealed class UndocumentedClass;

/// <summary>An implicit public constructor has no documentation entry.</summary>
public sealed class ImplicitConstructor
{
    /// <summary>Gets a value.</summary>
    public int Value { get; init; }
}
