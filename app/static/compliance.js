// Compliance console: search conversations (labelled filters, date pickers), a results table with headers, a
// replay as a readable timeline (who, what, when; JSON one click away; filter by event type), the chain status
// with its head and the signed checkpoint, evidence packs.
import { api } from "./api.js";
import { el, fill, showError } from "./dom.js";

const KINDS = ["recall", "investigation", "investigation_answer", "return_funds", "release_hold", "request_info", "open_case", "close_case", "escalate"];

// Event types in words (the raw type stays visible next to it).
const EVENT_WORDS = {
  conversation_created: "conversation opened", "agent.user_message": "analyst message", "agent.triage": "reads of the payment systems",
  "agent.classification": "case type decided", "agent.intake": "case type decided", "agent.plan": "reads planned", "agent.tool_call": "system read asked",
  "agent.tool_result": "system read answered", "agent.llm_call": "model call", "agent.answer": "answer shown", "agent.proposals": "actions proposed",
  "agent.case_type_choice": "analyst picked the case type", "agent.submission": "sent for approval", "agent.approval": "approval requested",
  "agent.decision": "approval decision", "agent.decision_refused": "decision refused", "agent.execution": "action executed",
  "agent.execution_failed": "action failed", "agent.error": "error shown", feedback: "analyst feedback", audit_read: "audit data read",
  evidence_export: "evidence pack exported", access_refused: "access refused", eval_candidate_created: "feedback sent for evaluation review",
  eval_candidate_accepted: "accepted as an evaluation case", eval_candidate_dismissed: "evaluation candidate dismissed",
};

export function when(ts) {
  if (!ts) return "—";
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

function field(label, input) { return el("label", { class: "field" }, el("span", { class: "muted" }, label), input); }

export function renderCompliance(root) {
  const inputs = {
    user: el("input", { name: "user", testid: "search-user", placeholder: "e.g. analyst1", maxlength: "64" }),
    case: el("input", { name: "case", testid: "search-case", placeholder: "PAY-…, EndToEndId, case id", maxlength: "64" }),
    uetr: el("input", { name: "uetr", testid: "search-uetr", placeholder: "UETR", maxlength: "64" }),
    since: el("input", { name: "since", type: "date", testid: "search-since" }),
    until: el("input", { name: "until", type: "date", testid: "search-until" }),
    kind: el("select", { name: "kind", testid: "search-kind" }, el("option", { value: "" }, "any action"), KINDS.map((k) => el("option", { value: k }, k.replace(/_/g, " ")))),
  };
  const labels = { user: "User", case: "Payment or case reference", uetr: "UETR", since: "From", until: "To", kind: "Action" };
  const results = el("div", { testid: "search-results" });
  const replay = el("div", { testid: "replay" });
  const chain = el("span", { testid: "chain-status" }, "not checked");
  const head = el("div", { class: "muted", testid: "chain-head" });
  const form = el("form", { testid: "search-form" }, el("div", { class: "row" }, Object.entries(inputs).map(([k, i]) => field(labels[k], i))),
    el("button", { class: "primary", type: "submit" }, "Search"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault(); showError(null);
    const q = new URLSearchParams(Object.entries(inputs).filter(([, i]) => i.value.trim()).map(([k, i]) => [k, i.value.trim()]));
    try {
      const { conversations } = await api("GET", `/api/compliance/search?${q}`);
      fill(results, conversations.length ? el("table", { testid: "results-table" },
        el("thead", {}, el("tr", {}, ["Conversation", "Users", "First event", "Matching events", "Replay"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, conversations.map((c) => el("tr", { testid: "result-row", "data-id": c.conversation_id },
          el("td", {}, c.conversation_id), el("td", {}, c.actors.join(", ")), el("td", {}, when(c.first_ts)),
          el("td", { title: "events of this conversation that match the filters; the replay shows all of its events" }, String(c.matches)),
          el("td", {}, el("button", { testid: "open-replay", onclick: () => openReplay(c.conversation_id, replay) }, "Replay"))))))
        : el("p", { class: "muted" }, "No conversation matches these filters."));
    } catch (e) { showError(e); }
  });
  const verify = el("button", { testid: "verify-chain", onclick: async (ev) => {
    ev.target.disabled = true; chain.textContent = "verifying…";
    try {
      const r = await api("GET", "/api/compliance/verify");
      chain.textContent = r.ok ? `verified: ${r.checked} events intact` : `BROKEN at seq ${r.first_broken_seq}: ${r.reason}`;
      chain.className = r.ok ? "ok" : "bad";
      const anchor = r.anchor ? `; signed checkpoint seq ${r.anchor.seq} written ${when(r.anchor.written_at)} (${r.anchor.ok ? "matches" : "does not match"})` : "; no signed checkpoint file";
      head.textContent = r.head_seq !== undefined && r.head_seq !== null ? `head: seq ${r.head_seq}, hash ${String(r.head_hash || "").slice(0, 16)}…${anchor}` : "";
    } catch (e) { chain.textContent = e.message || String(e); chain.className = "bad"; }
    ev.target.disabled = false;
  } }, "Verify chain");
  fill(root, el("div", { class: "pad" }, el("h2", {}, "Compliance console"), el("div", { class: "row" }, verify, chain), head, form, results, replay));
}

function eventRow(e) {
  const words = EVENT_WORDS[e.event_type];
  return el("li", { testid: "replay-event", class: "timeline-event", "data-type": e.event_type },
    el("div", {}, el("time", { datetime: e.ts }, when(e.ts)), " · ", el("strong", {}, e.actor), " · ",
      words ? `${words} ` : "", el("code", {}, e.event_type), el("span", { class: "muted" }, ` #${e.seq}`)),
    el("details", {}, el("summary", {}, "details (JSON)"), el("pre", { tabindex: "0", "aria-label": "Event details (JSON)" }, JSON.stringify(e.payload, null, 2)),
      el("div", { class: "muted" }, `hash ${e.hash.slice(0, 16)}… prev ${e.prev_hash.slice(0, 16)}…`)));
}

async function openReplay(id, box) {
  try {
    const { events } = await api("GET", `/api/compliance/conversations/${encodeURIComponent(id)}/events`);
    let shown = 0;
    const list = el("ol", { testid: "replay-events", class: "timeline" });
    const next = el("button", { testid: "replay-next" }, "Next event");
    const all = el("button", { testid: "replay-all" }, "Show all");
    const types = [...new Set(events.map((e) => e.event_type))].sort();
    const only = el("select", { testid: "replay-type", "aria-label": "Show only events of this type" }, el("option", { value: "" }, "all event types"),
      types.map((t) => el("option", { value: t }, EVENT_WORDS[t] ? `${EVENT_WORDS[t]} (${t})` : t)));
    const apply = () => { for (const li of list.children) li.hidden = Boolean(only.value) && li.dataset.type !== only.value; };
    only.addEventListener("change", apply);
    const step = (n) => {
      while (shown < Math.min(events.length, n)) list.append(eventRow(events[shown++]));
      next.disabled = all.disabled = shown >= events.length; apply();
    };
    next.addEventListener("click", () => step(shown + 1));
    all.addEventListener("click", () => step(events.length));
    const unmask = el("input", { type: "checkbox", testid: "export-unmask", "aria-label": "Unmask personal data in the pack (recorded)" });
    const link = el("a", { testid: "export-pack", href: `/api/compliance/conversations/${encodeURIComponent(id)}/export`, download: `evidence-${id}.zip` }, "Download evidence pack");
    unmask.addEventListener("change", () => { link.href = `/api/compliance/conversations/${encodeURIComponent(id)}/export${unmask.checked ? "?unmask=true" : ""}`; });
    fill(box, el("h3", {}, `Replay of ${id}: ${events.length} events, ${when(events[0]?.ts)} to ${when(events[events.length - 1]?.ts)}`),
      el("div", { class: "row" }, next, all, only, link, el("label", {}, unmask, " unmask personal data (recorded)")), list);
    step(1);
  } catch (e) { showError(e); }
}
