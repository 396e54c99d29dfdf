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

// POST that answers with text/event-stream: calls onEvent(type, data) per event.
export async function stream(path, body, onEvent) {
  const response = await fetch(path, {
    method: "POST", headers: headers("POST", body), credentials: "same-origin", body: JSON.stringify(body),
  });
  if (!response.ok) await raise(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let type = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) type = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      onEvent(type, data ? JSON.parse(data) : {});
    }
  }
}
