// The IGR assistant chat page: ask, stream the answer, show citations. No build step.
"use strict";

const KEY_STORAGE = "igr-api-key";
const MAX_HISTORY = 20;
const $ = (id) => document.getElementById(id);

const state = {
  history: [], busy: false, activeChip: null, docs: new Map(), docsReady: Promise.resolve(),
};

function apiKey() {
  try { return localStorage.getItem(KEY_STORAGE) || ""; } catch { return ""; }
}

function headers(json) {
  const h = { Accept: json ? "application/json" : "text/event-stream" };
  if (json !== null) h["Content-Type"] = "application/json";
  const key = apiKey();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

class HttpError extends Error {
  constructor(status, detail) { super(detail); this.status = status; this.detail = detail; }
}

async function errorFrom(response) {
  let detail = response.statusText || "request failed";
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") detail = body.detail;
  } catch { /* not JSON */ }
  return new HttpError(response.status, detail);
}

function showStatus(message) {
  const box = $("status");
  box.textContent = message;
  box.hidden = !message;
}

function explain(err) {
  if (err instanceof HttpError) {
    if (err.status === 401) return "This server needs an API key. Enter it with the “API key” button.";
    if (err.status === 422) return "The question was not accepted: " + err.detail;
    if (err.status === 503) return "The assistant is not ready yet (" + err.detail + "). Try again shortly.";
    return "The server could not answer (" + err.status + "): " + err.detail;
  }
  return "Cannot reach the server. Check the connection and try again.";
}

// ---- Server-Sent Events over fetch (POST bodies cannot use EventSource) ----
async function* sseEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

// ---- Rendering ----
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function citationsByNumber(citations) {
  const byN = new Map();
  for (const c of citations || []) {
    if (!byN.has(c.n)) byN.set(c.n, []);
    byN.get(c.n).push(c);
  }
  return byN;
}

function renderAnswerText(target, text, citations) {
  target.textContent = "";
  const byN = citationsByNumber(citations);
  const marker = /\[(\d+)\]/g;
  let last = 0;
  for (const m of text.matchAll(marker)) {
    const n = Number(m[1]);
    if (!byN.has(n)) continue;
    target.append(text.slice(last, m.index));
    target.append(chip(n, byN.get(n)));
    last = m.index + m[0].length;
  }
  target.append(text.slice(last));
}

function chip(n, cites) {
  const button = el("button", "chip", String(n));
  button.type = "button";
  button.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-label", "Source " + n + ": " + cites[0].title);
  button.addEventListener("click", () => showSource(button, cites));
  return button;
}

function renderRefused(target, result) {
  target.textContent = "";
  target.classList.add("refused");
  target.append(el("p", "refused-title", "Not in the documents"));
  const closest = closestDocuments(result.retrieved, 3);
  // The server's sentence names the closest documents too: show them once, as a list.
  const cut = closest.length ? result.answer.indexOf(CLOSEST_PHRASE) : -1;
  target.append(el("p", "", cut > 0 ? result.answer.slice(0, cut).trim() : result.answer));
  if (cut > 0) {
    target.append(el("p", "", "Closest documents:"));
    const list = el("ul", "closest");
    for (const item of closest) list.append(el("li", "", documentLabel(item)));
    target.append(list);
  }
}

// A quote with the part that answers the question (citation.answer_span) marked.
function quoteWithAnswer(citation) {
  const p = el("p", "", "");
  const q = citation.quote;
  const span = citation.answer_span;
  if (!span || span[0] < 0 || span[1] > q.length || span[0] >= span[1]) {
    p.textContent = "“" + q + "”";
    return p;
  }
  const mark = document.createElement("mark");
  mark.className = "answer-span";
  mark.textContent = q.slice(span[0], span[1]);
  p.append("“" + q.slice(0, span[0]), mark, q.slice(span[1]) + "”");
  return p;
}

function showSource(button, cites) {
  if (state.activeChip) state.activeChip.setAttribute("aria-pressed", "false");
  state.activeChip = button;
  button.setAttribute("aria-pressed", "true");
  const c = cites[0];
  $("source-title").textContent = "Source " + c.n;
  $("src-title").textContent = c.title;
  $("src-publisher").textContent = c.publisher || "not stated";
  $("src-date").textContent = c.date || "not stated";
  $("src-page").textContent = c.page ? String(c.page) : "—";
  const quote = $("src-quote");
  quote.textContent = "";
  for (const each of cites) quote.append(quoteWithAnswer(each));
  const link = $("src-url");
  const isWeb = typeof c.source === "string" && /^https?:\/\//.test(c.source);
  link.hidden = !isWeb;
  if (isWeb) link.href = c.source;
  $("source").hidden = false;
  document.querySelector(".layout").classList.add("with-source");
  $("source-title").focus();
}

function closeSource() {
  $("source").hidden = true;
  document.querySelector(".layout").classList.remove("with-source");
  if (state.activeChip) {
    state.activeChip.setAttribute("aria-pressed", "false");
    state.activeChip.focus();
    state.activeChip = null;
  }
}

// ---- Under each answer: applied filters, sources with dates, copy (issue 12) ----
const CLOSEST_PHRASE = "The closest documents are";

function closestDocuments(retrieved, limit) {
  const seen = new Set();
  const closest = [];
  for (const item of retrieved || []) {
    if (seen.has(item.doc_id)) continue;
    seen.add(item.doc_id);
    closest.push(item);
    if (closest.length === limit) break;
  }
  return closest;
}

function documentLabel(item) {
  const doc = state.docs.get(item.doc_id);
  const parts = [doc && doc.date, item.page ? "page " + item.page : ""].filter(Boolean);
  return item.title + (parts.length ? " (" + parts.join(", ") + ")" : "");
}

function describeFilters(filters) {
  if (!filters) return "";
  const parts = [];
  if (filters.doc_type) parts.push("type: " + filters.doc_type.join(", "));
  if (filters.date_from) parts.push("from " + filters.date_from);
  if (filters.date_to) parts.push("to " + filters.date_to);
  return parts.join(" · ");
}

function renderAppliedFilters(turn, filters) {
  const text = describeFilters(filters);
  if (!text) return;
  const note = el("p", "applied-filters", "Searched only: " + text);
  turn.querySelector(".question").after(note);
}

function sourceWhere(c) {
  return [c.publisher, c.date, c.page ? "p. " + c.page : ""].filter(Boolean).join(", ");
}

// The answer and its sources as plain text, laid out like the OpenAI route's "Sources:" list.
function answerWithSources(result) {
  const lines = [result.answer];
  const cites = [...(result.citations || [])].sort((a, b) => a.n - b.n);
  if (cites.length) {
    lines.push("", "Sources:", "");
    for (const c of cites) {
      const where = sourceWhere(c);
      lines.push(c.n + ". " + c.title + (where ? " (" + where + ")" : "") + ": “" +
                 c.quote.split(/\s+/).join(" ") + "”");
    }
  }
  return lines.join("\n");
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = el("textarea");  // plain http beyond localhost: the older way
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

function renderSourceList(turn, result) {
  const byN = citationsByNumber(result.citations);
  if (!byN.size) return;
  const list = el("ol", "sources");
  list.setAttribute("aria-label", "Sources of this answer");
  for (const [n, cites] of [...byN.entries()].sort((a, b) => a[0] - b[0])) {
    const c = cites[0];
    const item = el("li");
    const open = el("button", "source-link", c.title);
    open.type = "button";
    open.addEventListener("click", () => showSource(open, cites));
    item.append(el("span", "source-n", "[" + n + "]"), " ", open);
    const where = [c.date || "undated", c.page ? "p. " + c.page : ""].filter(Boolean).join(", ");
    item.append(" ", el("span", "source-date", where));
    list.append(item);
  }
  turn.append(list);
}

function renderCopyButton(turn, result) {
  const bar = el("div", "answer-tools");
  const button = el("button", "quiet copy", "Copy answer");
  button.type = "button";
  const done = el("span", "copy-status");
  done.setAttribute("role", "status");
  button.addEventListener("click", async () => {
    try {
      await copyText(answerWithSources(result));
      done.textContent = "Copied, with its sources.";
    } catch {
      done.textContent = "Could not copy: select the text instead.";
    }
  });
  bar.append(button, done);
  turn.append(bar);
}

function renderAnswerExtras(turn, result) {
  if (result.refused) return;
  renderSourceList(turn, result);
  renderCopyButton(turn, result);
}

// ---- Asking ----
function currentFilters() {
  const filters = {};
  const type = $("doc-type").value;
  if (type) filters.doc_type = [type];
  const from = $("date-from").value.trim();
  const to = $("date-to").value.trim();
  if (from) filters.date_from = from;
  if (to) filters.date_to = to;
  const where = $("jurisdiction") ? $("jurisdiction").value : "";
  if (where) filters.jurisdiction = [where];
  return Object.keys(filters).length ? filters : null;
}

function addTurn(question) {
  $("empty-hint").hidden = true;
  const item = el("li", "turn");
  item.append(el("p", "question", question));
  const answer = el("div", "answer pending", "Searching the documents…");
  answer.setAttribute("aria-busy", "true");
  item.append(answer);
  $("log").append(item);
  return answer;
}

async function ask(question, filters) {
  const body = { question, history: state.history.slice(-MAX_HISTORY), stream: true };
  if (filters) body.filters = filters;
  const response = await fetch("/chat", {
    method: "POST", headers: headers(false), body: JSON.stringify(body),
  });
  if (!response.ok) throw await errorFrom(response);
  return response;
}

async function onAsk(event) {
  event.preventDefault();
  if (state.busy) return;
  const box = $("question");
  const question = box.value.trim();
  if (!question) {
    showStatus("Type a question first.");
    box.focus();
    return;
  }
  showStatus("");
  state.busy = true;
  $("ask-button").disabled = true;
  const answer = addTurn(question);
  const filters = currentFilters();
  renderAppliedFilters(answer.parentElement, filters);
  let streamed = "";
  try {
    const response = await ask(question, filters);
    box.value = "";
    for await (const { event: kind, data } of sseEvents(response)) {
      if (kind === "delta") {
        if (!streamed) answer.classList.remove("pending");
        streamed += data.text;
        answer.textContent = streamed;
      } else if (kind === "done") {
        answer.classList.remove("pending");
        if (data.refused) { await state.docsReady; renderRefused(answer, data); }
        else renderAnswerText(answer, data.answer, data.citations);
        renderAnswerExtras(answer.parentElement, data);
        state.history.push({ role: "user", content: question });
        state.history.push({ role: "assistant", content: data.answer });
        // answer-extras.js adds where it applies and the feedback buttons
        document.dispatchEvent(new CustomEvent("igr:answer", { detail: {
          element: answer, result: data, history: state.history.slice(0, -2) } }));
      } else if (kind === "error") {
        throw new HttpError(500, data.detail);
      }
    }
  } catch (err) {
    answer.classList.remove("pending");
    answer.classList.add("error");
    answer.textContent = explain(err);
    showStatus(explain(err));
    if (err instanceof HttpError && err.status === 401) openKeyDialog();
  } finally {
    answer.setAttribute("aria-busy", "false");
    state.busy = false;
    $("ask-button").disabled = false;
  }
}

async function loadDocTypes() {
  try {
    const response = await fetch("/documents", { headers: headers(null) });
    if (response.status === 401) { showStatus(explain(new HttpError(401, ""))); return; }
    if (!response.ok) return;
    const docs = await response.json();
    state.docs = new Map(docs.map((d) => [d.doc_id, d]));
    const types = [...new Set(docs.map((d) => d.doc_type).filter(Boolean))].sort();
    const select = $("doc-type");
    select.length = 1;
    for (const type of types) select.append(new Option(type, type));
  } catch { /* the filter stays at "All types" */ }
}

function openKeyDialog() {
  const dialog = $("key-dialog");
  $("api-key").value = apiKey();
  if (!dialog.open) dialog.showModal();
}

function onKeyDialogClose() {
  const choice = $("key-dialog").returnValue;
  try {
    if (choice === "save" && $("api-key").value.trim()) {
      localStorage.setItem(KEY_STORAGE, $("api-key").value.trim());
    } else if (choice === "clear") {
      localStorage.removeItem(KEY_STORAGE);
    }
  } catch { /* storage unavailable: the key lasts for this page only */ }
  if (choice === "save" || choice === "clear") { showStatus(""); loadDocTypes(); }
  $("question").focus();
}

function newConversation() {
  state.history = [];
  $("log").textContent = "";
  $("empty-hint").hidden = false;
  closeSource();
  showStatus("");
  $("question").focus();
}

document.addEventListener("DOMContentLoaded", () => {
  $("ask-form").addEventListener("submit", onAsk);
  $("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("ask-form").requestSubmit();
    }
  });
  $("new-button").addEventListener("click", newConversation);
  $("source-close").addEventListener("click", closeSource);
  $("source").addEventListener("keydown", (e) => { if (e.key === "Escape") closeSource(); });
  $("key-button").addEventListener("click", openKeyDialog);
  $("key-dialog").addEventListener("close", onKeyDialogClose);
  state.docsReady = loadDocTypes();  // refusals wait for it: it dates the closest documents
  $("question").focus();
});
