namespace Pipeline.Functions.Meetings;

/// <summary>Where everything landed in a built pack (1-based page numbers), e.g. for links from the participant page.</summary>
/// <param name="TotalPages">Pages in the pack.</param>
/// <param name="FrontPages">Cover and agenda pages at the front (before the first divider).</param>
/// <param name="Items">One entry per agenda item, in agenda order.</param>
public sealed record PackLayout(int TotalPages, int FrontPages, IReadOnlyList<PackItemPages> Items);

/// <summary>An agenda item's pages in the pack.</summary>
/// <param name="Number">The item's agenda number.</param>
/// <param name="DividerPage">Its divider page (the item's bookmark points here).</param>
/// <param name="FirstPage">Its first document page, labelled "number.1"; when the item has no documents, the page
/// after the divider and <paramref name="LastPage"/> = <paramref name="DividerPage"/> (an empty range).</param>
/// <param name="LastPage">Its last document page.</param>
public sealed record PackItemPages(int Number, int DividerPage, int FirstPage, int LastPage);
