"""Word lists of the pseudonymiser, and the vocabulary guard for the analyst's free text.

The guard masks every word of the analyst's message that is not in the vocabulary of the shipped SOP
corpus (plus the words below): a name the agent has not seen in any tool result yet, in whatever case or
script, cannot reach the model before the first reads. Codes, references and amounts are left alone.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

# Ordinary words that start or end a capitalised run but are not names.
NOT_NAME_WORDS = {
    "customer",
    "client",
    "beneficiary",
    "creditor",
    "debtor",
    "the",
    "our",
    "their",
    "please",
    "payment",
    "where",
    "why",
    "what",
    "when",
    "how",
    "fraud",
    "supplier",
    "bank",
    "team",
    "invoice",
    "looks",
    "incoming",
    "cover",
    "is",
    "can",
    "could",
    "we",
    "they",
    "he",
    "she",
    "it",
    "this",
    "that",
    "no",
    "not",
    "sent",
    "says",
    "paid",
    "case",
    "swift",
    "target",
    "sepa",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "ignore",
    "approve",
    "send",
    "recall",
    "return",
    "amend",
    "status",
    "claim",
}

# After these words the next one to three words are taken as a name, whatever their case.
TITLE_WORDS = {
    "mr", "mrs", "ms", "miss", "dr", "herr", "frau", "mme", "mlle", "monsieur", "madame", "señor", "señora",
    "sr", "sra", "signor", "signora", "sig", "pan", "pani", "г-н", "г-жа", "господин", "госпожа",
}  # fmt: skip
ROLE_WORDS = {
    "customer", "client", "beneficiary", "payee", "creditor", "debtor", "remitter", "sender", "recipient",
    "kunde", "kundin", "empfänger", "bénéficiaire", "destinataire", "beneficiario", "клиент", "клиентка",
    "получатель", "отправитель", "named", "called",
}  # fmt: skip
LEGAL_WORDS = {
    "gmbh", "ltd", "limited", "plc", "sa", "sas", "sarl", "ag", "bv", "nv", "inc", "llc", "spa", "srl", "kg",
    "co", "and", "van", "der", "den", "de", "la", "le", "von", "di", "da", "du", "del", "dos", "el", "al",
    "group", "holding", "holdings", "services", "international", "trading", "company", "bank", "payments",
}  # fmt: skip

# Chat words an analyst uses that procedures rarely contain.
_CHAT_WORDS = {
    "yesterday", "today", "tomorrow", "hello", "thanks", "thank", "hi", "please", "urgent", "asap", "she", "her",
    "his", "him", "they", "them", "says", "said", "told", "called", "rang", "wrote", "emailed", "email", "phone",
    "mobile", "call", "still", "again", "twice", "money", "funds", "missing", "received", "arrived", "gone",
    "wrong", "help", "check", "why", "where", "what", "when", "who", "which", "how", "did", "does", "has", "have",
    "was", "were", "been", "got", "get", "never", "not", "yet", "last", "week", "month", "ago", "days", "born",
}  # fmt: skip
_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’`-](?=[^\W\d_]))*")
_CODE_RE = re.compile(r"^(?:[A-Z]{2,5}|[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)$")  # ISO codes, currencies, BICs
CORPUS_DIR = Path(__file__).resolve().parents[1] / "retrieval" / "corpus"


@functools.lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Lower-cased words of the SOP corpus, the prompts and the lists above."""
    words: set[str] = set(NOT_NAME_WORDS) | _CHAT_WORDS | ROLE_WORDS
    for folder, pattern in ((CORPUS_DIR, "*.md"), (CORPUS_DIR.parents[1] / "prompts", "**/*")):
        for path in folder.glob(pattern):
            if path.is_file() and path.suffix in (".md", ".txt", ".yaml", ".yml", ""):
                words.update(
                    w.lower() for w in _WORD_RE.findall(path.read_text(encoding="utf-8", errors="ignore"))
                )
    return frozenset(words)


def unknown_words(text: str) -> list[str]:
    """Words of ``text`` outside the vocabulary (names, mostly), longest first, without codes."""
    vocab = vocabulary()
    found = {
        w for w in _WORD_RE.findall(text) if len(w) >= 2 and w.lower() not in vocab and not _CODE_RE.match(w)
    }
    return sorted(found, key=len, reverse=True)
