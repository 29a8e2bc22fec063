// Shared by every page, loaded before the page's own script: the API key kept in this tab's sessionStorage, API calls
// that send it in x-functions-key and turn a failure into a problem (RFC 9457) to show, and the helpers that put server
// values on the page as text only. It defines one frozen global, Pipeline; the pages' scripts take what they need from it.
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

  /**
   * A problem (RFC 9457) to show the clerk or reviewer: title, and detail when there is one; <code>code</code> and
   * <code>errors</code> (every mistake of a rejected request, e.g. a route or a meeting) when the server sent them.
   */
  class Problem extends Error {
    constructor(title, detail, status) {
      super(title); this.title = title; this.detail = detail || ''; this.status = status || 0; this.code = ''; this.errors = [];
    }
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
    // The host answers a missing or wrong key without saying where the key is (it names no files): the page does.
    if (response.status === 401) detail = (detail ? detail + ' ' : '') + 'Kiểm tra khóa API (tệp <thư mục dữ liệu>/admin.key).';
    const problem = new Problem(title, detail, response.status);
    problem.code = body && typeof body.code === 'string' ? body.code : '';
    problem.errors = body && Array.isArray(body.errors) ? body.errors.map(String) : [];
    return problem;
  }

  /** Sends <code>body</code> as JSON through the page's <code>api</code>; resolves to the answer's JSON body, or {}. */
  async function sendJson(api, method, url, body) {
    const init = { method };
    if (body !== undefined) { init.headers = { 'content-type': 'application/json' }; init.body = JSON.stringify(body); }
    const response = await api(url, init);
    if (!(response.headers.get('content-type') || '').includes('json')) return {};
    try { return (await response.json()) || {}; } catch (_) { return {}; }
  }

  /**
   * Fetches <code>url</code> through the page's <code>api</code> and opens the bytes in a new tab (or downloads them
   * as <code>fileName</code> when the browser blocks the tab); a failure goes to <code>onError</code>.
   */
  async function openBlob(api, url, fileName, onError) {
    // Opened now, while the click still counts as the user's: a tab opened after the fetch would be blocked.
    const tab = window.open('', '_blank');
    try {
      const blob = await (await api(url)).blob();
      const objectUrl = URL.createObjectURL(blob);
      if (tab && !tab.closed) {
        tab.opener = null;
        tab.location.href = objectUrl;
      } else {
        const a = el('a');
        a.href = objectUrl;
        a.download = fileName;
        document.body.append(a);
        a.click();
        a.remove();
      }
      setTimeout(() => URL.revokeObjectURL(objectUrl), 5 * 60 * 1000);
    } catch (e) {
      if (tab) tab.close();
      onError(e);
    }
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

  /** As <code>showProblem</code>, with every entry of the problem's <code>errors</code> listed under it. */
  function showProblemWithErrors(container, e) {
    const problem = showProblem(container, e);
    if (problem.errors && problem.errors.length > 0) {
      const list = el('ul', 'problem-errors');
      for (const error of problem.errors) list.append(el('li', null, error));
      container.append(list);
    }
    return problem;
  }

  function clearProblem(container) { container.hidden = true; container.replaceChildren(); }

  return Object.freeze({
    STATUS_LABELS, SECRECY_LABELS, IN_PROGRESS, $, apiKey, storeKeyFrom, forgetKey, Problem, createApi, sendJson, openBlob, asProblem, el, english,
    showProblem, showProblemWithErrors, clearProblem,
  });
})();
