"""An independent, deterministic check of what a reply asserts: status words, codes and amounts vs the truth.

The agent's own verifier counts what it removed (``unsupported_claims`` in its turn result); this check reads the
reply that reached the analyst and flags every assertion that neither the scenario truth nor the evidence the
agent read in that run supports. It is deliberately narrow (few false alarms): ISO status codes, gpi reason
codes, amounts with a currency, and the status words "credited", "rejected", "returned" and "on hold".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from evals.dataset import CaseTruth

# A JSON key with a false/null/empty value (raw evidence pasted into a reply) asserts nothing; other keys are names.
_JSON_KEY_RE = re.compile(r'"[\w ]+(?:"\s*:\s*(?:false|null|\[\]|\{\}|"")?|…)')  # … = a truncated key
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE_RE = re.compile(r"[,;:()]|\bbut\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)
_PROCEDURE_LINE_RE = re.compile(r"^\s*-?\s*Procedure, [^\n]*\[SOP-\d{3}[^\n]*$", re.MULTILINE)
_STATUS_RE = re.compile(r"\b(ACSP|ACCC|ACSC|RJCT|PDNG|ACTC|ACWC)\b")
_REASON_RE = re.compile(r"\b(G00[0-9])\b")
_CURRENCIES = "USD|EUR|GBP|JPY|CHF|SGD|AUD|CAD|SEK|NOK|DKK|PLN|HKD"
_AMOUNT_RE = re.compile(
    rf"\b(?:(?:{_CURRENCIES})\s?(?P<a>\d[\d,]*(?:\.\d+)?)|(?P<b>\d[\d,]*(?:\.\d+)?)\s?(?:{_CURRENCIES}))\b"
)
# A clause that negates, doubts or conditions its statement asserts nothing about the payment's state.
_HEDGE_RE = re.compile(
    r"\b(not|never|no|yet to|without|neither|nor|if|once|until|unless|whether|when|before|after|"
    r"would|could|may|might|should|cannot|can't|isn't|wasn't|hasn't|haven't|didn't|doesn't|won't)\b",
    re.IGNORECASE,
)
# Status words about something other than the payment itself (a recall, a request, an RFI ...), also a request
# named by its camt.110 type ("the supervisor rejected the CONR") or refused with RJCR.
_OTHER_OBJECT_RE = re.compile(
    r"\b(recall|cancellation|camt\.\d{3}|request|claim|amendment|modification|rfi|approval|proposal|"
    r"action|investigation|case|charges?|fees?|conr|ccnr|utap|rqch|rqva|rqfi|rjcr)\b",
    re.IGNORECASE,
)
# A sentence naming a proposal ("PR-796cb7f9d3a1 recall FRAD on PAY-…: rejected by supervisor2") reports a
# decision on the action, not the payment's state.
_PROPOSAL_ID_RE = re.compile(r"\bPR-[0-9a-f]{6,}\b")
_WORDS: dict[str, re.Pattern[str]] = {
    "credited": re.compile(r"\b(credited|was applied|has been applied|reached the beneficiary)\b", re.I),
    "rejected": re.compile(r"\b(rejected|was refused)\b", re.I),
    "returned": re.compile(r"\b(returned|sent back|came back)\b", re.I),
    # A compliance hold (G003), not "held up at an intermediary".
    "held": re.compile(
        r"\b(on hold|frozen|(held|blocked) (by|for) (compliance|sanctions|aml|screening))\b", re.I
    ),
}


def amount_value(text: str) -> Decimal | None:
    """'48,250.00' -> Decimal('48250.00'); None when not a number."""
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _amounts(text: str) -> list[tuple[str, Decimal]]:
    found = []
    for match in _AMOUNT_RE.finditer(text):
        raw = match.group("a") or match.group("b") or ""
        value = amount_value(raw)
        if value is not None:
            found.append((match.group(0), value))
    return found


def _word_supported(word: str, truth: CaseTruth) -> bool:
    statuses = {s for s in (truth.payment_status, *truth.statuses) if s}
    reasons = {r for r in (truth.status_reason, *truth.reasons) if r}
    summary = truth.summary.lower()
    if word == "credited":
        return "ACCC" in statuses or ("credited" in summary and "never credited" not in summary)
    if word == "rejected":
        return "RJCT" in statuses or "reject" in summary
    if word == "returned":
        return "RJCT" in statuses or any(w in summary for w in ("return", "came back", "pacs.004"))
    return "G003" in reasons or "hold" in summary or "held" in summary


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE_RE.split(sentence) if c and c.strip()]


def unsupported_claims(reply: str, truth: CaseTruth, evidence_text: str = "") -> list[str]:
    """Assertions in ``reply`` that the truth and the run's evidence do not support, as short notes."""
    statuses = {s for s in (truth.payment_status, *truth.statuses) if s}
    reasons = {r for r in (truth.status_reason, *truth.reasons) if r}
    evidence_codes = set(_STATUS_RE.findall(evidence_text)) | set(_REASON_RE.findall(evidence_text))
    allowed_amounts = {v for raw in truth.amounts if (v := amount_value(raw)) is not None}
    allowed_amounts |= {value for _, value in _amounts(evidence_text)}
    allowed_amounts |= {
        v for raw in re.findall(r"\d[\d,]*\.\d+|\d{2,}", evidence_text) if (v := amount_value(raw))
    }
    notes: list[str] = []
    reply = _JSON_KEY_RE.sub(" ", reply)
    # A quoted procedure line ("- Procedure, <section>: ..." cited to an SOP) states what the SOP says, not the
    # payment's state: its status words ("payments held for compliance reasons") are not claims.
    reply = _PROCEDURE_LINE_RE.sub(" ", reply)
    for sentence in (s.strip() for s in _SENTENCE_RE.split(reply)):
        if not sentence:
            continue
        about_action = bool(_PROPOSAL_ID_RE.search(sentence))
        for clause in _clauses(sentence):
            hedged = bool(_HEDGE_RE.search(clause))
            for code in _STATUS_RE.findall(clause):
                if not hedged and code not in statuses and code not in evidence_codes:
                    notes.append(f"status {code} (truth: {', '.join(sorted(statuses)) or 'none'})")
            for code in _REASON_RE.findall(clause):
                if not hedged and code not in reasons and code not in evidence_codes:
                    notes.append(f"reason {code} (truth: {', '.join(sorted(reasons)) or 'none'})")
            for word, pattern in _WORDS.items():
                asserted = (
                    pattern.search(clause)
                    and not hedged
                    and not about_action
                    and not _OTHER_OBJECT_RE.search(clause)
                )
                if asserted and not _word_supported(word, truth):
                    notes.append(f"says {word!r} (truth: {truth.payment_status}/{truth.status_reason})")
        for raw, value in _amounts(sentence):
            if value not in allowed_amounts:
                notes.append(f"amount {raw} not in the truth or the evidence")
    return list(dict.fromkeys(notes))
