using Arrears.Policy.Text;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>How the runtime evaluates and dispatches: batch sizes, parallelism, claim leases, retries and backoff.</summary>
/// <remarks>Every default is documented on its property; <see cref="Validate"/> lists every problem at once.</remarks>
/// <example>
/// <code>
/// var options = new ArrearsRuntimeOptions { BatchSize = 1000, MaxDegreeOfParallelism = 8, MaxAttempts = 12 };
/// var errors = options.Validate();   // empty when valid
/// </code>
/// </example>
public sealed class ArrearsRuntimeOptions
{
    /// <summary>Initializes options with every default.</summary>
    public ArrearsRuntimeOptions()
    {
    }

    /// <summary>Gets or sets how many due accounts (or outbox messages) one batch claims. Default: 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Gets or sets how many accounts are evaluated, and accounts' messages delivered, at once. Default: the processor count.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Gets or sets how long a claim holds before another evaluator or dispatcher may take it over (after a crash). Default: 5 minutes.</summary>
    public Duration ClaimLease { get; set; } = Duration.FromMinutes(5);

    /// <summary>Gets or sets how often an account is evaluated again in one batch when its commit meets a newer version. Default: 5.</summary>
    public int MaxConflictRetries { get; set; } = 5;

    /// <summary>Gets or sets how many delivery attempts a message gets before it is dead-lettered. Default: 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Gets or sets the delay before the second attempt; each later one doubles it, with jitter. Default: 30 seconds.</summary>
    public Duration BaseRetryDelay { get; set; } = Duration.FromSeconds(30);

    /// <summary>Gets or sets the longest delay between attempts. Default: 1 hour.</summary>
    public Duration MaxRetryDelay { get; set; } = Duration.FromHours(1);

    /// <summary>Lists every problem with the options.</summary>
    /// <returns>Each problem, naming the option and the value; empty when valid.</returns>
    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        Positive(nameof(BatchSize), BatchSize);
        Positive(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism);
        Positive(nameof(MaxAttempts), MaxAttempts);
        if (MaxConflictRetries < 0)
        {
            errors.Add(new(nameof(MaxConflictRetries), $"must not be negative, got {MaxConflictRetries}"));
        }

        PositiveDuration(nameof(ClaimLease), ClaimLease);
        PositiveDuration(nameof(BaseRetryDelay), BaseRetryDelay);
        PositiveDuration(nameof(MaxRetryDelay), MaxRetryDelay);
        if (MaxRetryDelay < BaseRetryDelay)
        {
            errors.Add(new(nameof(MaxRetryDelay), $"must not be shorter than BaseRetryDelay ({IsoDurationPattern.Instance.Format(BaseRetryDelay)}), got \"{IsoDurationPattern.Instance.Format(MaxRetryDelay)}\""));
        }

        return errors;

        void Positive(string name, int value)
        {
            if (value < 1)
            {
                errors.Add(new(name, $"must be at least 1, got {value}"));
            }
        }

        void PositiveDuration(string name, Duration value)
        {
            if (value <= Duration.Zero)
            {
                errors.Add(new(name, $"must be positive, got \"{IsoDurationPattern.Instance.Format(value)}\""));
            }
        }
    }
}
