"""Match a free-text question to a knowledge-base answer, offline.

BM25 (``bm25s`` + the Snowball stemmer) over one document per answer: its title, every phrasing
people use and its keywords (../shared/notes/nlp.md §1.6). Before scoring, a small synonym table
expands the field's acronyms and each unknown word is corrected to the nearest word the index
knows (RapidFuzz), so "concent" and "safegaurding" still match. Scores are squashed to 0–1 so one
threshold pair serves any knowledge base size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer
from rapidfuzz import fuzz, process

from knowledge.loader import Knowledge

# Acronyms and everyday words practitioners use, mapped to the words the answers use.
SYNONYMS: dict[str, str] = {
    "gdpr": "data protection gdpr",
    "dpa": "data protection act",
    "dsl": "designated safeguarding lead",
    "mash": "multi agency safeguarding hub children social care referral",
    "csc": "children social care",
    "s47": "section 47 enquiry",
    "s17": "section 17 child in need",
    "lado": "local authority designated officer",
    "ico": "information commissioner",
    "dvds": "domestic violence disclosure scheme clare",
    "csods": "child sex offender disclosure scheme sarah",
    "coppers": "police",
    "cops": "police",
    "social": "social care",
    "ss": "social services care",
    "mum": "parent",
    "dad": "parent",
    "mom": "parent",
    "parents": "parent",
    "kid": "child",
    "kids": "child",
    "pupil": "child pupil",
    "student": "child pupil",
    "gp": "doctor health",
    "okay": "allowed",
    "ok": "allowed",
    "allowed": "allowed can lawful",
    "permission": "consent",
    "agree": "consent",
    "agreement": "consent",
}

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = frozenset(
    """a an the and or but if of to in on at for with by from is are was were be been being do does did
    i me my we our you your he him his she her they them their it its this that these those what which who
    whom when where why how can could should would will shall may might must have has had not no yes am
    there here about into than then so just also any some all very really""".split()
)
_STEMMER = Stemmer.Stemmer("english")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def analyse(text: str) -> list[str]:
    """Lower-case, expand synonyms, drop stop words, stem."""
    out: list[str] = []
    for word in _words(text):
        word = word.removesuffix("'s")
        expanded = SYNONYMS.get(word, word)
        out.extend(w for w in expanded.split() if w not in STOPWORDS)
    return _STEMMER.stemWords(out)


@dataclass(frozen=True)
class Match:
    entry: str
    score: float  # 0..1


class Matcher:
    """Built once at start-up from the loaded knowledge."""

    # Below LOW: "I can't answer that". Between LOW and HIGH, or close runners-up: "did you mean".
    # Calibrated on tests/dialogs/test_free_text.py: off-topic questions top out near 0.37, on-topic ones
    # start near 0.43.
    LOW = 0.40
    HIGH = 0.42
    SQUASH = 4.0  # score -> s / (s + SQUASH)

    def __init__(self, kb: Knowledge) -> None:
        self._ids = list(kb.answers)
        docs: list[list[str]] = []
        for entry in kb.answers.values():
            text = " ".join([entry.title, *entry.questions, *entry.keywords])
            docs.append(analyse(text))
        self._vocab = sorted({tok for doc in docs for tok in doc})
        self._vocab_set = frozenset(self._vocab)
        # The raw words behind the vocabulary, for typo correction before stemming.
        raw: set[str] = set()
        for entry in kb.answers.values():
            for w in _words(" ".join([entry.title, *entry.questions, *entry.keywords])):
                if len(w) >= 4 and w not in STOPWORDS:
                    raw.add(w)
        self._raw_vocab = sorted(raw)
        self._raw_set = frozenset(raw)
        self._bm25 = bm25s.BM25()
        self._bm25.index(docs, show_progress=False)

    def _correct(self, text: str) -> str:
        words = []
        for word in _words(text):
            if len(word) >= 5 and word not in self._raw_set and word not in SYNONYMS and word not in STOPWORDS:
                best = process.extractOne(word, self._raw_vocab, scorer=fuzz.ratio, score_cutoff=80)
                if best is not None:
                    word = best[0]
            words.append(word)
        return " ".join(words)

    def search(self, text: str, k: int = 4) -> list[Match]:
        tokens = [t for t in analyse(self._correct(text)) if t in self._vocab_set]
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        order = np.argsort(-scores)[:k]
        return [
            Match(self._ids[i], float(scores[i] / (scores[i] + self.SQUASH)))
            for i in order
            if scores[i] > 0
        ]
