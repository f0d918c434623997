// ladder annotate: the page's script. Every piece of trajectory or feedback text is model or user output,
// so it is inserted with textContent (via el()) and never as HTML.
"use strict";

const params = new URLSearchParams(location.search);
const TOKEN = params.get("token") || "";
const $ = (id) => document.getElementById(id);
const view = { state: null, data: null, step: 0 };

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.appendChild(child);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

function annotator() { return $("annotator").value.trim(); }

async function api(path, options = {}) {
  const url = new URL(path, location.origin);
  url.searchParams.set("annotator", annotator());
  const headers = Object.assign({ "X-Ladder-Token": TOKEN }, options.headers || {});
  const reply = await fetch(url, Object.assign({}, options, { headers }));
  const body = await reply.json().catch(() => ({ error: reply.statusText }));
  if (!reply.ok) throw new Error(body && body.error ? body.error : reply.statusText);
  return body;
}

function setStatus(text, kind = "") { $("status").textContent = text; $("status").className = kind; }

function draftKey(id) { return "ladder-draft:" + annotator() + ":" + id; }

// -- queue -------------------------------------------------------------------------------------
async function loadState() {
  view.state = await api("/api/state");
  $("progress").textContent = view.state.done + " of " + view.state.total + " annotated by " + view.state.annotator;
  const list = clear($("queue"));
  for (const item of view.state.queue) {
    const label = (item.mine ? "\u2713 " : "") + item.id;
    const button = el("button", { type: "button", class: "queue-item" + (item.mine ? " done" : ""),
                                  "data-id": item.id, text: label });
    button.addEventListener("click", () => openTrajectory(item.id));
    const meta = el("span", { class: "meta", text: item.task + " \u00b7 " + item.outcome + " \u00b7 " +
                              item.num_steps + " steps \u00b7 " + item.annotators.length + " feedback" });
    list.appendChild(el("li", { class: view.data && view.data.trajectory.id === item.id ? "current" : "" },
                        [button, meta]));
  }
}

function nextUndone(afterId) {
  const queue = view.state.queue;
  const start = queue.findIndex((q) => q.id === afterId);
  for (let i = 1; i <= queue.length; i++) {
    const item = queue[(start + i) % queue.length];
    if (!item.mine) return item.id;
  }
  return null;
}

// -- one trajectory ----------------------------------------------------------------------------
async function openTrajectory(id) {
  view.data = await api("/api/trajectory?id=" + encodeURIComponent(id));
  view.step = 0;
  const t = view.data.trajectory;
  $("trajectory").hidden = false;
  $("traj-title").textContent = t.id;
  $("traj-meta").textContent = t.env + " \u00b7 " + t.task + (t.seed === null ? "" : " \u00b7 seed " + t.seed) +
    " \u00b7 outcome " + t.outcome + " \u00b7 success " + t.success + " \u00b7 return " + t.episode_return +
    " \u00b7 progression " + t.progression;
  $("instruction").textContent = t.instruction || "(not recorded)";
  $("final-observation").textContent = t.outcome + "\n" + (t.final_observation || "");
  const timeline = clear($("timeline"));
  t.steps.forEach((step, i) => {
    const item = el("li", { "data-step": String(i), text: (i + 1) + ". " + step.action + (step.valid ? "" : " (invalid)") });
    item.addEventListener("click", () => showStep(i));
    timeline.appendChild(item);
  });
  $("feedback").value = localStorage.getItem(draftKey(id)) || view.data.mine || "";
  setStatus(view.data.mine ? "you already wrote feedback here; saving replaces it" : "");
  renderOthers();
  renderTraits();
  showStep(0);
  for (const li of $("queue").children) li.classList.toggle("current", li.firstChild.dataset.id === id);
}

function showStep(index) {
  const steps = view.data.trajectory.steps;
  if (!steps.length) { $("step-counter").textContent = "no steps"; $("step").hidden = true; return; }
  view.step = Math.max(0, Math.min(index, steps.length - 1));
  const step = steps[view.step];
  $("step").hidden = false;
  $("step-counter").textContent = "step " + (view.step + 1) + " / " + steps.length;
  $("prev").disabled = view.step === 0;
  $("next").disabled = view.step === steps.length - 1;
  $("observation").textContent = step.observation;
  $("reasoning").textContent = step.reasoning || step.raw_output || "(none)";
  $("action").textContent = step.action + (step.valid ? "" : "  (invalid output; the default action was used)") +
    (step.reward ? "  reward " + step.reward : "");
  renderGrid(step.grid);
  for (const li of $("timeline").children) li.classList.toggle("current", Number(li.dataset.step) === view.step);
}

function renderGrid(grid) {
  $("grid-box").hidden = !grid;
  const table = clear($("grid"));
  if (!grid) return;
  for (const row of grid) {
    const tr = el("tr");
    for (const cell of row) tr.appendChild(el("td", { class: "cell " + cell.kind, text: cell.kind === "empty" ? "" : cell.text }));
    table.appendChild(tr);
  }
}

function renderOthers() {
  const box = clear($("others"));
  $("others-box").hidden = view.data.others.length === 0;
  for (const other of view.data.others) {
    box.appendChild(el("blockquote", {}, [el("cite", { text: other.annotator }), el("p", { text: other.text })]));
  }
  const pairs = view.data.agreement.pairs;
  $("pair-agreement").textContent = pairs.length ? pairs.map(describePair).join("; ") : "";
}

function describePair(pair) {
  const overlap = pair.aspect_overlap === null ? "no aspects" : "aspect overlap " + pair.aspect_overlap.toFixed(2);
  return pair.annotators.join(" vs ") + ": verdicts " + pair.verdicts.join(" / ") +
    (pair.verdicts_agree ? " (agree)" : " (differ)") + ", " + overlap;
}

function renderTraits() {
  const table = clear($("traits"));
  $("traits-box").hidden = view.data.traits.length === 0;
  for (const trait of view.data.traits) {
    const rating = trait.rating === null ? "unscored" : (trait.rating > 0 ? "+1" : String(trait.rating));
    table.appendChild(el("tr", { class: "rating-" + (trait.rating === null ? "none" : trait.rating) }, [
      el("td", { text: trait.metric }), el("td", { class: "rating", text: rating }),
      el("td", { text: trait.reasoning || trait.error || "" }),
      el("td", { text: trait.steps.length ? "steps " + trait.steps.join(", ") : "" })]));
  }
}

async function submitFeedback(event) {
  event.preventDefault();
  const id = view.data.trajectory.id;
  const text = $("feedback").value;
  if (!text.trim()) { setStatus("write something first", "error"); return; }
  setStatus("saving\u2026");
  try {
    await api("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ trajectory_id: id, text: text, annotator: annotator() }) });
  } catch (error) { setStatus("not saved: " + error.message, "error"); return; }
  localStorage.removeItem(draftKey(id));
  await loadState();
  const next = nextUndone(id);
  if (next) await openTrajectory(next);
  setStatus("saved feedback on " + id + (next ? "" : "; every trajectory has your feedback"), "ok");
}

// -- the other tabs ----------------------------------------------------------------------------
async function showMetrics() {
  const box = clear($("metrics"));
  const metrics = await api("/api/metrics");
  if (!metrics) { box.appendChild(el("p", { text: "No metrics induced yet." })); return; }
  box.appendChild(el("p", { class: "meta", text: metrics.name + " v" + metrics.version + ", " + metrics.metrics.length + " metrics" }));
  for (const m of metrics.metrics) {
    const good = el("ul", { class: "good" }, m.good_behaviors.map((b) => el("li", { text: b })));
    const bad = el("ul", { class: "bad" }, m.bad_behaviors.map((b) => el("li", { text: b })));
    box.appendChild(el("div", { class: "metric" }, [el("h3", { text: m.name }), el("p", { text: m.explanation }),
      el("h4", { text: "good" }), good, el("h4", { text: "bad" }), bad]));
  }
}

async function showAgreement() {
  const summary = await api("/api/agreement");
  $("agreement-summary").textContent = summary.pairs.length
    ? summary.trajectories + " trajectories with two or more annotators; verdicts agree in " +
      Math.round(summary.verdict_agreement * 100) + "% of " + summary.pairs.length + " pairs"
    : "No trajectory has feedback from two annotators yet.";
  const box = clear($("agreement"));
  for (const pair of summary.pairs) {
    const sides = pair.annotators.map((who, i) => el("div", { class: "side" }, [
      el("cite", { text: who + " (" + pair.verdicts[i] + ")" }), el("p", { text: pair.texts[i] })]));
    box.appendChild(el("div", { class: "pair" + (pair.verdicts_agree ? " agree" : " differ") }, [
      el("h3", { text: pair.trajectory_id }), el("p", { class: "meta", text: describePair(pair) }),
      el("div", { class: "sides" }, sides)]));
  }
}

function showPlots() {
  const box = clear($("plots"));
  if (!view.state.plots.length) { box.appendChild(el("p", { text: "This run has no plots yet." })); return; }
  for (const name of view.state.plots) {
    const src = "/plots/" + encodeURIComponent(name) + "?token=" + encodeURIComponent(TOKEN);
    box.appendChild(el("figure", {}, [el("img", { src: src, alt: name }), el("figcaption", { text: name })]));
  }
}

function switchTab(name) {
  for (const button of $("tabs").children) button.classList.toggle("active", button.dataset.tab === name);
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== "tab-" + name;
  const loaders = { metrics: showMetrics, agreement: showAgreement, plots: showPlots };
  if (loaders[name]) Promise.resolve(loaders[name]()).catch((e) => setStatus(e.message, "error"));
}

async function start() {
  for (const button of $("tabs").children) button.addEventListener("click", () => switchTab(button.dataset.tab));
  $("prev").addEventListener("click", () => showStep(view.step - 1));
  $("next").addEventListener("click", () => showStep(view.step + 1));
  $("feedback-form").addEventListener("submit", submitFeedback);
  $("skip").addEventListener("click", () => { const next = nextUndone(view.data.trajectory.id); if (next) openTrajectory(next); });
  $("feedback").addEventListener("input", () => {
    if (view.data) localStorage.setItem(draftKey(view.data.trajectory.id), $("feedback").value);
  });
  $("annotator").addEventListener("change", async () => {
    try {
      await loadState();
      if (view.data) await openTrajectory(view.data.trajectory.id);
    } catch (error) { setStatus(error.message, "error"); }
  });
  document.addEventListener("keydown", (event) => {
    if (!view.data || ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName)) return;
    if (event.key === "ArrowRight") showStep(view.step + 1);
    if (event.key === "ArrowLeft") showStep(view.step - 1);
  });
  await loadState();
  const first = view.state.queue.find((q) => !q.mine) || view.state.queue[0];
  if (first) await openTrajectory(first.id);
  document.body.dataset.ready = "1";
}

start().catch((error) => { document.body.dataset.ready = "error"; $("progress").textContent = "error: " + error.message; });
