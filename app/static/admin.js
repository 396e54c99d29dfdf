// Admin view: users, pending user changes (a second admin confirms), kill switches, configuration.
import { api } from "./api.js";
import { clear, el, fill, fmt, kvTable, showError } from "./dom.js";

export function renderAdmin(root) {
  const users = el("div", { testid: "users" });
  const controls = el("div", { testid: "controls" });
  const config = el("div", { testid: "config" });
  const changes = el("div", { testid: "user-changes" });
  const f = { username: el("input", { placeholder: "username", testid: "new-username" }), role: el("select", { testid: "new-role" }, ["analyst", "supervisor", "compliance", "admin"].map((r) => el("option", { value: r }, r))),
    password: el("input", { type: "password", placeholder: "password (12+ chars)", testid: "new-password" }), limit: el("input", { type: "number", placeholder: "approval limit EUR", testid: "new-limit" }) };
  const form = el("form", { testid: "new-user-form" }, el("div", { class: "row" }, Object.values(f)), el("button", { class: "primary", type: "submit" }, "Create user"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault(); showError(null);
    try { await api("POST", "/api/admin/users", { username: f.username.value, role: f.role.value, password: f.password.value, approval_limit_eur: f.limit.value ? Number(f.limit.value) : null }); load(); }
    catch (e) { showError(e); }
  });
  const load = async () => {
    try {
      const [{ users: list }, { controls: c }, { config: cfg }, { changes: pending }] = await Promise.all([api("GET", "/api/admin/users"), api("GET", "/api/admin/controls"), api("GET", "/api/admin/config"), api("GET", "/api/admin/changes")]);
      const decide = (ch, verb, body) => async () => { try { await api("POST", `/api/admin/changes/${ch.id}/${verb}`, body); load(); } catch (e) { showError(e); } };
      fill(changes, pending.length ? el("table", {}, el("tbody", {}, pending.map((ch) => el("tr", { testid: "change-row" }, el("td", {}, ch.id), el("td", {}, ch.kind), el("td", {}, ch.target),
        el("td", {}, JSON.stringify(ch.changes)), el("td", {}, `by ${ch.requested_by}`),
        el("td", {}, el("button", { onclick: decide(ch, "confirm") }, "Confirm"), el("button", { onclick: decide(ch, "reject", { reason: "rejected in the admin view" }) }, "Reject")))))) : el("p", { class: "muted" }, "No changes waiting."));
      fill(users, el("table", {}, el("tbody", {}, list.map((u) => el("tr", { testid: "user-row" }, el("td", {}, u.username), el("td", {}, u.role),
        el("td", {}, fmt(u.approval_limit_eur)), el("td", {}, u.active ? "active" : "disabled"),
        el("td", {}, el("button", { onclick: async () => { try { await api("POST", `/api/admin/users/${u.username}/${u.active ? "disable" : "enable"}`); load(); } catch (e) { showError(e); } } }, u.active ? "Disable" : "Enable")))))));
      const toggle = (key, label) => el("label", { class: "row" }, el("input", { type: "checkbox", testid: `toggle-${key}`, checked: c[key], onchange: async (ev) => {
        try { await api("POST", "/api/admin/controls", { [key]: ev.target.checked }); load(); } catch (e) { showError(e); } } }), label);
      fill(controls, toggle("actions_enabled", "Actions enabled"), toggle("llm_enabled", "LLM enabled"), el("p", { class: "muted" }, `last change by ${fmt(c.updated_by)} at ${fmt(c.updated_at)}`));
      fill(config, kvTable(cfg, "config-table"));
    } catch (e) { showError(e); }
  };
  fill(root, el("div", { class: "grid2" }, el("section", {}, el("h2", {}, "Users"), users, form, el("h2", {}, "Waiting for a second admin"), changes),
    el("section", {}, el("h2", {}, "Kill switches"), controls, el("h2", {}, "Configuration"), config)));
  load();
}
