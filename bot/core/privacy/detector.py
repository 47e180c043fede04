"""The privacy guard: find UK identifying details in a chat message and redact them.

``PrivacyGuard.redact`` runs every detector, resolves overlaps (structured identifiers beat
names; longer beats shorter) and swaps each span for a placeholder such as ``[NHS number]``.
The guard never raises: on an internal error it falls back to the detectors that did run and,
failing that, to redacting the whole message, because letting raw text through is the worse
failure for a privacy guard.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
import traceback
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.privacy import structured
from bot.core.privacy.lexicon import Lexicon
from bot.core.privacy.names import NameDetector

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

_LABEL = re.compile("|".join(re.escape(label) for label in KIND_LABELS.values()))

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
_MAX_REPEAT = 80
_RESCAN_MARGIN = 40
_MAX_ROUNDS = 10


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
            spans += _structured(text)
            # Our own placeholders are neither names nor context for one ("[NHS number]").
            masked = [(s, e) for _, s, e in spans] + [(m.start(), m.end()) for m in _LABEL.finditer(text)]
            names = self._names.find(text, masked)
            spans += [("name", s, e) for s, e in names]
            spans += structured.find_dates(text, names)
            chosen = _resolve(spans)
            dropped = len(chosen) < len(spans)
            # Close the result under "redact again": the same identifier written twice is
            # redacted twice, and once a span is blanked out its neighbour may stand alone
            # ("5919+447911123456", "Jack07700 900123") -- so look again with the spans blanked.
            # Blanking can only matter where a span lost an overlap or touches a word character.
            # Each round only looks around what the previous round added; chains of glued
            # identifiers longer than _MAX_ROUNDS exist only in adversarial text.
            focus = chosen
            for _ in range(_MAX_ROUNDS):
                if not focus:
                    break
                extra = _repeats(text, chosen)
                if dropped or _touching(text, focus):
                    extra += _rescan(text, chosen, set(focus))
                extra = [x for x in extra if not _overlaps(x, chosen)]
                if not extra:
                    break
                before = set(chosen)
                chosen = _resolve(chosen + extra)
                focus = [x for x in chosen if x not in before]
        except Exception as exc:  # never let a detector bug crash the bot
            # Log where it failed, never the message: an exception's text may quote it.
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            log.error("privacy detector failed (%s at %s:%s); redacting what was found so far",
                      type(exc).__name__, frame.filename.rsplit("/", 1)[-1], frame.lineno)
            if not spans:
                return (Finding("name", 0, len(text)),)
            chosen = _resolve(spans)
        return tuple(Finding(k, s, e) for k, s, e in chosen)

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


Span = tuple[str, int, int]


def _structured(text: str) -> list[Span]:
    spans = structured.find_emails(text)
    # Number detectors are the slow ones; skip them when there are too few digits.
    if sum(c.isdigit() for c in text) >= _DIGIT_KINDS_MIN_DIGITS:
        spans += structured.find_nhs(text)
        spans += structured.find_phones(text)
    spans += structured.find_nino(text)
    spans += structured.find_postcodes(text)
    spans += structured.find_addresses(text)
    return spans


def _overlaps(span: Span, chosen: list[Span]) -> bool:
    """Does ``span`` overlap any of ``chosen`` (sorted by start, disjoint)?"""
    k = bisect.bisect_left(chosen, span[2], key=lambda x: x[1]) - 1
    return k >= 0 and chosen[k][2] > span[1]


def _repeats(text: str, chosen: list[Span]) -> list[Span]:
    """Other whole-word occurrences of an identifier already found, with the same kind.
    Searched with the found spans blanked out, as they will be once redacted."""
    blank = _blank(text, chosen)
    out: list[Span] = []
    for kind, surface in {(k, text[s:e]) for k, s, e in chosen}:
        if not 2 <= len(surface.strip()) <= _MAX_REPEAT:
            continue  # identifiers are short; a long merged span would make this quadratic
        if surface not in blank:
            continue  # the common case, and a C-speed check: no other occurrence at all
        pattern = re.compile(rf"(?<![^\W_]){re.escape(surface)}(?![^\W_])")
        out += [(kind, m.start(), m.end()) for m in pattern.finditer(blank)]
    return out


def _touching(text: str, chosen: list[Span]) -> bool:
    """Is any span glued to a letter, digit or '+' -- directly or through up to two punctuation
    characters ("0000-[NHS number]") -- with no whitespace in between?"""
    for _, s, e in chosen:
        for ch in reversed(text[max(0, s - 3):s]):
            if ch.isspace():
                break
            if ch.isalnum() or ch == "+":
                return True
        for ch in text[e:e + 3]:
            if ch.isspace():
                break
            if ch.isalnum() or ch == "+":
                return True
    return False


def _rescan(text: str, chosen: list[Span], focus: set[Span]) -> list[Span]:
    """Structured identifiers that only stand alone once their neighbour is redacted
    ("5919+447911123456", "Jack07700 900123").  The chosen spans are replaced by their real
    labels -- phonenumbers reads the surrounding characters, so a look-alike filler is not
    enough -- and only windows around them are scanned, keeping long messages linear."""
    parts: list[str] = []
    labels: list[tuple[int, int]] = []   # label positions in the relabelled text
    near: list[tuple[int, int]] = []     # ... of the focus spans only
    breaks: list[int] = []               # relabelled offset where each shift starts
    shifts: list[int] = []               # relabelled offset - original offset, from there on
    pos = delta = 0
    for kind, s, e in chosen:
        parts.append(text[pos:s])
        label = KIND_LABELS[kind]
        labels.append((s + delta, s + delta + len(label)))
        if (kind, s, e) in focus:
            near.append(labels[-1])
        parts.append(label)
        delta += len(label) - (e - s)
        breaks.append(s + delta + (e - s))
        shifts.append(delta)
        pos = e
    parts.append(text[pos:])
    relabelled = "".join(parts)

    def original(x: int) -> int:
        k = bisect.bisect_right(breaks, x) - 1
        return x - (shifts[k] if k >= 0 else 0)

    windows: list[tuple[int, int]] = []
    for ls, le in near:
        ws, we = max(0, ls - _RESCAN_MARGIN), min(len(relabelled), le + _RESCAN_MARGIN)
        if windows and ws <= windows[-1][1]:
            windows[-1] = (windows[-1][0], we)
        else:
            windows.append((ws, we))
    edges = [p for ls, le in near for p in (ls, le)]
    out: list[Span] = []
    for ws, we in windows:
        for kind, s, e in _structured(relabelled[ws:we]):
            s, e = s + ws, e + ws
            if _overlaps(("", s, e), [("", ls, le) for ls, le in labels]):
                continue
            if any(abs(s - p) <= 2 or abs(e - p) <= 2 for p in edges):
                out.append((kind, original(s), original(e)))
    return out


def _blank(text: str, spans: list[Span]) -> str:
    """Overwrite spans with bracketed filler of the same length: to neighbouring text (and to
    phonenumbers, which reads context) it looks like the "[label]" that will replace it."""
    chars = list(text)
    for _, s, e in spans:
        n = e - s
        chars[s:e] = "[" + "x" * (n - 2) + "]" if n >= 2 else "]"
    return "".join(chars)


def _resolve(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans, chosen by priority then length, returned sorted by start."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda x: (_PRIORITY[x[0]], -(x[2] - x[1]), x[1])):
        if span[2] > span[1] and not _overlaps(span, chosen):
            bisect.insort(chosen, span, key=lambda x: x[1])
    return chosen


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
