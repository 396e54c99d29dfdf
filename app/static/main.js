// Entry point: login, then the views the user's role may open.
import { api, setCsrf } from "./api.js";
import { renderAdmin } from "./admin.js";
import { renderAnalyst } from "./analyst.js";
import { renderCompliance } from "./compliance.js";
import { renderMonitor } from "./monitor.js";
import { clear, el, fill, showError } from "./dom.js";
import { renderSupervisor } from "./supervisor.js";

const VIEWS = {
  analyst: [["Investigations", renderAnalyst]],
  supervisor: [["Approvals", renderSupervisor]],
  compliance: [["Compliance", renderCompliance]],
  admin: [["Admin", renderAdmin], ["Monitor", renderMonitor]],
};

function start(user) {
  const view = document.getElementById("view");
  const nav = document.getElementById("nav");
  document.getElementById("whoami").textContent = `${user.username} (${user.role})`;
  document.getElementById("logout").hidden = false;
  const views = VIEWS[user.role] || [];
  const open = (i) => { showError(null); [...nav.children].forEach((b, j) => b.classList.toggle("active", i === j)); views[i][1](view); };
  fill(nav, ...views.map(([label], i) => el("button", { testid: `nav-${label.toLowerCase()}`, onclick: () => open(i) }, label)));
  if (views.length) open(0);
}

async function boot() {
  document.getElementById("logout").addEventListener("click", async () => { try { await api("POST", "/api/auth/logout"); } finally { location.reload(); } });
  try {
    const me = await api("GET", "/api/auth/me");
    setCsrf(me.csrf_token);
    return start(me.user);
  } catch (_) { /* not logged in */ }
  document.getElementById("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    try {
      const r = await api("POST", "/api/auth/login", { username: form.get("username"), password: form.get("password") });
      setCsrf(r.csrf_token);
      showError(null);
      start(r.user);
    } catch (e) { showError(e); }
  });
}

boot();
