// Supervisor view: the approval queue, the evidence behind a proposal, approve / edit (with diff) / reject.
import { api } from "./api.js";
import { age, el, fill, fmt, showError } from "./dom.js";
import { proposalBasis } from "./basis.js";
import { money } from "./format.js";
import { claimOf, fields, isoFields, proposalTitle } from "./proposals.js";

export function renderSupervisor(root) {
  const queue = el("div", { testid: "approval-queue" });
  const detail = el("div", { testid: "approval-detail" }, el("p", { class: "muted" }, "Select a proposal."));
  // Filters and sorting work on the loaded queue; the SLA column fills in as the case panels answer.
  const filters = {
    kind: el("select", { testid: "filter-kind", "aria-label": "Action" }, el("option", { value: "" }, "every action")),
    minAmount: el("input", { type: "number", min: "0", testid: "filter-amount", placeholder: "min amount", "aria-label": "Minimum amount" }),
    minAge: el("select", { testid: "filter-age", "aria-label": "Waiting for at least" }, [["", "any age"], ["60", "waiting ≥ 1 h"], ["1440", "waiting ≥ 1 day"]].map(([v, t]) => el("option", { value: v }, t))),
    breached: el("input", { type: "checkbox", testid: "filter-sla-breached" }),
    sort: el("select", { testid: "sort-queue", "aria-label": "Sort by" }, [["age", "oldest first"], ["amount", "largest amount first"], ["sla", "SLA due soonest"]].map(([v, t]) => el("option", { value: v }, t))),
  };
  const state = { approvals: [] };
  const render = () => renderQueue(state.approvals, filters, queue, detail, reload);
  const reload = () => loadQueue(state, filters, render);
  for (const f of Object.values(filters)) f.addEventListener("change", render);
  queue.addEventListener("sla", render);  // a due date arrived while the SLA filter or sort is on
  filters.minAmount.addEventListener("input", render);
  fill(root, el("div", { class: "grid2" }, el("section", {}, el("h2", {}, "Approval queue"),
    el("div", { class: "row" }, filters.kind, filters.minAmount, filters.minAge, el("label", { class: "switch" }, filters.breached, " SLA breached only"), filters.sort,
      el("button", { testid: "refresh-queue", onclick: reload }, "Refresh")), queue), detail));
  reload();
}

async function loadQueue(state, filters, render) {
  try {
    const { approvals } = await api("GET", "/api/approvals");
    state.approvals = approvals;
    const kinds = [...new Set(approvals.map((p) => p.kind))].sort();
    const chosen = filters.kind.value;
    fill(filters.kind, el("option", { value: "" }, "every action"), kinds.map((k) => el("option", { value: k, selected: k === chosen }, k.replace(/_/g, " "))));
    render();
  } catch (e) { showError(e); }
}

const minutesWaiting = (p) => (Date.now() - new Date(p.submitted_at || p.created_at).getTime()) / 60000;

function renderQueue(approvals, filters, queue, detail, reload) {
  const today = new Date().toISOString().slice(0, 10);
  const shown = approvals.filter((p) => (!filters.kind.value || p.kind === filters.kind.value)
    && (!filters.minAmount.value || Number(p.amount || 0) >= Number(filters.minAmount.value))
    && (!filters.minAge.value || minutesWaiting(p) >= Number(filters.minAge.value))
    && (!filters.breached.checked || (p._due && p._due < today)));
  const by = { age: (a, b) => minutesWaiting(b) - minutesWaiting(a), amount: (a, b) => Number(b.amount || 0) - Number(a.amount || 0),
    sla: (a, b) => String(a._due || "9999").localeCompare(String(b._due || "9999")) };
  shown.sort(by[filters.sort.value] || by.age);
  const rows = shown.map((p) => el("tr", { testid: "queue-row", "data-id": p.id },
    el("td", {}, p.requested_by || p.requester || "—"), el("td", {}, p.kind),
    el("td", {}, p.amount != null ? money(p.amount, p.currency) : "—"),
    el("td", {}, age(p.submitted_at || p.created_at)), slaCell(p, today, () => filters.breached.checked || filters.sort.value === "sla"),
    el("td", {}, el("button", { testid: "open-proposal", onclick: () => openProposal(p, reload, detail) }, "Open"))));
  fill(queue, approvals.length ? el("table", {}, el("thead", {}, el("tr", {},
    ["Requester", "Action", "Amount", "Age", "SLA", "Open"].map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, rows),
    shown.length ? null : el("caption", { class: "muted" }, "No proposal matches the filters."))
    : el("p", { class: "muted", testid: "queue-empty" }, "Nothing waiting."));
}

// The next SLA due date of the proposal's case, read from the case panel API (filled in when it arrives; kept on
// the proposal so the SLA filter and sort can use it).
function slaCell(p, today, needsRender) {
  const cell = el("td", { testid: "queue-sla" }, p._due || "…");
  if (p._due !== undefined) { cell.className = p._due && p._due < today ? "bad" : ""; return cell; }
  (async () => {
    try {
      const { thread } = await api("GET", `/api/conversations/${encodeURIComponent(p.thread_id)}`);
      const caseType = thread && thread.conversation && thread.conversation.case_type;
      const ref = p.args && (p.args.reference || p.args.payment_id);
      if (!caseType || !ref) { p._due = null; cell.textContent = "—"; return; }
      const c = await api("GET", `/api/case/${encodeURIComponent(ref)}?case_type=${encodeURIComponent(caseType)}`);
      p._due = ((c.sla.ok && c.sla.data.due) || []).map((d) => d.due_date).sort()[0] || null;
      cell.textContent = p._due || "—";
      cell.className = p._due && p._due < today ? "bad" : "";
      if (needsRender()) cell.dispatchEvent(new Event("sla", { bubbles: true }));
    } catch (_) { p._due = null; cell.textContent = "—"; }
  })();
  return cell;
}

function diff(before, after) {
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])];
  return el("table", { testid: "args-diff" }, el("tbody", {}, keys.filter((k) => fmt(before?.[k]) !== fmt(after?.[k]))
    .map((k) => el("tr", {}, el("th", {}, k), el("td", { class: "diff-del" }, fmt(before?.[k])), el("td", { class: "diff-add" }, fmt(after?.[k]))))));
}

async function openProposal(p, reload, detail) {
  const thread = p.thread_id;
  const reason = el("input", { testid: "reject-reason", maxlength: "2000", placeholder: "Reason (required to reject)", "aria-label": "Reason for rejecting" });
  const editor = el("textarea", { testid: "edit-args", rows: "6", "aria-label": "Arguments as JSON" }, JSON.stringify(p.args, null, 2));
  const diffBox = el("div", {});
  // Errors show next to the controls that caused them; the buttons are busy while a decision is in flight.
  const status = el("div", { testid: "decision-status", role: "status", "aria-live": "polite" });
  const editStatus = el("div", { testid: "edit-status", role: "status" });
  const buttons = [];
  const problem = (where, e) => fill(where, el("span", { class: "bad", testid: "decision-error" }, e.code ? `${e.message} (${e.code})` : String(e.message || e)));
  const decide = async (action, extra = {}, where = status) => {
    showError(null); fill(status); fill(editStatus);
    for (const b of buttons) b.disabled = true;
    fill(where, el("span", { class: "muted", testid: "decision-busy" }, `${action}: sending…`));
    try {
      await api("POST", `/api/approvals/${encodeURIComponent(thread)}/decide`, { decisions: [{ proposal_id: p.id, action, ...extra }] });
      fill(detail, el("p", { class: "ok", testid: "decision-done" }, `${action === "approve" ? "Approved" : action === "reject" ? "Rejected" : "Edited"}: ${p.kind} ${p.reason_code || ""} (${p.id}) — recorded at ${new Date().toLocaleTimeString()}.`));
      reload();
    } catch (e) { problem(where, e); for (const b of buttons) b.disabled = false; }
  };
  const approve = el("button", { class: "primary", testid: "approve", onclick: () => decide("approve") }, "Approve");
  const reject = el("button", { class: "danger", testid: "reject", onclick: () => reason.value.trim() ? decide("reject", { reason: reason.value }) : problem(status, { message: "A rejection needs a reason", code: "reason_required" }) }, "Reject");
  const saveEdit = el("button", { testid: "save-edit", onclick: () => { try { decide("edit", { args: JSON.parse(editor.value) }, editStatus); } catch (_) { problem(editStatus, { message: "arguments must be JSON", code: "invalid_json" }); } } }, "Save edit (needs a fresh approval)");
  buttons.push(approve, reject, saveEdit);
  const evidence = el("div", { testid: "proposal-conversation" });
  const claim = el("p", { testid: "supervisor-claim" });
  const iso = isoFields(p.iso_xml);
  const basis = el("div", { testid: "proposal-basis-slot" });
  fill(detail, el("h2", {}, proposalTitle(p)),
    el("p", {}, `Requested by ${p.requested_by || "—"} · ${p.amount != null ? "payment " + money(p.amount, p.currency) : "no amount"}`), claim,
    p.explanation ? el("p", {}, p.explanation) : null,
    el("div", { class: "muted" }, "Evidence: " + fmt(p.evidence_ids)),
    iso.length ? fields(iso, "supervisor-iso-fields") : null,
    el("details", {}, el("summary", {}, `Raw XML of the ISO 20022 draft ${p.message_type || ""}`), el("pre", { tabindex: "0", "aria-label": "ISO 20022 XML" }, p.iso_xml || "")),
    el("h3", {}, "Arguments"), el("pre", { tabindex: "0", "aria-label": "Arguments (JSON)" }, JSON.stringify(p.args, null, 2)),
    el("div", { class: "row" }, approve, reject, reason), status,
    el("details", { testid: "edit-box" }, el("summary", {}, "Edit arguments"), editor,
      el("button", { testid: "preview-edit", onclick: () => { try { fill(diffBox, diff(p.args, JSON.parse(editor.value))); fill(editStatus); } catch (_) { problem(editStatus, { message: "arguments must be JSON", code: "invalid_json" }); } } }, "Show diff"),
      diffBox, saveEdit, editStatus),
    basis, el("h3", {}, "Conversation"), evidence);
  if (p.args && ["RQCH", "RQVA"].includes(p.args.investigation_type)) { // the amount claimed, not the payment's
    api("GET", `/api/case/${encodeURIComponent(p.args.reference)}`).then((c) => {
      const found = claimOf(p, c.tracker.ok ? c.tracker.data : null);
      if (found) fill(claim, el("strong", {}, `${found.label}: `), found.text || money(found.amount, found.currency));
    }).catch(() => {});
  }
  try {
    const { thread: t } = await api("GET", `/api/conversations/${encodeURIComponent(thread)}`);
    fill(basis, proposalBasis(p, (t && t.turns) || []));
    for (const turn of (t && t.turns) || []) {
      const r = turn.result || {};
      evidence.append(el("div", { class: "msg user" }, `${turn.user}: ${turn.message}`),
        el("div", { class: "msg assistant" }, el("div", { class: "ai-label" }, "AI-generated"), r.answer || ""),
        ...(r.tool_calls || []).map((c) => el("div", { class: "card evidence" + (c.ok === false ? " err" : "") }, `${c.id} ${c.name} ${fmt(c.args)}: `, c.summary || fmt(c.error))),
        ...(r.retrieved || []).map((h) => el("div", { class: "muted" }, `${h.citation} v${fmt(h.version)} ${h.title || ""}`)));
    }
  } catch (e) { evidence.append(el("p", { class: "bad" }, e.message)); }
}
