// Proposed actions: what each one is in words, the amount it claims (not the payment's), its arguments as
// labelled fields, a preview of its ISO 20022 draft with the raw XML one click away, and its result in words.
import { el } from "./dom.js";
import { humanise, money } from "./format.js";

const KIND = {
  recall: "Recall request", investigation: "Investigation", investigation_answer: "Investigation answer",
  return_funds: "Return of funds", release_hold: "Release the hold", request_info: "Request information",
  open_case: "Open a case", close_case: "Close the case", escalate: "Escalate",
};

// "Investigation camt.110 CCNR" / "Recall request camt.056 DUPL".
export function proposalTitle(p) {
  const type = (p.message_type || "").split(".").slice(0, 2).join(".");
  return [KIND[p.kind] || humanise(p.kind), type, p.reason_code].filter(Boolean).join(" ");
}

// The amount the action claims: RQVA carries its compensation, an RQCH claims the charges the tracker shows
// deducted (the reads behind the proposal); any other action is about the whole payment.
export function claimOf(p, tracker) {
  const code = p.args && p.args.investigation_type;
  if (code === "RQVA" && p.args.compensation_amount != null) return { label: "Compensation claimed", amount: p.args.compensation_amount, currency: p.currency };
  if (code === "RQCH") {
    const totals = Object.entries((tracker && tracker.summary && tracker.summary.total_charges) || {});
    if (!totals.length) return { label: "Charges claimed", text: "not shown by the tracker read" };
    return { label: "Charges claimed", text: totals.map(([cur, amt]) => money(amt, cur)).join(" + ") };
  }
  return null;
}

const AMOUNT_LABEL = {
  OrgnlIntrBkSttlmAmt: "Original settlement amount", IntrBkSttlmAmt: "Settlement amount",
  RtrdIntrBkSttlmAmt: "Returned amount", OrgnlInstdAmt: "Original instructed amount", Amt: "Amount",
};

// Key fields of an ISO 20022 draft, read from an inert XML document (nothing in it runs or loads).
export function isoFields(xml) {
  const doc = new DOMParser().parseFromString(xml || "", "application/xml");
  if (!xml || doc.getElementsByTagName("parsererror").length) return [];
  const all = [...doc.getElementsByTagName("*")];
  const first = (name, within) => all.find((n) => n.localName === name && (!within || n.parentElement?.localName === within));
  const bic = (party) => { const node = all.find((n) => n.localName === party); return node ? [...node.getElementsByTagName("*")].find((n) => n.localName === "BICFI")?.textContent : null; };
  const ns = doc.documentElement.namespaceURI || "";
  const amount = all.find((n) => n.hasAttribute("Ccy"));
  const reason = all.find((n) => n.localName === "Cd" && n.parentElement?.localName === "Rsn");
  const type = first("Cd", "InvstgtnTp");
  return [
    ["Message type", ns.split(":").pop() || null],
    ["MsgId", (first("MsgId") || first("Id", "Assgnmt"))?.textContent],
    ["Investigation type", type?.textContent],
    ["Reason code", reason?.textContent],
    [amount ? AMOUNT_LABEL[amount.localName] || `Amount (${amount.localName})` : "Amount", amount ? money(amount.textContent, amount.getAttribute("Ccy")) : null],
    ["UETR", first("OrgnlUETR")?.textContent],
    ["Instructing agent", bic("Rqstr") || bic("Assgnr") || bic("InstgAgt")],
    ["Instructed agent", bic("Rspndr") || bic("Assgne") || bic("InstdAgt")],
  ].filter(([, v]) => v);
}

export function fields(rows, testid) {
  return el("dl", { class: "fields", testid }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

// The execution result in words: "Executed: camt.110 sent, message id ACT-…, case CASE-…".
export function resultWords(p) {
  const r = p.result || {};
  if (p.status === "failed") return `Failed: ${r.message || r.error || "the payments API refused it"}${r.error && r.message ? ` (${r.error})` : ""}`;
  if (p.status !== "executed") return null;
  const msg = r.message || {};
  const parts = [`Executed${r.replayed ? " (already sent before: not sent twice)" : ""}`];
  if (msg.message_type || p.message_type) parts.push(`${msg.message_type || p.message_type} sent`);
  const msgId = (isoFields(msg.xml).find(([k]) => k === "MsgId") || [])[1];
  if (msgId) parts.push(`message id ${msgId}`);
  if (r.action_id != null && String(r.action_id) !== msgId) parts.push(`action ${r.action_id}`);
  if (r.case_id) parts.push(`case ${r.case_id}`);
  return parts.join(", ") + ".";
}

// One proposal card; copy(testid, label, textFn) makes the copy button; tracker: the turn's tracker data.
export function proposalCard(p, { tracker, copy }) {
  const claim = claimOf(p, tracker);
  const argRows = Object.entries(p.args || {}).map(([k, v]) => [humanise(k), typeof v === "object" ? JSON.stringify(v) : String(v)]);
  const iso = isoFields(p.iso_xml);
  const result = resultWords(p);
  return el("div", { class: "card proposal", testid: "proposal", "data-id": p.id },
    el("div", { class: "row" }, el("strong", { testid: "proposal-title" }, proposalTitle(p)),
      el("span", { class: `status ${p.status}`, testid: "proposal-status" }, p.status)),
    claim ? el("p", { testid: "proposal-claim" }, el("strong", {}, `${claim.label}: `), claim.text || money(claim.amount, claim.currency),
      p.amount != null ? el("span", { class: "muted" }, ` (payment ${money(p.amount, p.currency)})`) : null)
      : p.amount != null ? el("p", { testid: "proposal-amount" }, el("strong", {}, "Payment amount: "), money(p.amount, p.currency)) : null,
    p.explanation ? el("p", { testid: "proposal-why" }, "Why: ", p.explanation) : null,
    p.evidence_ids && p.evidence_ids.length ? el("p", { class: "muted" }, `Rests on ${p.evidence_ids.join(", ")}`) : null,
    argRows.length ? fields(argRows, "proposal-args") : null,
    p.iso_xml ? el("div", { class: "iso", testid: "iso-preview" }, el("h4", {}, `ISO 20022 draft ${p.message_type || ""}`), iso.length ? fields(iso, "iso-fields") : null,
      el("details", {}, el("summary", {}, "Raw XML"), copy("copy-iso", "Copy the ISO 20022 draft", () => p.iso_xml || ""), el("pre", { testid: "iso-draft", tabindex: "0", "aria-label": "ISO 20022 XML" }, p.iso_xml)))
      : p.message_type ? el("p", { class: "muted", testid: "iso-pending" }, `ISO 20022 draft ${p.message_type}: shown when the turn is saved`) : null,
    result ? el("p", { testid: "proposal-result", class: p.status === "failed" ? "bad" : "ok" }, result) : null,
    p.reason ? el("p", { class: "muted" }, `Decision note: ${p.reason}${p.decided_by ? ` (${p.decided_by})` : ""}`) : null);
}
