// Issue 11 additions to each answer: where it applies (jurisdiction labels) and feedback
// (thumbs up/down with an optional comment). Listens for the "igr:answer" event app.js
// dispatches once an answer is complete; uses app.js's headers() for the API key.
"use strict";

const JURISDICTION_LABELS = {
  uk: "UK-wide",
  england: "England",
  scotland: "Scotland",
  wales: "Wales",
  "northern-ireland": "Northern Ireland",
  international: "Outside the UK",
};
const answerResults = new WeakMap();

function jurisdictionLabels(codes) {
  const list = document.createElement("ul");
  list.className = "jurisdictions";
  for (const code of codes || []) {
    const item = document.createElement("li");
    item.className = "jurisdiction";
    item.dataset.code = code;
    item.textContent = JURISDICTION_LABELS[code] || code;
    list.append(item);
  }
  return list;
}

// ---- Where the answer and each citation apply ----
function renderWhere(turn, result) {
  if (result.refused || !(result.citations || []).length) return;
  const box = document.createElement("div");
  box.className = "where";
  if ((result.jurisdictions || []).length) {
    const line = document.createElement("p");
    line.className = "where-answer";
    line.append("Applies to: ");
    line.append(jurisdictionLabels(result.jurisdictions));
    box.append(line);
  }
  const cited = document.createElement("ul");
  cited.className = "where-citations";
  cited.setAttribute("aria-label", "Where each source applies");
  const seen = new Set();
  for (const c of result.citations) {
    if (seen.has(c.n)) continue;
    seen.add(c.n);
    const item = document.createElement("li");
    item.append(`[${c.n}] ${c.title}`);
    if ((c.jurisdictions || []).length) item.append(" — ", jurisdictionLabels(c.jurisdictions));
    else item.append(" — not stated");
    if (c.acting) item.append(" (about the " + c.acting + ")");
    cited.append(item);
  }
  box.append(cited);
  turn.append(box);
}

// The source panel (filled by app.js on a chip click) also shows where the source applies.
function onChipClick(event) {
  const chip = event.target.closest("button.chip");
  if (!chip) return;
  const result = answerResults.get(chip.closest(".answer"));
  const target = document.getElementById("src-jurisdictions");
  if (!result || !target) return;
  const n = Number(chip.textContent);
  const cite = (result.citations || []).find((c) => c.n === n);
  target.textContent = "";
  if (cite && (cite.jurisdictions || []).length) target.append(jurisdictionLabels(cite.jurisdictions));
  else target.textContent = "not stated";
}

// ---- Feedback ----
function renderFeedback(turn, result, history) {
  const form = document.createElement("form");
  form.className = "feedback";
  form.noValidate = true;
  const prompt = document.createElement("span");
  prompt.className = "feedback-prompt";
  prompt.textContent = "Was this answer right?";
  const up = thumb("up", "Yes", "Yes, a good answer");
  const down = thumb("down", "No", "No, a wrong or unhelpful answer");
  const more = document.createElement("div");
  more.className = "feedback-more";
  more.hidden = true;
  const commentId = "fb-" + Math.random().toString(36).slice(2);
  const label = document.createElement("label");
  label.htmlFor = commentId;
  label.textContent = "Comment (optional)";
  const comment = document.createElement("textarea");
  comment.id = commentId;
  comment.rows = 2;
  comment.maxLength = 2000;
  const send = document.createElement("button");
  send.type = "submit";
  send.textContent = "Send feedback";
  more.append(label, comment, send);
  const status = document.createElement("p");
  status.className = "feedback-status";
  status.setAttribute("role", "status");
  form.append(prompt, up, down, more, status);
  let rating = null;
  for (const button of [up, down]) {
    button.addEventListener("click", () => {
      rating = button.dataset.rating;
      up.setAttribute("aria-pressed", String(rating === "up"));
      down.setAttribute("aria-pressed", String(rating === "down"));
      more.hidden = false;
      comment.focus();
    });
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!rating) return;
    send.disabled = true;
    status.textContent = "Sending…";
    const body = {
      rating, question: result.question, answer: result.answer, comment: comment.value.trim(),
      answer_id: result.id || null, refused: !!result.refused,
      citations: result.citations || [], history: (history || []).slice(-20),
    };
    try {
      const response = await fetch("/feedback", {
        method: "POST", headers: headers(true), body: JSON.stringify(body),
      });
      if (!response.ok) throw await errorFrom(response);
      status.textContent = "Thank you: your feedback was recorded.";
      up.disabled = down.disabled = true;
      more.hidden = true;
    } catch (err) {
      status.textContent = "Feedback not sent: " + explain(err);
      send.disabled = false;
    }
  });
  turn.append(form);
}

function thumb(rating, symbol, label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "thumb quiet";
  button.dataset.rating = rating;
  button.textContent = symbol;
  button.setAttribute("aria-label", label);
  button.setAttribute("aria-pressed", "false");
  return button;
}

document.addEventListener("igr:answer", (event) => {
  const { element, result, history } = event.detail;
  answerResults.set(element, result);
  const turn = element.closest(".turn") || element.parentElement;
  renderWhere(turn, result);
  renderFeedback(turn, result, history);
});

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("log").addEventListener("click", onChipClick);
});
