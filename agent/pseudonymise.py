"""Replace personal data by stable tokens before any model sees it; restore it in what the analyst reads.

Two sources: values learned from tool results (names under party keys, accounts) and payment parties,
matched case-, accent- and apostrophe-insensitively, whole and word by word; and ``agent.pii`` (Presidio's
pattern recognisers plus the project's) for IBANs, e-mails, phones, cards, sort codes and accounts, dates
of birth, tax ids and addresses anywhere in free text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from agent.pii import find_personal_data
from agent.pii_words import LEGAL_WORDS, NOT_NAME_WORDS, ROLE_WORDS, TITLE_WORDS, unknown_words
from core.domain import IBAN_PATTERN

_IBAN_RE = re.compile(rf"(?<![A-Za-z0-9]){IBAN_PATTERN}(?![A-Za-z0-9])")
# Bare account numbers: 8-18 digits not glued to letters, dashes or dots (keeps PAY-00012345 and amounts).
_ACCOUNT_RE = re.compile(r"(?<![\w\-.,])\d{8,18}(?![\w\-.,])")
_TOKEN_RE = re.compile(r"<(PARTY|IBAN|ACCOUNT|EMAIL|PHONE|CARD|DOB|TAXID|ADDRESS)_\d+>")
# Placeholder-shaped text a small model sometimes invents (e.g. <VALUE_DATE_1>): never shown to the analyst as if
# it were a value.
_ANY_TOKEN_RE = re.compile(r"<[A-Z][A-Z]*(?:_[A-Z]+)*_\d+>")
INVENTED_PLACEHOLDER = "[not in evidence]"
_NAME_KEY_RE = re.compile(
    r"(^|_)(name|debtor|creditor|payee|beneficiary|customer|holder|registered_name|ultimate_debtor|"
    r"ultimate_creditor)($|_name)",
    re.I,
)
_CONTACT_KEY_RE = re.compile(
    r"(^|_)(email|phone|mobile|address|street|postcode|birth|dob|tax_id|tin)($|_)", re.I
)
_CONTACT_KINDS = {"email": "EMAIL", "phone": "PHONE", "mobile": "PHONE", "birth": "DOB", "dob": "DOB"}
_CONTACT_KINDS |= {"tax_id": "TAXID", "tin": "TAXID"}
# Words of any script (Latin with accents, Cyrillic, ...) with inner apostrophes and hyphens.
_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’`-](?=[^\W\d_]))*")
_FOLD = {
    "a": "aàáâãäåāą", "c": "cçćč", "e": "eèéêëēęě", "i": "iìíîïī", "n": "nñńň", "o": "oòóôõöøō",
    "u": "uùúûüūů", "y": "yýÿ", "s": "sśšş", "z": "zźżž", "l": "lł", "r": "rř", "d": "dď", "t": "tť", "g": "gğ",
}  # fmt: skip
_ACCOUNT_KEY_RE = re.compile(r"(iban|account)", re.I)
# Free-text names: 2-4 capitalised words (persons and companies); over-masking is the safe side.
_NAME_TEXT_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -](?:[A-Z][a-zA-Z&.']+|&)){1,3}")


class Pseudonymiser:
    """A reversible, per-thread mapping of personal values to tokens such as ``<PARTY_1>``."""

    def __init__(self, mapping: dict[str, str] | None = None) -> None:
        self.mapping: dict[str, str] = dict(mapping or {})  # token -> value
        self._by_value = {value: token for token, value in self.mapping.items()}

    def register(self, value: str, kind: str) -> str:
        """Return the token for ``value`` (creating ``<KIND_n>`` the first time)."""
        value = value.strip()
        if value in self._by_value:
            return self._by_value[value]
        count = sum(1 for token in self.mapping if token.startswith(f"<{kind}_")) + 1
        token = f"<{kind}_{count}>"
        self.mapping[token] = value
        self._by_value[value] = token
        return token

    def register_name(self, name: str) -> str:
        """Register a party name and its distinctive words (a surname alone, a one-word name)."""
        token = self.register(name, "PARTY")
        for word in _WORD_RE.findall(name):
            if len(word) >= 3 and word.lower() not in LEGAL_WORDS | NOT_NAME_WORDS and word != name.strip():
                self.register(word, "PARTY")
        return token

    def learn(self, data: Any) -> None:
        """Register names and accounts found under name-like / account-like keys of a tool result."""
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str) and len(value.strip()) >= 3:
                    if _ACCOUNT_KEY_RE.search(key) and not key.endswith(("_bic", "_currency", "_status")):
                        kind = "IBAN" if _IBAN_RE.fullmatch(value.strip()) else "ACCOUNT"
                        self.register(value, kind)
                    elif _NAME_KEY_RE.search(key) and not _looks_like_code(value):
                        self.register_name(value)
                    elif contact := _CONTACT_KEY_RE.search(key):
                        self.register(value, _CONTACT_KINDS.get(contact.group(2).lower(), "ADDRESS"))
                else:
                    self.learn(value)
        elif isinstance(data, list):
            for item in data:
                self.learn(item)

    def learn_text(self, text: str) -> None:
        """Register name-like phrases of free text: runs of capitalised words (any script), and the words
        after a title or a role word ('mr dupont', 'beneficiary jean müller') in any case."""
        for match in _NAME_TEXT_RE.finditer(text):
            words = match.group(0).split(" ")
            while words and words[0].lower() in NOT_NAME_WORDS:
                words.pop(0)
            while words and words[-1].lower() in NOT_NAME_WORDS:
                words.pop()
            if len(words) >= 2:
                self.register(" ".join(words), "PARTY")
        tokens = list(_WORD_RE.finditer(text))
        run: list[str] = []
        for word in [*tokens, None]:  # capitalised runs outside ASCII (Cyrillic, accented initials)
            if (
                word is not None
                and word.group(0)[0].isupper()
                and word.group(0).lower() not in NOT_NAME_WORDS
            ):
                run.append(word.group(0))
                continue
            if len(run) >= 2 and not all(w.isascii() for w in run):
                self.register(" ".join(run), "PARTY")
            run = []
        for index, word in enumerate(tokens):
            if word.group(0).lower().rstrip(".") not in TITLE_WORDS | ROLE_WORDS:
                continue
            name: list[str] = []
            for nxt in tokens[index + 1 : index + 4]:
                low = nxt.group(0).lower()
                if low in NOT_NAME_WORDS or low in ROLE_WORDS or low in {"of", "at", "for", "with", "from"}:
                    break
                name.append(nxt.group(0))
            if name:
                self.register_name(" ".join(name))

    def mask(self, text: str) -> str:
        """Text with every known value and every detected personal value replaced by its token."""
        if not text:
            return text
        # Detected values first, on the original text, so a known surname cannot split an e-mail address.
        for finding in reversed(find_personal_data(text)):
            if _TOKEN_RE.search(finding.text):
                continue
            token = self.register(finding.text, finding.kind)
            text = text[: finding.start] + token + text[finding.end :]
        # Known values in any case / accent / apostrophe: one token per person, so the model sees one identity.
        for value in sorted(self._by_value, key=len, reverse=True):
            text = _value_pattern(value).sub(self._by_value[value], text)
        text = _IBAN_RE.sub(lambda m: self.register(m.group(0), "IBAN"), text)
        return _ACCOUNT_RE.sub(lambda m: self.register(m.group(0), "ACCOUNT"), text)

    def mask_message(self, text: str) -> str:
        """The analyst's free text for a model: ``mask`` plus every word outside the SOP vocabulary."""
        masked = self.mask(text)
        for word in unknown_words(_TOKEN_RE.sub(" ", masked)):
            masked = _value_pattern(word).sub(self.register(word, "PARTY"), masked)
        return masked

    def mask_data(self, data: Any) -> Any:
        """A copy of a JSON-like value with every string masked (learning names first)."""
        self.learn(data)
        if isinstance(data, str):
            return self.mask(data)
        if isinstance(data, dict):
            return {key: self.mask_data(value) for key, value in data.items()}
        if isinstance(data, list):
            return [self.mask_data(item) for item in data]
        return data

    def unmask(self, text: str) -> str:
        """Restore the real values in text written by a model."""
        return _ANY_TOKEN_RE.sub(lambda m: self.mapping.get(m.group(0), INVENTED_PLACEHOLDER), text)


def _fold(char: str) -> str:
    return unicodedata.normalize("NFD", char)[0].lower()


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _value_pattern(value: str) -> re.Pattern[str]:
    """A regex for ``value`` in any case, with or without accents, any apostrophe, flexible spaces."""
    pattern = _PATTERNS.get(value)
    if pattern is None:
        parts = []
        for char in value:
            base = _fold(char)
            if char in "'’`":
                parts.append("['’`]?")
            elif char.isspace() or char == "-":
                parts.append(r"[\s\-]+")
            elif base in _FOLD:
                parts.append(f"[{_FOLD[base]}]")
            else:
                parts.append(re.escape(char))
        edge_start = r"(?<![\w<])" if value[:1].isalnum() else ""
        edge_end = r"(?![\w>])" if value[-1:].isalnum() else ""
        pattern = re.compile(edge_start + "".join(parts) + edge_end, re.IGNORECASE)
        if len(_PATTERNS) < 50_000:
            _PATTERNS[value] = pattern
    return pattern


def _looks_like_code(value: str) -> bool:
    """Status codes, BICs and ids are not personal names."""
    return value.isupper() and " " not in value and len(value) <= 11


class StreamRestorer:
    """Restore tokens in streamed text, holding back a chunk while a ``<TOKEN_n>`` may be incomplete."""

    def __init__(self, pseudonymiser: Pseudonymiser) -> None:
        self._p = pseudonymiser
        self._buffer = ""

    def feed(self, chunk: str) -> str:
        self._buffer += chunk
        cut = self._buffer.rfind("<")
        if cut != -1 and ">" not in self._buffer[cut:] and len(self._buffer) - cut < 16:
            ready, self._buffer = self._buffer[:cut], self._buffer[cut:]
        else:
            ready, self._buffer = self._buffer, ""
        return self._p.unmask(ready)

    def flush(self) -> str:
        ready, self._buffer = self._buffer, ""
        return self._p.unmask(ready)
