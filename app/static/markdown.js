// Replies rendered as markdown with the vendored markdown-it (raw HTML off, so model or tool text never
// becomes markup; links limited to markdown-it's safe schemes; no images). Citations become buttons.
import markdownit from "./vendor/markdown-it.js";

const md = markdownit({ html: false, linkify: false, breaks: true, typographer: false }).disable("image");
const CITE_RE = /\[(SOP-\d{3} §[\d.]+|E\d+)\]/g;

// A fragment of the rendered reply; onCite(label) runs when a citation button is clicked.
export function renderMarkdown(text, onCite) {
  // DOMParser builds an inert document: nothing in it runs or loads while it is built.
  const doc = new DOMParser().parseFromString(md.render(text || ""), "text/html");
  for (const a of doc.querySelectorAll("a")) { a.rel = "noopener noreferrer"; a.target = "_blank"; }
  if (onCite) linkCitations(doc, doc.body, onCite);
  const fragment = document.createDocumentFragment();
  fragment.append(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
  if (onCite) rebind(fragment, onCite);
  return fragment;
}

function linkCitations(doc, root, onCite) {
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) if (!walker.currentNode.parentElement.closest("code, pre")) texts.push(walker.currentNode);
  for (const node of texts) {
    const text = node.nodeValue;
    if (!CITE_RE.test(text)) continue;
    CITE_RE.lastIndex = 0;
    const parts = [];
    let last = 0;
    for (const m of text.matchAll(CITE_RE)) {
      parts.push(doc.createTextNode(text.slice(last, m.index)));
      const button = doc.createElement("button");
      button.className = "cite";
      button.dataset.testid = "citation";
      button.dataset.cite = m[1];
      button.textContent = m[1];
      parts.push(button);
      last = m.index + m[0].length;
    }
    parts.push(doc.createTextNode(text.slice(last)));
    node.replaceWith(...parts);
  }
}

// Listeners do not survive importNode: attach them to the imported citation buttons.
function rebind(fragment, onCite) {
  for (const b of fragment.querySelectorAll("button[data-cite]")) b.addEventListener("click", () => onCite(b.dataset.cite));
}
