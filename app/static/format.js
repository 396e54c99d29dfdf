// Formatting for people: amounts in the reader's locale, times in words, codes with their meaning.
import { api } from "./api.js";

// An amount with its currency for the browser's locale ("€1,250.00", "JPY 2,500,000" style); text stays text.
export function money(amount, currency) {
  const n = Number(amount);
  if (amount === null || amount === undefined || amount === "" || !Number.isFinite(n)) return "—";
  try { return new Intl.NumberFormat(undefined, { style: "currency", currency: String(currency || "") }).format(n); }
  catch (_) { return `${currency || ""} ${new Intl.NumberFormat().format(n)}`.trim(); } // not an ISO currency code
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }); // a date has no time zone

// A <time> element: local date and time in words, the ISO value in its datetime attribute.
export function timeEl(ts, { dateOnly = false } = {}) {
  const el = document.createElement("time");
  if (!ts) { el.textContent = "—"; return el; }
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(ts) || dateOnly ? ts : ts + "Z"); // tracker times are UTC
  el.dateTime = String(ts);
  el.textContent = Number.isNaN(d.getTime()) ? String(ts) : (dateOnly ? DATE : DATE_TIME).format(d);
  return el;
}

// "4 s", "1 min 05 s", "2 h 10 min", "3 d 4 h".
export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

// snake_case key → "Snake case" label (for fields without a label of their own).
export function humanise(key) {
  const text = String(key).replace(/_/g, " ").replace(/\bbic\b/gi, "BIC").replace(/\buetr\b/gi, "UETR").replace(/\biban\b/gi, "IBAN");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

let meanings = null;
// The server's code meanings (GET /api/codes), fetched once per page.
export function codeMeanings() {
  meanings = meanings || api("GET", "/api/codes").catch(() => { meanings = null; return { status: {}, reason: {}, answer: {} }; });
  return meanings;
}

// "ACSP/G002 — credit may not be confirmed the same day, …" from a status and reason and the meanings.
export function statusWords(codes, status, reason) {
  const code = [status, reason].filter(Boolean).join("/") || "unknown";
  const meaning = (reason && codes.reason[reason]) || (status && codes.status[status]);
  return meaning ? `${code} — ${meaning}` : code;
}

// The country of a BIC (its letters 5 and 6).
export const bicCountry = (bic) => (typeof bic === "string" && bic.length >= 6 ? bic.slice(4, 6).toUpperCase() : null);
