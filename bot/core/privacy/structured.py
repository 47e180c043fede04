"""Detectors for structured identifiers: email, NHS number, NI number, postcode, phone, dates, addresses.

Each returns ``(kind, start, end)`` triples.  Checksums and formats come from maintained
libraries where one exists (python-stdnum for the NHS mod-11 check, phonenumbers for phone
numbers); the rest are regular expressions written to the published formats.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum.gb import nhs as stdnum_nhs

Span = tuple[str, int, int]

# --- email -------------------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"
)


def find_emails(text: str) -> list[Span]:
    return [("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]


# --- NHS number ---------------------------------------------------------------------------------
# 10 digits as 3-3-4 with optional space/hyphen separators; only kept if the mod-11 check digit
# is right, which rejects 10 of 11 random numbers (case references, ticket numbers).
_NHS = re.compile(r"(?<![\d+])\d{3}([ \-]?)\d{3}\1\d{4}(?!\d)")


def find_nhs(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _NHS.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if stdnum_nhs.is_valid(digits):
            out.append(("nhs_number", m.start(), m.end()))
    return out


# --- National Insurance number ------------------------------------------------------------------
# HMRC rules: first letter not D F I Q U V; second not D F I O Q U V; prefixes BG GB KN NK NT TN
# ZZ never issued; suffix A-D.  No checksum exists, but the shape alone is rare in prose.
_NINO = re.compile(
    r"\b(?!(?:BG|GB|KN|NK|NT|TN|ZZ))[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D]\b",
    re.IGNORECASE,
)


def find_nino(text: str) -> list[Span]:
    return [("ni_number", m.start(), m.end()) for m in _NINO.finditer(text)]


# --- postcode -----------------------------------------------------------------------------------
# Full postcodes only, outward area checked against the real list of UK postcode areas, so
# "S47 2AB"-like accidents need a real area code.  Outward-only ("LS6") is a district, not a home.
_AREAS = (
    "AB AL B BA BB BD BF BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY "
    "E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE "
    "LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL "
    "SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()
_AREA_SET = frozenset(_AREAS)
# Cheap shape first (the area is checked in Python): one alternation per position is slow on
# long messages.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:([A-Z]{1,2})\d[A-Z\d]?[ ]?\d[ABD-HJLNP-UW-Z]{2}|GIR[ ]?0AA)(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def find_postcodes(text: str) -> list[Span]:
    out: list[Span] = []
    for m in _POSTCODE.finditer(text):
        area = m.group(1)
        if area is None or area.upper() in _AREA_SET:
            out.append(("postcode", m.start(), m.end()))
    return out


# --- phone numbers ------------------------------------------------------------------------------
# Public helplines are not personal data and practitioners quote them all the time.
PUBLIC_NUMBERS = frozenset({
    "8001111",      # Childline 0800 1111
    "116111",       # Childline (EU short number)
    "8088005000",   # NSPCC helpline 0808 800 5000
    "116123",       # Samaritans
    "8082000247",   # National Domestic Abuse Helpline 0808 2000 247
    "800555111",    # Crimestoppers 0800 555 111
    "3031231113",   # ICO helpline 0303 123 1113
    "3001236600",   # FRANK 0300 123 6600
    "800789321",    # Anti-terrorist hotline 0800 789 321
    "8000121700",   # Modern Slavery helpline 08000 121 700
    "8088025544",   # YoungMinds parents helpline 0808 802 5544
    "8000684141",   # Papyrus HOPELINE247 0800 068 4141
    "999", "112", "111", "101", "105",
})
# Fallback for UK numbers phonenumbers rejects as unallocated -- e.g. Ofcom's drama ranges, or
# a mistyped digit: still a phone number someone typed, still identifying.
_UK_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s\-().]{7,14}\d(?![\d])"
)


def _national_digits(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and raw.lstrip().startswith("+"):
        digits = digits[2:]
    if digits.startswith("0"):
        digits = digits[1:]
    return digits


def find_phones(text: str) -> list[Span]:
    out: list[Span] = []
    taken: list[tuple[int, int]] = []
    try:
        for match in phonenumbers.PhoneNumberMatcher(text, "GB"):
            nsn = str(match.number.national_number)
            if nsn in PUBLIC_NUMBERS:
                continue
            out.append(("phone", match.start, match.end))
            taken.append((match.start, match.end))
    except Exception:  # a library bug must never stop the guard; the regex below still runs
        pass
    k = 0  # both lists run left to right, so one pointer finds any overlap
    pos = 0
    while (m := _UK_PHONE.search(text, pos)) is not None:
        s, e = m.start(), m.end()
        pos = s + 1  # on failure, retry inside this match: "0077000129 010000 0000"
        while k < len(taken) and taken[k][1] <= s:
            k += 1
        if k < len(taken) and taken[k][0] < e:
            continue
        # The pattern is greedy ("01000000000 0 ..."), so try shorter cuts at separators too.
        raw = m.group()
        for cut in sorted({len(raw)} | {i for i, c in enumerate(raw) if not c.isdigit() and raw[i - 1].isdigit()},
                          reverse=True):
            if _uk_number(raw[:cut]):
                out.append(("phone", s, s + cut))
                pos = s + cut
                break
    return out


def _uk_number(raw: str) -> bool:
    nsn = _national_digits(raw)
    # UK national numbers are 9-10 digits after the trunk 0; first digit 1-3, 5, 7-9.
    if len(nsn) not in (9, 10) or nsn[0] not in "1235789" or nsn in PUBLIC_NUMBERS:
        return False
    # Runs of separators mean a list of numbers, not one number.
    return not re.search(r"\s{2,}|--|\.\d", raw) and raw[-1].isdigit()


# --- dates ---------------------------------------------------------------------------------------
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['’]\d{2})"
# Full dates: 12/03/2015, 3.4.16, 2015-03-12, 3rd March 2016, 3 Mar '16, March 3rd, 2016.
_FULL_DATE = re.compile(
    rf"(?<![\w/.\-])(?:(?:0?[1-9]|[12]\d|3[01])([/.\-])(?:0?[1-9]|1[0-2])\1(?:(?:19|20)\d{{2}}|\d{{2}})"
    rf"|(?:19|20)\d{{2}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"
    rf"|{_MONTH}\s+{_DAY},?\s+{_YEAR})(?![\w/])",
    re.IGNORECASE,
)
# Partial dates count only after an explicit birth cue: "born March 2015", "birthday is 3rd May".
_PARTIAL_DATE = re.compile(
    rf"(?<![\w/.\-])(?:{_DAY}\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+{_DAY}|{_MONTH},?\s+(?:19|20)\d{{2}}|"
    rf"(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2]))(?![\w/])",
    re.IGNORECASE,
)
_DOB_CUE = re.compile(
    r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn\b(?:\s+(?:on|in))?|"
    r"\bbirthday\b|\bb\.)\s*(?:is|was|as|=|:|-|–|of)?\s*(?:is|was|on)?\s*$",
    re.IGNORECASE,
)


def find_dates(text: str, name_spans: list[tuple[int, int]]) -> list[Span]:
    """Dates of birth, and full dates written right after a detected name."""
    out: list[Span] = []
    for m in _FULL_DATE.finditer(text):
        s, e = m.start(), m.end()
        before = text[max(0, s - 40):s]
        if _DOB_CUE.search(before) or _follows_name(text, s, name_spans):
            out.append(("date_of_birth", s, e))
    for m in _PARTIAL_DATE.finditer(text):
        s, e = m.start(), m.end()
        if any(s < oe and os_ < e for _, os_, oe in out):
            continue
        if _DOB_CUE.search(text[max(0, s - 40):s]):
            out.append(("date_of_birth", s, e))
    return out


def _follows_name(text: str, start: int, name_spans: list[tuple[int, int]]) -> bool:
    # "Noah Williams 09/02/2014", "Kofi (12.03.2014)": a name then only punctuation before the date.
    for _, ne in name_spans:
        if ne <= start and start - ne <= 6 and re.fullmatch(r"[\s,:(\-–]*", text[ne:start]):
            return True
    return False


# --- street addresses -----------------------------------------------------------------------------
_STREET_TYPES = (
    "road rd street st lane ln avenue ave close drive dr way crescent cres court ct place pl gardens "
    "gdns terrace grove hill walk square sq row mews rise view parade green park vale fields meadow "
    "meadows wynd brow croft chase gate boulevard quay yard heights wharf approach circus end side "
    "bank hollow passage grange villas cottages"
).split()
_ST_CAP = "|".join([w.capitalize() for w in _STREET_TYPES] + [w.upper() for w in _STREET_TYPES])
# Lower-case chat: only unambiguous street words ("3 very close friends" must not match).
_ST_LOWER = "road|rd|street|lane|avenue|ave|crescent|gardens|terrace|grove|mews"
_NAME_WORD = r"(?:[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?|St\.?)"
_FLAT = r"(?i:(?:flat|apartment|apt|unit)\s+\d{1,4}[a-z]?,?\s+)?"
_NUM = r"(?<![\w/.:£$€-])\d{1,4}[a-zA-Z]?,?\s+"
_ADDRESS = re.compile(
    rf"{_FLAT}{_NUM}(?:The\s+(?:{_NAME_WORD}\s+){{0,3}}|(?:{_NAME_WORD}\s+){{1,3}})(?:{_ST_CAP})\b\.?"
    rf"|{_FLAT}{_NUM}(?:[a-z'’]+\s+){{1,2}}(?:{_ST_LOWER})\b"
)
# No house number: "lives on Marsh Road", "address is Elm Grove".
_ADDRESS_CUED = re.compile(
    r"(?i:\b(?:lives?|living|lived|staying|stays|moved|address(?:\s+is)?|house)\s+(?:on|at|in|to|is)?\s*)"
    rf"((?:{_NAME_WORD}\s+){{1,3}}(?:{_ST_CAP})\b)"
)
# A street named after "on" with no cue verb: "staying at grans on Beech Avenue".  Only street
# words that are never a park or building ("on Victoria Park" is somewhere you go, not a home).
_ON_STREET = re.compile(
    rf"\bon\s+((?:{_NAME_WORD}\s+){{1,3}}(?:Road|Street|Lane|Avenue|Close|Drive|Crescent|Grove|Gardens|Terrace"
    rf"|Mews)\b)"
)
# "Park View Academy", "Station Road Surgery": a street name that is part of an organisation's name.
_ORG_AFTER = re.compile(
    r"\s+(?:Academy|School|Primary|Infants?|Juniors?|High|College|Nursery|Surgery|Practice|Clinic|Hospital"
    r"|Centre|Center|Church|Mosque|Library|Station|Medical|Health|Community|Children['’]s|Family)\b"
)
_FLAT_ONLY = re.compile(r"\b(?:[Ff]lat|[Aa]partment)\s+\d{1,4}[a-zA-Z]?\b(?=,)")


_ANY_STREET = re.compile(rf"\b(?:{'|'.join(_STREET_TYPES)})\b|\bflat\b|\bapartment\b", re.IGNORECASE)


# "Section 31 Family Court", "Article 8 Way forward": a number that belongs to the word before.
_NOT_HOUSE_NUMBER = frozenset("""
section article art schedule sch part chapter page paragraph para regulation reg rule principle
standard year yr room level step stage tier phase no number version clause annex appendix figure
table item question""".split())
_COURTS = re.compile(r"\b(?:family|crown|county|combined|magistrates['’]?|youth|high|appeal|supreme|district)"
                     r"\s+(?:court|ct)\b\.?$", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"(?<![A-Za-z'’])([A-Za-z]+)\.?\s*$")  # a whole word, not the s of "It's"


def _is_address(text: str, s: int, e: int) -> bool:
    before = _WORD_BEFORE.search(text, max(0, s - 20), s)
    if before and before.group(1).lower() in _NOT_HOUSE_NUMBER:
        return False
    return not _COURTS.search(text, s, e)


def find_addresses(text: str) -> list[Span]:
    if not _ANY_STREET.search(text):
        return []  # the full patterns are costly on long text; most messages have no street word
    out: list[Span] = [("address", m.start(), m.end()) for m in _ADDRESS.finditer(text)
                       if _is_address(text, m.start(), m.end()) and not _ORG_AFTER.match(text, m.end())]
    for m in (*_ADDRESS_CUED.finditer(text), *_ON_STREET.finditer(text)):
        s, e = m.start(1), m.end(1)
        if (not any(s < oe and os_ < e for _, os_, oe in out) and not _COURTS.search(text, s, e)
                and not _ORG_AFTER.match(text, e)):
            out.append(("address", s, e))
    for m in _FLAT_ONLY.finditer(text):
        s, e = m.start(), m.end()
        if not any(s < oe and os_ < e for _, os_, oe in out):
            out.append(("address", s, e))
    return out
