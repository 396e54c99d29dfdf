// The analyst's conversation list: search, open, rename in place.
import { api } from "./api.js";
import { el, fill, showError } from "./dom.js";

// ctx.list / ctx.search: the list and its search box; current: the open conversation's id; onOpen(id).
export async function refreshList(ctx, current, onOpen) {
  const q = ctx.search.value.trim();
  const { conversations } = await api("GET", "/api/conversations" + (q ? `?q=${encodeURIComponent(q)}` : ""));
  fill(ctx.list, ...conversations.map((c) => conversationItem(ctx, c, current, onOpen)));
  if (!conversations.length) ctx.list.append(el("p", { class: "muted", testid: "no-conversations" }, q ? "No conversation matches." : "No conversations yet."));
}

// When it last changed, in the browser's locale (the date alone for an older one).
function when(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const today = at.toDateString() === new Date().toDateString();
  return today ? at.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
    : at.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
}

function conversationItem(ctx, c, current, onOpen) {
  const status = c.status || "";
  const open = el("button", { class: "conv" + (c.id === current ? " active" : ""), testid: "conversation-item", "data-id": c.id,
    "data-status": status, onclick: () => onOpen(c.id) },
    el("span", { class: "conv-title" }, c.title),
    el("span", { class: "conv-meta muted" },
      el("time", { testid: "conversation-time", datetime: c.updated_at || "", title: c.updated_at ? new Date(c.updated_at).toLocaleString() : "" }, when(c.updated_at)),
      status ? el("span", { class: `badge conv-status status-${status.replace(/ /g, "-")}`, testid: "conversation-status" }, status) : null));
  const rename = el("button", { class: "icon", testid: "rename-conversation", title: "Rename", "aria-label": `Rename ${c.title}` }, "✎");
  const row = el("div", { class: "convrow" }, open, rename);
  rename.addEventListener("click", () => {
    const field = el("input", { testid: "rename-input", maxlength: "200", value: c.title, "aria-label": "New title" });
    const save = async () => {
      const title = field.value.trim();
      if (title && title !== c.title) {
        try { await api("PATCH", `/api/conversations/${encodeURIComponent(c.id)}`, { title }); } catch (e) { showError(e); }
      }
      refreshList(ctx, current, onOpen);
    };
    field.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); save(); } else if (ev.key === "Escape") { ev.stopPropagation(); refreshList(ctx, current, onOpen); } });
    field.addEventListener("blur", save, { once: true });
    fill(row, field);
    field.focus();
    field.select();
  });
  return row;
}
