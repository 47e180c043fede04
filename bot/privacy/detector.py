"""The privacy guard: find UK identifying details in a chat message and redact them.

``PrivacyGuard.redact`` runs every detector, resolves overlaps (structured identifiers beat
names; longer beats shorter) and swaps each span for a placeholder such as ``[NHS number]``.
The guard never raises: on an internal error it falls back to the detectors that did run and,
failing that, to redacting the whole message, because letting raw text through is the worse
failure for a privacy guard.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from bot.privacy import structured
from bot.privacy.lexicon import Lexicon
from bot.privacy.names import NameDetector

log = logging.getLogger(__name__)

KIND_LABELS: dict[str, str] = {
    "name": "[name]",
    "nhs_number": "[NHS number]",
    "ni_number": "[NI number]",
    "postcode": "[postcode]",
    "address": "[address]",
    "date_of_birth": "[date]",
    "phone": "[phone number]",
    "email": "[email]",
}

_PHRASES: dict[str, str] = {
    "name": "a name",
    "nhs_number": "an NHS number",
    "ni_number": "a National Insurance number",
    "postcode": "a postcode",
    "address": "an address",
    "date_of_birth": "a date of birth",
    "phone": "a phone number",
    "email": "an email address",
}

# Overlap priority: a checksum-validated number beats a looser pattern that grazes it.
_PRIORITY = {"email": 0, "nhs_number": 1, "ni_number": 2, "phone": 3, "postcode": 4,
             "date_of_birth": 5, "address": 6, "name": 7}
_DIGIT_KINDS_MIN_DIGITS = 7


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    redacted: str
    findings: tuple[Finding, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """Distinct kinds, in order of first appearance."""
        return tuple(dict.fromkeys(f.kind for f in self.findings))

    def __bool__(self) -> bool:
        return bool(self.findings)


def describe(kinds: Iterable[str]) -> str:
    """Human phrase for what was found, e.g. "a name and an NHS number".  Never the detail."""
    phrases = [_PHRASES.get(k, "an identifying detail") for k in dict.fromkeys(kinds)]
    phrases = list(dict.fromkeys(phrases))
    if not phrases:
        return "no identifying details"
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


class PrivacyGuard:
    """Built once at start-up (loads the lexicon); ``redact`` is pure and thread-safe."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self._names = NameDetector(lexicon or Lexicon.load())

    def find(self, text: str) -> tuple[Finding, ...]:
        if not isinstance(text, str) or not text:
            return ()
        spans: list[tuple[str, int, int]] = []
        try:
            spans += structured.find_emails(text)
            # Number detectors are the slow ones; skip them when there are too few digits.
            if sum(c.isdigit() for c in text) >= _DIGIT_KINDS_MIN_DIGITS:
                spans += structured.find_nhs(text)
                spans += structured.find_phones(text)
            spans += structured.find_nino(text)
            spans += structured.find_postcodes(text)
            spans += structured.find_addresses(text)
            masked = [(s, e) for _, s, e in spans]
            names = self._names.find(text, masked)
            spans += [("name", s, e) for s, e in names]
            spans += structured.find_dates(text, names)
        except Exception:  # noqa: BLE001 - never let a detector bug crash the bot
            log.exception("privacy detector failed; redacting what was found so far")
            if not spans:
                return (Finding("name", 0, len(text)),)
        return _resolve(spans)

    def redact(self, text: str) -> Redaction:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        findings = self.find(text)
        parts: list[str] = []
        pos = 0
        for f in findings:
            parts.append(text[pos:f.start])
            parts.append(KIND_LABELS[f.kind])
            pos = f.end
        parts.append(text[pos:])
        return Redaction("".join(parts), findings)


def _resolve(spans: list[tuple[str, int, int]]) -> tuple[Finding, ...]:
    chosen: list[tuple[str, int, int]] = []
    for kind, s, e in sorted(spans, key=lambda x: (_PRIORITY[x[0]], -(x[2] - x[1]), x[1])):
        if e <= s:
            continue
        if any(s < ce and cs < e for _, cs, ce in chosen):
            continue
        chosen.append((kind, s, e))
    chosen.sort(key=lambda x: x[1])
    return tuple(Finding(k, s, e) for k, s, e in chosen)


_guard: PrivacyGuard | None = None
_guard_lock = threading.Lock()


def get_guard() -> PrivacyGuard:
    """Process-wide guard, built on first use (lexicon load ~0.1 s)."""
    global _guard
    if _guard is None:
        with _guard_lock:
            if _guard is None:
                _guard = PrivacyGuard()
    return _guard
