// Admin monitor view: the drift report of `payinvest monitor report` (GET /api/admin/monitor): the window's
// status, PSI per signal with its alert level and the reference/window shares, the thumbs-down rate, and the
// shadow champion-vs-challenger comparison. Every value is rendered as text (dom.js), never as markup.
import { api } from "./api.js";
import { el, fill, fmt } from "./dom.js";

const WINDOWS = [["1h", "last hour"], ["24h", "last 24 hours"], ["7d", "last 7 days"], ["30d", "last 30 days"]];

const pct = (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`);
const ms = (value) => (value === null || value === undefined ? "—" : `${Math.round(value)} ms`);
const badge = (level, testid) => el("span", { class: `level level-${level}`, testid }, level);

export function renderMonitor(root) {
  const since = el("select", { testid: "monitor-since", "aria-label": "Window" }, WINDOWS.map(([v, label]) => el("option", { value: v, selected: v === "24h" }, label)));
  const summary = el("div", { testid: "monitor-summary", "aria-live": "polite" });
  const signals = el("div", { testid: "monitor-signals" });
  const feedback = el("div", { testid: "monitor-feedback" });
  const shadow = el("div", { testid: "monitor-shadow" });
  const html = el("a", { testid: "monitor-html", target: "_blank", rel: "noopener" }, "Open the HTML report");
  const load = async () => {
    html.href = `/api/admin/monitor?since=${encodeURIComponent(since.value)}&format=html`;
    fill(summary, el("p", { class: "muted" }, "loading…"));
    try {
      const { monitor } = await api("GET", `/api/admin/monitor?since=${encodeURIComponent(since.value)}`);
      show(monitor, { summary, signals, feedback, shadow });
    } catch (e) {
      // No serving release (409 no_reference) is a state to explain, not an error to hide.
      fill(summary, el("p", { testid: "monitor-error" }, e.code === "no_reference" ? `No reference to compare with: ${e.message}. Promote a gated release (payinvest release promote).` : (e.message || String(e))));
      [signals, feedback, shadow].forEach((node) => fill(node));
    }
  };
  since.addEventListener("change", load);
  fill(root, el("section", { class: "monitor" },
    el("h2", {}, "Drift and online quality"),
    el("div", { class: "row" }, since, el("button", { testid: "monitor-refresh", onclick: load }, "Refresh"), html),
    summary, el("h3", {}, "Signals (population stability index against the release's evaluation)"), signals,
    el("h3", {}, "Analysts' feedback"), feedback, el("h3", {}, "Shadow champion vs challenger"), shadow));
  load();
}

function show(report, { summary, signals, feedback, shadow }) {
  const t = report.thresholds;
  fill(summary, el("p", {}, "Status ", badge(report.status, "monitor-status"), ` — ${report.window_turns} turns since ${new Date(report.since).toLocaleString()} against ${report.reference_turns} evaluation turns. `,
    el("span", { class: "muted" }, `PSI below ${t.watch} ok, below ${t.alert} watch, otherwise alert; fewer than ${t.min_turns} turns: insufficient.`)),
    report.alerts.length ? el("p", { testid: "monitor-alerts" }, `Alerts: ${report.alerts.join(", ")}`) : null);
  fill(signals, el("table", { testid: "monitor-signal-table" },
    el("thead", {}, el("tr", {}, ["Signal", "PSI", "Level", "Turns", "Reference → window"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, Object.entries(report.signals).map(([name, s]) => el("tr", { testid: "monitor-signal", "data-signal": name },
      el("th", { scope: "row" }, name), el("td", { testid: "signal-psi" }, s.psi === null ? "n/a" : s.psi.toFixed(3)),
      el("td", {}, badge(s.level, "signal-level")), el("td", {}, String(s.n)), el("td", {}, shares(s)))))));
  const f = report.feedback;
  fill(feedback, el("p", { testid: "monitor-thumbs" }, `Thumbs-down rate ${pct(f.thumbs_down_rate)} (${f.down} down, ${f.up} up on ${f.turns} turns) `, badge(f.level, "thumbs-level"),
    el("span", { class: "muted" }, ` watch from ${pct(report.feedback_thresholds.watch)}, alert from ${pct(report.feedback_thresholds.alert)}`)));
  const sh = report.shadow || { turns: 0, challengers: [] };
  fill(shadow, sh.challengers.length ? el("table", { testid: "monitor-shadow-table" },
    el("thead", {}, el("tr", {}, ["Challenger", "Champion", "Turns", "Case type agreement", "Proposal agreement", "Latency p50 champion / challenger", "Errors"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, sh.challengers.map((c) => el("tr", { testid: "shadow-row" }, el("th", { scope: "row" }, c.release_id), el("td", {}, c.champion_releases.join(", ")), el("td", {}, String(c.turns)),
      el("td", { testid: "shadow-case-agreement" }, pct(c.case_type_agreement)), el("td", { testid: "shadow-proposal-agreement" }, pct(c.proposal_agreement)),
      el("td", {}, `${ms(c.champion_latency.p50_ms)} / ${ms(c.challenger_latency.p50_ms)}`), el("td", {}, String(c.errors))))))
    : el("p", { class: "muted", testid: "shadow-none" }, "No shadow turns in this window (set PAYINVEST_SHADOW_RELEASE and PAYINVEST_SHADOW_SHARE)."));
}

// A bar's width is set through the CSSOM: the app's CSP (style-src 'self') refuses inline style attributes.
function bar(kind, share, title) {
  const node = el("span", { class: `bar ${kind}`, title });
  node.style.width = `${Math.round(share * 120)}px`;
  return node;
}

// Reference and window shares of each bin as paired bars with their percentages.
function shares(signal) {
  const bins = [...new Set([...Object.keys(signal.reference), ...Object.keys(signal.window)])].sort();
  if (!bins.length) return el("span", { class: "muted" }, fmt(signal.note));
  return el("div", { class: "bins" }, bins.map((bin) => {
    const ref = signal.reference[bin] || 0, cur = signal.window[bin] || 0;
    return el("div", { class: "bin", testid: "signal-bin" }, el("span", { class: "bin-name" }, bin),
      bar("ref", ref, `reference ${pct(ref)}`), bar("cur", cur, `window ${pct(cur)}`),
      ` ${pct(ref)} → ${pct(cur)}`);
  }));
}
