"""Rule-based person-name detector: lexicon + context cues, no model.

Confidence ladder (see shared/notes/nlp.md §2.5):

1. near-certain cues make almost any capitalised word a name -- honorifics ("Mrs Patel"),
   naming verbs ("called Reggie", "her name is grace"), an age or year group ("Chidi (7)",
   "Kai is 6", "Rhys, Year 9"), a possessive with a relation noun ("Kacper's mum"), a role noun
   before ("her brother Andrei"), "the Kowalski family";
2. person verbs after a lexicon name ("Grace told ...") rescue everyday-word names;
3. bare lexicon hits count only when the word is rare in English -- "Zainab" anywhere, "Jack"
   mid-sentence, "Will"/"May"/"Hope" never on their own.

Field vocabulary (vocab.FIELD_WORDS, vocab.ALLOWED_PHRASES) and organisation/place context
("Jack Hunt School", "St Mary's") veto the weaker rules.  Spans exclude honorifics and "'s".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.privacy import vocab
from bot.privacy.lexicon import FIRST, LAST, Lexicon, fold

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*")
_SENTENCE_GAP = re.compile(r"[.!?:;\n\"“(\[•*|]")
_PROTECTED = re.compile("|".join(rf"(?:\b{p})" for p in vocab.ALLOWED_PHRASES), re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PARTICLES = frozenset("al el bin bint binti ibn abu ben de da das dos del della di du van von der den le la".split())
_APOS_NAME = re.compile(r"^(?:O|D|N|M)['’][A-Z]|^Ma?c[A-Z][a-z]")

# Text just before a token that names it.  Group "strong": lower-case names of any band count.
_NAMING_CUE = re.compile(
    r"(?:(?P<strong>\bname(?:['’]s|\s+is|\s+was)|\bnames\s+are|\bsurname\s+is|\bnickname\s+is)"
    r"|(?P<mid>\bcalled|\bnamed|\bknown\s+as|\bgoes\s+by|\bknows?\s+(?:him|her|them|the\s+\w+)\s+as)"
    r"|(?P<label>\bname\s*[:\-]?))\s*$",
    re.IGNORECASE,
)
_AGE_AFTER = re.compile(
    r"""(?:
        \s*\(\s*(?:aged?\s*)?\d{1,2}\s*(?:y/?o|yrs?|years?(?:\s+old)?)?\s*\)            # Chidi (7)
      | \s*\(\s*(?:year|yr|y)\s?\d{1,2}\s*\)                                          # Ali (Y5)
      | ,\s*(?:aged?\s+)?\d{1,2}(?:\s*(?:y/?o|yrs?|years?(?:\s+old)?))?(?=\s*(?:[,.;)]|$|and\b|has\b|is\b|was\b|says\b|said\b|told\b))
      | \s+aged?\s+\d{1,2}\b                                                             # Ayesha aged 15
      | ,?\s+(?:who\s+)?(?:is|was|who['’]s|turned|turns)\s+(?:only\s+|just\s+|now\s+|nearly\s+|almost\s+)?
        \d{1,2}(?:\s*(?:y/?o|yrs?|years?(?:\s+old)?))?
        (?=\s*(?:$|[,.;:!?)]|and\b|but\b|so\b|with\b|in\b|at\b|has\b|lives\b))        # Kai is 6
      | ,?\s+(?:in\s+)?(?:year|yr)\s?\d{1,2}\b                                           # Rhys, Year 9
      | ,?\s+in\s+(?:reception|nursery)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int          # end of the base word (possessive "'s" excluded)
    full_end: int     # end including "'s"
    text: str         # base word
    key: str          # folded lower-case base
    poss: bool
    cap: bool
    upper: bool
    sent_start: bool
    protected: bool
    joined: bool      # only 1-2 whitespace characters since the previous token


class NameDetector:
    """Finds person names; pure and thread-safe once built."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon

    # ----- lexicon helpers -----------------------------------------------------------------
    def _role(self, key: str) -> int:
        role = self.lex.role(key)
        if role or "-" not in key:
            return role
        # Hyphenated: "smith-jones", "evie-mae", "al-rashid" -- every part a name or a particle.
        parts = key.split("-")
        roles = [self.lex.role(p) for p in parts]
        if all(r or p in _PARTICLES for r, p in zip(roles, parts, strict=True)) and any(roles):
            out = 0
            for r in roles:
                out |= r
            return out
        return 0

    def _band(self, key: str) -> int:
        if key in self.lex.bands or "-" not in key:
            return self.lex.band(key)
        return min((self.lex.band(p) for p in key.split("-") if self.lex.role(p)), default=0)

    def _strong_ok(self, t: _Tok, lower_band: int = 2) -> bool:
        """Is ``t`` acceptable as a name when a near-certain cue points at it?"""
        if t.protected or t.key in vocab.NEVER_NAME or len(t.key) < 2:
            return False
        role = self._role(t.key)
        if t.key in vocab.FIELD_WORDS and not role:
            return False
        if not t.cap:
            return bool(role) and self._band(t.key) <= lower_band
        if t.upper and not role:
            return False  # acronyms: "called MASH"
        if role or _APOS_NAME.match(t.text):
            return True
        return self._band(t.key) <= 2  # unknown but rare word: "Oluwaseun", "Okonkwo"

    def _extend_ok(self, t: _Tok, lower: bool) -> bool:
        """Can ``t`` continue a name already found ("Aoife O'Neill", "jack smith")?"""
        if t.protected or t.key in vocab.NEVER_NAME or t.key in vocab.ORG_NOUNS:
            return False
        role = self._role(t.key)
        band = self._band(t.key)
        if lower:
            return not t.cap and bool(role & LAST) and band <= 2
        if not t.cap or t.upper or (t.key in vocab.FIELD_WORDS and not role):
            return False
        if _APOS_NAME.match(t.text):
            return True
        if role & LAST:
            return True  # "Leon Brown": a common-word surname after a name is still a surname
        return band <= 3 if role else band <= 2

    # ----- main entry --------------------------------------------------------------------------
    def find(self, text: str, masked: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        toks = self._tokenise(text, masked or [])
        n = len(toks)
        heads: dict[int, bool] = {}  # token index -> was found by a rule that vetoes org context
        for i, t in enumerate(toks):
            if t.protected:
                continue
            strong, weak = self._rules(text, toks, i)
            if strong:
                heads[i] = False
            elif weak and not self._org_context(toks, i):
                heads[i] = True
        spans: list[tuple[int, int]] = []
        for i in sorted(heads):
            lo = hi = i
            lower = not toks[i].cap
            # Forward over surname(s) and particles; stop after a possessive.
            while hi + 1 < n and not toks[hi].poss and hi - lo < 3:
                nxt = toks[hi + 1]
                if not self._adjacent(text, toks[hi], nxt):
                    break
                if self._extend_ok(nxt, lower):
                    hi += 1
                elif (nxt.key in _PARTICLES and hi + 2 < n and self._adjacent(text, nxt, toks[hi + 2])
                      and toks[hi + 2].cap and self._extend_ok(toks[hi + 2], False)):
                    hi += 2
                else:
                    break
            # Backward over first names: "Li Wei's", "Tomasz Kowalski is 12".
            while lo > 0 and hi - lo < 3:
                prev = toks[lo - 1]
                if prev.poss or not self._adjacent(text, prev, toks[lo]) or not self._extend_ok(prev, lower):
                    break
                if prev.key in vocab.HONORIFICS or (prev.sent_start and self._band(prev.key) > 2):
                    break
                lo -= 1
            spans.append((toks[lo].start, toks[hi].end))
        return _merge(spans)

    # ----- rules ---------------------------------------------------------------------------------
    def _rules(self, text: str, toks: list[_Tok], i: int) -> tuple[bool, bool]:
        """Return (strong, weak): strong hits ignore organisation context, weak ones don't."""
        t = toks[i]
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        key = t.key

        # 1. Honorific: "Mrs Patel", "mrs kowalczyk", "Dr. Okonkwo".
        if prev is not None and prev.key in vocab.HONORIFICS and not prev.poss:
            gap = text[prev.end:t.start]
            if gap.strip() in ("", ".") and (prev.cap or not t.cap) and self._strong_ok(t, 2):
                if prev.key != "miss" or t.cap:  # "I miss ..." is a verb
                    return True, False
        # 1b. Initial + surname: "J. Smith", "Dr A. Patel".
        if (len(t.text) == 1 and t.text.isupper() and nxt is not None and nxt.cap
                and text[t.end:nxt.start].strip() == "." and self._role(nxt.key) & LAST
                and self._band(nxt.key) <= 2):
            return True, False

        # 2. Naming cue: "called Reggie", "his name is jack", "name Jordan Taylor".
        cue = _NAMING_CUE.search(text, max(0, t.start - 40), t.start)
        if cue is not None and cue.end() == t.start:
            if cue.group("strong") and self._strong_ok(t, 4):
                return True, False
            if cue.group("mid") and self._strong_ok(t, 3):
                return True, False
            if cue.group("label") and t.cap and self._strong_ok(t, 2):
                return True, False

        # 3. Age or year group right after: "Chidi (7)", "Kai is 6", "Rhys, Year 9".
        if _AGE_AFTER.match(text, t.end) and not t.poss and self._strong_ok(t, 2):
            if t.cap or self._role(key) & FIRST:
                return True, False

        if t.key in vocab.NEVER_NAME or len(key) < 2:
            return False, False
        role = self._role(key)
        band = self._band(key)
        field = key in vocab.FIELD_WORDS

        # 4. Possessive + relation noun: "Kacper's mum", "harvey's dad", "Hope's stepmum".
        if t.poss and nxt is not None and nxt.key in vocab.RELATION_NOUNS and self._strong_ok(t, 2):
            if not (field and not role):
                return False, True
        # 5. Role noun before: "her brother Andrei", "my pupil Aarav", "The child, Evie-Mae".
        if prev is not None and prev.key in vocab.ROLE_NOUNS and not prev.poss:
            gap = text[prev.full_end:t.start]
            if gap.strip() in ("", ",") and (t.cap or role & FIRST) and self._strong_ok(t, 2):
                return False, True
        # 6. "the Kowalski family".
        if (nxt is not None and nxt.key in vocab.FAMILY_NOUNS and prev is not None and prev.key == "the"
                and t.cap and not field and band <= 2 and not t.upper):
            return False, True
        if field and not role:
            return False, False
        # 7. Person verb after: "Grace told ...", "ellie said ...".
        if nxt is not None and role and not t.poss and not t.upper and self._adjacent(text, t, nxt) and not field:
            if nxt.key in vocab.STRONG_PERSON_VERBS and (band <= 2 or t.cap):
                return False, True
            if nxt.key in vocab.WEAK_PERSON_VERBS and ((t.cap and band <= 3) or band <= 1) and role & FIRST:
                return False, True
        # 8. First name + rare surname: "Grace Taylor", "Will Smith".
        if (t.cap and not t.upper and role & FIRST and nxt is not None and nxt.cap and not nxt.upper
                and self._adjacent(text, t, nxt) and self._role(nxt.key) & LAST
                and self._band(nxt.key) <= 2 and nxt.key not in vocab.FIELD_WORDS
                and nxt.key not in vocab.NEVER_NAME and nxt.key not in vocab.ORG_NOUNS):
            return False, True
        # 9. Bare lexicon hit, gated by how common the word is in English.
        if field or t.upper:
            return False, False
        if _APOS_NAME.match(t.text) and t.key not in vocab.NEVER_NAME:
            return False, True
        if t.cap:
            if len(key) < 3 or self._title_run(toks, i):
                return False, False
            if role & FIRST and band <= (2 if t.sent_start else 3):
                return False, True
            if role == LAST and band <= 1 and not t.sent_start:
                return False, True
            return False, False
        if role & FIRST and band == 0 and len(key) >= 4:
            return False, True
        return False, False

    # ----- context helpers -------------------------------------------------------------------------
    def _org_context(self, toks: list[_Tok], i: int) -> bool:
        """'St Mary's', 'King Edward's', 'Jack Hunt School', 'Harris Federation'."""
        prev = toks[i - 1] if i > 0 else None
        if prev is not None and prev.cap and prev.key in vocab.PLACE_PREFIXES and not prev.poss:
            return True
        j = i + 1
        while (j < len(toks) and j <= i + 3 and toks[j].cap and not toks[j - 1].poss
               and self._adjacent_text(toks[j - 1], toks[j])):
            if toks[j].key in vocab.ORG_NOUNS:
                return True
            j += 1
        return False

    def _title_run(self, toks: list[_Tok], i: int) -> bool:
        """Inside 'Keeping Children Safe In Education'-style title case: 3+ capitalised words
        of which one is an ordinary word."""
        lo = i
        while (lo > 0 and toks[lo - 1].cap and not toks[lo].sent_start and not toks[lo - 1].poss
               and self._adjacent_text(toks[lo - 1], toks[lo])):
            lo -= 1
        hi = i
        while (hi + 1 < len(toks) and toks[hi + 1].cap and not toks[hi].poss
               and self._adjacent_text(toks[hi], toks[hi + 1])):
            hi += 1
        if hi - lo < 2:
            return False
        return any(not self._role(toks[k].key) and self._band(toks[k].key) >= 3 for k in range(lo, hi + 1))

    @staticmethod
    def _adjacent_text(a: _Tok, b: _Tok) -> bool:
        return b.joined  # callers only pass consecutive tokens

    @staticmethod
    def _adjacent(text: str, a: _Tok, b: _Tok) -> bool:
        return b.joined

    def _tokenise(self, text: str, masked: list[tuple[int, int]]) -> list[_Tok]:
        protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]
        protected += [(m.start(), m.end()) for m in _URL.finditer(text)]
        protected += masked
        toks: list[_Tok] = []
        prev_end = -1
        for m in _TOKEN.finditer(text):
            word = m.group()
            s, full_end = m.start(), m.end()
            poss = len(word) > 2 and word[-2] in "'’" and word[-1] in "sS"
            base = word[:-2] if poss else word
            e = s + len(base)
            sent = prev_end < 0 or bool(_SENTENCE_GAP.search(text, prev_end, s))
            joined = prev_end >= 0 and 0 < s - prev_end <= 2 and text[prev_end:s].isspace()
            if toks and toks[-1].key.rstrip(".") in vocab.HONORIFICS and len(toks[-1].text) <= 4:
                sent = False  # "Mr. Smith": the dot is an abbreviation, not a full stop
            toks.append(_Tok(
                start=s, end=e, full_end=full_end, text=base, key=fold(base), poss=poss,
                cap=base[:1].isupper(), upper=len(base) > 1 and base.isupper(), sent_start=sent,
                protected=any(ps < full_end and s < pe for ps, pe in protected), joined=joined,
            ))
            prev_end = full_end
        return toks


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
