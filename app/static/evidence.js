// Evidence cards: one per read, its fields labelled in words (the raw JSON one click away), errors in red.
import { el, fill } from "./dom.js";
import { humanise, money } from "./format.js";

const TOOL = {
  get_payment: "Payment", get_tracker: "gpi tracker", get_cases: "Open cases", get_screening: "Screening",
  get_risk_signals: "Risk signals", find_duplicates: "Duplicate check", get_account: "Account",
  verify_payee: "Verification of payee", get_sla: "SLA due dates", compute_compensation: "Value-date compensation",
  get_fx_rate: "FX rate", search_payments: "Payment search", get_calendar: "Business calendar",
};
export const toolName = (tool) => TOOL[tool] || humanise(tool || "read");

const HIDDEN = new Set(["payment_id", "uetr"]); // already in the case header, kept in the raw JSON

function scalar(key, value, obj) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  const currency = obj.instructed_currency || obj.currency || obj.charges_currency;
  if (/amount$|^interest$/.test(key) && currency && Number.isFinite(Number(value))) return money(value, currency);
  if (key === "score" && typeof value === "number") return value.toFixed(2);
  return String(value);
}

// Labelled rows of a value: scalars as text, objects as nested lists, lists of objects one entry each.
function rows(obj, depth = 0) {
  const out = [];
  for (const [key, value] of Object.entries(obj || {})) {
    if (depth === 0 && HIDDEN.has(key)) continue;
    let shown;
    if (Array.isArray(value)) {
      if (!value.length) shown = "none";
      else if (value.every((v) => typeof v !== "object" || v === null)) shown = value.join(", ");
      else shown = depth >= 2 ? `${value.length} entries` : el("ol", { class: "sub" }, value.map((v) => el("li", {}, el("dl", { class: "fields" }, rows(v, depth + 1)))));
    } else if (value && typeof value === "object") {
      shown = depth >= 2 ? JSON.stringify(value) : el("dl", { class: "fields" }, rows(value, depth + 1));
    } else shown = scalar(key, value, obj);
    out.push(el("dt", {}, humanise(key)), el("dd", {}, shown));
  }
  return out;
}

function body(item) {
  if (item.ok === false) {
    const err = item.error || {};
    return el("p", { class: "bad", testid: "evidence-error" }, err.message || item.summary || "the read failed", err.code ? ` (${err.code})` : "");
  }
  if (item.data === undefined && item.live) return el("p", { class: "muted", testid: "evidence-pending" }, "Read ✓ — the fields are shown when the turn is saved.");
  // An earlier turn: only the last saved turn keeps its reads' data, the others their one-line summary.
  if (item.data === undefined) return el("p", { class: "muted", testid: "evidence-summary" }, `Summary of the read: ${item.summary || "—"}`);
  const data = item.tool === "get_payment" && item.data && item.data.payment ? item.data.payment : item.data;
  return el("dl", { class: "fields", testid: "evidence-fields" }, rows(data));
}

// A card for a read: {id, tool|name, args, ok, summary, data?, error?}; data arrives once the turn is saved.
export function evidenceCard(item) {
  const card = el("details", { class: "card evidence" + (item.ok === false ? " err" : ""), testid: "evidence-card", "data-evidence": item.id || "", "data-tool": item.tool || item.name });
  return fillEvidence(card, item);
}

export function fillEvidence(card, item) {
  const tool = item.tool || item.name;
  const args = Object.entries(item.args || {}).map(([k, v]) => `${humanise(k)} ${v}`).join(", ");
  const raw = item.data !== undefined ? JSON.stringify(item.data, null, 2) : item.error ? JSON.stringify(item.error, null, 2) : item.summary || "";
  const open = card.open;
  fill(card, el("summary", {}, el("strong", {}, `${item.id ? item.id + " · " : ""}${toolName(tool)}`), " ",
    el("span", { class: item.ok === false ? "bad" : "ok" }, item.ok === false ? "✗ could not read" : "✓"), args ? el("span", { class: "muted" }, ` ${args}`) : null),
    body(item), el("details", { class: "raw" }, el("summary", {}, "Raw JSON"), el("pre", { testid: "evidence-raw", tabindex: "0", "aria-label": "Raw JSON of the read" }, raw)));
  card.open = open;
  card.dataset.full = item.data !== undefined ? "true" : "false";
  return card;
}
