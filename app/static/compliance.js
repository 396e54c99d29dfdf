// Compliance view: search conversations, replay events one by one, verify the chain, download evidence packs.
import { api } from "./api.js";
import { clear, el, fill, fmt, showError } from "./dom.js";

export function renderCompliance(root) {
  const fields = ["user", "case", "uetr", "since", "until", "kind"];
  const inputs = Object.fromEntries(fields.map((f) => [f, el("input", { name: f, testid: `search-${f}`, placeholder: f, maxlength: "64" })]));
  const results = el("div", { testid: "search-results" });
  const replay = el("div", { testid: "replay" });
  const chain = el("span", { testid: "chain-status" }, "not checked");
  const form = el("form", { testid: "search-form" }, el("div", { class: "row" }, Object.values(inputs)), el("button", { class: "primary", type: "submit" }, "Search"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault(); showError(null);
    const q = new URLSearchParams(Object.entries(inputs).filter(([, i]) => i.value.trim()).map(([k, i]) => [k, i.value.trim()]));
    try {
      const { conversations } = await api("GET", `/api/compliance/search?${q}`);
      fill(results, conversations.length ? el("table", {}, el("tbody", {}, conversations.map((c) => el("tr", { testid: "result-row", "data-id": c.conversation_id },
        el("td", {}, c.conversation_id), el("td", {}, c.actors.join(", ")), el("td", {}, c.first_ts), el("td", {}, `${c.matches} events`),
        el("td", {}, el("button", { testid: "open-replay", onclick: () => openReplay(c.conversation_id, replay) }, "Replay")))))) : el("p", { class: "muted" }, "No match."));
    } catch (e) { showError(e); }
  });
  const verify = el("button", { testid: "verify-chain", onclick: async () => {
    try { const r = await api("GET", "/api/compliance/verify");
      chain.textContent = r.ok ? `verified: ${r.checked} events intact` : `BROKEN at seq ${r.first_broken_seq}: ${r.reason}`;
      chain.className = r.ok ? "ok" : "bad"; } catch (e) { showError(e); } } }, "Verify chain");
  fill(root, el("div", { class: "pad" }, el("h2", {}, "Compliance console"), el("div", { class: "row" }, verify, chain), form, results, replay));
}

async function openReplay(id, box) {
  try {
    const { events } = await api("GET", `/api/compliance/conversations/${encodeURIComponent(id)}/events`);
    let shown = 0;
    const list = el("ol", { testid: "replay-events" });
    const next = el("button", { testid: "replay-next" }, "Next event");
    const all = el("button", { testid: "replay-all" }, "Show all");
    const step = (n) => { while (shown < Math.min(events.length, n)) { const e = events[shown++];
      list.append(el("li", { testid: "replay-event" }, el("strong", {}, `#${e.seq} ${e.event_type}`), ` by ${e.actor} at ${e.ts}`,
        el("pre", {}, JSON.stringify(e.payload, null, 2)), el("div", { class: "muted" }, `hash ${e.hash.slice(0, 16)}… prev ${e.prev_hash.slice(0, 16)}…`))); }
      next.disabled = all.disabled = shown >= events.length; };
    next.addEventListener("click", () => step(shown + 1));
    all.addEventListener("click", () => step(events.length));
    const unmask = el("input", { type: "checkbox", testid: "export-unmask" });
    const link = el("a", { testid: "export-pack", href: `/api/compliance/conversations/${encodeURIComponent(id)}/export`, download: `evidence-${id}.zip` }, "Download evidence pack");
    unmask.addEventListener("change", () => { link.href = `/api/compliance/conversations/${encodeURIComponent(id)}/export${unmask.checked ? "?unmask=true" : ""}`; });
    fill(box, el("h3", {}, `Replay ${id} (${events.length} events)`), el("div", { class: "row" }, next, all, link,
      el("label", {}, unmask, " unmask personal data (recorded)")), list);
    step(1);
  } catch (e) { showError(e); }
}
