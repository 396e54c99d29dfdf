"""Check every sentence of a model reply against what the model was given; drop what is not supported.

A sentence is kept only when each claim in it agrees with the sources (the findings for a payment case, the
retrieved sections for a ``general`` question):
- codes (ISO reason/status codes such as G002, AC04, RJCT, CCNR), BICs and references (PAY-, UETR, E2E-,
  CASE-) must appear in the sources;
- amounts (any number with decimals or of three digits or more) and dates (ISO, "12 November") must equal
  one in the sources;
- status words ("credited", "rejected", "returned", "held", "cancelled", "forwarded") must agree with the
  payment's state: "credited" needs ACCC, "not credited" needs anything else, and so on; a status word about a
  request ("the supervisor rejected the CONR", "our recall was refused") is not the payment's state and stands
  only where the sources say the request was turned down;
- action words ("was approved", "has been executed", "the supervisor authorised") claim that a decision was
  taken: a reply is written before any supervisor decides, so such a claim stands only where the sources say
  it (a model talked into "the recall was approved" by injected text loses that sentence); negated it stays.
Repeated sentences and repetition loops inside a sentence are cut. Removed sentences are counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache

from agent.description import parse_dates
from agent.references import _valid_bic
from core.domain import CASE_ID_RE, E2E_ID_RE, PAYMENT_ID_RE, UETR_RE

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\[\"'(])|\n+")
_CODE = re.compile(r"\b(?:[A-Z]{2}\d{2}|G00\d|[A-Z]{4})\b")
_BIC = re.compile(r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b")
_NUMBER = re.compile(
    r"(?<![\w.-])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w-])|(?<![\w.-])\d+\.\d+(?![\w-])|(?<![\w.,-])\d{3,}(?![\w,-])"
)
_NEGATION = re.compile(r"\b(not|never|no|yet to|n't|neither|nor|without)\b[^.]{0,30}$", re.I)
# Status words and the payment state each one asserts.
STATUS_WORDS: dict[str, str] = {
    "credited": "credited",
    "rejected": "rejected",
    "refused": "rejected",
    "returned": "returned",
    "held": "held",
    "on hold": "held",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "forwarded": "forwarded",
}
ACTION_WORDS = ("approved", "executed", "authorised", "authorized")
# a decision stated as taken ("was approved", "has been executed", "the supervisor approved"), not one to come
# ("will be executed once approved")
_ACTION_RE = re.compile(
    r"\b(?:was|were|been|is|are|already|now|got|(?:supervisor|approver|compliance|manager)s?(?:\s+ha(?:s|ve))?)"
    r"\s+(?:\w+\s+)?(" + "|".join(ACTION_WORDS) + r")\b",
    re.I,
)
_STATUS_RE = re.compile(r"\b(" + "|".join(sorted(STATUS_WORDS, key=len, reverse=True)) + r")\b", re.I)
# A status word about a request rather than the payment: "the supervisor rejected the CONR", "our recall was
# refused", "the cancellation request was rejected (RJCR)". The request's fate is not the payment's state (a refused
# recall leaves the payment credited), so such a claim stands only where the sources say it, like a decision.
_REQUESTS = (
    r"(?:recall|request|proposal|investigation|cancellation|amendment|claim|query|action|"
    r"camt\.\d{3}|pacs\.004|CONR|CCNR|UTAP|RQCH|RQVA|RQFI|case)s?"
)
_REQUEST_STATUS_RE = re.compile(
    r"\b" + _REQUESTS + r"\s+(?:\w+\s+){0,2}?(?:was|were|has been|have been|is|are|got)\s+(?:\w+\s+)?"
    r"(rejected|refused|declined|cancelled|canceled)\b"
    r"|\b(rejected|refused|declined|cancelled|canceled)\s+(?:the|our|their|its|this|that|a|an)\s+(?:\w+\s+)?"
    + _REQUESTS
    + r"\b",
    re.I,
)
# How the sources say a request was turned down.
_REFUSALS = ("rejected", "refused", "declined", "rjcr")
# Where the payment is: "is at X", "is now at X", "stopped at X", "sits at X". The BIC must be the agent the
# tracker places it at (both BICs of a path appear in the findings, so the BIC check alone passes a swap).
_POSITION_RE = re.compile(
    r"\b(?i:payment|it)\s+(?i:is|sits|remains|stopped|stays|was stopped|is held|is stuck|is waiting)\s+"
    r"(?i:now\s+|currently\s+|still\s+)?at\s+([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b"
)


@dataclass
class Sources:
    """What a reply may state: the source texts and, for a payment, the states that are true."""

    text: str
    known_codes: frozenset[str]
    states: set[str] | None = None  # None: status words must simply appear in the text (general answers)
    position: str | None = None  # the BIC of the agent the tracker places the payment at, when known
    today: date | None = None
    _amounts: set[Decimal] = field(default_factory=set)
    _dates: set[date] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._amounts = {a for a in (_amount(m) for m in _NUMBER.findall(self.text)) if a is not None}
        self._dates = set(parse_dates(self.text, self.today or date.today()))


@dataclass
class Verdict:
    text: str
    removed: list[str]
    repetitions: int

    @property
    def unsupported(self) -> int:
        return len(self.removed)


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    """Every ISO code the project knows (status, reason, investigation and cancellation codes)."""
    from agent.findings.codes import REASON_MEANING, STATUS_MEANING
    from tools import action_codes

    codes = set(REASON_MEANING) | set(STATUS_MEANING)
    for value in vars(action_codes).values():
        if isinstance(value, type) and issubclass(value, Enum):
            codes.update(str(m.value) for m in value if re.fullmatch(r"[A-Z0-9]{4}", str(m.value)))
    return frozenset(codes)


def _amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None


def _references(text: str) -> list[str]:
    return [
        *PAYMENT_ID_RE.findall(text),
        *(u.lower() for u in UETR_RE.findall(text)),
        *E2E_ID_RE.findall(text),
        *CASE_ID_RE.findall(text),
    ]


def sentence_problems(sentence: str, src: Sources) -> list[str]:
    """The claims of one sentence the sources do not support (empty: the sentence is supported)."""
    problems = []
    plain = re.sub(r"\[[^\]]*\]", " ", sentence)  # citations are checked separately
    lowered_src = src.text.lower()
    for code in _CODE.findall(plain):
        if code in src.known_codes and code not in src.text:
            problems.append(f"code {code}")
    for bic in _BIC.findall(plain):
        if bic not in src.text and bic[:8] not in src.text and _valid_bic(bic):
            problems.append(f"BIC {bic}")
    for ref in _references(plain):
        if ref.lower() not in lowered_src:
            problems.append(f"reference {ref}")
    for raw in _NUMBER.findall(plain):
        value = _amount(raw)
        if value is not None and value not in src._amounts:
            problems.append(f"amount {raw}")
    for day in parse_dates(plain, src.today or date.today()):
        if day not in src._dates:
            problems.append(f"date {day.isoformat()}")
    request_claims = list(_REQUEST_STATUS_RE.finditer(plain))
    about_requests = [m.span() for m in request_claims]
    for match in request_claims:
        word = (match.group(1) or match.group(2)).lower()
        said = _REFUSALS if STATUS_WORDS.get(word, "rejected") == "rejected" else ("cancelled", "canceled")
        negated = bool(_NEGATION.search(plain[: match.start()]))
        if not negated and not any(w in lowered_src for w in said):
            problems.append(f"request {word}")
    for match in _STATUS_RE.finditer(plain):
        if any(start <= match.start() < end for start, end in about_requests):
            continue
        state = STATUS_WORDS[match.group(1).lower()]
        negated = bool(_NEGATION.search(plain[: match.start()]))
        if src.states is None:
            if match.group(1).lower() not in lowered_src:
                problems.append(f"status {match.group(1)}")
        elif negated == (state in src.states):
            problems.append(f"status {'not ' if negated else ''}{state}")
    for match in _POSITION_RE.finditer(plain):
        if src.position and match.group(1)[:8] != src.position[:8]:
            problems.append(f"position {match.group(1)} (the tracker says {src.position})")
    for match in _ACTION_RE.finditer(plain):
        negated = bool(_NEGATION.search(plain[: match.start()]))
        if not negated and match.group(1).lower() not in lowered_src:
            problems.append(f"action {match.group(1)}")
    return problems


def _loop_cut(sentence: str, window: int = 4) -> tuple[str, bool]:
    """Cut a sentence at the second repeat of any ``window``-word sequence (a generation loop)."""
    words = sentence.split()
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - window + 1):
        key = tuple(w.lower() for w in words[i : i + window])
        if key in seen and i - seen[key] >= window:
            return " ".join(words[:i]).rstrip(",;: ") + ".", True
        seen.setdefault(key, i)
    return sentence, False


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s and s.strip()]


def verify(text: str, src: Sources) -> Verdict:
    """Keep the supported sentences, drop repeats and cut loops; count what was removed."""
    kept: list[str] = []
    removed: list[str] = []
    repetitions = 0
    seen: set[str] = set()
    for sentence in split_sentences(text):
        sentence, looped = _loop_cut(sentence)
        repetitions += int(looped)
        key = re.sub(r"\W+", " ", sentence.lower()).strip()
        if not key or key in seen:
            repetitions += int(bool(key))
            continue
        seen.add(key)
        if sentence_problems(sentence, src):
            removed.append(sentence)
        else:
            kept.append(sentence)
    return Verdict(" ".join(kept), removed, repetitions)
