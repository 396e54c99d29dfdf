"""Replace personal data (names, IBANs, account numbers) by stable tokens before any model sees it."""

from __future__ import annotations

import re
from typing import Any

from core.domain import IBAN_PATTERN

_IBAN_RE = re.compile(rf"(?<![A-Za-z0-9]){IBAN_PATTERN}(?![A-Za-z0-9])")
# Bare account numbers: 8-18 digits not glued to letters, dashes or dots (keeps PAY-00012345 and amounts).
_ACCOUNT_RE = re.compile(r"(?<![\w\-.,])\d{8,18}(?![\w\-.,])")
_TOKEN_RE = re.compile(r"<(PARTY|IBAN|ACCOUNT)_\d+>")
# Placeholder-shaped text a small model sometimes invents (e.g. <VALUE_DATE_1>): never shown to the analyst as if
# it were a value.
_ANY_TOKEN_RE = re.compile(r"<[A-Z][A-Z]*(?:_[A-Z]+)*_\d+>")
INVENTED_PLACEHOLDER = "[not in evidence]"
_NAME_KEY_RE = re.compile(r"(^|_)(name|debtor|creditor|payee|beneficiary|customer|holder)($|_name)", re.I)
_ACCOUNT_KEY_RE = re.compile(r"(iban|account)", re.I)
# Free-text names: 2-4 capitalised words (persons and companies); over-masking is the safe side.
_NAME_TEXT_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -](?:[A-Z][a-zA-Z&.']+|&)){1,3}")
_NOT_NAME_WORDS = {
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

    def learn(self, data: Any) -> None:
        """Register names and accounts found under name-like / account-like keys of a tool result."""
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, str) and len(value.strip()) >= 3:
                    if _ACCOUNT_KEY_RE.search(key) and not key.endswith(("_bic", "_currency", "_status")):
                        kind = "IBAN" if _IBAN_RE.fullmatch(value.strip()) else "ACCOUNT"
                        self.register(value, kind)
                    elif _NAME_KEY_RE.search(key) and not _looks_like_code(value):
                        self.register(value, "PARTY")
                else:
                    self.learn(value)
        elif isinstance(data, list):
            for item in data:
                self.learn(item)

    def learn_text(self, text: str) -> None:
        """Register name-like phrases of free text (leading ordinary words such as 'Customer' are dropped)."""
        for match in _NAME_TEXT_RE.finditer(text):
            words = match.group(0).split(" ")
            while words and words[0].lower() in _NOT_NAME_WORDS:
                words.pop(0)
            while words and words[-1].lower() in _NOT_NAME_WORDS:
                words.pop()
            if len(words) >= 2:
                self.register(" ".join(words), "PARTY")

    def mask(self, text: str) -> str:
        """Text with every known value and every IBAN / account number replaced by its token."""
        for value in sorted(self._by_value, key=len, reverse=True):
            if value in text:
                text = text.replace(value, self._by_value[value])
        text = _IBAN_RE.sub(lambda m: self.register(m.group(0), "IBAN"), text)
        return _ACCOUNT_RE.sub(lambda m: self.register(m.group(0), "ACCOUNT"), text)

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
