namespace Pipeline.Functions.Meetings;

/// <summary>What goes into a meeting pack: the meeting's particulars for the cover and its agenda items in order.</summary>
/// <param name="MeetingTitle">The meeting's title, printed on the cover.</param>
/// <param name="StartsAt">When the meeting starts; printed in Vietnam time (UTC+7), e.g. "08:00 ngày 15/12/2026".</param>
/// <param name="Place">Where it is held, if known.</param>
/// <param name="Chair">Who chairs it, if known.</param>
/// <param name="Version">The pack's version (it is rebuilt when the agenda or a document changes); printed on the cover.</param>
/// <param name="Items">The agenda items, in the order they are taken.</param>
public sealed record PackPlan(string MeetingTitle, DateTimeOffset StartsAt, string? Place, string? Chair, int Version,
    IReadOnlyList<PackItem> Items);

/// <summary>One agenda item and the documents that go with it.</summary>
/// <param name="Number">The item's number on the agenda (1, 2, …); page labels are "number.page".</param>
/// <param name="Title">What the item is about.</param>
/// <param name="Presenter">Who presents it, if anyone is named.</param>
/// <param name="Documents">Its documents, in the order they are bound into the pack (may be empty).</param>
/// <param name="Note">A remark printed with the item, e.g. "Để biết" for an item given for information only.</param>
public sealed record PackItem(int Number, string Title, string? Presenter, IReadOnlyList<PackDocument> Documents, string? Note = null);

/// <summary>One stored archive PDF bound into the pack.</summary>
/// <param name="Label">How the document is listed, e.g. "Tờ trình số 12/TTr-VP — Về việc …".</param>
/// <param name="PdfPath">The archive PDF on disk; it is read by the tools, never loaded into memory.</param>
/// <param name="Pages">Its page count, as recorded when it was digitised; the builder checks it against the file.</param>
public sealed record PackDocument(string Label, string PdfPath, int Pages);
