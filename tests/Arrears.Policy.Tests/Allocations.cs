namespace Arrears.Policy.Tests;

/// <summary>
/// Measures what code allocates on the current thread, for the "allocates nothing" tests.
/// </summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="round"/> once unmeasured, then up to <paramref name="rounds"/> times measured, and returns the
    /// fewest bytes one measured round allocated on this thread, stopping at the first round that allocated nothing.
    /// </summary>
    /// <remarks>
    /// Code that allocates on every call allocates in every round, so it still fails a test that expects zero. What the
    /// fewest of several rounds leaves out is an allocation in some rounds only: the runtime's, once, on the measuring
    /// thread (a CI run under load once saw 24 bytes over 50 idle evaluations that allocate nothing in every other run),
    /// and also code's that allocates now and then (a buffer that grows, a cache filled once); the unmeasured first round
    /// takes the one-time fills out of every measured one.
    /// </remarks>
    public static long Fewest(Action round, int rounds = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        round();
        var fewest = long.MaxValue;
        for (var i = 0; i < rounds && fewest > 0; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            round();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
