// The case header (payment identity, status in words, SLA clocks, case type, open proposals) and the payment
// chain timeline (each agent hop with times, status, charges, where it stopped). Text only, never markup.
import { el, fill } from "./dom.js";
import { bicCountry, duration, humanise, money, statusWords, timeEl } from "./format.js";
import { proposalTitle } from "./proposals.js";

const typeName = (value) => (value ? humanise(value) : "not known yet");

// The payment object of a get_payment answer ({payment: {...}} or the payment itself).
export const paymentOf = (data) => (data && data.payment ? data.payment : data) || null;

function corridor(p) {
  const from = bicCountry(p.debtor_agent_bic), to = bicCountry(p.creditor_agent_bic);
  const via = (p.intermediary_bics || []).length;
  if (!from || !to) return null;
  return `${from} → ${to}${via ? ` via ${via} intermediar${via === 1 ? "y" : "ies"}` : ""} · ${p.instructed_currency || ""}`.trim();
}

// SLA due dates count down to the end of their (UTC) day; the header re-renders them every 30 s.
function clockRows(clocks) {
  return clocks.slice().sort((a, b) => a.due_date.localeCompare(b.due_date)).map((c) => {
    const left = new Date(`${c.due_date}T23:59:59Z`).getTime() - Date.now();
    const text = left < 0 ? `overdue by ${duration(-left)}` : `${duration(left)} left`;
    return el("li", { testid: "sla-clock", class: left < 0 ? "bad" : "", "data-due": c.due_date },
      el("strong", {}, humanise(c.name)), ": ", timeEl(c.due_date, { dateOnly: true }), ` · ${text}`,
      c.rule ? el("div", { class: "muted" }, c.rule) : null);
  });
}

// view: {reference, payment, sla, caseType, classification, proposals, codes, caseTypes, onCorrect, busy}
export function renderCaseHeader(node, view) {
  clearInterval(node._clock);
  const p = view.payment;
  const clocks = view.sla || [];
  const open = (view.proposals || []).filter((x) => !["rejected", "superseded"].includes(x.status));
  const correct = el("select", { testid: "correct-case-type", "aria-label": "Correct the case type (asks again with it)", disabled: view.busy || !view.onCorrect },
    el("option", { value: "" }, "Correct the case type…"),
    (view.caseTypes || []).filter((t) => t.value !== view.caseType).map((t) => el("option", { value: t.value, title: t.meaning }, typeName(t.value))));
  correct.addEventListener("change", () => { if (correct.value && view.onCorrect) view.onCorrect(correct.value); });
  const confidence = view.classification && view.classification.confidence != null ? ` · ${Math.round(view.classification.confidence * 100)} % (${view.classification.source || "rules"})` : "";
  const clockList = el("ul", { class: "clocks", testid: "sla-clocks" }, clockRows(clocks));
  if (clocks.length) node._clock = setInterval(() => fill(clockList, clockRows(clocks)), 30_000);
  fill(node,
    p ? el("div", { class: "case-id" },
      el("span", { class: "amount", testid: "case-amount" }, money(p.instructed_amount, p.instructed_currency)),
      el("span", {}, el("code", { testid: "case-payment-id" }, p.id || view.reference), p.uetr ? el("span", { class: "muted" }, ` UETR ${p.uetr}`) : null))
      : el("div", { class: "case-id" }, el("strong", {}, "Case "), el("code", {}, view.reference || "—"), view.error ? el("span", { class: "bad", testid: "case-error" }, ` ${view.error}`) : null),
    p ? el("div", { class: "parties", testid: "case-parties" },
      el("span", {}, p.debtor_name || "—", el("span", { class: "muted" }, ` (${p.debtor_agent_bic || "?"})`)), " → ",
      el("span", {}, p.creditor_name || "—", el("span", { class: "muted" }, ` (${p.creditor_agent_bic || "?"})`)),
      corridor(p) ? el("span", { class: "muted", testid: "case-corridor" }, ` · corridor ${corridor(p)}`) : null) : null,
    p ? el("div", { testid: "case-status" }, el("strong", {}, "Status "), statusWords(view.codes, p.status, p.status_reason)) : null,
    el("div", { class: "row", testid: "case-type" }, el("strong", {}, "Case type"), el("span", { testid: "case-type-name" }, typeName(view.caseType) + confidence), view.caseType ? correct : null),
    clocks.length ? clockList : null,
    open.length ? el("ul", { class: "chips", testid: "case-proposals", "aria-label": "Open proposals" }, open.map((x) =>
      el("li", { class: `chip status ${x.status}` }, `${proposalTitle(x)}: ${x.status}`))) : null);
}

function role(i, hops, p) {
  if (i === 0) return "debtor agent";
  if (p && hops[i].agent_bic === p.creditor_agent_bic) return "creditor agent";
  return "intermediary";
}

// The gpi tracker's hops in path order; the stop, the charges each agent deducted and the cover state.
export function renderTimeline(node, payment, tracker, codes, source = "") {
  const hops = (tracker && tracker.hops) || [];
  const summary = (tracker && tracker.summary) || {};
  if (!hops.length) return fill(node, el("p", { class: "muted" }, tracker ? "The tracker shows no hops." : "No tracker data."));
  const items = hops.map((h, i) => {
    const stopped = summary.stopped_at_bic && h.agent_bic === summary.stopped_at_bic && !h.forwarded_at;
    const charged = h.charges_amount != null && Number(h.charges_amount) > 0;
    return el("li", { testid: "timeline-hop", class: stopped ? "stopped" : "", "data-bic": h.agent_bic },
      el("div", { class: "row" }, el("strong", {}, h.agent_bic || "agent"), el("span", { class: "muted" }, role(i, hops, payment)),
        h.gpi_agent === false ? el("span", { class: "muted" }, "not gpi") : null),
      el("div", {}, statusWords(codes, h.status, h.reason)),
      el("div", { class: "muted" }, "received ", timeEl(h.received_at), h.forwarded_at ? [" · forwarded ", timeEl(h.forwarded_at)] : null,
        h.forwarded_to_bic ? ` to ${h.forwarded_to_bic}` : null),
      charged ? el("div", { testid: "hop-charges", class: "warn" }, `charges deducted ${money(h.charges_amount, h.charges_currency)}`) : null,
      h.fx_rate ? el("div", { class: "muted" }, `FX rate ${h.fx_rate}`) : null,
      h.reason === "G004" ? el("div", { testid: "cover-leg", class: "warn" }, "Cover: the creditor agent waits for the cover funds (the cover travels separately through the correspondents)") : null,
      stopped ? el("div", { testid: "hop-stopped", class: "bad" }, "Stopped here: not forwarded") : null);
  });
  const totals = Object.entries(summary.total_charges || {}).map(([cur, amt]) => money(amt, cur));
  const end = summary.credited || (payment && payment.status === "ACCC") ? "Credited to the creditor." : summary.stopped_at_bic ? `Stopped at ${summary.stopped_at_bic}.` : null;
  return fill(node, el("ol", { class: "timeline chain", testid: "tracker-timeline" }, items),
    el("p", { class: "muted", testid: "timeline-summary" }, [`${hops.length} hop${hops.length === 1 ? "" : "s"}`, totals.length ? `charges deducted in total ${totals.join(" + ")}` : "no charges deducted", end].filter(Boolean).join(" · ")),
    source ? el("p", { class: "muted", testid: "timeline-source" }, `Tracker ${source}`) : null);
}
