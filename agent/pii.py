"""Detection of personal data in free text: Presidio's maintained pattern recognisers plus the project's own.

Presidio runs with its ``NoOpNlpEngine`` (no spaCy model, nothing downloaded): IBAN (checksum, spaced,
any case), e-mail, phone (``phonenumbers``), payment card (Luhn), UK NINO, US SSN, UK postcode. The
project adds UK sort code + account, labelled account numbers, dates of birth in their context and labelled
tax ids. Names cannot be found by patterns: ``agent.pseudonymise`` learns them from tool results and
payment parties and matches them case-, accent- and apostrophe-insensitively.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

# Presidio entity -> the pseudonym kind shown to the model (<KIND_n>).
KINDS = {
    "IBAN_CODE": "IBAN",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CARD",
    "UK_NINO": "TAXID",
    "US_SSN": "TAXID",
    "TAX_ID": "TAXID",
    "UK_POSTCODE": "ADDRESS",
    "STREET_ADDRESS": "ADDRESS",
    "SORT_CODE_ACCOUNT": "ACCOUNT",
    "ACCOUNT_NUMBER": "ACCOUNT",
    "DATE_OF_BIRTH": "DOB",
}
MIN_SCORE = {"PHONE_NUMBER": 0.3, "UK_POSTCODE": 0.05}
DEFAULT_MIN_SCORE = 0.5
PHONE_REGIONS = (
    "GB",
    "DE",
    "FR",
    "ES",
    "IT",
    "NL",
    "BE",
    "CH",
    "AT",
    "PL",
    "US",
    "CA",
    "UA",
    "RU",
    "JP",
    "IN",
)

_DATE = (
    r"(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
    r"\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|mars|avr|mai|juin|juil|août|"
    r"sept|déc|januar|februar|märz|juni|juli|oktober|dezember)[a-zéû]*\.?\s+\d{4})"
)
# (entity, regex, score, group to mask): the label stays, the value goes.
PROJECT_PATTERNS: tuple[tuple[str, str, float], ...] = (
    ("SORT_CODE_ACCOUNT", r"(?i)\b\d{2}[- ]\d{2}[- ]\d{2}[\s,/;]+(?:a/?c\s*)?\d{8}\b", 0.9),
    ("SORT_CODE_ACCOUNT", r"(?i)(?<=sort code)[:\s]*\d{2}[- ]?\d{2}[- ]?\d{2}\b", 0.9),
    (
        "ACCOUNT_NUMBER",
        r"(?i)(?<=account|acct\.|a/c|konto|compte|cuenta|conto|счет|счёт|рахунок)"
        r"(?:\s*(?:no\.?|number|nr\.?|n°|#|номер))?[:\s#]*\d[\d \-]{4,22}\d\b",
        0.8,
    ),
    (
        "DATE_OF_BIRTH",
        r"(?i)(?<=born|birth|dob|d\.o\.b\.|geboren|né|née|nacido|nacida|nato|nata|рождения)"
        r"(?:\s*(?:on|le|am|el|il|:))?[:\s]*" + _DATE,
        0.85,
    ),
    (
        "TAX_ID",
        r"(?i)(?<=tax id|tax no|tin|ssn|nino|steuer-id|steuer-idnr|steuernummer|nif|nie|codice fiscale|vat no|"
        r"vat|utr|инн)[.:\s#]*[A-Z0-9][A-Z0-9 \-/]{5,18}[A-Z0-9]\b",
        0.8,
    ),
    (
        "STREET_ADDRESS",
        r"(?i)\b\d{1,4}[a-z]?,?\s+(?:[A-Za-zÀ-ÿ'’.-]+\s){0,3}(?:street|st\.|road|rd\.|avenue|ave\.|lane|"
        r"close|drive|way|place|square|strasse|straße|str\.|weg|gasse|platz)\b",
        0.7,
    ),
    (
        "STREET_ADDRESS",
        r"(?i)\b\d{1,4},?\s+(?:rue|avenue|boulevard|bd|allée|place|calle|avenida|via|viale|piazza)"
        r"(?:\s+[A-Za-zÀ-ÿ'’-]+){1,4}",
        0.7,
    ),
)


@dataclass(frozen=True)
class Finding:
    """One personal value found in a text."""

    kind: str  # the pseudonym kind: IBAN, EMAIL, PHONE, CARD, ACCOUNT, DOB, TAXID, ADDRESS
    start: int
    end: int
    text: str


_LOCK = threading.Lock()
_ANALYZER: Any = None


def _email_recogniser() -> Any:
    """Presidio's e-mail recogniser with tldextract kept offline (its default fetches the suffix list)."""
    import tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):  # type: ignore[misc]
        def validate_result(self, pattern_text: str) -> bool:
            return bool(offline(pattern_text).fqdn)

    return OfflineEmailRecognizer()


def build_analyzer() -> Any:
    """The Presidio analyzer with the recognisers above (no NLP model)."""
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        IbanRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
        UsSsnRecognizer,
    )

    registry = RecognizerRegistry(supported_languages=["en"])
    for recogniser in (
        IbanRecognizer(),
        _email_recogniser(),
        PhoneRecognizer(supported_regions=PHONE_REGIONS),
        CreditCardRecognizer(),
        UkNinoRecognizer(),
        UsSsnRecognizer(),
        UkPostcodeRecognizer(),
    ):
        registry.add_recognizer(recogniser)
    for index, (entity, regex, score) in enumerate(PROJECT_PATTERNS):
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity=entity,
                name=f"payinvest_{entity.lower()}_{index}",
                patterns=[Pattern(name=entity.lower(), regex=regex, score=score)],
            )
        )
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])


def analyzer() -> Any:
    """The process-wide analyzer, built once on first use (~0.5 s)."""
    global _ANALYZER
    with _LOCK:
        if _ANALYZER is None:
            _ANALYZER = build_analyzer()
        return _ANALYZER


def _keep(result: Any) -> bool:
    return result.entity_type in KINDS and result.score >= MIN_SCORE.get(
        result.entity_type, DEFAULT_MIN_SCORE
    )


def find_personal_data(text: str) -> list[Finding]:
    """Non-overlapping findings, longest first where they overlap, in text order (cached per text)."""
    if not text or not text.strip() or not any(c.isdigit() or c == "@" for c in text):
        return []  # every pattern here needs a digit or an @: most prose is skipped without Presidio
    return list(_find_cached(text[:20_000]))


@functools.lru_cache(maxsize=4096)
def _find_cached(text: str) -> tuple[Finding, ...]:
    return tuple(_find(text))


def _find(text: str) -> list[Finding]:
    engine = analyzer()
    results = [r for r in engine.analyze(text=text, language="en") if _keep(r)]
    upper = text.upper()
    if len(upper) == len(text) and upper != text:  # IBANs written in lower case: same offsets upper-cased
        results += [r for r in engine.analyze(text=upper, language="en", entities=["IBAN_CODE"]) if _keep(r)]
    chosen: list[Finding] = []
    for r in sorted(results, key=lambda r: (-(r.end - r.start), r.start)):
        start, end = r.start, r.end
        while start < end and text[start] in " :#,;":  # a pattern may include the separator after a label
            start += 1
        if r.entity_type == "ACCOUNT_NUMBER":  # keep the label's tail ("no.", "number") out of the value
            while start < end and not text[start].isdigit():
                start += 1
        if any(start < f.end and f.start < end for f in chosen):
            continue
        chosen.append(Finding(KINDS[r.entity_type], start, end, text[start:end]))
    return sorted(chosen, key=lambda f: f.start)
