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
("Jack Hunt School", "St Mary's") veto the weaker rules, and so does a near miss of the field's
own words ("Caldicott Guardia", ``domain_like``).  Contractions typed without an apostrophe
("theres"), text-speak and role words ("imam", "nana", "SENCO") are never names.  Initials
count when they are dotted ("J.S.") or cued ("pupil LJ (Y6)").  Spans exclude honorifics and "'s".
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from bot.core.privacy import vocab
from bot.core.privacy.lexicon import FIRST, LAST, Lexicon, fold

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SENTENCE_GAP = re.compile(r"[.!?:;\n\"“(\[•*|]")
_PROTECTED = re.compile("|".join(rf"(?:\b{p})" for p in vocab.ALLOWED_PHRASES), re.IGNORECASE)
# Words one of which every allowed phrase contains: a substring test is ~50x cheaper than the
# big alternation, and almost no message contains any of them.
_PROTECTED_ANCHORS = ("law", "baby p", "climbi", "connelly", "labinjo", "hobson", "pelka", "ishaq",
                      "mwangi", "laming", "munro", "men", "little miss", "barnardo", "aid",
                      "action for", "society", "ambulance", "home-start", "alder", "ormond", "trust",
                      "edinburgh", "wish", "motivator", "christmas", "claus", "line", "petchey",
                      "fraser", "gillick", "start for")
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
# Last word of every naming cue: only then is the cue regex worth running.
_CUE_ENDS = frozenset("is was are called named as by name surname nickname".split())
_AGE_AFTER = re.compile(
    r"""(?:
        \s*\(\s*(?:aged?\s*)?\d{1,2}\s*(?:y/?o|yrs?|years?(?:\s+old)?)?\s*\)            # Chidi (7)
      | \s*\(\s*(?:year|yr|y)\s?\d{1,2}\s*\)                                          # Ali (Y5)
      | ,\s*(?:aged?\s+)?\d{1,2}(?:\s*(?:y/?o|yrs?|years?(?:\s+old)?))?                    # Jayden, 8,
        (?=\s*(?:[,.;)]|$|and\b|has\b|is\b|was\b|says\b|said\b|told\b))
      | \s+aged?\s+\d{1,2}\b                                                             # Ayesha aged 15
      | ,?\s+(?:who\s+)?(?:is|was|who['’]s|turned|turns)\s+(?:only\s+|just\s+|now\s+|nearly\s+|almost\s+)?
        \d{1,2}(?:\s*(?:y/?o|yrs?|years?(?:\s+old)?))?
        (?=\s*(?:$|[,.;:!?)]|and\b|but\b|so\b|with\b|in\b|at\b|has\b|lives\b))        # Kai is 6
      | ,?\s+(?:in\s+)?(?:year|yr)\s?\d{1,2}\b                                           # Rhys, Year 9
      | ,?\s+in\s+(?:reception|nursery)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# Initials standing for a person: "J.S.", "A.B", "T. W." anywhere; bare capitals ("LJ", "AB") only
# with a cue before or after (``_INITIAL_BEFORE``, ``_INITIAL_AFTER``): the field is full of acronyms.
_INITIALS = re.compile(r"(?<![\w.])(?:[A-Z]\.[ ]?[A-Z](?:\.[ ]?[A-Z])?\.?|[A-Z]{2,3})(?![\w'’&/-])")
_INITIAL_BEFORE = re.compile(
    r"(?:\b(?:child|pupil|student|learner|yp|client|patient|baby|son|daughter|boy|girl|sibling|brother|sister"
    r"|mindee|initials|named|called|known\s+as|young\s+person)\s*[(,:\-]?\s*|\bre\s+)$",
    re.IGNORECASE,
)
_INITIAL_AFTER = re.compile(
    r"\s*(?:\(\s*(?:aged?\s*)?(?:y(?:ea)?r?\s?)?\d{1,2}|,\s*(?:aged?\s+)?\d{1,2}\b|['’]s\s+(?:mum|dad|mother|father"
    r"|parents?|carer|nan|sister|brother)\b|\s(?:said|says|told|tells|disclosed|discloses|alleged|confided)\b)",
    re.IGNORECASE,
)
# Reported speech and contact verbs that put a lower-case first name in context:
# "grandad said ethan is ...", "spoke to leo today".
_SPOKE_TO = frozenset("spoke speak speaking talked talk talking chatted chat met".split())
_REPORT_VERBS = frozenset("said says told thinks reckons mentioned".split())
_DOMAIN_LONG = tuple(w for w in vocab.DOMAIN_WORDS if len(w) >= 6)


def _osa_within(a: str, b: str, limit: int) -> bool:
    """Optimal-string-alignment distance (edits, with adjacent swaps) of at most ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


def domain_like(key: str) -> bool:
    """Is ``key`` the field's own vocabulary, possibly misspelt ("guardia", "safegaurding")?
    Not cached: it only runs on would-be names, and a cache would keep them in memory."""
    if len(key) < 5 or not key.isalpha():
        return False
    for word in _DOMAIN_LONG:
        if word[0] != key[0] and word[:2] != key[1::-1]:
            continue  # misspellings keep the first letter (or swap the first two)
        if _osa_within(key, word, 2 if len(word) >= 8 else 1):
            return True
    return False


class _Tok(NamedTuple):  # NamedTuple: several times cheaper to build than a frozen dataclass
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

    def _is_field(self, key: str) -> bool:
        """Field vocabulary or a place prefix, also inside hyphenated words ("Pan-London")."""
        if key in vocab.FIELD_WORDS or key in vocab.PLACE_PREFIXES:
            return True
        if "-" not in key:
            return False
        parts = key.split("-")
        # "Ellie-May", "Lily-Rose": a double first name, even when a part is a month.
        if self.lex.role(parts[0]) & FIRST and self._band(parts[0]) <= 3 and all(self.lex.role(p) for p in parts):
            return False
        return any(p in vocab.FIELD_WORDS or p in vocab.NEVER_NAME for p in parts)

    def _band(self, key: str) -> int:
        if key in self.lex.bands or "-" not in key:
            return self.lex.band(key)
        return min((self.lex.band(p) for p in key.split("-") if self.lex.role(p)), default=0)

    def _strong_ok(self, t: _Tok, lower_band: int = 2) -> bool:
        """Is ``t`` acceptable as a name when a near-certain cue points at it?"""
        if t.protected or t.key in vocab.NEVER_NAME or len(t.key) < 2:
            return False
        role = self._role(t.key)
        if self._is_field(t.key) and not role:
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
        if not t.cap or t.upper or (self._is_field(t.key) and not role):
            return False
        if _APOS_NAME.match(t.text):
            return True
        if role & LAST:
            return True  # "Leon Brown": a common-word surname after a name is still a surname
        return band <= 3 if role else band <= 2

    # ----- main entry --------------------------------------------------------------------------
    def find(self, text: str, masked: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        # Blank out structured identifiers and our own placeholders: they are not words of the
        # sentence, and the blanks look the same whether a number or its "[label]" stood there,
        # so redacting the redacted text sees the same context.
        if masked:
            chars = list(text)
            for s, e in masked:
                chars[s:e] = " " * (e - s)
            text = "".join(chars)
        toks = self._tokenise(text)
        n = len(toks)
        heads: list[int] = []  # token indexes that a rule marks as (part of) a name
        for i, t in enumerate(toks):
            if t.protected:
                continue
            strong, weak = self._rules(text, toks, i)
            # Misspelt field vocabulary ("Caldicott Guardia") is checked last: it is rarely reached.
            if strong or (weak and not self._org_context(toks, i)
                          and (self._role(t.key) & FIRST or not domain_like(t.key))):
                heads.append(i)
        spans: list[tuple[int, int]] = []
        for i in heads:
            lo = hi = i
            lower = not toks[i].cap
            # Forward over surname(s) and particles; stop after a possessive.
            while hi + 1 < n and not toks[hi].poss and hi - lo < 3:
                nxt = toks[hi + 1]
                if not nxt.joined:
                    break
                if self._extend_ok(nxt, lower):
                    hi += 1
                elif (nxt.key in _PARTICLES and hi + 2 < n and toks[hi + 2].joined
                      and toks[hi + 2].cap and self._extend_ok(toks[hi + 2], False)):
                    hi += 2
                else:
                    break
            # Backward over first names: "Li Wei's", "Tomasz Kowalski is 12".
            while lo > 0 and hi - lo < 3:
                prev = toks[lo - 1]
                if prev.poss or not toks[lo].joined or not self._extend_ok(prev, lower):
                    break
                if prev.key in vocab.HONORIFICS or (prev.sent_start and self._band(prev.key) > 2):
                    break
                lo -= 1
            spans.append((toks[lo].start, toks[hi].end))
        spans += self._initials(text)
        if spans:
            spans += self._repeats(text, toks, spans)
        return _merge(spans)

    def _initials(self, text: str) -> list[tuple[int, int]]:
        """'child A.B. disclosed', 're LJ:', 'pupil KM (Y6)': initials used in place of a name."""
        out: list[tuple[int, int]] = []
        for m in _INITIALS.finditer(text):
            surface = m.group()
            letters = surface.replace(".", "").replace(" ", "").lower()
            if letters in vocab.ACRONYMS or letters in vocab.NEVER_NAME:
                continue
            s, e = m.start(), m.end()
            if "." not in surface:
                if self._band(letters) > 3:
                    continue  # "child CAN ...": a shouted everyday word, not initials
                cue = _INITIAL_BEFORE.search(text, max(0, s - 25), s)
                after = _INITIAL_AFTER.match(text, e)
                if cue is None and after is None:
                    continue
                if cue is not None and cue.group().lower().startswith("re") and not text.startswith(":", e):
                    continue  # "re AB:" -- a subject line; "re SEN support" is not
            out.append((s, e))
        return out

    def _repeats(self, text: str, toks: list[_Tok], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Once "Mrs Smith" or "Tomasz Kowalski" is found, later bare "Smith"/"Tomasz" are the same
        person even where no rule would fire on its own."""
        surfaces = {text[s:e] for s, e in spans if e - s <= 80}
        merged = _merge(spans)
        starts = [s for s, _ in merged]
        for t in toks:
            if t.cap and len(t.text) >= 3 and _inside(merged, starts, t.start, t.end) and not self._is_field(t.key):
                surfaces.add(t.text)
        out: list[tuple[int, int]] = []
        for t in toks:
            if t.text in surfaces and not t.protected and t.key not in vocab.NEVER_NAME:
                out.append((t.start, t.end))
        return out

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
            if len(gap) <= 3 and gap.strip() in ("", ".") and (prev.cap or not t.cap) and self._strong_ok(t, 2):
                if prev.key != "miss" or t.cap:  # "I miss ..." is a verb
                    return True, False
        # 1b. Initial + surname: "J. Smith", "Dr A. Patel".
        if (len(t.text) == 1 and t.text.isupper() and nxt is not None and nxt.cap
                and nxt.start - t.end <= 3 and text[t.end:nxt.start].strip() == "." and self._role(nxt.key) & LAST
                and self._band(nxt.key) <= 2):
            return True, False

        # 2. Naming cue: "called Reggie", "his name is jack", "name Jordan Taylor".
        cue = None
        if prev is not None and prev.key in _CUE_ENDS and t.start - prev.full_end <= 3:
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
        field = self._is_field(key)

        # 4. Possessive + relation noun: "Kacper's mum", "harvey's dad", "Hope's stepmum".
        if t.poss and nxt is not None and nxt.key in vocab.RELATION_NOUNS and self._strong_ok(t, 2):
            if not (field and not role):
                return False, True
        # 5. Role noun before: "her brother Andrei", "my pupil Aarav", "The child, Evie-Mae".
        # Not in shouted text: "CHILD SAID HE WAS HIT" has no name in it.
        if prev is not None and prev.key in vocab.ROLE_NOUNS and not prev.poss and not (t.upper and prev.upper):
            gap = text[prev.full_end:t.start]
            # A capitalised role noun may be part of a title ("Healthy Child Programme"): then
            # only a lexicon name follows it ("Grandma Joyce", "Baby Arlo").
            if (len(gap) <= 3 and gap.strip() in ("", ",") and (t.cap or role & FIRST) and self._strong_ok(t, 2)
                    and (role or not prev.cap or prev.sent_start)):
                # "nan Nia Hall": after a lower-case role noun a first name is a person even when
                # the next word looks like an organisation ("Hall", "Court").
                return bool(role & FIRST and not prev.cap), True
        # 6. "the Kowalski family".
        if (nxt is not None and nxt.key in vocab.FAMILY_NOUNS and prev is not None and prev.key == "the"
                and t.cap and not field and band <= 2 and not t.upper):
            return False, True
        if field and not role:
            return False, False
        # 7a. Reported speech or contact with a lower-case first name: "grandad said ethan is ...",
        # "spoke to leo today".  Only uncommon-word names: "said will is" stays a verb.
        if prev is not None and role & FIRST and not t.poss and not t.upper and not field:
            if (prev.key in _REPORT_VERBS and band <= 3 and nxt is not None and nxt.joined
                    and (nxt.key in vocab.WEAK_PERSON_VERBS or nxt.key in vocab.STRONG_PERSON_VERBS)):
                return False, True
            if (band <= 2 and prev.key in ("to", "with") and i >= 2 and toks[i - 2].key in _SPOKE_TO
                    and t.joined and prev.joined):
                return False, True
        # 7. Person verb after: "Grace told ...", "ellie said ...", "aisha, says ...".
        if (nxt is not None and nxt.key in vocab.STRONG_PERSON_VERBS and role & FIRST and band <= 2
                and not t.poss and not t.upper and not field and text[t.end:nxt.start] in (",", ", ")):
            return False, True
        if nxt is not None and role and not t.poss and not t.upper and nxt.joined and not field:
            # An everyday word ("Justice", "Cross") only when it starts its capitalised run:
            # "Grace told ..." yes, "Youth Justice said ..." no.
            run_start = prev is None or not prev.cap or prev.key in vocab.GREETINGS
            if nxt.key in vocab.STRONG_PERSON_VERBS and (band <= 2 or (t.cap and (band <= 3 or run_start))):
                return False, True
            if nxt.key in vocab.WEAK_PERSON_VERBS and ((t.cap and band <= 3) or band <= 1) and role & FIRST:
                return False, True
        # 7b. "liam and his mum": a first name, then "and his/her" + a relation noun.
        if (role & FIRST and band <= 2 and not t.poss and i + 3 < len(toks) and toks[i + 1].key == "and"
                and toks[i + 2].key in ("his", "her", "their") and toks[i + 3].key in vocab.RELATION_NOUNS
                and toks[i + 1].joined and toks[i + 2].joined):
            return False, True
        # 8. First name + rare surname: "Grace Taylor", "Will Smith".
        if (t.cap and not t.upper and role & FIRST and key not in vocab.PLACE_PREFIXES
                and nxt is not None and nxt.cap and not nxt.upper
                and nxt.joined and self._role(nxt.key) & LAST
                and self._band(nxt.key) <= 2 and not self._is_field(nxt.key)
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
        """'St Mary's', 'King Edward's', 'Jack Hunt School', 'Harris Federation', 'Willow class',
        'Family Hub', 'Youth Justice'."""
        t = toks[i]
        if t.key in vocab.ORG_NOUNS:
            return True
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is not None and nxt.joined and not t.poss and not nxt.cap and nxt.key in vocab.ORG_NOUNS_LOWER:
            return True
        prev = toks[i - 1] if i > 0 else None
        # Inside a title-case phrase: the word before is a capitalised ordinary word that is not
        # just capitalised for starting the sentence ("the Family Hub", "Red Cross").
        if (prev is not None and t.joined and prev.cap and not prev.sent_start and not prev.poss
                and prev.key not in vocab.GREETINGS and prev.key != "i" and not self._role(prev.key)
                and not (prev.key in vocab.ROLE_NOUNS and (i < 2 or not toks[i - 2].cap or not prev.joined))):
            return True
        # Walk back over the capitalised run: "St Francis Xavier", "King's Lynn".
        k = i
        while k > 0 and i - k < 3 and toks[k].joined and toks[k - 1].cap:
            k -= 1
            if toks[k].key in vocab.PLACE_PREFIXES:
                return True
        j = i + 1
        while (j < len(toks) and j <= i + 3 and toks[j].cap and not toks[j - 1].poss
               and toks[j].joined):
            if toks[j].key in vocab.ORG_NOUNS:
                return True
            j += 1
        return False

    def _title_run(self, toks: list[_Tok], i: int) -> bool:
        """Inside 'Keeping Children Safe In Education'-style title case: 3+ capitalised words
        of which one is an ordinary word."""
        lo = i  # bounded window: a 50k-character run of capitals must stay linear
        while (lo > 0 and i - lo < 4 and toks[lo - 1].cap and not toks[lo].sent_start and not toks[lo - 1].poss
               and toks[lo].joined):
            lo -= 1
        hi = i
        while (hi + 1 < len(toks) and hi - i < 4 and toks[hi + 1].cap and not toks[hi].poss
               and toks[hi + 1].joined):
            hi += 1
        if hi - lo < 2:
            return False
        return any(not self._role(toks[k].key) and self._band(toks[k].key) >= 3 for k in range(lo, hi + 1))

    def _tokenise(self, text: str) -> list[_Tok]:
        low = text.lower()
        ranges: list[tuple[int, int]] = []
        if any(a in low for a in _PROTECTED_ANCHORS):
            ranges += [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]
        if "http" in low or "www." in low:
            ranges += [(m.start(), m.end()) for m in _URL.finditer(text)]
        protected = _merge(ranges)
        starts = [s for s, _ in protected]
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
                protected=_inside(protected, starts, s, full_end), joined=joined,
            ))
            prev_end = full_end
        return toks


def _inside(ranges: list[tuple[int, int]], starts: list[int], s: int, e: int) -> bool:
    """Does [s, e) overlap any of the sorted, disjoint ``ranges``?"""
    k = bisect.bisect_left(starts, e) - 1
    return k >= 0 and ranges[k][1] > s


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
