// The IGR assistant chat page: ask, stream the answer, show citations. No build step.
"use strict";

const KEY_STORAGE = "igr-api-key";
const MAX_HISTORY = 20;
const $ = (id) => document.getElementById(id);

const state = { history: [], busy: false, activeChip: null };

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
  target.append(el("p", "", result.answer));
  const seen = new Set();
  const closest = [];
  for (const item of result.retrieved || []) {
    if (seen.has(item.doc_id)) continue;
    seen.add(item.doc_id);
    closest.push(item);
    if (closest.length === 3) break;
  }
  if (closest.length) {
    target.append(el("p", "", "Closest documents:"));
    const list = el("ul", "closest");
    for (const item of closest) {
      const page = item.page ? " (page " + item.page + ")" : "";
      list.append(el("li", "", item.title + page));
    }
    target.append(list);
  }
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
  for (const each of cites) quote.append(el("p", "", "“" + each.quote + "”"));
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

async function ask(question) {
  const body = { question, history: state.history.slice(-MAX_HISTORY), stream: true };
  const filters = currentFilters();
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
  let streamed = "";
  try {
    const response = await ask(question);
    box.value = "";
    for await (const { event: kind, data } of sseEvents(response)) {
      if (kind === "delta") {
        if (!streamed) answer.classList.remove("pending");
        streamed += data.text;
        answer.textContent = streamed;
      } else if (kind === "done") {
        answer.classList.remove("pending");
        if (data.refused) renderRefused(answer, data);
        else renderAnswerText(answer, data.answer, data.citations);
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
  loadDocTypes();
  $("question").focus();
});
