// Parts of an assistant reply: the copy button, the findings list and the feedback box.
import { api } from "./api.js";
import { el, showError } from "./dom.js";

export function copyButton(testid, label, text) {
  const button = el("button", { class: "icon", testid, title: label, "aria-label": label }, "Copy");
  button.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(text()); button.textContent = "Copied"; button.dataset.copied = "true"; }
    catch (_) { showError({ message: "the browser refused access to the clipboard", code: "clipboard_denied" }); }
  });
  return button;
}

export function findingsCard(findings) {
  return el("ul", { class: "findings", testid: "findings" }, findings.map((f) => el("li", { class: f.untrusted ? "muted" : "" },
    f.text, " ", el("span", { class: "muted" }, [...(f.evidence_ids || []), ...(f.citations || [])].map((e) => `[${e}]`).join(" ")))));
}

// turn(): the turn the reply belongs to (null while unknown: the server takes the last); saved: its stored
// feedback ({rating, comment}), shown pressed after a reload.
export function feedbackBox(conversationId, turn = () => null, saved = null) {
  const comment = el("input", { testid: "feedback-comment", maxlength: "2000", placeholder: "Comment (optional)", "aria-label": "Feedback comment", value: saved?.comment || "" });
  // A thumbs-down or a corrected case type becomes an evaluation candidate an admin reviews.
  const correct = el("select", { testid: "feedback-case-type", title: "The case type it should have been", "aria-label": "The case type it should have been" }, el("option", { value: "" }, "case type was right"));
  api("GET", "/api/case-types").then(({ case_types: types }) => correct.append(...types.map((t) => el("option", { value: t.value, title: t.meaning }, `should be: ${t.value.replace(/_/g, " ")}`)))).catch(() => {});
  const done = el("span", { class: "muted", testid: "feedback-done" }, saved ? "Your feedback is recorded." : "");
  const buttons = {};
  const press = (rating) => { for (const [r, b] of Object.entries(buttons)) b.setAttribute("aria-pressed", String(r === rating)); };
  const send = (rating) => async () => {
    try {
      const { candidate } = await api("POST", `/api/conversations/${encodeURIComponent(conversationId())}/feedback`, { rating, comment: comment.value, case_type: correct.value || null, turn: turn() });
      press(rating);
      done.textContent = candidate ? `Thanks — recorded; sent for review as an evaluation case (${candidate}).` : "Thanks — recorded.";
    } catch (e) { showError(e); }
  };
  buttons.up = el("button", { testid: "thumbs-up", title: "Helpful", onclick: send("up") }, "Helpful");
  buttons.down = el("button", { testid: "thumbs-down", title: "Not helpful", onclick: send("down") }, "Not helpful");
  press(saved?.rating || null);
  return el("div", { class: "row" }, buttons.up, buttons.down, correct, comment, done);
}
