namespace Pipeline.Functions.Web;

/// <summary>
/// The review page <c>/review/{id}</c>, served by <see cref="WebPages"/>: the page image on the left, the fields on the
/// right, doubtful fields highlighted, corrections saved with <c>PATCH /api/documents/{id}/fields</c>. Markup only: no
/// inline script or style (the CSP forbids them).
/// </summary>
internal static partial class ReviewPage
{
    /// <summary>
    /// The HTML of <c>GET /review/{id}</c>. The same for every document, so it holds no data: <see cref="Script"/> reads
    /// the id from the address, fetches the document and its page images with the key and inserts them as text.
    /// </summary>
    public static readonly string Html = PageShell.Page(
        title: "Kiểm tra văn bản – Pipeline",
        heading: """Kiểm tra văn bản <span class="en" lang="en">Review a document</span>""",
        script: "/review.js",
        stylesheet: "/review.css",
        main: $"""
<main class="review-main">
  <nav class="row back"><a href="/" id="back-link">← Danh sách văn bản <span class="en" lang="en">All documents</span></a></nav>

  <section id="key-card" class="card" aria-labelledby="key-heading" hidden>
{PageShell.KeyForm(canForget: false)}
    <p id="key-hint" class="hint">
      Khóa nằm trong tệp <code>&lt;thư mục dữ liệu&gt;/admin.key</code>. Khóa chỉ được giữ trong thẻ trình duyệt này (sessionStorage).
      <span class="en" lang="en">The key is in <code>&lt;data&gt;/admin.key</code>. It is kept for this browser tab only.</span>
    </p>
  </section>

  <div id="load-problem" class="problem" role="alert" hidden></div>
  <p id="load-state" role="status"></p>

  <section id="document-card" class="card" aria-labelledby="doc-title" hidden>
    <h2 id="doc-title"></h2>
    <div class="row doc-facts">
      <span>Trạng thái <span class="en" lang="en">Status</span>: <span id="doc-status" class="status" aria-live="polite"></span></span>
      <span>Độ mật <span class="en" lang="en">Secrecy</span>: <span id="doc-secrecy"></span></span>
      <span>Số trang <span class="en" lang="en">Pages</span>: <span id="doc-pages"></span></span>
      <button type="button" id="change-key" class="secondary link">Đổi khóa <span class="en" lang="en">Change key</span></button>
    </div>
    <p id="review-reason" class="review-reason" hidden></p>
    <div id="duplicates" class="duplicates" role="note" hidden></div>
  </section>

  <div id="review-layout" class="review-layout" hidden>
    <section class="card page-panel" aria-labelledby="page-heading">
      <h2 id="page-heading">Bản quét <span class="en" lang="en">Scanned page</span></h2>
      <div class="row page-nav">
        <button type="button" id="page-prev" class="secondary" aria-label="Trang trước (previous page)">‹</button>
        <label for="page-select">Trang <span class="en" lang="en">Page</span></label>
        <select id="page-select"></select>
        <span id="page-count"></span>
        <button type="button" id="page-next" class="secondary" aria-label="Trang sau (next page)">›</button>
      </div>
      <p id="page-state" class="hint" role="status"></p>
      <div class="page-frame">
        <img id="page-image" alt="" hidden>
      </div>
    </section>

    <section class="card fields-panel" aria-labelledby="fields-heading">
      <h2 id="fields-heading">Thông tin văn bản <span class="en" lang="en">Fields</span></h2>
      <p class="hint legend">
        <span class="legend-low">⚠ Cần kiểm tra</span>: đọc với độ tin cậy thấp, đối chiếu với bản quét rồi sửa hoặc đánh dấu “Đã đối chiếu”.
        <span class="en" lang="en">Low confidence: check against the scan, then correct it or tick “Checked”.</span>
        <span class="legend-corrected">✓ Đã sửa</span> <span class="en" lang="en">corrected by a reviewer.</span>
      </p>
      <form id="fields-form" novalidate>
        <div id="fields"></div>
        <div id="save-problem" class="problem" role="alert" hidden></div>
        <p id="save-state" role="status"></p>
        <div class="row form-actions">
          <button type="submit" id="save-button">Lưu sửa đổi <span class="en" lang="en">Save corrections</span></button>
          <button type="button" id="undo-button" class="secondary">Hoàn tác <span class="en" lang="en">Undo changes</span></button>
        </div>
      </form>
    </section>
  </div>
</main>
""");
}
