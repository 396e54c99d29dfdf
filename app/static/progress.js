// Turn progress: the agent's steps as a checklist that fills in from the turn's events, with the elapsed time.
import { el, fill } from "./dom.js";
import { duration, humanise } from "./format.js";

const STEPS = [
  ["reads", "Read the payment systems"],
  ["classify", "Classify the case"],
  ["procedure", "Find the procedure"],
  ["proposals", "Propose actions"],
  ["findings", "State the findings"],
  ["reply", "Draft the reply"],
];
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

// A live checklist; onEvent(type, data) moves it on, finish(outcome) closes it.
export function turnProgress({ replay = false } = {}) {
  const items = Object.fromEntries(STEPS.map(([key, label]) => [key,
    el("li", { testid: `step-${key}`, "data-state": "pending" }, el("span", { class: "mark", "aria-hidden": "true" }, "○"), el("span", {}, label), el("span", { class: "muted detail" }))]));
  const clock = el("span", { class: "muted", testid: "turn-elapsed", "aria-live": "off" }, "0 s");
  const node = el("div", { class: "progress", testid: "turn-progress", role: "group", "aria-label": "Turn progress" },
    el("div", { class: "row" }, el("strong", {}, "Progress"), clock),
    el("ol", { class: "checklist" }, Object.values(items)));
  const started = Date.now();
  const sections = []; // every section the turn's searches and its case type's own procedure brought, in order
  let reads = 0, failed = 0, timer = setInterval(() => { clock.textContent = `${replay ? "followed for " : ""}${duration(Date.now() - started)}`; }, 1000);
  const set = (key, state, detail) => {
    const li = items[key];
    if (!li || (li.dataset.state === "done" && state === "running")) return;
    li.dataset.state = state;
    li.querySelector(".mark").textContent = { done: "✓", running: "…", failed: "✗", skipped: "–" }[state] || "○";
    if (detail !== undefined) li.querySelector(".detail").textContent = detail ? ` — ${detail}` : "";
  };
  const onEvent = (type, data) => {
    if (type === "tool_call") set("reads", "running");
    else if (type === "tool_result") { reads += 1; failed += data.ok === false ? 1 : 0; if (items.reads.dataset.state !== "done") set("reads", "running", `${reads} so far`); }
    else if (type === "triage") set("reads", "done", (data.targets || []).length ? `${plural(reads, "read")}${failed ? `, ${failed} failed` : ""}` : "no payment found from the message");
    else if (type === "classification") set("classify", "done", `${humanise(data.case_type || "unknown")}${data.confidence != null ? `, ${Math.round(data.confidence * 100)} %` : ""}${data.why ? ` (${data.why})` : ""}`);
    else if (type === "case_type_choice") set("classify", "failed", "not sure: pick the case type below");
    else if (type === "retrieval") {
      for (const h of data.hits || []) if (h.citation && !sections.includes(h.citation)) sections.push(h.citation);
      set("procedure", "done", sections.length ? `${sections.slice(0, 3).join(", ")}${sections.length > 3 ? ` and ${sections.length - 3} more` : ""}` : "no section found");
    }
    else if (type === "proposals") set("proposals", "done", (data.proposals || []).length ? plural(data.proposals.length, "proposal") : ((data.blocked || [])[0] || {}).reason || "nothing to propose");
    else if (type === "findings") set("findings", "done", plural((data.findings || []).length, "finding"));
    else if (type === "llm_call" || type === "token") set("reply", "running", "writing");
    else if (type === "answer") set("reply", "done", data.summary ? "the findings are the reply" : "checked against the findings");
  };
  const finish = (outcome) => {
    clearInterval(timer);
    for (const li of Object.values(items)) if (li.dataset.state === "pending" || li.dataset.state === "running") set(li.dataset.testid.slice(5), outcome === "done" ? "skipped" : "failed");
    clock.textContent = `${outcome === "done" ? "done" : outcome} in ${duration(Date.now() - started)}`;
    node.dataset.state = outcome;
  };
  return { node, onEvent, finish };
}

// The checklist of a finished turn, from its saved result (a reopened conversation).
export function savedProgress(result) {
  const { node, onEvent, finish } = turnProgress();
  for (const call of result.tool_calls || []) onEvent("tool_result", call);
  if ((result.tool_calls || []).length) onEvent("triage", { targets: (result.references || {}).payment_refs || [] });
  if (result.classification && result.classification.case_type) onEvent("classification", result.classification);
  if ((result.retrieved || []).length) onEvent("retrieval", { hits: result.retrieved });
  onEvent("proposals", { proposals: result.proposals || [], blocked: result.blocked || [] });
  if ((result.findings || []).length) onEvent("findings", { findings: result.findings });
  if (result.answer) onEvent("answer", {});
  finish("done");
  fill(node.querySelector("[data-testid=turn-elapsed]"), result.latency_ms != null ? `took ${duration(result.latency_ms)}` : "saved");
  return node;
}
