// DOM helpers that only ever create text nodes: untrusted text can never become markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "testid") node.dataset.testid = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = String(value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

export function showError(err) {
  const banner = document.getElementById("error-banner");
  if (!err) { banner.hidden = true; banner.textContent = ""; return; }
  banner.textContent = err.code ? `${err.message} (${err.code})` : String(err.message || err);
  banner.hidden = false;
}

export function fmt(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A key/value table of an object's scalar fields (nested values as compact JSON).
export function kvTable(obj, testid) {
  const rows = Object.entries(obj || {}).map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, fmt(v))));
  return el("table", { testid }, el("tbody", {}, rows));
}

export function age(ts) {
  if (!ts) return "—";
  const minutes = Math.max(0, Math.round((Date.now() - new Date(ts).getTime()) / 60000));
  return minutes < 60 ? `${minutes} min` : minutes < 2880 ? `${Math.round(minutes / 60)} h` : `${Math.round(minutes / 1440)} d`;
}

// Replace a node's children, skipping null/undefined/false (never rendered as text).
export function fill(node, ...children) {
  clear(node);
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
