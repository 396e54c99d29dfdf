// Analyst view: conversations (a drawer on a phone), the case header, streaming answers with the turn's
// progress, evidence cards, citations, the payment chain timeline, proposals, feedback.
import { api, follow, stream } from "./api.js";
import { paymentOf, renderCaseHeader, renderTimeline } from "./casepanel.js";
import { age, clear, el, fill, fmt, showError } from "./dom.js";
import { evidenceCard, fillEvidence } from "./evidence.js";
import { codeMeanings } from "./format.js";
import { renderMarkdown } from "./markdown.js";
import { savedProgress, turnProgress } from "./progress.js";
import { proposalCard } from "./proposals.js";
import { copyButton, feedbackBox, findingsCard } from "./replies.js";
import { refreshList as listConversations } from "./convlist.js";

// current: the open conversation; turn / watch: AbortControllers of the running turn's stream and of the
// approval-status stream; kase: what the case header and timeline show. The open conversation and the
// message of a running turn survive a reload.
const state = { current: null, turn: null, watch: null, kase: {} };
let caseTypes = [];
const refreshList = (ctx) => listConversations(ctx, state.current, (id) => { ctx.closeDrawers(); openConversation(ctx, id); });
const SAVED = "payinvest.analyst";
const remember = (v) => sessionStorage.setItem(SAVED, JSON.stringify({ ...recall(), ...v }));
const recall = () => { try { return JSON.parse(sessionStorage.getItem(SAVED)) || {}; } catch (_) { return {}; } };

export function renderAnalyst(root) {
  const list = el("div", { class: "convlist", testid: "conversation-list" });
  const messages = el("div", { class: "messages", testid: "messages" });
  const input = el("textarea", { testid: "message-input", maxlength: "4000", "aria-label": "Message to the assistant", placeholder: "Describe the case… (Enter sends, Shift+Enter new line)" });
  const send = el("button", { class: "primary", testid: "send", text: "Send" });
  const stop = el("button", { class: "danger", testid: "stop", text: "Stop", hidden: true, title: "Stop the running turn (Esc)" });
  const search = el("input", { type: "search", testid: "conversation-search", maxlength: "200", placeholder: "Search conversations", "aria-label": "Search conversations" });
  const header = el("div", { class: "case-header card", testid: "case-header", role: "region", "aria-label": "Case" },
    el("p", { class: "muted" }, "The case appears here once the assistant finds the payment."));
  const timeline = el("div", { testid: "case-timeline" }, el("p", { class: "muted" }, "The payment chain appears here once the tracker is read."));
  const side = el("aside", { id: "case-side", class: "side drawer-right", testid: "side-panel", tabindex: "0", "aria-label": "Payment chain and procedure" },
    el("div", { class: "card", testid: "sop-panel", hidden: true }),
    el("div", { class: "card", testid: "case-panel" }, el("h3", {}, "Payment chain"), timeline));
  const nav = el("nav", { id: "conversations", class: "drawer-left", testid: "conversations-drawer", "aria-label": "Conversations" });
  const toggle = (target, button) => () => {
    const open = !target.classList.contains("open");
    for (const [t, b] of drawers) { t.classList.toggle("open", t === target && open); b.setAttribute("aria-expanded", String(t === target && open)); }
    if (open) target.querySelector("button, input, [tabindex]")?.focus();
    else button.focus();
  };
  const convToggle = el("button", { class: "drawer-toggle", testid: "toggle-conversations", "aria-controls": "conversations", "aria-expanded": "false" }, "Conversations");
  const sideToggle = el("button", { class: "drawer-toggle", testid: "toggle-case", "aria-controls": "case-side", "aria-expanded": "false" }, "Payment chain");
  const drawers = [[nav, convToggle], [side, sideToggle]];
  convToggle.addEventListener("click", toggle(nav, convToggle));
  sideToggle.addEventListener("click", toggle(side, sideToggle));
  const chat = el("section", { class: "chat", "aria-label": "Investigation" },
    el("div", { class: "chat-bar row" }, convToggle, sideToggle), header,
    el("p", { class: "ai-label", testid: "ai-label" }, "AI-generated — check the evidence"), messages,
    el("div", { class: "composer" }, input, send, stop));
  const newBtn = el("button", { class: "primary", testid: "new-conversation", text: "New conversation" });
  fill(nav, newBtn, search, list);
  fill(root, el("div", { class: "layout" }, nav, chat, side));

  const ctx = { list, messages, input, send, stop, side, search, header, timeline, nav,
    closeDrawers: () => drawers.forEach(([t, b]) => { t.classList.remove("open"); b.setAttribute("aria-expanded", "false"); }),
    // On a phone the side panel is a drawer: a citation opens it (on a desktop it is always in view).
    openSide: () => { if (sideToggle.offsetParent !== null && !side.classList.contains("open")) toggle(side, sideToggle)(); } };
  newBtn.addEventListener("click", async () => {
    if (state.turn) return; // a running turn keeps its conversation open (stop it first)
    try {
      const { conversation } = await api("POST", "/api/conversations", {});
      // The page is the new conversation's before anything is awaited: a message typed while the list refreshes
      // belongs to it, and its reply is never cleared afterwards.
      state.current = conversation.id; remember({ current: conversation.id }); resetCase(ctx);
      clear(messages); ctx.closeDrawers(); input.focus();
      await refreshList(ctx);
    } catch (e) { showError(e); }
  });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); sendMessage(ctx); }
  });
  root.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    if (state.turn) { ev.preventDefault(); stopTurn(); } else ctx.closeDrawers();
  });
  send.addEventListener("click", () => sendMessage(ctx));
  stop.addEventListener("click", () => stopTurn());
  search.addEventListener("input", () => refreshList(ctx));
  api("GET", "/api/case-types").then((r) => { caseTypes = r.case_types; renderHeader(ctx); }).catch(() => {});
  const saved = recall().current;
  if (saved) openConversation(ctx, saved, { resume: true }).catch(() => { remember({ current: null }); refreshList(ctx); });
  else refreshList(ctx);
}

function resetCase(ctx) {
  state.kase = {};  // {reference, payment, tracker, trackerFrom, sla, caseType, classification, proposals, message}
  fill(ctx.header, el("p", { class: "muted" }, "The case appears here once the assistant finds the payment."));
  fill(ctx.timeline, el("p", { class: "muted" }, "The payment chain appears here once the tracker is read."));
}

// The case header from what is known so far (payment, SLA, case type, proposals); re-rendered as it grows.
async function renderHeader(ctx) {
  const k = state.kase;
  if (!k.reference && !k.caseType) return;
  const codes = await codeMeanings();
  renderCaseHeader(ctx.header, {
    reference: k.reference, payment: k.payment, error: k.error, sla: k.sla, caseType: k.caseType, classification: k.classification,
    proposals: k.proposals, codes, caseTypes, busy: Boolean(state.turn),
    onCorrect: k.message ? (value) => sendMessage(ctx, { message: k.message, case_type: value }) : null,
  });
}

async function openConversation(ctx, id, { resume = false } = {}) {
  if (state.current !== id) { state.turn?.abort(); state.turn = null; resetCase(ctx); }
  state.watch?.abort();
  state.current = id;
  remember({ current: id });
  showError(null);
  await refreshList(ctx);
  const { thread, feedback = {} } = await api("GET", `/api/conversations/${encodeURIComponent(id)}`);
  if (state.current !== id) return;
  clear(ctx.messages);
  const turns = (thread && thread.turns) || [];
  let last = null;
  for (const t of turns) {
    ctx.messages.append(el("div", { class: "msg user" }, t.message));
    const r = t.result || {};
    const bubble = assistantBubble(ctx, r.answer || "(no answer recorded)", t.turn, feedback[String(t.turn)] || null);
    const cards = (r.tool_calls || []).map((call) => evidenceCard({ ...call, tool: call.name }));
    bubble.insertBefore(el("div", { class: "evidence-list" }, cards), bubble.lastChild.previousSibling);
    if (r.tool_calls || r.findings) bubble.insertBefore(savedProgress(r), bubble.children[1]);
    if ((r.findings || []).length) bubble.insertBefore(findingsCard(r.findings), bubble.lastChild.previousSibling);
    ctx.messages.append(bubble);
    last = { turn: t.turn, result: r, message: t.message, cards };
  }
  const proposals = (thread && thread.proposals) || [];
  state.kase.proposals = proposals;
  if (last) {
    const r = last.result;
    state.kase.message = last.message;
    state.kase.caseType = r.case_type || null;
    state.kase.classification = r.classification || null;
    const ref = firstReference(r.references);
    if (ref) loadCase(ctx, ref, r.case_type);
    fillSavedEvidence(ctx, id, last.turn, last.cards);
  }
  renderHeader(ctx);
  if (proposals.length) ctx.messages.append(proposalsCard(ctx, proposals));
  if (resume) await resumeTurn(ctx, id);
}

const firstReference = (refs) => (refs ? [...(refs.payment_refs || []), ...(refs.uetrs || []), ...(refs.payment_ids || [])][0] : null);

// The last saved turn's reads with their data: the cards get labelled fields (earlier turns keep summaries).
async function fillSavedEvidence(ctx, id, turn, cards) {
  try {
    const found = await api("GET", `/api/conversations/${encodeURIComponent(id)}/evidence`);
    if (state.current !== id || (turn != null && found.turn !== turn)) return;
    const byId = Object.fromEntries(found.evidence.map((e) => [e.id, e]));
    for (const card of cards) if (byId[card.dataset.evidence]) fillEvidence(card, byId[card.dataset.evidence]);
    // The chain as the turn read it (the evidence its answer cites), in place of the live read of GET /api/case.
    const trackers = found.evidence.filter((e) => e.tool === "get_tracker" && e.ok);
    const tracker = trackers.find((e) => e.args && e.args.reference === state.kase.reference) || trackers[0];
    if (tracker) {
      Object.assign(state.kase, { tracker: tracker.data, trackerFrom: tracker.id });
      renderTimeline(ctx.timeline, state.kase.payment, tracker.data, await codeMeanings(), `as the turn read it (${tracker.id})`);
    }
  } catch (e) { showError(e); }
}

// A reloaded page follows the turn still running in the server (replayed from its first event), if any.
async function resumeTurn(ctx, id) {
  const saved = recall();
  // No turn was running when the page went away: the finished one is in the history already (the server's log
  // would replay it as a second bubble).
  if (!saved.turnMessage) return;
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

function assistantBubble(ctx, text, turn = null, saved = null) {
  return el("div", { class: "msg assistant", testid: "assistant-message" },
    el("div", { class: "row" }, el("div", { class: "ai-label" }, "AI-generated — check the evidence"), copyButton("copy-reply", "Copy the reply", () => text || "")),
    answerBody(ctx, text), feedbackBox(() => state.current, () => turn, saved));
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
      el("pre", { testid: "sop-text", tabindex: "0", "aria-label": "Procedure text" }, s.text || ""));
    ctx.openSide();
    panel.scrollIntoView({ block: "nearest" });
  } catch (e) { fill(panel, el("p", { class: "bad" }, e.message)); }
}

function proposalsCard(ctx, proposals) {
  const card = el("div", { class: "card", testid: "proposals" }, el("h3", {}, "Proposed actions"));
  for (const p of proposals) card.append(proposalCard(p, { tracker: state.kase.tracker, copy: copyButton }));
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

// The payment, its tracker and the SLA clocks (GET /api/case) for the header and the payment chain timeline.
async function loadCase(ctx, reference, caseType) {
  const id = state.current;
  Object.assign(state.kase, { reference, caseType: caseType || state.kase.caseType });
  try {
    const q = caseType ? `?case_type=${encodeURIComponent(caseType)}` : "";
    const c = await api("GET", `/api/case/${encodeURIComponent(reference)}${q}`);
    if (state.current !== id) return;
    const codes = await codeMeanings();
    Object.assign(state.kase, {
      payment: c.payment.ok ? paymentOf(c.payment.data) : null, error: c.payment.ok ? null : c.payment.error.message,
      sla: (c.sla.ok && c.sla.data.due) || [],
    });
    if (!state.kase.trackerFrom) { // the turn's own read, once it is saved, takes precedence
      state.kase.tracker = c.tracker.ok ? c.tracker.data : state.kase.tracker;
      renderTimeline(ctx.timeline, state.kase.payment, c.tracker.ok ? c.tracker.data : null, codes, "read now");
      if (!c.tracker.ok) ctx.timeline.append(el("p", { class: "bad" }, `Tracker: ${c.tracker.error.message}`));
    }
  } catch (e) { state.kase.error = e.message; fill(ctx.timeline, el("p", { class: "bad" }, e.message)); }
  renderHeader(ctx);
}

// The agent asked which case this is: one click re-sends the question with the pick (stored as a labelled example).
function choiceCard(ctx, message, choices) {
  return el("div", { class: "msg assistant", testid: "case-type-choice" }, "Which case is this? ",
    choices.map((c) => el("button", { onclick: () => sendMessage(ctx, { message, case_type: c }) }, c.replace(/_/g, " "))));
}

function setRunning(ctx, running) {
  ctx.send.disabled = running;
  ctx.stop.hidden = !running;
  ctx.header.querySelector("[data-testid=correct-case-type]")?.toggleAttribute("disabled", running);
}

async function stopTurn() {
  const id = state.current;
  if (!id) return;
  try { await api("POST", `/api/conversations/${encodeURIComponent(id)}/stop`); } catch (e) { showError(e); }
}

// The bubble of one streaming turn and its event handler (a sent message, or a turn followed after a reload):
// the progress checklist, evidence cards and findings as they arrive, then the reply; proposals below it.
function turnView(ctx, message, { replay = false } = {}) {
  const user = el("div", { class: "msg user", testid: "user-message" }, message);
  const progress = turnProgress({ replay });
  const cards = el("div", { class: "evidence-list", testid: "evidence-list" });
  const live = el("div", { class: "plain", testid: "streaming-answer" });
  const copy = copyButton("copy-reply", "Copy the reply", () => text);
  const bubble = el("div", { class: "msg assistant", testid: "assistant-message", "data-state": "streaming" },
    el("div", { class: "row" }, el("div", { class: "ai-label" }, "AI-generated — check the evidence"), copy), progress.node, cards, live);
  let text = "", caseLoaded = false, proposals = null, outcome = "done", turnNumber = null;
  const attach = () => { if (message) ctx.messages.append(user); ctx.messages.append(bubble); };
  const showProposals = (rows) => {
    const card = proposalsCard(ctx, rows);
    if (proposals) proposals.replaceWith(card); else ctx.messages.append(card);
    proposals = card;
    state.kase.proposals = rows;
    renderHeader(ctx);
  };
  if (!replay) attach();
  state.kase.message = message || state.kase.message;
  const onEvent = (type, data) => {
    progress.onEvent(type, data);
    if (type === "token") { text += data.text || data.token || ""; live.textContent = text; }
    else if (type === "tool_result") cards.append(evidenceCard({ ...data, live: true }));
    else if (type === "classification") { Object.assign(state.kase, { caseType: data.case_type, classification: data }); renderHeader(ctx); }
    else if (type === "findings" && (data.findings || []).length) bubble.insertBefore(findingsCard(data.findings), live);
    else if (type === "case_type_choice" && (data.choices || []).length) ctx.messages.append(choiceCard(ctx, message, data.choices));
    else if (type === "answer") { text = data.text || data.answer || text; live.className = "md"; fill(live, answerBody(ctx, text)); }
    else if (type === "proposals" && (data.proposals || []).length) showProposals(data.proposals);
    else if (type === "turn") { // the saved turn: full proposal rows (with their ISO drafts) and the reads' data
      turnNumber = data.turn ?? null;
      if ((data.proposals || []).length) showProposals(data.proposals);
      if (state.current) fillSavedEvidence(ctx, state.current, data.turn, [...cards.children]);
    } else if (type === "stopped") { outcome = "stopped"; bubble.append(el("p", { class: "muted", testid: "turn-stopped" }, "Stopped: the turn was cancelled and is not saved.")); }
    else if (type === "error") { outcome = "failed"; showError(data); }
    const ref = type === "intake" ? firstReference(data.references) : null;
    if (ref && !caseLoaded) { caseLoaded = true; loadCase(ctx, ref, data.case_type); }
  };
  const finish = () => {
    progress.finish(outcome);
    bubble.dataset.state = "done"; bubble.append(feedbackBox(() => state.current, () => turnNumber)); remember({ turnMessage: null });
    renderHeader(ctx);
  };
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
  ctx.input.focus();
  const view = turnView(ctx, message);
  remember({ turnMessage: message });
  state.turn = new AbortController();
  setRunning(ctx, true);
  let lastId = null;
  try {
    const body = pick ? { message, case_type: pick.case_type } : { message };
    const path = `/api/conversations/${encodeURIComponent(id)}`;
    // The server titles a new conversation from its first message before the turn starts: show it (and
    // "running") as soon as the first event arrives, not when the turn ends.
    let listed = false;
    const onEvent = (type, data, eid) => {
      lastId = eid || lastId; view.onEvent(type, data);
      if (!listed) { listed = true; refreshList(ctx); }
    };
    try { lastId = await stream(`${path}/messages`, body, onEvent, { signal: state.turn.signal }); }
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
