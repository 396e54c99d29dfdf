// Analyst view: conversations, streaming answers, evidence cards, citations, case panel, proposals, feedback.
import { api, stream } from "./api.js";
import { age, clear, el, fill, fmt, kvTable, showError } from "./dom.js";

const CITE_RE = /\[(SOP-\d{3} §[\d.]+|E\d+)\]/g;
const state = { current: null, poll: null };

export function renderAnalyst(root) {
  const list = el("div", { class: "convlist", testid: "conversation-list" });
  const messages = el("div", { class: "messages", testid: "messages" });
  const input = el("textarea", { testid: "message-input", maxlength: "4000", placeholder: "Describe the case… (Enter sends, Shift+Enter new line)" });
  const send = el("button", { class: "primary", testid: "send", text: "Send" });
  const side = el("aside", { testid: "side-panel", tabindex: "0", "aria-label": "Case, evidence and procedure" },
    el("div", { class: "card", testid: "case-panel" }, el("h3", {}, "Case"), el("p", { class: "muted" }, "The payment appears here once the assistant finds it.")),
    el("div", { class: "card", testid: "sop-panel", hidden: true }));
  const chat = el("section", { class: "chat" }, el("p", { class: "ai-label", testid: "ai-label" }, "AI-generated — check the evidence"), messages,
    el("div", { class: "composer" }, input, send));
  const newBtn = el("button", { class: "primary", testid: "new-conversation", text: "New conversation" });
  fill(root, el("div", { class: "layout" }, el("nav", {}, newBtn, list), chat, side));

  const ctx = { list, messages, input, send, side };
  newBtn.addEventListener("click", async () => {
    try { const { conversation } = await api("POST", "/api/conversations", {}); state.current = conversation.id; await refreshList(ctx); clear(messages); }
    catch (e) { showError(e); }
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); sendMessage(ctx); }
  });
  send.addEventListener("click", () => sendMessage(ctx));
  refreshList(ctx);
}

async function refreshList(ctx) {
  const { conversations } = await api("GET", "/api/conversations");
  fill(ctx.list, ...conversations.map((c) => el("button", {
    class: c.id === state.current ? "active" : "", testid: "conversation-item", "data-id": c.id,
    onclick: () => openConversation(ctx, c.id),
  }, c.title)));
}

async function openConversation(ctx, id) {
  state.current = id;
  showError(null);
  await refreshList(ctx);
  const { thread } = await api("GET", `/api/conversations/${encodeURIComponent(id)}`);
  clear(ctx.messages);
  for (const t of (thread && thread.turns) || []) {
    ctx.messages.append(el("div", { class: "msg user" }, t.message));
    const r = t.result || {};
    const bubble = assistantBubble(ctx, r.answer || "(no answer recorded)");
    for (const call of r.tool_calls || []) bubble.insertBefore(evidenceCard({ ...call, tool: call.name }, call.ok !== false), bubble.lastChild);
    ctx.messages.append(bubble);
  }
  const proposals = (thread && thread.proposals) || [];
  if (proposals.length) ctx.messages.append(proposalsCard(ctx, proposals));
}

function citationText(ctx, text) {
  const parts = [];
  let last = 0;
  for (const m of text.matchAll(CITE_RE)) {
    parts.push(text.slice(last, m.index));
    const label = m[1];
    parts.push(el("button", { class: "cite", testid: "citation", onclick: () => openCitation(ctx, label) }, label));
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function assistantBubble(ctx, text) {
  const body = el("div", { testid: "answer-text" }, citationText(ctx, text || ""));
  return el("div", { class: "msg assistant", testid: "assistant-message" },
    el("div", { class: "ai-label" }, "AI-generated — check the evidence"), body, feedbackBox());
}

function feedbackBox() {
  const comment = el("input", { testid: "feedback-comment", maxlength: "2000", placeholder: "Comment (optional)", "aria-label": "Feedback comment" });
  // A thumbs-down or a corrected case type becomes an evaluation candidate an admin reviews.
  const correct = el("select", { testid: "feedback-case-type", title: "The case type it should have been" }, el("option", { value: "" }, "case type was right"));
  api("GET", "/api/case-types").then(({ case_types: types }) => correct.append(...types.map((t) => el("option", { value: t.value, title: t.meaning }, `should be: ${t.value.replace(/_/g, " ")}`)))).catch(() => {});
  const done = el("span", { class: "muted", testid: "feedback-done" });
  const send = (rating) => async () => {
    try {
      const { candidate } = await api("POST", `/api/conversations/${state.current}/feedback`, { rating, comment: comment.value, case_type: correct.value || null });
      done.textContent = candidate ? `Thanks — recorded; sent for review as an evaluation case (${candidate}).` : "Thanks — recorded.";
    } catch (e) { showError(e); }
  };
  return el("div", { class: "row" }, el("button", { testid: "thumbs-up", title: "Helpful", onclick: send("up") }, "Helpful"),
    el("button", { testid: "thumbs-down", title: "Not helpful", onclick: send("down") }, "Not helpful"), correct, comment, done);
}

async function openCitation(ctx, label) {
  if (label.startsWith("E")) {
    const card = ctx.messages.querySelector(`[data-evidence="${label}"]`);
    if (card) { card.open = true; card.scrollIntoView({ block: "center" }); }
    return;
  }
  const [sop, section] = label.split(" §");
  const panel = ctx.side.querySelector("[data-testid=sop-panel]");
  panel.hidden = false;
  try {
    const { section: s } = await api("GET", `/api/sop/${sop}/${section}`);
    fill(panel, el("h3", { testid: "sop-title" }, `${s.citation || label} — ${s.section_title || s.title || ""}`),
      el("p", { class: "muted" }, `${s.title || ""} · version ${fmt(s.version)}${s.status && s.status !== "effective" ? " · " + s.status : ""}`),
      el("pre", { testid: "sop-text" }, s.text || ""));
  } catch (e) { fill(panel, el("p", { class: "bad" }, e.message)); }
}

function evidenceCard(data, ok) {
  const id = data.id || data.evidence_id || "";
  const body = ok ? data.summary ?? data.result : data.error ?? data.summary;
  return el("details", { class: "card evidence" + (ok ? "" : " err"), testid: "evidence-card", "data-evidence": id },
    el("summary", {}, `${id ? id + " · " : ""}${data.tool || data.name || "tool"} ${ok ? "✓" : "✗ error"}`),
    el("div", { class: "muted" }, "args: " + fmt(data.args)), el("pre", {}, typeof body === "string" ? body : JSON.stringify(body, null, 2)));
}

function proposalsCard(ctx, proposals) {
  const card = el("div", { class: "card", testid: "proposals" }, el("h3", {}, "Proposed actions"));
  for (const p of proposals) {
    card.append(el("div", { class: "card", testid: "proposal", "data-id": p.id },
      el("div", { class: "row" }, el("strong", {}, `${p.kind} · ${p.reason_code || ""}`),
        el("span", { class: `status ${p.status}`, testid: "proposal-status" }, p.status),
        p.amount != null ? el("span", {}, `${fmt(p.amount)} ${p.currency || ""}`) : null),
      p.explanation ? el("p", {}, p.explanation) : null,
      el("div", { class: "muted" }, "arguments: " + fmt(p.args)),
      el("details", {}, el("summary", {}, `ISO 20022 draft ${p.message_type || ""}`), el("pre", { testid: "iso-draft" }, p.iso_xml || "")),
      p.result ? el("div", { class: "muted" }, "result: " + fmt(p.result)) : null));
  }
  if (proposals.some((p) => p.status === "proposed")) {
    const btn = el("button", { class: "primary", testid: "submit-proposals" }, "Submit for approval");
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try { await api("POST", `/api/conversations/${state.current}/submit`); await openConversation(ctx, state.current); watch(ctx); }
      catch (e) { showError(e); btn.disabled = false; }
    });
    card.append(btn);
  }
  if (proposals.some((p) => ["submitted", "edited", "approved"].includes(p.status))) watch(ctx);
  return card;
}

function watch(ctx) {
  clearInterval(state.poll);
  const id = state.current;
  state.poll = setInterval(async () => {
    if (state.current !== id) return clearInterval(state.poll);
    const { thread } = await api("GET", `/api/conversations/${encodeURIComponent(id)}`).catch(() => ({}));
    const ps = (thread && thread.proposals) || [];
    if (!ps.some((p) => ["submitted", "edited", "approved"].includes(p.status))) { clearInterval(state.poll); openConversation(ctx, id); }
  }, 2000);
}

async function loadCase(ctx, reference, caseType) {
  const panel = ctx.side.querySelector("[data-testid=case-panel]");
  try {
    const q = caseType ? `?case_type=${encodeURIComponent(caseType)}` : "";
    const c = await api("GET", `/api/case/${encodeURIComponent(reference)}${q}`);
    const pay = c.payment.ok ? c.payment.data : { error: c.payment.error.message };
    const trk = c.tracker.ok ? c.tracker.data : null;
    const hops = (trk && (trk.hops || trk.events || trk.tracker_events)) || [];
    const clocks = (c.sla.ok && c.sla.data.due) || [];
    const next = clocks.slice().sort((a, b) => a.due_date.localeCompare(b.due_date))[0];
    const days = next ? Math.ceil((new Date(next.due_date) - Date.now()) / 86400000) : null;
    const due = next ? `${next.name} due ${next.due_date} (${days < 0 ? -days + " days overdue" : days + " days left"})` : null;
    fill(panel, el("h3", {}, "Case ", el("code", {}, reference)),
      due ? el("p", { testid: "sla-clock", class: days !== null && days < 0 ? "bad" : "" }, `SLA: ${due}`) : null,
      kvTable(pay && pay.payment ? pay.payment : pay, "payment-summary"), el("h4", {}, "Tracker"),
      el("ol", { class: "timeline", testid: "tracker-timeline" }, hops.map((h) => el("li", {},
        el("strong", {}, h.agent_bic || h.bic || h.agent || "agent"), " ", fmt(h.status), " ", fmt(h.reason || h.status_reason),
        el("div", { class: "muted" }, [h.timestamp || h.received_at || h.time, h.charges != null ? `charges ${fmt(h.charges)} ${h.charges_currency || ""}` : ""].filter(Boolean).join(" · "))))));
  } catch (e) { fill(panel, el("h3", {}, "Case"), el("p", { class: "bad" }, e.message)); }
}

function findingsCard(findings) {
  return el("ul", { class: "findings", testid: "findings" }, findings.map((f) => el("li", { class: f.untrusted ? "muted" : "" },
    f.text, " ", el("span", { class: "muted" }, [...(f.evidence_ids || []), ...(f.citations || [])].map((e) => `[${e}]`).join(" ")))));
}

// The agent asked which case this is: one click re-sends the question with the pick (stored as a labelled example).
function choiceCard(ctx, message, choices) {
  return el("div", { class: "msg assistant", testid: "case-type-choice" }, "Which case is this? ",
    choices.map((c) => el("button", { onclick: () => sendMessage(ctx, { message, case_type: c }) }, c.replace(/_/g, " "))));
}

async function sendMessage(ctx, pick = null) {
  const message = pick ? pick.message : ctx.input.value.trim();
  if (!message) return;
  showError(null);
  if (!state.current) {
    try { state.current = (await api("POST", "/api/conversations", {})).conversation.id; } catch (e) { return showError(e); }
  }
  if (!pick) ctx.input.value = "";
  ctx.send.disabled = true;
  ctx.messages.append(el("div", { class: "msg user" }, message));
  const steps = el("div", { class: "muted", testid: "steps" });
  const live = el("div", { testid: "streaming-answer" });
  const bubble = el("div", { class: "msg assistant", testid: "assistant-message" }, el("div", { class: "ai-label" }, "AI-generated — check the evidence"), steps, live);
  ctx.messages.append(bubble);
  let text = "", caseLoaded = false;
  try {
    const body = pick ? { message, case_type: pick.case_type } : { message };
    await stream(`/api/conversations/${state.current}/messages`, body, (type, data) => {
      if (type === "token") { text += data.text || data.token || ""; live.textContent = text; }
      else if (type === "tool_call") steps.append(el("div", {}, `→ ${data.tool || data.name} ${fmt(data.args)}`));
      else if (type === "tool_result") bubble.insertBefore(evidenceCard(data, data.ok !== false), live);
      else if (type === "plan" || type === "intake" || type === "retrieval") steps.append(el("div", {}, `${type}: ${fmt(data.case_type || data.steps?.length || data.hits?.map((h) => h.citation) || "")}`));
      else if (type === "findings" && (data.findings || []).length) bubble.insertBefore(findingsCard(data.findings), live);
      else if (type === "case_type_choice" && (data.choices || []).length) ctx.messages.append(choiceCard(ctx, message, data.choices));
      else if (type === "answer") { text = data.text || data.answer || text; fill(live, ...citationText(ctx, text)); }
      else if (type === "proposals" && (data.proposals || []).length) ctx.messages.append(proposalsCard(ctx, data.proposals));
      else if (type === "error") showError(data);
      const refs = (type === "intake" && data.references) || null;
      const ref = refs && [...(refs.uetrs || []), ...(refs.payment_ids || []), ...(refs.payment_refs || [])][0];
      if (ref && !caseLoaded) { caseLoaded = true; loadCase(ctx, ref, data.case_type); }
    });
    bubble.append(feedbackBox());
    refreshList(ctx);
  } catch (e) { showError(e); }
  finally { ctx.send.disabled = false; }
}

export { age };
