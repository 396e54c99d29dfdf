// The supervisor's basis of a proposal: the evidence it rests on and the procedure section its turn cites, side by side.
import { api } from "./api.js";
import { el, fill } from "./dom.js";
import { evidenceCard, fillEvidence } from "./evidence.js";

// The first SOP section the proposal's turn cites (else the first one it retrieved), as "SOP-002 §3".
export function citedSection(turnResult) {
  const r = turnResult || {};
  const cited = [...(r.citations || []), ...(r.findings || []).flatMap((f) => f.citations || [])].find((c) => /^SOP-[\w-]+ §/.test(c));
  return cited || (r.retrieved || [])[0]?.citation || null;
}

// p: the proposal; turns: its thread's turns. Evidence with labelled fields when its turn's reads are the saved
// ones GET …/evidence returns, else the reads' summaries.
export function proposalBasis(p, turns) {
  const turn = turns.find((t) => t.turn === p.turn) || turns[turns.length - 1] || {};
  const result = turn.result || {};
  const ids = p.evidence_ids || [];
  const calls = (result.tool_calls || []).filter((c) => ids.includes(c.id));
  const cards = calls.map((c) => evidenceCard({ ...c, tool: c.name }));
  const evidence = el("section", { class: "card", testid: "basis-evidence", "aria-label": "Evidence the proposal rests on" },
    el("h3", {}, "Evidence"), cards.length ? cards : el("p", { class: "muted" }, ids.length ? `${ids.join(", ")}: not in the saved turn` : "No evidence named."));
  const sop = el("section", { class: "card", testid: "basis-sop", "aria-label": "Procedure section" }, el("h3", {}, "Procedure"));
  const label = citedSection(result);
  if (!label) sop.append(el("p", { class: "muted" }, "The turn cites no procedure section."));
  else {
    const [id, section] = label.split(" §");
    api("GET", `/api/sop/${encodeURIComponent(id)}/${encodeURIComponent(section)}`).then(({ section: s }) => {
      fill(sop, el("h3", { testid: "basis-sop-title" }, `${s.citation || label} — ${s.section_title || s.title || ""}`),
        el("pre", { testid: "basis-sop-text", tabindex: "0", "aria-label": "Procedure text" }, s.text || ""));
    }).catch((e) => sop.append(el("p", { class: "bad" }, `${label}: ${e.message}`)));
  }
  if (cards.length) {
    api("GET", `/api/conversations/${encodeURIComponent(p.thread_id)}/evidence`).then((found) => {
      if (found.turn !== turn.turn) return;
      const byId = Object.fromEntries(found.evidence.map((e) => [e.id, e]));
      for (const card of cards) if (byId[card.dataset.evidence]) fillEvidence(card, byId[card.dataset.evidence]);
    }).catch(() => {});
  }
  return el("div", { class: "basis", testid: "proposal-basis" }, evidence, sop);
}
