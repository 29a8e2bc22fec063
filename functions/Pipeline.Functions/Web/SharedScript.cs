namespace Pipeline.Functions.Web;

/// <summary>
/// What the clerk's page and the review page share, served by <see cref="WebPages"/> at <c>/common.js</c> and loaded by
/// both (<see cref="PageShell"/>) before their own script: the key kept in this tab's sessionStorage, API calls that
/// send it in <c>x-functions-key</c> and turn a failure into a problem (RFC 9457) to show, and the helpers that put
/// server values on the page as text only.
/// </summary>
internal static class SharedScript
{
    /// <summary>
    /// The script of <c>/common.js</c>. It defines one frozen global, <c>Pipeline</c>; the pages' scripts
    /// (<see cref="DocumentsPage.Script"/>, <see cref="ReviewPage.Script"/>) take what they need from it.
    /// </summary>
    public const string Script = """
'use strict';
window.Pipeline = (() => {
  const KEY_STORAGE = 'pipeline.apiKey';
  const STATUS_LABELS = Object.freeze({
    Received: 'Đã nhận', Digitising: 'Đang số hóa', NeedsReview: 'Cần kiểm tra', Digitised: 'Đã số hóa',
    InApproval: 'Đang trình duyệt', Approved: 'Đã duyệt', Rejected: 'Bị từ chối', Returned: 'Bị trả lại', Failed: 'Lỗi xử lý',
  });
  /** The statuses of a document still being digitised. */
  const IN_PROGRESS = new Set(['Received', 'Digitising']);
  const SECRECY_LABELS = Object.freeze({ none: 'Không mật', mat: 'Mật', 'toi-mat': 'Tối mật', 'tuyet-mat': 'Tuyệt mật' });

  const $ = (id) => document.getElementById(id);

  // ---- Key ------------------------------------------------------------------------------------------------

  function apiKey() { return sessionStorage.getItem(KEY_STORAGE) || ''; }

  /** Keeps the key typed into <code>input</code> for this tab and empties the input; false (and focus) when it is blank. */
  function storeKeyFrom(input) {
    const key = input.value.trim();
    if (!key) { input.focus(); return false; }
    sessionStorage.setItem(KEY_STORAGE, key);
    input.value = '';
    return true;
  }

  function forgetKey() { sessionStorage.removeItem(KEY_STORAGE); }

  // ---- API ------------------------------------------------------------------------------------------------

  /** A problem (RFC 9457) to show the clerk or reviewer: title, and detail when there is one. */
  class Problem extends Error {
    constructor(title, detail, status) { super(title); this.title = title; this.detail = detail || ''; this.status = status || 0; }
  }

  /**
   * The page's <code>api(url, options)</code>: fetches with the key, resolves to the response when it is OK and
   * rejects with a Problem otherwise. <code>noKeyDetail</code> tells the user where to put the key on that page.
   */
  function createApi(noKeyDetail) {
    return async function api(url, options) {
      const key = apiKey();
      if (!key) throw new Problem('Chưa có khóa API (no API key)', noKeyDetail, 401);
      const init = Object.assign({ cache: 'no-store', credentials: 'same-origin' }, options || {});
      const headers = new Headers(init.headers || {});
      headers.set('x-functions-key', key);
      init.headers = headers;
      let response;
      try {
        response = await fetch(url, init);
      } catch (e) {
        throw new Problem('Không kết nối được máy chủ (cannot reach the server)',
          'Kiểm tra mạng và máy chủ Pipeline rồi thử lại. ' + (e && e.message ? e.message : ''));
      }
      if (!response.ok) throw await readProblem(response);
      return response;
    };
  }

  async function readProblem(response) {
    let body = null;
    if ((response.headers.get('content-type') || '').includes('json')) {
      try { body = await response.json(); } catch (_) { body = null; }
    }
    const title = body && typeof body.title === 'string' && body.title ? body.title : `Lỗi HTTP ${response.status} ${response.statusText || ''}`.trim();
    let detail = body && typeof body.detail === 'string' ? body.detail : '';
    if (response.status === 401 && !detail) detail = 'Kiểm tra khóa API (tệp <thư mục dữ liệu>/admin.key).';
    return new Problem(title, detail, response.status);
  }

  function asProblem(e) {
    return e instanceof Problem ? e : new Problem('Lỗi không mong đợi trên trang (unexpected error)', e && e.message ? e.message : String(e));
  }

  // ---- Page -----------------------------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** The English gloss beside a Vietnamese text. */
  function english(text) {
    const span = el('span', 'en', text);
    span.lang = 'en';
    return span;
  }

  /** Shows <code>e</code> as a problem (title, then detail) in <code>container</code>; returns it as a Problem. */
  function showProblem(container, e) {
    const problem = asProblem(e);
    container.replaceChildren(el('strong', 'problem-title', problem.title));
    if (problem.detail) container.append(el('p', 'problem-detail', problem.detail));
    container.hidden = false;
    return problem;
  }

  function clearProblem(container) { container.hidden = true; container.replaceChildren(); }

  return Object.freeze({
    STATUS_LABELS, SECRECY_LABELS, IN_PROGRESS, $, apiKey, storeKeyFrom, forgetKey, Problem, createApi, asProblem, el, english, showProblem, clearProblem,
  });
})();
""";
}
