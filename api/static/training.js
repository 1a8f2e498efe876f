// Trainer mode (issue 11): the Ask / Glossary / Quiz tabs, the glossary (GET /glossary)
// and the quiz (GET /quiz), both printable. Uses app.js's headers(), errorFrom(), explain()
// and answer-extras.js's jurisdictionLabels().
"use strict";

const trainer = { glossary: null, quizSeed: 1 };

// ---- Tabs ----
function tabs() { return [...document.querySelectorAll('.tabs [role="tab"]')]; }

function selectTab(tab) {
  for (const each of tabs()) {
    const selected = each === tab;
    each.setAttribute("aria-selected", String(selected));
    each.tabIndex = selected ? 0 : -1;
    document.getElementById(each.getAttribute("aria-controls")).hidden = !selected;
  }
  if (tab.id === "tab-glossary" && !trainer.glossary) loadGlossary();
  if (tab.id === "tab-quiz" && !document.querySelector("#quiz-list li")) loadQuiz();
}

function onTabKey(event) {
  const all = tabs();
  const at = all.indexOf(event.target);
  let next = null;
  if (event.key === "ArrowRight") next = all[(at + 1) % all.length];
  else if (event.key === "ArrowLeft") next = all[(at - 1 + all.length) % all.length];
  else if (event.key === "Home") next = all[0];
  else if (event.key === "End") next = all[all.length - 1];
  if (!next) return;
  event.preventDefault();
  next.focus();
  selectTab(next);
}

function sourceLine(citation) {
  const line = document.createElement("p");
  line.className = "trainer-source";
  const parts = [citation.title, citation.date, citation.page ? "page " + citation.page : null];
  line.textContent = "Source: " + parts.filter(Boolean).join(", ");
  if (typeof citation.source === "string" && /^https?:\/\//.test(citation.source)) {
    const link = document.createElement("a");
    link.href = citation.source;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = "open the original";
    line.append(" (", link, ")");
  }
  return line;
}

async function getJson(url) {
  const response = await fetch(url, { headers: headers(null) });
  if (!response.ok) throw await errorFrom(response);
  return response.json();
}

// ---- Glossary ----
async function loadGlossary() {
  const status = document.getElementById("glossary-status");
  status.textContent = "Loading the glossary…";
  try {
    trainer.glossary = await getJson("/glossary");
    renderGlossary();
  } catch (err) {
    status.textContent = "The glossary could not be loaded: " + explain(err);
  }
}

function renderGlossary() {
  const list = document.getElementById("glossary-list");
  const status = document.getElementById("glossary-status");
  const wanted = document.getElementById("glossary-search").value.trim().toLowerCase();
  list.textContent = "";
  const entries = (trainer.glossary ? trainer.glossary.entries : []).filter((e) =>
    !wanted || e.term.toLowerCase().includes(wanted) ||
    e.aliases.some((a) => a.toLowerCase().includes(wanted)));
  for (const entry of entries) {
    const term = document.createElement("dt");
    term.textContent = entry.term + (entry.aliases.length ? ` (${entry.aliases.join(", ")})` : "");
    if (entry.jurisdictions.length) term.append(" ", jurisdictionLabels(entry.jurisdictions));
    const body = document.createElement("dd");
    const quote = document.createElement("blockquote");
    quote.className = "quote";
    quote.textContent = "“" + entry.definition + "”";
    body.append(quote, sourceLine(entry.citation));
    list.append(term, body);
  }
  status.textContent = entries.length ? `${entries.length} term(s).`
    : trainer.glossary && trainer.glossary.entries.length ? "No term matches."
      : "The glossary is empty: no indexed document defines a recurring term.";
}

// ---- Quiz ----
async function loadQuiz() {
  const status = document.getElementById("quiz-status");
  const list = document.getElementById("quiz-list");
  const n = Math.max(1, Math.min(50, Number(document.getElementById("quiz-n").value) || 10));
  const topic = document.getElementById("quiz-topic").value.trim();
  const query = new URLSearchParams({ n: String(n), seed: String(trainer.quizSeed) });
  if (topic) query.set("topic", topic);
  status.textContent = "Building the quiz from the documents…";
  list.textContent = "";
  try {
    const quiz = await getJson("/quiz?" + query);
    quiz.items.forEach((item, i) => list.append(quizItem(item, i)));
    status.textContent = quiz.items.length
      ? `${quiz.items.length} question(s)${topic ? " about “" + topic + "”" : ""}.`
      : "No question could be built" + (topic ? " about “" + topic + "”." : ".");
  } catch (err) {
    status.textContent = "The quiz could not be loaded: " + explain(err);
  }
}

function quizItem(item, index) {
  const li = document.createElement("li");
  li.className = "quiz-item";
  const question = document.createElement("p");
  question.className = "quiz-question";
  question.textContent = item.question;
  const passage = document.createElement("blockquote");
  passage.className = "quote";
  passage.textContent = "“" + item.passage + "”";
  const options = document.createElement("ol");
  options.className = "quiz-options";
  options.type = "A";
  const answer = document.createElement("div");
  answer.className = "quiz-answer";
  answer.hidden = true;
  const verdict = document.createElement("p");
  verdict.setAttribute("role", "status");
  item.options.forEach((text, i) => {
    const option = document.createElement("li");
    const choose = document.createElement("button");
    choose.type = "button";
    choose.className = "quiz-option quiet";
    choose.textContent = text;
    choose.addEventListener("click", () => {
      const right = i === item.answer_index;
      choose.classList.add(right ? "right" : "wrong");
      verdict.textContent = right ? "Right." : "Not quite: try again, or reveal the answer.";
      if (right) reveal();
    });
    option.append(choose);
    options.append(option);
  });
  const shown = document.createElement("p");
  shown.className = "quiz-answer-text";
  shown.textContent = "Answer: " + item.answer;
  if (item.jurisdictions.length) shown.append(" ", jurisdictionLabels(item.jurisdictions));
  const quote = document.createElement("blockquote");
  quote.className = "quote";
  quote.textContent = "“" + item.citation.quote + "”";
  answer.append(shown, quote, sourceLine(item.citation));
  const revealButton = document.createElement("button");
  revealButton.type = "button";
  revealButton.className = "quiet quiz-reveal";
  revealButton.textContent = "Reveal answer";
  function reveal() {
    answer.hidden = false;
    revealButton.hidden = true;
  }
  revealButton.addEventListener("click", reveal);
  li.dataset.index = String(index);
  li.append(question, passage, options, verdict, revealButton, answer);
  return li;
}

function revealAll() {
  for (const button of document.querySelectorAll("#quiz-list .quiz-reveal")) button.click();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of tabs()) {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", onTabKey);
  }
  document.getElementById("glossary-search").addEventListener("input", renderGlossary);
  document.getElementById("quiz-new").addEventListener("click", () => {
    trainer.quizSeed = 1 + Math.floor(Math.random() * 1_000_000);
    loadQuiz();
  });
  document.getElementById("quiz-topic").addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); loadQuiz(); }
  });
  document.getElementById("quiz-reveal-all").addEventListener("click", revealAll);
  for (const button of document.querySelectorAll(".print-button")) {
    button.addEventListener("click", () => window.print());
  }
});
