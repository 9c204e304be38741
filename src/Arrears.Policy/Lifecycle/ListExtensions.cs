namespace Arrears.Policy;

/// <summary>Small helpers for the list-valued settings of options objects.</summary>
internal static class ListExtensions
{
    /// <summary>Replaces the contents of a list (such as a default list of an options object) with <paramref name="items"/>.</summary>
    public static void ReplaceWith<T>(this IList<T> list, IEnumerable<T> items)
    {
        var copy = items.ToList(); // the items may be the list itself
        list.Clear();
        foreach (var item in copy)
        {
            list.Add(item);
        }
    }
}
