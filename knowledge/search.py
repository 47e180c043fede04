"""Match free text to an askable knowledge item, offline: BM25 fused with static sentence embeddings.

Every item the product knows is askable (answers, golden rules of each edition, myths, Caldicott
principles, the flowchart's questions and outcomes, glossary terms). Each is indexed twice:
- lexically: one BM25 document (``bm25s`` + the Snowball stemmer) of its title, phrasings and keywords;
- semantically: one static-embedding vector per phrasing (``knowledge.embed``), the item scoring the
  best cosine of any of them.
The two are fused as ``W_COS * cos + (1 - W_COS) * bm25 / (bm25 + SQUASH)`` (../shared/notes/nlp.md §1.6).
Before scoring, acronyms practitioners type are expanded and each word neither the knowledge base nor the
embedding vocabulary knows is corrected to the nearest knowledge-base word (RapidFuzz), so "concent",
"safegaurding" and "DSL" still match.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.embed import StaticEmbedder, default_embedder
from knowledge.loader import Knowledge
from knowledge.schema import Citation

# Acronyms and everyday words practitioners use, mapped to the words the knowledge base uses.
# Expanded for both scorers: the embedding model never saw "DSL" or "s47" used this way.
ACRONYMS: dict[str, str] = {
    "dsl": "designated safeguarding lead",
    "ddsl": "deputy designated safeguarding lead",
    "mash": "multi agency safeguarding hub referral to children's social care",
    "lado": "local authority designated officer allegation against staff",
    "sar": "subject access request",
    "dsar": "subject access request",
    "hv": "health visitor",
    "sw": "social worker",
    "cp": "child protection",
    "cpp": "child protection plan",
    "cin": "child in need",
    "ehcp": "education health and care plan",
    "send": "special educational needs",
    "pr": "parental responsibility",
    "gdpr": "data protection uk gdpr",
    "ukgdpr": "data protection uk gdpr",
    "dpa": "data protection act",
    "dpo": "data protection officer",
    "csc": "children's social care",
    "cs": "children's social care",
    "ss": "social services children's social care",
    "camhs": "child and adolescent mental health services",
    "s47": "section 47 child protection enquiry",
    "s17": "section 17 child in need",
    "s11": "section 11 children act duty",
    "s115": "section 115 crime and disorder act",
    "ico": "information commissioner",
    "dvds": "domestic violence disclosure scheme clare's law",
    "csods": "child sex offender disclosure scheme sarah's law",
    "cse": "child sexual exploitation",
    "cce": "child criminal exploitation",
    "fgm": "female genital mutilation",
    "dv": "domestic abuse",
    "da": "domestic abuse",
    "gp": "doctor gp",
    "sen": "special educational needs",
    "senco": "special educational needs coordinator",
    "yot": "youth offending team",
    "marac": "multi agency risk assessment conference domestic abuse",
    "mca": "mental capacity act",
    "nhs": "health service",
    "ot": "occupational therapist",
    "sg": "safeguarding",
    "hr": "human resources",
    "wt": "working together",
    "info": "information",
    "coppers": "police",
    "cops": "police",
    "mum": "mum parent",
    "dad": "dad parent",
    "mom": "mum parent",
    "kid": "child",
    "kids": "children",
    "pupil": "pupil child",
    "ok": "allowed",
    "okay": "allowed",
    "permission": "permission consent",
    "u": "you",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "yr": "year",
    "yrs": "years",
    "yo": "year old",
    "shud": "should",
    "wot": "what",
    "wat": "what",
    "wiv": "with",
    "wit": "with",
    "cud": "could",
    "wud": "would",
    "sum1": "someone",
    "some1": "someone",
    "any1": "anyone",
    "b4": "before",
    "2day": "today",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "tbh": "",
    "idk": "not sure",
    "asap": "urgently",
    "cos": "because",
    "bc": "because",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "im": "i'm",
    "ive": "i've",
    "tho": "though",
    "abt": "about",
    "w/o": "without",
}

_AGES = re.compile(r"\b(\d{1,2}) ?(?:yo|y/o|y\.o\.|yrs? old|years? old|yr)\b")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    """a an the and or but if of to in on at for with by from is are was were be been being do does did
    i me my we our you your he him his she her they them their it its this that these those what which who
    whom when where why how can could should would will shall may might must have has had not no yes am
    there here about into than then so just also any some all very really i'm i've don't can't won't""".split()
)
_STEMMER = Stemmer.Stemmer("english")
# Words that ask for an older edition: only then may a superseded item come first.
_HISTORY = re.compile(r"\b(2008|2015|2018|old|older|previous|earlier|history|historical|used to|former|"
                      r"superseded|withdrawn|original|course)\b", re.IGNORECASE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def expand(text: str) -> str:
    """The text with practitioners' acronyms and shorthand spelled out (lower case)."""
    out = []
    for w in words(text):
        base = w.removesuffix("'s")
        out.append(ACRONYMS.get(base, w))
    return " ".join(out)


def analyse(text: str) -> list[str]:
    """Lower-case, expand acronyms, drop stop words, stem: the BM25 tokens."""
    out = [w.removesuffix("'s") for w in words(expand(text))]
    return _STEMMER.stemWords([w for w in out if w not in STOPWORDS])


@dataclass(frozen=True)
class Item:
    """The matcher's view of one askable knowledge item."""

    id: str
    kind: str  # answer | rule | myth | caldicott | flow | outcome | term
    title: str
    text: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    advice: str = "depends"  # share | keep_confidential | share_less | depends
    current: bool = True
    edition: str = ""
    cite: Citation | None = None
    cites: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    urgent: bool = False
    law: str | None = None


_EDITION_LABEL = {"current": "DfE 2024", "2018": "HM Government 2018", "2008": "2008 course (historical)"}
_EDITION_YEAR = {"current": "2024", "2018": "2018", "2008": "2008"}
_OUTCOME_ADVICE = {"share": "share", "urgent": "share", "do_not_share": "keep_confidential", "seek_advice": "depends"}


def _from_askable(a: object) -> Item:
    get = a.__getattribute__
    return Item(
        id=get("id"), kind=get("kind"), title=get("title"), text=get("text"),
        questions=tuple(get("questions")), keywords=tuple(getattr(a, "keywords", ()) or ()),
        advice=getattr(a, "advice", "depends") or "depends", current=bool(getattr(a, "current", True)),
        edition=str(getattr(a, "edition", "") or ""), cite=getattr(a, "cite", None),
        cites=tuple(getattr(a, "cites", ()) or ()), related=tuple(getattr(a, "related", ()) or ()),
        urgent=bool(getattr(a, "urgent", False)), law=getattr(a, "law", None),
    )


def items_of(kb: Knowledge) -> list[Item]:
    """Every askable item: the knowledge base's own list when it has one, else built from its tables."""
    askables = getattr(kb, "askables", None)
    if askables:
        items = [_from_askable(a) for a in askables]
        known = {i.id for i in items}
        # Urgency flags and citations live on the answers table; keep them when the askable lacks them.
        for n, item in enumerate(items):
            entry = kb.answers.get(item.id)
            if entry is not None:
                items[n] = Item(**{**item.__dict__, "urgent": entry.urgent, "cites": tuple(entry.cites),
                                   "related": tuple(r for r in (item.related or entry.related) if r)})
        return [i for i in items if i.id in known]
    items: list[Item] = []
    for a in kb.answers.values():
        items.append(Item(id=a.id, kind="answer", title=a.title, text=a.answer, questions=tuple(a.questions),
                          keywords=tuple(a.keywords), advice=getattr(a, "advice", None) or "depends",
                          cite=a.cite, cites=tuple(a.cites), related=tuple(a.related), urgent=a.urgent,
                          edition="DfE 2024"))
    for r in kb.rules.values():
        year = _EDITION_YEAR[r.edition]
        title = f"Golden rule {r.number} ({year}): {r.title}"
        items.append(Item(id=r.id, kind="rule", title=title, text=r.summary, current=r.edition == "current",
                          questions=(r.title, f"golden rule {r.number} {year}", f"what does golden rule {r.number} "
                                     f"of the {year} advice say"),
                          edition=_EDITION_LABEL[r.edition], cite=r.cite))
    for m in kb.myths.values():
        items.append(Item(id=m.id, kind="myth", title=f"Myth: {m.myth}", text=m.answer,
                          current=m.edition == "current", questions=(m.myth, f"is it true that {m.myth}"),
                          edition=_EDITION_LABEL[m.edition], cite=m.cite))
    for p in kb.principles.values():
        items.append(Item(id=p.id, kind="caldicott", title=f"Caldicott principle {p.number}: {p.title}",
                          text=p.summary, questions=(p.title, f"caldicott principle {p.number}"),
                          edition="National Data Guardian 2020", cite=p.cite))
    chart = kb.flowcharts.get("current")
    if chart is not None:
        for node in chart.nodes:
            items.append(Item(id=f"flow:{node.id}", kind="flow", title=node.question, text=node.explain,
                              questions=(node.question,), cite=node.cite, cites=tuple(node.cites),
                              edition=chart.label))
        for out in chart.outcomes:
            items.append(Item(id=f"flow:{out.id}", kind="outcome", title=out.title, text=out.text,
                              questions=(out.title,), cite=out.cite, cites=tuple(out.cites),
                              advice=_OUTCOME_ADVICE.get(out.kind, "depends"), edition=chart.label))
    return items


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def question_part(text: str) -> str:
    """The sentences that ask something (ending in "?"), else the last sentence."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    asks = [s for s in sentences if s.endswith("?")]
    return " ".join(asks) if asks else (sentences[-1] if sentences else "")


@dataclass(frozen=True)
class Match:
    entry: str
    score: float  # fused, 0..1
    cos: float = 0.0
    lex: float = 0.0


# Phrasings learnt from practitioners' real wording (the tuning part of tests/data/questions.jsonl, written
# by benchmarks/learn.py), as QnA Maker's "alternate questions" are; OFF_TOPIC marks messages out of scope.
LEARNED_FILE = Path(__file__).parent / "models" / "learned_phrasings.jsonl"
OFF_TOPIC = "off-topic"


def load_learned(path: Path = LEARNED_FILE) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["id"], r["text"]) for r in rows]


# "Caldicott principle 7", "golden rule 3 (2018)": numbers embeddings cannot count, looked up directly.
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
                 "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8}
_NUM = r"(\d|" + "|".join(_NUMBER_WORDS) + r")"
_PRINCIPLE_N = re.compile(rf"\b(?:caldicott )?principle (?:number |no\.? )?{_NUM}\b|\b{_NUM} caldicott principle\b")
_RULE_N = re.compile(rf"\b(?:golden )?rule (?:number |no\.? )?{_NUM}\b|\b{_NUM} golden rule\b")
_YEAR = re.compile(r"\b(2008|2015|2018|2024)\b")


def _number(m: re.Match[str]) -> int:
    raw = next(g for g in m.groups() if g)
    return int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]


def _slots(text: str) -> list[str]:
    """Item ids a numbered reference names outright."""
    out = []
    low = text.lower()
    for m in _PRINCIPLE_N.finditer(low):
        out.append(f"cp-{_number(m)}")
    if "caldicott" not in low:
        year = _YEAR.search(low)
        edition = {"2008": "2008", "2015": "2018", "2018": "2018"}.get(year.group(1) if year else "", "2024")
        for m in _RULE_N.finditer(low):
            out.append(f"gr{edition}-{_number(m)}")
    return out


# A glossary term answers "what is X" / "what does X stand for"; for anything else the full answer is better.
_DEFINE = re.compile(r"\b(what (is|are|'s|does|do)|whats|define|definition|meaning|mean|means|stand for|stands for|"
                     r"explain|one[- ]line|in a nutshell)\b")


@dataclass
class _Index:
    ids: list[str]
    vectors: np.ndarray  # one row per phrasing (centred, unit length)
    owner: np.ndarray  # item index of each row
    bm25: bm25s.BM25
    vocab: frozenset[str]
    raw_vocab: list[str] = field(default_factory=list)


class Matcher:
    """Built once at start-up from the loaded knowledge; ``search`` is pure and fast."""

    W_COS = 0.3  # weight of the semantic score in the fusion
    LONG = 25  # words: a message this long is scored whole and by its question sentence
    FOCUS = 1.0  # weight of the question sentence's score (0: off)
    SLOT = 0.15  # added to an item a numbered reference names ("principle 7")
    TERM = 0.95  # glossary terms, unless the question asks what something means
    NUMBERED = 0.95  # single rules and principles, unless named by number
    SQUASH = 4.0  # bm25 -> s / (s + SQUASH)
    OLD_EDITION = 0.85  # superseded items, unless the question asks about history
    # Policy thresholds on the fused score (see dialogs/qa.py), calibrated on the tuning split.
    LOW = 0.40
    HIGH = 0.50

    def __init__(self, kb: Knowledge, embedder: StaticEmbedder | None = None,
                 items: Iterable[Item] | None = None, semantic: bool = True,
                 learned: Iterable[tuple[str, str]] | None = None) -> None:
        """``semantic=False`` gives BM25 alone (the benchmark's baseline): no model is loaded.
        ``learned``: (item id or OFF_TOPIC, text) pairs, by default ``models/learned_phrasings.jsonl``."""
        self.kb = kb
        self.semantic = semantic
        self.embedder = embedder if embedder is not None or not semantic else default_embedder()
        self.items: dict[str, Item] = {i.id: i for i in (items if items is not None else items_of(kb))}
        ids = list(self.items)
        extra: dict[str, list[str]] = {}
        off_topic: list[str] = []
        for item_id, text in (learned if learned is not None else load_learned()):
            if item_id == OFF_TOPIC:
                off_topic.append(text)
            elif item_id in self.items:
                extra.setdefault(item_id, []).append(text)
        docs: list[list[str]] = []
        phrasings: list[str] = []
        owner: list[int] = []
        raw: set[str] = set()
        for n, item in enumerate(self.items.values()):
            texts = [item.title, *item.questions, *extra.get(item.id, ())]
            docs.append(analyse(" ".join([*texts, *item.keywords])))
            for t in dict.fromkeys(texts):
                phrasings.append(expand(t))
                owner.append(n)
            for w in words(" ".join([*texts, *item.keywords, item.text])):
                if len(w) >= 4 and w not in STOPWORDS:
                    raw.add(w)
        bm25 = bm25s.BM25()
        bm25.index(docs, show_progress=False)
        vectors = self.embedder.encode_many(phrasings) if self.embedder is not None else np.zeros((len(owner), 1))
        # Centred on the knowledge base's mean phrasing: what every question about sharing has in common
        # says nothing about which item is meant, and off-topic text then scores visibly lower.
        self._centre = vectors.mean(axis=0)
        vectors = self._centred(vectors)
        self._off_topic = (self._centred(self.embedder.encode_many([expand(t) for t in off_topic]))
                           if self.embedder is not None and off_topic else None)
        self._index = _Index(ids=ids, vectors=vectors.astype(np.float32), owner=np.asarray(owner),
                             bm25=bm25, vocab=frozenset(t for d in docs for t in d), raw_vocab=sorted(raw))
        self._raw_set = frozenset(raw)
        self._freq = Counter(w for item in self.items.values()
                             for w in words(" ".join([item.title, *item.questions, *item.keywords, item.text])))
        self._old = np.asarray([not i.current for i in self.items.values()])
        self._term = np.asarray([i.kind == "term" for i in self.items.values()])
        self._numbered = np.asarray([i.kind in ("rule", "caldicott") for i in self.items.values()])
        self._n = len(ids)
        self._pos = {item_id: n for n, item_id in enumerate(ids)}

    def _centred(self, v: np.ndarray) -> np.ndarray:
        v = v - self._centre
        norm = np.linalg.norm(v, axis=-1, keepdims=True)
        return v / np.where(norm > 0, norm, 1.0)

    # --- text normalisation ----------------------------------------------------------------------
    def _known_word(self, w: str) -> bool:
        return w in self._raw_set or (self.embedder is not None and self.embedder.tokenizer.token_to_id(w) is not None)

    def correct(self, text: str) -> str:
        """Each unknown word replaced by the nearest knowledge-base word, when one is close.

        Ties ("concent": consent or concern?) go to the word the knowledge base uses most. A word the
        embedding vocabulary knows is left alone unless it is one letter from a long knowledge-base word
        ("caldicot" is a town, but here it means Caldicott)."""
        out = []
        for w in words(_AGES.sub(r"\1 year old", text.lower())):
            base = w.removesuffix("'s")
            if len(base) >= 4 and base not in ACRONYMS and base not in STOPWORDS and not base.isdigit() \
                    and base not in self._raw_set:
                known = self.embedder is not None and self.embedder.tokenizer.token_to_id(base) is not None
                if known and len(base) < 7:
                    out.append(w)
                    continue
                found = process.extract(base, self._index.raw_vocab, scorer=fuzz.ratio, score_cutoff=78, limit=4)
                if known:
                    found = [f for f in found if OSA.distance(base, f[0]) <= 1]
                if found:
                    w = max(found, key=lambda f: (round(f[1]), self._freq.get(f[0], 0)))[0]
            out.append(w)
        return " ".join(out)

    # --- scoring ---------------------------------------------------------------------------------
    def scores(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fused, cosine and squashed-BM25 scores of every item, in index order."""
        fixed = self.correct(text)
        tokens = [t for t in analyse(fixed) if t in self._index.vocab]
        lex = np.zeros(self._n, dtype=np.float32)
        if tokens:
            raw = self._index.bm25.get_scores(tokens)
            lex = (raw / (raw + self.SQUASH)).astype(np.float32)
        if self.embedder is None:
            fused = lex.copy()
            cos = np.zeros(self._n, dtype=np.float32)
        else:
            sims = self._index.vectors @ self._centred(self.embedder.encode(expand(fixed)))
            cos = np.full(self._n, -1.0, dtype=np.float32)
            np.maximum.at(cos, self._index.owner, sims)
            cos = np.clip(cos, 0.0, 1.0)
            fused = self.W_COS * cos + (1 - self.W_COS) * lex
        if not _HISTORY.search(text):
            fused = np.where(self._old, fused * self.OLD_EDITION, fused)
        if not _DEFINE.search(fixed):
            fused = np.where(self._term, fused * self.TERM, fused)
        slots = [s for s in _slots(fixed) if s in self._pos]
        if slots:
            for slot in slots:
                fused[self._pos[slot]] += self.SLOT
        else:
            fused = np.where(self._numbered, fused * self.NUMBERED, fused)
        return fused, cos, lex

    def off_topic(self, text: str) -> float:
        """Best centred cosine to a known off-topic message (0 when none are known)."""
        if self._off_topic is None:
            return 0.0
        q = self._centred(self.embedder.encode(expand(self.correct(text))))  # type: ignore[union-attr]
        return float(np.max(self._off_topic @ q))

    def search(self, text: str, k: int = 4) -> list[Match]:
        if not words(text):
            return []
        fused, cos, lex = self.scores(text)
        if self.FOCUS and len(words(text)) >= self.LONG:
            # In a long message the question is usually one sentence among the context ("I'm a health
            # visitor… we met mum in March… can I tell the school?"): score it alone too, keep the better.
            ask = question_part(text)
            if ask and ask != text:
                f2, c2, l2 = self.scores(ask)
                better = f2 * self.FOCUS > fused
                fused = np.where(better, f2 * self.FOCUS, fused)
                cos, lex = np.where(better, c2, cos), np.where(better, l2, lex)
        order = np.argsort(-fused)[:k]
        return [Match(self._index.ids[i], float(fused[i]), float(cos[i]), float(lex[i])) for i in order
                if fused[i] > 0]

    def vector(self, text: str) -> np.ndarray:
        """The query's embedding after correction and expansion (for the urgency check)."""
        if self.embedder is None:
            return np.zeros(1, dtype=np.float32)
        return self.embedder.encode(expand(self.correct(text)))
