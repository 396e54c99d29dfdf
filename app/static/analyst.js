// Analyst view: conversations, streaming answers, evidence cards, citations, case panel, proposals, feedback.
import { api, follow, stream } from "./api.js";
import { age, clear, el, fill, fmt, kvTable, showError } from "./dom.js";
import { renderMarkdown } from "./markdown.js";

// current: the open conversation; turn / watch: AbortControllers of the running turn's stream and of the
// approval-status stream. The open conversation and the message of a running turn survive a reload.
const state = { current: null, turn: null, watch: null };
const SAVED = "payinvest.analyst";
const remember = (v) => sessionStorage.setItem(SAVED, JSON.stringify({ ...recall(), ...v }));
const recall = () => { try { return JSON.parse(sessionStorage.getItem(SAVED)) || {}; } catch (_) { return {}; } };

export function renderAnalyst(root) {
  const list = el("div", { class: "convlist", testid: "conversation-list" });
  const messages = el("div", { class: "messages", testid: "messages" });
  const input = el("textarea", { testid: "message-input", maxlength: "4000", placeholder: "Describe the case… (Enter sends, Shift+Enter new line)" });
  const send = el("button", { class: "primary", testid: "send", text: "Send" });
  const stop = el("button", { class: "danger", testid: "stop", text: "Stop", hidden: true, title: "Stop the running turn (Esc)" });
  const search = el("input", { type: "search", testid: "conversation-search", maxlength: "200", placeholder: "Search conversations", "aria-label": "Search conversations" });
  const side = el("aside", { testid: "side-panel", tabindex: "0", "aria-label": "Case, evidence and procedure" },
    el("div", { class: "card", testid: "case-panel" }, el("h3", {}, "Case"), el("p", { class: "muted" }, "The payment appears here once the assistant finds it.")),
    el("div", { class: "card", testid: "sop-panel", hidden: true }));
  const chat = el("section", { class: "chat" }, el("p", { class: "ai-label", testid: "ai-label" }, "AI-generated — check the evidence"), messages,
    el("div", { class: "composer" }, input, send, stop));
  const newBtn = el("button", { class: "primary", testid: "new-conversation", text: "New conversation" });
  fill(root, el("div", { class: "layout" }, el("nav", {}, newBtn, search, list), chat, side));

  const ctx = { list, messages, input, send, stop, side, search };
  newBtn.addEventListener("click", async () => {
    if (state.turn) return; // a running turn keeps its conversation open (stop it first)
    try { const { conversation } = await api("POST", "/api/conversations", {}); state.current = conversation.id; remember({ current: conversation.id }); await refreshList(ctx); clear(messages); }
    catch (e) { showError(e); }
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); sendMessage(ctx); }
  });
  root.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && state.turn) { ev.preventDefault(); stopTurn(); } });
  send.addEventListener("click", () => sendMessage(ctx));
  stop.addEventListener("click", () => stopTurn());
  search.addEventListener("input", () => refreshList(ctx));
  const saved = recall().current;
  if (saved) openConversation(ctx, saved, { resume: true }).catch(() => { remember({ current: null }); refreshList(ctx); });
  else refreshList(ctx);
}

async function refreshList(ctx) {
  const q = ctx.search.value.trim();
  const { conversations } = await api("GET", "/api/conversations" + (q ? `?q=${encodeURIComponent(q)}` : ""));
  fill(ctx.list, ...conversations.map((c) => conversationItem(ctx, c)));
  if (!conversations.length) ctx.list.append(el("p", { class: "muted", testid: "no-conversations" }, q ? "No conversation matches." : "No conversations yet."));
}

function conversationItem(ctx, c) {
  const open = el("button", { class: "conv" + (c.id === state.current ? " active" : ""), testid: "conversation-item", "data-id": c.id,
    onclick: () => openConversation(ctx, c.id) }, c.title);
  const rename = el("button", { class: "icon", testid: "rename-conversation", title: "Rename", "aria-label": `Rename ${c.title}` }, "✎");
  const row = el("div", { class: "convrow" }, open, rename);
  rename.addEventListener("click", () => {
    const field = el("input", { testid: "rename-input", maxlength: "200", value: c.title, "aria-label": "New title" });
    const save = async () => {
      const title = field.value.trim();
      if (title && title !== c.title) {
        try { await api("PATCH", `/api/conversations/${encodeURIComponent(c.id)}`, { title }); } catch (e) { showError(e); }
      }
      refreshList(ctx);
    };
    field.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); save(); } else if (ev.key === "Escape") { ev.stopPropagation(); refreshList(ctx); } });
    field.addEventListener("blur", save, { once: true });
    fill(row, field);
    field.focus();
    field.select();
  });
  return row;
}

async function openConversation(ctx, id, { resume = false } = {}) {
  if (state.current !== id) { state.turn?.abort(); state.turn = null; }
  state.watch?.abort();
  state.current = id;
  remember({ current: id });
  showError(null);
  await refreshList(ctx);
  const { thread } = await api("GET", `/api/conversations/${encodeURIComponent(id)}`);
  if (state.current !== id) return;
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
  if (resume) await resumeTurn(ctx, id);
}

// A reloaded page follows the turn still running in the server (replayed from its first event), if any.
async function resumeTurn(ctx, id) {
  const saved = recall();
  const view = turnView(ctx, saved.turnMessage || "", { replay: true });
  state.turn = new AbortController();
  let seen = false;
  try {
    await follow(`/api/conversations/${encodeURIComponent(id)}/events`, null, (type, data) => {
      if (!seen) { seen = true; view.attach(); setRunning(ctx, true); }
      view.onEvent(type, data);
    }, { signal: state.turn.signal });
    if (seen) { view.finish(); refreshList(ctx); }
  } catch (e) { if (e.name !== "AbortError") showError(e); }
  finally { if (state.current === id) { state.turn = null; setRunning(ctx, false); } }
}

function answerBody(ctx, text) {
  return el("div", { class: "md", testid: "answer-text" }, renderMarkdown(text || "", (label) => openCitation(ctx, label)));
}

function copyButton(testid, label, text) {
  const button = el("button", { class: "icon", testid, title: label, "aria-label": label }, "Copy");
  button.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(text()); button.textContent = "Copied"; button.dataset.copied = "true"; }
    catch (_) { showError({ message: "the browser refused access to the clipboard", code: "clipboard_denied" }); }
  });
  return button;
}

function assistantBubble(ctx, text) {
  return el("div", { class: "msg assistant", testid: "assistant-message" },
    el("div", { class: "row" }, el("div", { class: "ai-label" }, "AI-generated — check the evidence"), copyButton("copy-reply", "Copy the reply", () => text || "")),
    answerBody(ctx, text), feedbackBox());
}

function feedbackBox() {
  const comment = el("input", { testid: "feedback-comment", maxlength: "2000", placeholder: "Comment (optional)", "aria-label": "Feedback comment" });
  // A thumbs-down or a corrected case type becomes an evaluation candidate an admin reviews.
  const correct = el("select", { testid: "feedback-case-type", title: "The case type it should have been", "aria-label": "The case type it should have been" }, el("option", { value: "" }, "case type was right"));
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
      el("details", {}, el("summary", {}, `ISO 20022 draft ${p.message_type || ""}`), copyButton("copy-iso", "Copy the ISO 20022 draft", () => p.iso_xml || ""), el("pre", { testid: "iso-draft" }, p.iso_xml || "")),
      p.result ? el("div", { class: "muted" }, "result: " + fmt(p.result)) : null));
  }
  if (proposals.some((p) => p.status === "proposed")) {
    const btn = el("button", { class: "primary", testid: "submit-proposals" }, "Submit for approval");
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try { await api("POST", `/api/conversations/${state.current}/submit`); await openConversation(ctx, state.current); }
      catch (e) { showError(e); btn.disabled = false; }
    });
    card.append(btn);
  }
  if (proposals.some((p) => ["submitted", "edited", "approved"].includes(p.status))) watch(ctx, proposals);
  return card;
}

// Approval statuses are pushed by the server (SSE): when they differ from the ones shown, the view reloads.
function watch(ctx, shown) {
  state.watch?.abort();
  const id = state.current, controller = new AbortController();
  const before = JSON.stringify(Object.fromEntries(shown.map((p) => [p.id, p.status])));
  state.watch = controller;
  follow(`/api/conversations/${encodeURIComponent(id)}/approval-events`, null, (type, data) => {
    if (type === "approval_status" && JSON.stringify(data.proposals) !== before && state.current === id) {
      controller.abort();
      openConversation(ctx, id);
    }
  }, { signal: controller.signal }).catch((e) => { if (e.name !== "AbortError") showError(e); });
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

function setRunning(ctx, running) {
  ctx.send.disabled = running;
  ctx.stop.hidden = !running;
}

async function stopTurn() {
  const id = state.current;
  if (!id) return;
  try { await api("POST", `/api/conversations/${encodeURIComponent(id)}/stop`); } catch (e) { showError(e); }
}

// The bubble of one streaming turn and its event handler (a sent message, or a turn followed after a reload).
function turnView(ctx, message, { replay = false } = {}) {
  const user = el("div", { class: "msg user", testid: "user-message" }, message);
  const steps = el("div", { class: "muted", testid: "steps" });
  const live = el("div", { class: "plain", testid: "streaming-answer" });
  const copy = copyButton("copy-reply", "Copy the reply", () => text);
  const bubble = el("div", { class: "msg assistant", testid: "assistant-message", "data-state": "streaming" },
    el("div", { class: "row" }, el("div", { class: "ai-label" }, "AI-generated — check the evidence"), copy), steps, live);
  let text = "", caseLoaded = false;
  const attach = () => { if (message) ctx.messages.append(user); ctx.messages.append(bubble); };
  if (!replay) attach();
  const onEvent = (type, data) => {
    if (type === "token") { text += data.text || data.token || ""; live.textContent = text; }
    else if (type === "tool_call") steps.append(el("div", {}, `→ ${data.tool || data.name} ${fmt(data.args)}`));
    else if (type === "tool_result") bubble.insertBefore(evidenceCard(data, data.ok !== false), live);
    else if (type === "plan" || type === "intake" || type === "retrieval") steps.append(el("div", {}, `${type}: ${fmt(data.case_type || data.steps?.length || data.hits?.map((h) => h.citation) || "")}`));
    else if (type === "findings" && (data.findings || []).length) bubble.insertBefore(findingsCard(data.findings), live);
    else if (type === "case_type_choice" && (data.choices || []).length) ctx.messages.append(choiceCard(ctx, message, data.choices));
    else if (type === "answer") { text = data.text || data.answer || text; live.className = "md"; fill(live, answerBody(ctx, text)); }
    else if (type === "proposals" && (data.proposals || []).length) ctx.messages.append(proposalsCard(ctx, data.proposals));
    else if (type === "stopped") bubble.append(el("p", { class: "muted", testid: "turn-stopped" }, "Stopped."));
    else if (type === "error") showError(data);
    const refs = (type === "intake" && data.references) || null;
    const ref = refs && [...(refs.uetrs || []), ...(refs.payment_ids || []), ...(refs.payment_refs || [])][0];
    if (ref && !caseLoaded) { caseLoaded = true; loadCase(ctx, ref, data.case_type); }
  };
  const finish = () => { bubble.dataset.state = "done"; bubble.append(feedbackBox()); remember({ turnMessage: null }); };
  return { onEvent, finish, attach };
}

async function sendMessage(ctx, pick = null) {
  const message = pick ? pick.message : ctx.input.value.trim();
  if (!message || state.turn) return;
  showError(null);
  if (!state.current) {
    try { state.current = (await api("POST", "/api/conversations", {})).conversation.id; remember({ current: state.current }); } catch (e) { return showError(e); }
  }
  if (!pick) ctx.input.value = "";
  const id = state.current;
  const view = turnView(ctx, message);
  remember({ turnMessage: message });
  state.turn = new AbortController();
  setRunning(ctx, true);
  let lastId = null;
  try {
    const body = pick ? { message, case_type: pick.case_type } : { message };
    const path = `/api/conversations/${encodeURIComponent(id)}`;
    try { lastId = await stream(`${path}/messages`, body, (type, data, eid) => { lastId = eid || lastId; view.onEvent(type, data); }, { signal: state.turn.signal }); }
    catch (e) {
      if (e.name === "AbortError" || e.status || !lastId) throw e;
      // The connection dropped mid-turn: the server kept running it; pick up after the last event seen.
      await follow(`${path}/events`, lastId, (type, data) => view.onEvent(type, data), { signal: state.turn.signal });
    }
    view.finish();
    refreshList(ctx);
  } catch (e) { if (e.name !== "AbortError") showError(e); }
  finally { if (state.current === id) { state.turn = null; setRunning(ctx, false); } }
}

export { age };
