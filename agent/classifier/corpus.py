"""The labelled training corpus: a deterministic generator and the loader of the committed files.

The generator fills the templates of ``templates.py`` with invented references, amounts, parties, banks
and dates, then adds the noise of real analyst messages (lower case, typos, abbreviations, no punctuation).
It uses one ``random.Random(GENERATOR_SEED)``, so ``payinvest classifier corpus --write`` always writes the
same ``data/generated.jsonl``; ``data/handwritten.jsonl`` is written by hand. Neither is derived from the
evaluation datasets.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from agent.classifier.errors import CorpusError
from agent.classifier.features import normalise_text
from agent.classifier.templates import CLOSERS, GENERAL_OPENERS, NARRATIVES, OPENERS, TEMPLATES
from core.domain import CaseType

DATA_DIR = Path(__file__).resolve().parent / "data"
GENERATED_PATH = DATA_DIR / "generated.jsonl"
HANDWRITTEN_PATH = DATA_DIR / "handwritten.jsonl"
GENERATOR_SEED = 20261201
PER_CLASS = 60

_BENEFICIARIES = (
    "Halvorsen Marine AS", "Okafor Trading Ltd", "Brightwell Logistics", "Maison Dufresne SARL",
    "Tanaka Seimitsu KK", "Greenfield Farms LLC", "Kowalski Budownictwo", "Aurora Textiles",
    "Mr J. Pereira", "Ms A. Lindqvist", "Rossi & Figli SpA", "Nordlicht GmbH", "Sunrise Dental Clinic",
    "Patel Imports", "Van der Berg BV", "Estudio Morales", "the landlord", "their supplier",
)  # fmt: skip
_CUSTOMERS = (
    "Acme Tooling", "Mrs Okonkwo", "Baltic Freight", "Mr Schneider", "Lumen Software Ltd",
    "Hartley & Sons", "Ms Dubois", "Contoso Retail", "the customer", "our corporate client",
    "Fenwick Pharma", "Mr Al-Sayed",
)  # fmt: skip
_BANKS = (
    "CHASUS33", "CITIUS33", "BNPAFRPP", "HSBCGB2L", "DEUTDEFF", "UBSWCHZH", "INGBNL2A", "BARCGB22",
    "COBADEFF", "SOGEFRPP", "Citi NY", "JPM", "HSBC London", "Deutsche", "the intermediary",
    "the correspondent", "the beneficiary bank", "our nostro agent",
)  # fmt: skip
_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "SGD", "CAD", "SEK", "AUD")
_DATES = (
    "last friday", "yesterday", "monday", "the 14th", "two weeks ago", "3 Nov", "28 Oct",
    "12/11", "last week", "the 2nd",
)  # fmt: skip
_ABBREVIATIONS = {
    "please": "pls", "payment": "pmt", "beneficiary": "bene", "customer": "cust", "thanks": "thx",
    "because": "bc", "account": "acct", "information": "info", "received": "recd", "with": "w/",
    "amount": "amt", "transfer": "trf", "investigation": "invest.",
}  # fmt: skip


@dataclass(frozen=True)
class Example:
    """One labelled analyst message."""

    id: str
    text: str
    case_type: CaseType
    source: str  # "generated", "handwritten" or "analyst"
    template: str = ""  # the generator template a generated message came from

    @property
    def group(self) -> str:
        """Messages of one template stay on one side of every split, so a split measures new phrasings."""
        return self.template or self.id

    def to_json(self) -> str:
        data = asdict(self)
        data["case_type"] = self.case_type.value
        if not self.template:
            del data["template"]
        return json.dumps(data, ensure_ascii=False)


def text_key(text: str) -> str:
    """The identity of a message for duplicate checks: case and whitespace do not make a new message."""
    return " ".join(text.casefold().split())


def _uetr(rng: random.Random) -> str:
    value = rng.getrandbits(128)
    value = (value & ~(0xF << 76)) | (0x4 << 76)  # version 4
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _amount(rng: random.Random) -> str:
    value = rng.choice(
        (rng.randint(100, 9_999), rng.randint(10_000, 250_000), rng.randint(250_000, 2_000_000))
    )
    cents = rng.choice(("", ".00", f".{rng.randint(1, 99):02d}"))
    ccy = rng.choice(_CURRENCIES)
    short = f"{value / 1000:.1f}k" if value < 1_000_000 else f"{value / 1_000_000:.2f}m"
    shown = rng.choice((f"{value:,}{cents}", f"{value}{cents}", short))
    return rng.choice((f"{ccy} {shown}", f"{shown} {ccy}", f"{ccy}{shown}"))


def _date(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
    return rng.choice(_DATES)


def _reference(rng: random.Random, slots: dict[str, str]) -> str:
    """A payment reference as analysts give it: an id, or only what they know about the payment."""
    kind = rng.choice(("pay", "pay", "uetr", "uetr", "e2e", "desc", "desc"))
    if kind == "pay":
        ref = f"PAY-{rng.randint(1, 99_999_999):08d}"
        return rng.choice((ref, ref, f"payment {ref}", f"pmt {ref}"))
    if kind == "uetr":
        ref = _uetr(rng)
        return rng.choice((ref, f"uetr {ref}", f"UETR {ref}"))
    if kind == "e2e":
        tail = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(rng.randint(8, 16)))
        return rng.choice((f"E2E-{tail}", f"e2e id E2E-{tail}", f"EndToEndId E2E-{tail}"))
    return rng.choice(
        (
            f"the {slots['amt']} payment to {slots['bene']} on {slots['date']}",
            f"our {slots['amt']} transfer to {slots['bene']}",
            f"the payment of {slots['amt']} from {slots['cust']} sent {slots['date']}",
            f"the {slots['amt']} wire",
        )
    )


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.choice(("swap", "drop", "double"))
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _noise(text: str, rng: random.Random) -> str:
    """Analyst style: abbreviations, a typo or two, lower case, no punctuation (each with a probability)."""
    words = text.split(" ")
    if rng.random() < 0.3:
        words = [_ABBREVIATIONS.get(w.lower(), w) for w in words]
    if rng.random() < 0.35:
        for _ in range(rng.randint(1, 2)):
            j = rng.randrange(len(words))
            words[j] = _typo(words[j], rng)
    out = " ".join(words)
    if rng.random() < 0.35:
        out = out.lower()
    if rng.random() < 0.15:
        out = re.sub(r"[.,;!?]", "", out)
    return out


def _fill(template: str, case_type: CaseType, rng: random.Random) -> str:
    slots = {
        "amt": _amount(rng),
        "bene": rng.choice(_BENEFICIARIES),
        "cust": rng.choice(_CUSTOMERS),
        "bank": rng.choice(_BANKS),
        "date": _date(rng),
        "days": str(rng.randint(2, 15)),
    }
    slots["ref"] = _reference(rng, slots)
    body = template.format_map(slots)
    if case_type is CaseType.GENERAL:
        return rng.choice(GENERAL_OPENERS) + body + rng.choice(("", "?", " thanks"))
    if rng.random() < 0.12:
        before, after = rng.choice(NARRATIVES)
        return before.format_map(slots) + body + "." + after
    opener = rng.choice(OPENERS)
    if rng.random() < 0.1:
        opener = f"re CASE-{rng.randint(1, 999_999):06d}: " + opener
    return opener + body + rng.choice(CLOSERS)


def generate_examples(seed: int = GENERATOR_SEED, per_class: int = PER_CLASS) -> list[Example]:
    """``per_class`` distinct messages for every case type, the same list for the same seed."""
    rng = random.Random(seed)
    seen: set[str] = set()
    examples: list[Example] = []
    for case_type in CaseType:
        templates = TEMPLATES[case_type]
        made = 0
        # Bounded: general questions have no slots, so their variety comes only from openers and noise.
        for attempt in range(per_class * 40):
            if made == per_class:
                break
            index = attempt % len(templates) if attempt < len(templates) else rng.randrange(len(templates))
            text = _noise(_fill(templates[index], case_type, rng), rng).strip()
            # Messages that differ only in references or amounts are one message to the model.
            key = text_key(normalise_text(text))
            if key in seen:
                continue
            seen.add(key)
            made += 1
            examples.append(
                Example(
                    f"gen-{case_type.value}-{made:03d}",
                    text,
                    case_type,
                    "generated",
                    f"{case_type.value}/{index}",
                )
            )
    return examples


def write_generated(path: Path = GENERATED_PATH) -> int:
    """Regenerate the committed generated corpus; returns the number of examples written."""
    examples = generate_examples()
    path.write_text("".join(e.to_json() + "\n" for e in examples), encoding="utf-8")
    return len(examples)


def read_jsonl(path: Path, source: str) -> list[Example]:
    """Examples from a JSONL file of ``{"text", "case_type"[, "id"]}`` objects; a bad line is a CorpusError."""
    if not path.exists():
        raise CorpusError(f"corpus file {path} is missing")
    examples: list[Example] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            text = str(raw["text"]).strip()
            case_type = CaseType(raw["case_type"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path.name} line {lineno}: {exc}") from exc
        if not text:
            raise CorpusError(f"{path.name} line {lineno}: empty text")
        example_id = str(raw.get("id") or f"{source}-{lineno}")
        examples.append(Example(example_id, text, case_type, source, str(raw.get("template") or "")))
    return examples


def load_corpus() -> list[Example]:
    """The committed corpus: generated then hand-written examples."""
    return read_jsonl(GENERATED_PATH, "generated") + read_jsonl(HANDWRITTEN_PATH, "handwritten")


def corpus_hash(extra: Iterable[Path] = ()) -> str:
    """SHA-256 over the committed corpus files (and any extra label files), the training data's identity."""
    digest = hashlib.sha256()
    for path in (GENERATED_PATH, HANDWRITTEN_PATH, *extra):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()
