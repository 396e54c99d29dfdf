// Admin view: users, pending user changes (a second admin confirms), kill switches, configuration, evaluation
// candidates from analysts' feedback (accept with the expected outcome, or dismiss).
import { api } from "./api.js";
import { clear, el, fill, fmt, kvTable, showError } from "./dom.js";

export function renderAdmin(root) {
  const users = el("div", { testid: "users" });
  const controls = el("div", { testid: "controls" });
  const config = el("div", { testid: "config" });
  const changes = el("div", { testid: "user-changes" });
  const candidates = el("div", { testid: "eval-candidates" });
  const f = { username: el("input", { placeholder: "username", testid: "new-username", "aria-label": "New user's name" }), role: el("select", { testid: "new-role", "aria-label": "New user's role" }, ["analyst", "supervisor", "compliance", "admin"].map((r) => el("option", { value: r }, r))),
    password: el("input", { type: "password", placeholder: "password (12+ chars)", testid: "new-password", "aria-label": "New user's password" }), limit: el("input", { type: "number", placeholder: "approval limit EUR", testid: "new-limit", "aria-label": "Approval limit in EUR" }) };
  const form = el("form", { testid: "new-user-form" }, el("div", { class: "row" }, Object.values(f)), el("button", { class: "primary", type: "submit" }, "Create user"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault(); showError(null);
    try { await api("POST", "/api/admin/users", { username: f.username.value, role: f.role.value, password: f.password.value, approval_limit_eur: f.limit.value ? Number(f.limit.value) : null }); load(); }
    catch (e) { showError(e); }
  });
  const load = async () => {
    try {
      const [{ users: list }, { controls: c }, { config: cfg }, { changes: pending }, { candidates: queue }, { case_types: types }] = await Promise.all([api("GET", "/api/admin/users"), api("GET", "/api/admin/controls"), api("GET", "/api/admin/config"), api("GET", "/api/admin/changes"), api("GET", "/api/admin/eval-candidates"), api("GET", "/api/case-types")]);
      fill(candidates, queue.length ? el("table", {}, el("thead", {}, el("tr", {}, ["Candidate", "Analyst's message", "Agent decided", "What was wrong", "Expected outcome"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, queue.map((cand) => candidateRow(cand, types, load)))) : el("p", { class: "muted" }, "No evaluation candidates waiting."));
      const decide = (ch, verb, body) => async () => { try { await api("POST", `/api/admin/changes/${ch.id}/${verb}`, body); load(); } catch (e) { showError(e); } };
      fill(changes, pending.length ? el("table", {}, el("tbody", {}, pending.map((ch) => el("tr", { testid: "change-row" }, el("td", {}, ch.id), el("td", {}, ch.kind), el("td", {}, ch.target),
        el("td", {}, JSON.stringify(ch.changes)), el("td", {}, `by ${ch.requested_by}`),
        el("td", {}, el("button", { onclick: decide(ch, "confirm") }, "Confirm"), el("button", { onclick: decide(ch, "reject", { reason: "rejected in the admin view" }) }, "Reject")))))) : el("p", { class: "muted" }, "No changes waiting."));
      fill(users, el("table", { testid: "users-table" }, el("thead", {}, el("tr", {}, ["User", "Role", "Approval limit (EUR)", "Status", "Change"].map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, list.map((u) => el("tr", { testid: "user-row" }, el("td", {}, u.username), el("td", {}, u.role),
        el("td", {}, fmt(u.approval_limit_eur)), el("td", {}, u.active ? "active" : "disabled"),
        el("td", {}, el("button", { onclick: async () => { try { await api("POST", `/api/admin/users/${u.username}/${u.active ? "disable" : "enable"}`); load(); } catch (e) { showError(e); } } }, u.active ? "Disable" : "Enable")))))));
      // A switch sits right next to its label and says its state in words.
      const toggle = (key, label) => el("label", { class: "switch", testid: `switch-${key}` }, el("input", { type: "checkbox", testid: `toggle-${key}`, checked: c[key], onchange: async (ev) => {
        try { await api("POST", "/api/admin/controls", { [key]: ev.target.checked }); load(); } catch (e) { showError(e); } } }), ` ${label}: `, el("strong", {}, c[key] ? "on" : "off"));
      fill(controls, toggle("actions_enabled", "Actions enabled"), toggle("llm_enabled", "LLM enabled"), el("p", { class: "muted", testid: "controls-changed" }, c.updated_by ? `last changed by ${c.updated_by} on ${new Date(c.updated_at).toLocaleString()}` : "never changed"));
      fill(config, kvTable(cfg, "config-table"));
    } catch (e) { showError(e); }
  };
  fill(root, el("div", { class: "grid2" }, el("section", {}, el("h2", {}, "Users"), users, form, el("h2", {}, "Waiting for a second admin"), changes),
    el("section", {}, el("h2", {}, "Kill switches"), controls, el("h2", {}, "Configuration"), config),
    el("section", {}, el("h2", {}, "Evaluation candidates from analysts' feedback"), candidates)));
  load();
}

// One candidate: the expected case type (the analyst's correction preselected), proposals as kind/CODE and key
// facts as comma-separated text; accepted cases go to the feedback dataset the next evaluation runs.
function candidateRow(cand, types, reload) {
  const obs = cand.observed || {};
  const fix = /case type should be ([a-z_]+)/.exec(cand.what_was_wrong || "");
  const caseType = el("select", { testid: "candidate-case-type", "aria-label": "Expected case type" }, types.map((t) => el("option", { value: t.value, selected: t.value === (fix ? fix[1] : obs.case_type) }, t.value)));
  const proposals = el("input", { testid: "candidate-proposals", "aria-label": "Expected proposals (kind/CODE, comma-separated)", placeholder: "e.g. investigation/CCNR", value: (obs.proposals || []).map((p) => `${p.kind}/${p.reason_code || ""}`).join(", ") });
  const facts = el("input", { testid: "candidate-facts", "aria-label": "Key facts, comma-separated", placeholder: "key facts, comma-separated" });
  const status = el("span", { class: "muted", testid: "candidate-status" });
  const decide = (verb, body) => async (ev) => {
    ev.target.disabled = true; status.textContent = "saving…";
    try { await api("POST", `/api/admin/eval-candidates/${cand.id}/${verb}`, body()); reload(); }
    catch (e) { status.textContent = e.message || String(e); ev.target.disabled = false; }
  };
  const expected = () => ({
    case_type: caseType.value,
    expected_proposals: proposals.value.split(",").map((x) => x.trim()).filter(Boolean).map((x) => { const [kind, code] = x.split("/"); return code ? { kind, reason_code: code } : { kind }; }),
    required_facts: facts.value.split(",").map((x) => x.trim()).filter(Boolean),
  });
  return el("tr", { testid: "candidate-row" }, el("td", {}, cand.id, el("br"), el("span", { class: "muted" }, `${cand.created_by}, turn ${cand.turn}`)),
    el("td", {}, cand.message), el("td", {}, `${obs.case_type || "—"}; ${(obs.proposals || []).map((p) => `${p.kind} ${p.reason_code || ""}`).join(", ") || "no proposal"}`),
    el("td", {}, cand.what_was_wrong), el("td", {}, caseType, proposals, facts,
      el("button", { class: "primary", testid: "candidate-accept", onclick: decide("accept", expected) }, "Accept as eval case"),
      el("button", { testid: "candidate-dismiss", onclick: decide("dismiss", () => ({ reason: "dismissed in the admin view" })) }, "Dismiss"), status));
}
