// Supervisor view: the approval queue, the evidence behind a proposal, approve / edit (with diff) / reject.
import { api } from "./api.js";
import { age, clear, el, fill, fmt, showError } from "./dom.js";

export function renderSupervisor(root) {
  const queue = el("div", { testid: "approval-queue" });
  const detail = el("div", { testid: "approval-detail" }, el("p", { class: "muted" }, "Select a proposal."));
  fill(root, el("div", { class: "grid2" }, el("section", {}, el("h2", {}, "Approval queue"),
    el("button", { testid: "refresh-queue", onclick: () => loadQueue(queue, detail) }, "Refresh"), queue), detail));
  loadQueue(queue, detail);
}

async function loadQueue(queue, detail) {
  try {
    const { approvals } = await api("GET", "/api/approvals");
    const rows = approvals.map((p) => el("tr", { testid: "queue-row", "data-id": p.id },
      el("td", {}, p.requested_by || p.requester || "—"), el("td", {}, p.kind),
      el("td", {}, p.amount != null ? `${fmt(p.amount)} ${p.currency || ""}` : "—"),
      el("td", {}, age(p.submitted_at || p.created_at)), slaCell(p),
      el("td", {}, el("button", { testid: "open-proposal", onclick: () => openProposal(p, queue, detail) }, "Open"))));
    fill(queue, approvals.length ? el("table", {}, el("thead", {}, el("tr", {},
      ["Requester", "Action", "Amount", "Age", "SLA", ""].map((h) => el("th", {}, h)))), el("tbody", {}, rows))
      : el("p", { class: "muted", testid: "queue-empty" }, "Nothing waiting."));
  } catch (e) { showError(e); }
}

// The next SLA due date of the proposal's case, read from the case panel API (filled in when it arrives).
function slaCell(p) {
  const cell = el("td", { testid: "queue-sla" }, "…");
  (async () => {
    try {
      const { thread } = await api("GET", `/api/conversations/${encodeURIComponent(p.thread_id)}`);
      const caseType = thread && thread.conversation && thread.conversation.case_type;
      const ref = p.args && (p.args.reference || p.args.payment_id);
      if (!caseType || !ref) { cell.textContent = "—"; return; }
      const c = await api("GET", `/api/case/${encodeURIComponent(ref)}?case_type=${encodeURIComponent(caseType)}`);
      const due = ((c.sla.ok && c.sla.data.due) || []).map((d) => d.due_date).sort()[0];
      cell.textContent = due || "—";
    } catch (_) { cell.textContent = "—"; }
  })();
  return cell;
}

function diff(before, after) {
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])];
  return el("table", { testid: "args-diff" }, el("tbody", {}, keys.filter((k) => fmt(before?.[k]) !== fmt(after?.[k]))
    .map((k) => el("tr", {}, el("th", {}, k), el("td", { class: "diff-del" }, fmt(before?.[k])), el("td", { class: "diff-add" }, fmt(after?.[k]))))));
}

async function openProposal(p, queue, detail) {
  const thread = p.thread_id;
  const reason = el("input", { testid: "reject-reason", maxlength: "2000", placeholder: "Reason (required to reject)" });
  const editor = el("textarea", { testid: "edit-args", rows: "6" }, JSON.stringify(p.args, null, 2));
  const diffBox = el("div", {});
  const decide = async (action, extra = {}) => {
    showError(null);
    try {
      await api("POST", `/api/approvals/${encodeURIComponent(thread)}/decide`, { decisions: [{ proposal_id: p.id, action, ...extra }] });
      fill(detail, el("p", { class: "ok", testid: "decision-done" }, `${action} recorded for ${p.id}`));
      loadQueue(queue, detail);
    } catch (e) { showError(e); }
  };
  const evidence = el("div", { testid: "proposal-conversation" });
  fill(detail, el("h2", {}, `${p.kind} · ${p.reason_code || ""}`),
    el("p", {}, `Requested by ${p.requested_by || "—"} · ${p.amount != null ? fmt(p.amount) + " " + (p.currency || "") : "no amount"}`),
    p.explanation ? el("p", {}, p.explanation) : null,
    el("div", { class: "muted" }, "Evidence: " + fmt(p.evidence_ids)),
    el("details", { open: true }, el("summary", {}, `ISO 20022 draft ${p.message_type || ""}`), el("pre", {}, p.iso_xml || "")),
    el("h3", {}, "Arguments"), el("pre", {}, JSON.stringify(p.args, null, 2)),
    el("div", { class: "row" },
      el("button", { class: "primary", testid: "approve", onclick: () => decide("approve") }, "Approve"),
      el("button", { class: "danger", testid: "reject", onclick: () => reason.value.trim() ? decide("reject", { reason: reason.value }) : showError({ message: "A rejection needs a reason", code: "reason_required" }) }, "Reject"), reason),
    el("details", { testid: "edit-box" }, el("summary", {}, "Edit arguments"), editor,
      el("button", { testid: "preview-edit", onclick: () => { try { fill(diffBox, diff(p.args, JSON.parse(editor.value))); } catch (_) { showError({ message: "arguments must be JSON", code: "invalid_json" }); } } }, "Show diff"),
      diffBox, el("button", { testid: "save-edit", onclick: () => { try { decide("edit", { args: JSON.parse(editor.value) }); } catch (_) { showError({ message: "arguments must be JSON", code: "invalid_json" }); } } }, "Save edit (needs a fresh approval)")),
    el("h3", {}, "Conversation"), evidence);
  try {
    const { thread: t } = await api("GET", `/api/conversations/${encodeURIComponent(thread)}`);
    for (const turn of (t && t.turns) || []) {
      const r = turn.result || {};
      evidence.append(el("div", { class: "msg user" }, `${turn.user}: ${turn.message}`),
        el("div", { class: "msg assistant" }, el("div", { class: "ai-label" }, "AI-generated"), r.answer || ""),
        ...(r.tool_calls || []).map((c) => el("div", { class: "card evidence" + (c.ok === false ? " err" : "") }, `${c.id} ${c.name} ${fmt(c.args)}: `, c.summary || fmt(c.error))),
        ...(r.retrieved || []).map((h) => el("div", { class: "muted" }, `${h.citation} v${fmt(h.version)} ${h.title || ""}`)));
    }
  } catch (e) { evidence.append(el("p", { class: "bad" }, e.message)); }
}
