// The approvals part of the clerk's page, loaded after common.js and before documents.js. It defines one frozen global,
// PipelineApprovals: per document row, a second table row holding the inline form that sends the document for approval
// (a named route or steps typed in) and the panel of its latest approval (steps, due times in Vietnam time, decisions,
// cancel). The page's script owns the rows and the polling timer; this part only says whether a row still needs polling.
// Every value from the server is put on the page with textContent or as an attribute.
'use strict';
window.PipelineApprovals = (() => {
  const { Problem, el, english, showProblem, showProblemWithErrors, clearProblem } = window.Pipeline;
  const NO_KEY_DETAIL = 'Dán khóa trong tệp <thư mục dữ liệu>/admin.key vào ô “Khóa API” rồi bấm “Lưu khóa”.';
  const api = window.Pipeline.createApi(NO_KEY_DETAIL);

  const APPROVAL_LABELS = Object.freeze({
    Pending: 'Đang chờ duyệt', Approved: 'Đã duyệt', Rejected: 'Bị từ chối', Returned: 'Bị trả lại', Expired: 'Hết hạn', Cancelled: 'Đã hủy',
  });
  const STEP_LABELS = Object.freeze({
    Waiting: 'Chưa đến lượt', Pending: 'Đang chờ ý kiến', Overdue: 'Quá hạn', Approved: 'Đã đồng ý', Rejected: 'Bị từ chối',
    Returned: 'Bị trả lại', Expired: 'Hết hạn', Cancelled: 'Đã hủy',
  });
  const DECISION_LABELS = Object.freeze({ approve: 'Đồng ý', reject: 'Từ chối', return: 'Trả lại để chỉnh sửa' });
  const MODE_LABELS = Object.freeze({ any: 'Bất kỳ', all: 'Tất cả' });
  const MODE_HINTS = Object.freeze({ any: 'ý kiến đầu tiên quyết định', all: 'mọi người phải đồng ý' });
  // A document still being digitised, needing review or failed was never sent, so only these are asked for approvals.
  const MAY_HAVE_APPROVALS = new Set(['Digitised', 'InApproval', 'Approved', 'Rejected', 'Returned']);
  // Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact and needs no time-zone data.
  const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

  let formCount = 0;
  let routesPromise = null;

  // ---- Helpers --------------------------------------------------------------------------------------------

  /** Whether the document can be sent: Digitised, or sent back by an approver (Returned, or Rejected with no error — a file rejected at upload carries one). */
  function canSend(doc) {
    if (!doc) return false;
    if (doc.status === 'Digitised' || doc.status === 'Returned') return true;
    // The list leaves out `error`; until the full document says there is none, a Rejected row is not offered for approval.
    return doc.status === 'Rejected' && ('error' in doc) && !doc.error;
  }

  /** A UTC time from the server as the office reads it: <code>14:05 ngày 18/05/2025 (giờ Việt Nam)</code>, as in the mails. */
  function vietnamTime(value) {
    if (!value) return '';
    const text = String(value);
    // Server times are UTC; one written without a zone must not be read as the browser's local time.
    const ms = Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : text + 'Z');
    if (isNaN(ms)) return text;
    const t = new Date(ms + VIETNAM_OFFSET_MS);
    const two = (n) => String(n).padStart(2, '0');
    return `${two(t.getUTCHours())}:${two(t.getUTCMinutes())} ngày ${two(t.getUTCDate())}/${two(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} (giờ Việt Nam)`;
  }

  /** An ISO 8601 due time in words (<code>P2D</code> → <code>P2D (2 ngày làm việc)</code>); anything else as written. */
  function dueInWords(due) {
    const text = String(due || '');
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/i.exec(text);
    if (!m || !(m[1] || m[2] || m[3])) return text;
    const parts = [];
    if (m[1]) parts.push(`${Number(m[1])} ngày`);
    if (m[2]) parts.push(`${Number(m[2])} giờ`);
    if (m[3]) parts.push(`${Number(m[3])} phút`);
    return `${text} (${parts.join(' ')} làm việc)`;
  }

  function labelled(labels, value) { return labels[value] || String(value || '?'); }

  /** Approvers typed in a box: separated by commas, semicolons or new lines; blanks dropped. */
  function splitApprovers(text) { return String(text).split(/[,;\n\r]+/).map((s) => s.trim()).filter(Boolean); }

  function button(text, className, gloss) {
    const b = el('button', className, text);
    b.type = 'button';
    if (gloss) b.append(' ', english(gloss));
    return b;
  }

  /** A labelled field (<code>div.field</code>) around <code>control</code>, with an optional hint the control is described by. */
  function field(id, labelText, gloss, control, hintText) {
    const wrap = el('div', 'field');
    const label = el('label', null, labelText);
    if (gloss) label.append(' ', english(gloss));
    label.htmlFor = id;
    control.id = id;
    wrap.append(label, control);
    if (hintText) {
      const hint = el('span', 'hint', hintText);
      hint.id = id + '-hint';
      control.setAttribute('aria-describedby', hint.id);
      wrap.append(hint);
    }
    return wrap;
  }

  function textInput(value, placeholder) {
    const input = el('input');
    input.type = 'text';
    input.spellcheck = false;
    input.autocomplete = 'off';
    if (value) input.value = value;
    if (placeholder) input.placeholder = placeholder;
    return input;
  }

  /** The named routes, read once per page; a failed read is retried the next time a form opens. */
  function loadRoutes() {
    if (!routesPromise) {
      routesPromise = api('/api/approval-routes')
        .then((r) => r.json())
        .then((body) => (Array.isArray(body.routes) ? body.routes.filter((r) => r && typeof r.name === 'string') : []))
        .catch(() => { routesPromise = null; return []; }); // inline steps still work without them
    }
    return routesPromise;
  }

  // ---- One document's approvals ---------------------------------------------------------------------------

  /**
   * The approvals of one document: <code>row</code> is the table row to put after the document's own. <code>hooks</code>:
   * <code>refreshDocument()</code> re-reads the document (its status moves with the approval), <code>watch()</code>
   * (re)starts the page's polling.
   */
  function create(documentId, hooks) {
    const row = el('tr', 'approval-row');
    row.dataset.approvalsFor = documentId;
    row.hidden = true;
    const cell = el('td');
    cell.colSpan = 6;
    const panel = el('section', 'approval-panel');
    panel.hidden = true;
    const formBox = el('div', 'approval-form-box');
    cell.append(panel, formBox);
    row.append(cell);

    const self = {
      row, doc: null, approvals: [], shownJson: '', loadVersion: 0, form: null, cancelBox: null,
      canSend: () => canSend(self.doc),
      isPending,
      update, load, toggleForm,
    };
    return self;

    function latest() { return self.approvals.length > 0 ? self.approvals[self.approvals.length - 1] : null; }

    /** Whether the page should keep asking: the latest approval is open, or the document says it is in approval. */
    function isPending() {
      const last = latest();
      return (last !== null && last.status === 'Pending') || (self.doc !== null && self.doc.status === 'InApproval');
    }

    function showRow() { row.hidden = panel.hidden && !self.form; }

    /** Called with the document whenever its row is (re)drawn. */
    function update(doc) {
      const before = self.doc ? self.doc.status : null;
      self.doc = doc;
      // A Rejected row read from the list does not say yet whether it carries an error; keep the form until it is known.
      const unknown = doc.status === 'Rejected' && !('error' in doc);
      if (self.form && !canSend(doc) && !unknown) closeForm();
      // A status change (the approval was decided, cancelled, expired) means the panel may be stale.
      if (before !== null && before !== doc.status && MAY_HAVE_APPROVALS.has(doc.status)) load().catch(() => { /* shown in the panel */ });
    }

    /** Reads the document's approvals and redraws the panel when they changed. 404 (no such document) shows nothing. */
    async function load() {
      if (!self.doc || !MAY_HAVE_APPROVALS.has(self.doc.status)) return;
      const version = ++self.loadVersion;
      let approvals;
      try {
        const body = await (await api('/api/documents/' + encodeURIComponent(documentId) + '/approvals')).json();
        approvals = Array.isArray(body.approvals) ? body.approvals : [];
      } catch (e) {
        if (version !== self.loadVersion) return;
        if (e instanceof Problem && e.status === 404) { approvals = []; } else {
          // A panel already on show stays as it was (a failed poll is reported above the list); an empty one says why.
          if (self.approvals.length === 0) showLoadProblem(e);
          throw e;
        }
      }
      if (version !== self.loadVersion) return; // a later read answered first
      setApprovals(approvals);
    }

    function setApprovals(approvals) {
      const previous = latest();
      self.approvals = approvals;
      const json = JSON.stringify(approvals);
      if (json === self.shownJson) return;
      self.shownJson = json;
      renderPanel();
      const last = latest();
      // The document's status moves with its approval's end; re-read it so the row says so.
      if (previous && last && (previous.approvalId !== last.approvalId || previous.status !== last.status)) {
        Promise.resolve(hooks.refreshDocument()).catch(() => { /* the next refresh shows it */ });
      }
      if (isPending()) hooks.watch();
    }

    function showLoadProblem(e) {
      const box = el('div', 'problem');
      box.setAttribute('role', 'alert');
      showProblem(box, e);
      const heading = el('p', 'small', 'Không tải được thông tin trình duyệt. (Approvals could not be read.)');
      panel.replaceChildren(heading, box);
      panel.hidden = false;
      self.shownJson = '';
      self.cancelBox = null;
      showRow();
    }

    // ---- Panel --------------------------------------------------------------------------------------------

    function renderPanel() {
      const approval = latest();
      self.cancelBox = null;
      if (!approval) { panel.replaceChildren(); panel.hidden = true; panel.removeAttribute('data-approval-status'); showRow(); return; }
      const headingId = `approval-heading-${formCount += 1}`;
      panel.setAttribute('aria-labelledby', headingId);
      panel.dataset.approvalStatus = approval.status || '';
      panel.dataset.approvalId = approval.approvalId || '';

      const heading = el('h3', null, 'Trình duyệt: ');
      heading.id = headingId;
      heading.tabIndex = -1;
      const status = el('span', `approval-status approval-status-${approval.status}`, labelled(APPROVAL_LABELS, approval.status));
      heading.append(status, ' ', english(`(${approval.status || '?'})`));

      const facts = [];
      if (approval.route) facts.push(`Tuyến: ${approval.route}`);
      if (approval.createdTime) facts.push(`Gửi lúc ${vietnamTime(approval.createdTime)}`);
      if (approval.finishedTime) facts.push(`kết thúc lúc ${vietnamTime(approval.finishedTime)}`);
      const nodes = [heading];
      if (facts.length > 0) nodes.push(el('p', 'small', facts.join(' · ')));
      const sentBack = sentBackNotice(approval);
      if (sentBack) nodes.push(sentBack);

      const steps = el('ol', 'approval-steps');
      (Array.isArray(approval.steps) ? approval.steps : []).forEach((step, i) => steps.append(stepItem(step, i, approval)));
      nodes.push(steps);

      const earlier = self.approvals.slice(0, -1);
      if (earlier.length > 0) {
        nodes.push(el('p', 'small earlier-approvals', 'Các lần trình trước: ' + earlier.map((a) =>
          `${labelled(APPROVAL_LABELS, a.status)} (${vietnamTime(a.finishedTime || a.createdTime)})`).join('; ')));
      }
      if (approval.status === 'Pending') nodes.push(cancelArea(approval));
      panel.replaceChildren(...nodes);
      panel.hidden = false;
      showRow();
    }

    /** A Returned or Rejected approval: the approver's words first, then how to correct and resend. */
    function sentBackNotice(approval) {
      if (approval.status !== 'Returned' && approval.status !== 'Rejected') return null;
      const wanted = approval.status === 'Returned' ? 'return' : 'reject';
      let decision = null;
      for (const step of approval.steps || []) {
        for (const d of step.decisions || []) if (d && d.decision === wanted) decision = d;
      }
      const box = el('div', 'approver-comment');
      box.setAttribute('role', 'note');
      box.append(el('strong', null, approval.status === 'Returned'
        ? 'Người duyệt trả lại văn bản để chỉnh sửa' : 'Người duyệt từ chối văn bản'));
      if (decision && decision.comment) box.append(el('blockquote', 'comment', decision.comment));
      else box.append(el('p', 'small', 'Người duyệt không ghi ý kiến.'));
      if (decision) box.append(el('p', 'small', `— ${decision.approver || '?'}, ${vietnamTime(decision.at)}`));
      const next = el('p');
      const review = el('a', 'review-link', 'Sửa thông tin văn bản');
      review.href = '/review/' + encodeURIComponent(documentId);
      review.dataset.action = 'review-fields';
      next.append(review, ' rồi bấm “Trình duyệt” để trình lại. ', english('Correct the fields, then send it again.'));
      box.append(next);
      return box;
    }

    function stepItem(step, index, approval) {
      const item = el('li', `approval-step step-${step.status}`);
      item.dataset.stepStatus = step.status || '';
      if (approval.status === 'Pending' && approval.currentStep === index) item.setAttribute('aria-current', 'step');
      const head = el('div', 'step-head');
      head.append(el('strong', 'step-name', step.name || `Bước ${index + 1}`), ' ',
        el('span', `step-status step-status-${step.status}`, labelled(STEP_LABELS, step.status)));
      item.append(head);
      const facts = [];
      if (step.mode) facts.push(`${labelled(MODE_LABELS, step.mode)} (${MODE_HINTS[step.mode] || step.mode})`);
      if (step.dueAt) facts.push(`Hạn: ${vietnamTime(step.dueAt)}`);
      else if (step.due) facts.push(`Thời hạn: ${dueInWords(step.due)}`);
      item.append(el('span', 'small step-due', facts.join(' · ')));
      const approvers = Array.isArray(step.approvers) ? step.approvers : [];
      if (approvers.length > 0) item.append(el('span', 'small step-approvers', 'Người duyệt: ' + approvers.join(', ')));
      const decisions = Array.isArray(step.decisions) ? step.decisions : [];
      if (decisions.length > 0) item.append(decisionTable(decisions));
      return item;
    }

    function decisionTable(decisions) {
      const table = el('table', 'decisions');
      const head = el('tr');
      for (const title of ['Người duyệt', 'Ý kiến', 'Nội dung', 'Thời gian']) {
        const th = el('th', null, title);
        th.scope = 'col';
        head.append(th);
      }
      const thead = el('thead');
      thead.append(head);
      const tbody = el('tbody');
      for (const d of decisions) {
        const tr = el('tr', `decision decision-${d.decision}`);
        tr.append(el('td', null, d.approver || ''), el('td', null, labelled(DECISION_LABELS, d.decision)),
          el('td', 'comment', d.comment || '–'), el('td', null, vietnamTime(d.at)));
        tbody.append(tr);
      }
      table.append(thead, tbody);
      return table;
    }

    /** "Hủy trình duyệt", then a reason and a confirmation: cancelling kills every approver's link, so it is never one click. */
    function cancelArea(approval) {
      const area = el('div', 'cancel-area');
      const open = button('Hủy trình duyệt', 'secondary', 'Cancel approval');
      open.dataset.action = 'cancel-approval';
      const form = el('form', 'row cancel-form');
      form.noValidate = true;
      form.hidden = true;
      const id = `approval-cancel-${formCount += 1}`;
      const reason = textInput('', 'ví dụ: gửi nhầm người duyệt');
      reason.maxLength = 500;
      const label = el('label', null, 'Lý do hủy');
      label.htmlFor = id;
      reason.id = id;
      const confirm = el('button', null, 'Xác nhận hủy');
      confirm.type = 'submit';
      const back = button('Thôi', 'secondary', 'Keep it');
      const problemBox = el('div', 'problem');
      problemBox.setAttribute('role', 'alert');
      problemBox.hidden = true;
      form.append(label, reason, confirm, back);
      area.append(open, form, problemBox);

      open.addEventListener('click', () => { open.hidden = true; form.hidden = false; reason.focus(); });
      back.addEventListener('click', () => { form.hidden = true; open.hidden = false; clearProblem(problemBox); open.focus(); });
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearProblem(problemBox);
        const text = reason.value.trim();
        if (!text) {
          showProblem(problemBox, new Problem('Chưa nhập lý do hủy (no reason given)', 'Lý do được ghi vào nhật ký của văn bản.'));
          reason.focus();
          return;
        }
        confirm.disabled = true;
        try {
          const cancelled = await (await api('/api/approvals/' + encodeURIComponent(approval.approvalId) + '/cancel', {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: text }),
          })).json();
          // setApprovals sees the status change and re-reads the document, which is back where it was.
          setApprovals(self.approvals.map((a) => (a.approvalId === cancelled.approvalId ? cancelled : a)));
        } catch (e) {
          confirm.disabled = false;
          showProblem(problemBox, e);
          load().catch(() => { /* shown in the panel */ }); // e.g. it ended meanwhile: show how
        }
      });
      self.cancelBox = area;
      return area;
    }

    // ---- Form ---------------------------------------------------------------------------------------------

    function toggleForm() {
      if (self.form) { closeForm(); return; }
      if (!canSend(self.doc)) return;
      self.form = buildForm();
      formBox.replaceChildren(self.form.node);
      showRow();
      self.form.focus();
    }

    function closeForm() {
      self.form = null;
      formBox.replaceChildren();
      showRow();
    }

    /** The inline form; when the document was sent before, it starts from that approval's steps (a resend usually keeps them). */
    function buildForm() {
      const n = (formCount += 1);
      const prefix = `approval-form-${n}`;
      const node = el('form', 'approval-form');
      node.noValidate = true;
      const title = el('h3', null, 'Trình duyệt văn bản ');
      title.id = prefix + '-heading';
      title.append(english('Send for approval'));
      node.setAttribute('aria-labelledby', title.id);

      const routeSelect = el('select');
      routeSelect.append(new Option('— Không dùng: nhập các bước bên dưới —', ''));
      const routeField = field(prefix + '-route', 'Tuyến trình duyệt đã lưu', 'Named route', routeSelect);
      routeField.hidden = true; // shown once there are named routes
      const routeSummary = el('p', 'small route-summary');
      routeSummary.hidden = true;

      const stepsBox = el('fieldset', 'steps-editor');
      stepsBox.append(el('legend', null, 'Các bước trình duyệt (theo thứ tự)'));
      const stepList = el('div', 'step-rows');
      const addStep = button('+ Thêm bước', 'secondary', 'Add step');
      addStep.dataset.action = 'add-step';
      stepsBox.append(stepList, addStep);

      const escalation = textInput('', 'ví dụ: vanphong@tinhuy.vn');
      escalation.type = 'email';
      const escalationField = field(prefix + '-escalation', 'Báo khi quá hạn (không bắt buộc)', 'Escalation', escalation,
        'Người được báo khi một bước quá hạn mà chưa có ý kiến.');

      const problemBox = el('div', 'problem');
      problemBox.setAttribute('role', 'alert');
      problemBox.hidden = true;
      const submit = el('button', null, 'Gửi trình duyệt ');
      submit.type = 'submit';
      submit.append(english('Send'));
      const close = button('Đóng', 'secondary', 'Close');
      const actions = el('div', 'row');
      actions.append(submit, close);
      node.append(title, routeField, routeSummary, stepsBox, escalationField, problemBox, actions);

      let stepCount = 0;
      const rows = [];
      function addRow(step) {
        const k = (stepCount += 1);
        const id = `${prefix}-step-${k}`;
        const box = el('div', 'step-row');
        const number = el('span', 'step-number');
        const name = textInput(step && step.name, 'ví dụ: Chánh Văn phòng');
        name.maxLength = 200;
        const approvers = el('textarea');
        approvers.rows = 2;
        approvers.spellcheck = false;
        approvers.placeholder = 'cvp@tinhuy.vn, role:approver@vp-tinh-uy';
        if (step && Array.isArray(step.approvers)) approvers.value = step.approvers.join(', ');
        const mode = el('select');
        for (const value of ['any', 'all']) mode.append(new Option(MODE_LABELS[value], value));
        mode.value = step && step.mode === 'all' ? 'all' : 'any';
        const due = textInput(step && step.due ? step.due : 'P2D', 'P2D');
        due.maxLength = 40;
        const remove = button('Xóa bước', 'secondary', 'Remove');
        remove.dataset.action = 'remove-step';
        box.append(number,
          field(id + '-name', 'Tên bước', 'Step', name),
          field(id + '-approvers', 'Người duyệt', 'Approvers', approvers, 'Địa chỉ thư hoặc role:vai-trò@cơ-quan, cách nhau bằng dấu phẩy hoặc xuống dòng.'),
          field(id + '-mode', 'Cách duyệt', 'Mode', mode, `Bất kỳ: ${MODE_HINTS.any}; Tất cả: ${MODE_HINTS.all}.`),
          field(id + '-due', 'Thời hạn', 'Due', due, 'P2D = 2 ngày làm việc; PT12H = 12 giờ làm việc.'),
          remove);
        const entry = { box, number, name, approvers, mode, due, remove };
        remove.addEventListener('click', () => {
          if (rows.length <= 1) return;
          rows.splice(rows.indexOf(entry), 1);
          box.remove();
          renumber();
          rows[0].name.focus();
        });
        rows.push(entry);
        stepList.append(box);
        renumber();
        return entry;
      }
      function renumber() {
        rows.forEach((r, i) => {
          r.number.textContent = `Bước ${i + 1}`;
          r.box.dataset.step = String(i);
          r.remove.disabled = rows.length <= 1; // a route has at least one step
        });
      }

      // Start from the last approval when there was one: after a return, the clerk usually resends along the same route.
      const last = latest();
      const previousSteps = last && Array.isArray(last.steps) ? last.steps : [];
      if (previousSteps.length > 0) {
        previousSteps.forEach(addRow);
        const escalations = new Set(previousSteps.map((s) => s.escalation || ''));
        if (escalations.size === 1 && previousSteps[0].escalation) escalation.value = previousSteps[0].escalation;
      } else {
        addRow(null);
      }

      addStep.addEventListener('click', () => addRow(null).name.focus());
      close.addEventListener('click', () => { closeForm(); });
      let routes = [];
      routeSelect.addEventListener('change', () => {
        const chosen = routes.find((r) => r.name === routeSelect.value) || null;
        // A named route brings its own steps and escalation, so the typed ones are set aside (kept, in case the clerk switches back).
        stepsBox.disabled = chosen !== null;
        escalationField.hidden = chosen !== null;
        routeSummary.hidden = chosen === null;
        routeSummary.textContent = chosen ? 'Các bước: ' + (Array.isArray(chosen.steps) ? chosen.steps : []).map((s) =>
          `${s.name || '?'} (${(Array.isArray(s.approvers) ? s.approvers : []).join(', ')}; ${dueInWords(s.due)})`).join(' → ') : '';
      });
      loadRoutes().then((list) => {
        routes = list;
        for (const r of list) routeSelect.append(new Option(r.name, r.name));
        routeField.hidden = list.length === 0;
        if (last && last.route && list.some((r) => r.name === last.route)) {
          routeSelect.value = last.route;
          routeSelect.dispatchEvent(new Event('change'));
        }
      });

      node.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearProblem(problemBox);
        for (const r of rows) r.box.classList.remove('invalid');
        const request = routeSelect.value ? { route: routeSelect.value } : {
          steps: rows.map((r) => {
            const step = { approvers: splitApprovers(r.approvers.value), mode: r.mode.value };
            if (r.name.value.trim()) step.name = r.name.value.trim();
            if (r.due.value.trim()) step.due = r.due.value.trim();
            return step;
          }),
        };
        if (!routeSelect.value && escalation.value.trim()) request.escalation = escalation.value.trim();
        submit.disabled = true;
        try {
          // The server checks the route and lists every mistake at once; checking here too would only disagree with it.
          await window.Pipeline.sendJson(api, 'POST', '/api/documents/' + encodeURIComponent(documentId) + '/approvals', request);
        } catch (e) {
          submit.disabled = false;
          showProblemWithErrors(problemBox, e);
          for (const error of (e && e.errors) || []) {
            const m = /^steps\[(\d+)\]/.exec(error);
            if (m && rows[Number(m[1])]) rows[Number(m[1])].box.classList.add('invalid');
          }
          problemBox.scrollIntoView({ block: 'nearest' });
          return;
        }
        // Sent (202): from here on the panel shows the approval; a failed read is the panel's to show, not the form's.
        closeForm();
        await Promise.all([
          load().catch(() => { /* the panel says why */ }),
          Promise.resolve(hooks.refreshDocument()).catch(() => { /* the next refresh shows it */ }),
        ]);
        const heading = panel.querySelector('h3');
        if (heading) heading.focus();
      });

      return { node, focus: () => (rows[0] ? rows[0].name : routeSelect).focus() };
    }
  }

  return Object.freeze({ create, canSend, MAY_HAVE_APPROVALS });
})();
