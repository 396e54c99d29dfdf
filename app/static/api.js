// JSON API client: cookies carry the session, writes echo the CSRF token, errors become ApiError.
let csrfToken = "";

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export function setCsrf(token) { csrfToken = token || ""; }

function headers(method, body) {
  const h = {};
  if (body !== undefined) h["Content-Type"] = "application/json";
  if (method !== "GET") h["X-CSRF-Token"] = csrfToken;
  return h;
}

async function raise(response) {
  let code = "http_" + response.status, message = response.statusText || "request failed";
  try { const body = await response.json(); code = body.error.code; message = body.error.message; } catch (_) { /* not JSON */ }
  throw new ApiError(response.status, code, message);
}

export async function api(method, path, body) {
  const response = await fetch(path, {
    method, headers: headers(method, body), credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) await raise(response);
  return response.json();
}

// Read a text/event-stream body: onEvent(type, data, id) per event; returns the last event id seen.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "", lastId = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let type = "message", data = "", id = null;
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) type = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
        else if (line.startsWith("id: ")) id = line.slice(4);
      }
      if (!data) continue; // a keep-alive comment
      if (id !== null) lastId = id;
      onEvent(type, JSON.parse(data), id);
    }
  }
  return lastId;
}

// POST that answers with text/event-stream: calls onEvent(type, data, id) per event; returns the last id.
export async function stream(path, body, onEvent, { signal } = {}) {
  const response = await fetch(path, {
    method: "POST", headers: headers("POST", body), credentials: "same-origin", body: JSON.stringify(body), signal,
  });
  if (!response.ok) await raise(response);
  return readEvents(response, onEvent);
}

// GET an event stream, resuming after lastEventId when given (the server replays what was missed).
export async function follow(path, lastEventId, onEvent, { signal } = {}) {
  const h = lastEventId ? { "Last-Event-ID": lastEventId } : {};
  const response = await fetch(path, { method: "GET", headers: h, credentials: "same-origin", signal });
  if (!response.ok) await raise(response);
  return readEvents(response, onEvent);
}
