"""Free-text questions answered from the knowledge base.

The answer policy (calibrated on the tuning part of tests/data/questions.jsonl, see
``benchmarks/answers.py``):
- the best match is clear: answer it, with its own related questions as buttons;
- it is close to the runners-up: still answer the best, and offer the next two as buttons;
- two candidates are truly tied and the user can pick: "did you mean" (never in one-shot ``ask``,
  which cannot be picked: there the best answer comes with the others as related questions);
- nothing in the knowledge base is near: "I can't answer that", with the flowchart and who to contact.
A message that describes a case gets its best advice answer and is routed into the flowchart; a message
with two questions gets the first answered and the second offered as a button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs import intents
from dialogs.advice import compatible, direction_of
from dialogs.messages import Answer, Choice, Menu, Notice, Reply, Text
from dialogs.sources import local_quotes, quotes_for, source_ref
from dialogs.urgent import UrgencyDetector
from knowledge.loader import Knowledge
from knowledge.search import Item, Match, Matcher, words

ASK_PREFIX = "ask:"
CHOICE_FLOWCHART = Choice(intents.START, "Walk through the flowchart")
CHOICE_TALK = Choice(intents.TALK, "Talk to someone")
CANNOT_ANSWER = (
    "I can't answer that from the information-sharing guidance I hold. I can walk you through the flowchart "
    "of key questions, answer questions about consent, confidentiality, the golden rules, lawful bases and the "
    "Caldicott principles, or point you to someone to talk to."
)

# Kinds of decision.
ANSWER, CLOSE, TIED, CANNOT, CASE = "answer", "close", "tied", "cannot", "case"

# A described situation rather than a question: who did what, told whom.
_CASE = re.compile(
    r"\b(i have|i've got|i've had|we have|we've got|i work|i'm a|i am a|im a|as a|one of (my|our)|a (child|pupil|"
    r"student|girl|boy|young person|parent|mum|dad|family|teenager|baby|toddler) (in|at|on|from|who|has|told|said|"
    r"came|i|we|disclosed|is|was)|(he|she|they) (told|said|has|is|was|asked|came|disclosed)|(told|asked) me|"
    r"disclosed|came to me|my (pupil|student|client|patient|case|caseload|class))\b",
    re.IGNORECASE,
)
_QUESTION_SPLIT = re.compile(r"(?<=[?])\s+|\s+(?:and also|also,|another (?:thing|question)|secondly,?|"
                             r"second question,?|plus,|and secondly|separately,)\s+", re.IGNORECASE)
# Nothing else to go on: words that carry no topic ("hi", "thanks", "ok").
_SMALL_TALK = frozenset("hi hello hey thanks thank cheers ok okay bye morning afternoon evening".split())


@dataclass(frozen=True)
class Decision:
    kind: str  # answer | close | tied | cannot | case
    item: str | None = None
    others: tuple[str, ...] = ()  # runners-up offered as buttons (close) or as the choice (tied)
    second: str | None = None  # a second question's answer, offered as a button
    matches: tuple[Match, ...] = ()


class QADialog:
    # Policy thresholds on the fused score; see benchmarks/answers.py for how they were chosen.
    # Below LOW: out of scope. The best off-topic tuning message scored 0.425, bar one that the off-topic
    # neighbours catch; the on-topic ones start at 0.453.
    LOW = 0.445
    COS_RESCUE, LOW_RESCUE = 0.70, 0.40  # no off-topic tuning message came within 0.06 of this cosine
    CLEAR = 0.06  # gap to the runner-up for a plain answer
    TIE = 0.012  # gap under which two candidates are truly tied
    TIE_MIN = 0.55  # ... and both this good
    CASE_WORDS = 18  # a description of a case is longer than a question
    OFF_COS = 0.6  # this close to a known off-topic message, and closer than to any item: out of scope

    def __init__(self, kb: Knowledge, matcher: Matcher) -> None:
        self.kb = kb
        self.matcher = matcher
        self.items: dict[str, Item] = matcher.items
        self.urgency = UrgencyDetector(matcher.vector)

    # --- understanding ---------------------------------------------------------------------------
    def best_urgent(self, text: str) -> bool:
        """True when the message means danger now by its meaning (the engine checks the rules itself)."""
        return self.urgency.semantic(text)

    def decide(self, text: str, pickable: bool = True) -> Decision:
        parts = [p for p in _QUESTION_SPLIT.split(text.strip()) if len(words(p)) >= 3]
        if len(parts) >= 2:
            first = self._align(self._decide_one(parts[0], False), parts[0])
            second = self._align(self._decide_one(" ".join(parts[1:]), False), " ".join(parts[1:]))
            if first.kind in (ANSWER, CLOSE) and second.kind in (ANSWER, CLOSE) and second.item != first.item:
                return Decision(first.kind, first.item, first.others, second.item, first.matches)
        whole = self._align(self._decide_one(text, pickable), text)
        if whole.kind in (ANSWER, CLOSE) and self.is_case(text):
            best = self._best_advice(whole.matches, direction_of(text)) or whole.item
            return Decision(CASE, best, tuple(m.entry for m in whole.matches if m.entry != best)[:2],
                            matches=whole.matches)
        return whole

    def _align(self, d: Decision, text: str) -> Decision:
        """Never answer with an item whose advice points against the message: a no-risk, no-purpose case
        must not be told to share, nor a child at risk told to keep it to themselves (see dialogs.advice)."""
        if d.item is None or d.kind == CANNOT:
            return d
        wanted = direction_of(text)
        if compatible(self.items[d.item].advice, wanted):
            return d
        fits = [m.entry for m in d.matches if compatible(self.items[m.entry].advice, wanted)]
        if not fits:
            return d
        return Decision(CLOSE if d.kind == TIED else d.kind, fits[0], tuple(fits[1:3]), d.second, d.matches)

    def _decide_one(self, text: str, pickable: bool) -> Decision:
        tokens = [w for w in words(text) if w not in _SMALL_TALK]
        matches = self.matcher.search(text, k=10) if tokens else []
        off = self.matcher.off_topic(text) if matches else 0.0
        return self.policy(matches, off, pickable)

    def policy(self, matches: list[Match], off: float, pickable: bool) -> Decision:
        """The answer policy on the matcher's ranked scores and the off-topic similarity."""
        if not matches:
            return Decision(CANNOT)
        top = matches[0]
        # A short question in other words than the knowledge base's ("what if the parents say no") can be
        # close in meaning with few shared words: a high cosine rescues a fused score just under LOW.
        if top.score < self.LOW and not (top.cos >= self.COS_RESCUE and top.score >= self.LOW_RESCUE):
            return Decision(CANNOT, matches=tuple(matches))
        if off >= self.OFF_COS and off > top.cos:
            return Decision(CANNOT, matches=tuple(matches))
        rest = matches[1:]
        gap = top.score - rest[0].score if rest else 1.0
        if gap >= self.CLEAR:
            return Decision(ANSWER, top.entry, (), matches=tuple(matches))
        # Truly tied: two full answers on different subjects, equally good. A glossary term, a rule or a
        # flowchart step beside an answer overlaps it by design: answer, and offer the other as related.
        if (pickable and gap < self.TIE and rest[0].score >= self.TIE_MIN
                and self.items[top.entry].kind == self.items[rest[0].entry].kind == "answer"):
            tied = tuple(m.entry for m in rest if top.score - m.score < self.TIE)[:2]
            return Decision(TIED, top.entry, tied, matches=tuple(matches))
        return Decision(CLOSE, top.entry, tuple(m.entry for m in rest[:2]), matches=tuple(matches))

    def is_case(self, text: str) -> bool:
        return len(words(text)) >= self.CASE_WORDS and _CASE.search(text) is not None

    def _best_advice(self, matches: tuple[Match, ...], wanted: str | None) -> str | None:
        for m in matches:
            item = self.items[m.entry]
            if item.kind in ("answer", "outcome") and item.current and compatible(item.advice, wanted):
                return m.entry
        return None

    def confident(self, text: str) -> str | None:
        """The item id when the text is a question the knowledge base answers, else None."""
        d = self.decide(text, pickable=False)
        return d.item if d.kind in (ANSWER, CLOSE, CASE) else None

    # --- replies ---------------------------------------------------------------------------------
    def ask(self, text: str, pickable: bool = True) -> list[Reply]:
        d = self.decide(text, pickable)
        return self.replies_for(d)

    def replies_for(self, d: Decision) -> list[Reply]:
        if d.kind == CANNOT or d.item is None:
            return self.cannot_answer()
        if d.kind == TIED:
            options = [Choice(f"{ASK_PREFIX}{i}", self.items[i].title) for i in (d.item, *d.others)]
            options.append(Choice(intents.START, "None of these: walk through the flowchart"))
            return [Menu(text="Two answers fit your question equally well. Which did you mean?",
                         options=tuple(options))]
        extra = d.others if d.kind in (CLOSE, CASE) else ()
        replies = self.answer(d.item, also=extra)
        if d.second is not None:
            replies.append(Menu(text="You also asked:", options=(
                Choice(f"{ASK_PREFIX}{d.second}", self.items[d.second].title),)))
        return replies

    def answer(self, entry_id: str, also: tuple[str, ...] = ()) -> list[Reply]:
        item = self.items[entry_id]
        related_ids = [*also, *(r for r in item.related if r in self.items)]
        related = [Choice(f"{ASK_PREFIX}{r}", self.items[r].title) for r in dict.fromkeys(related_ids)
                   if r != entry_id][:2]
        replies: list[Reply] = []
        if not item.current:
            replies.append(Notice(text=f"This is from {item.edition or 'an older edition'}, which has been "
                                       "superseded: it is shown for history, not as current advice."))
        replies.append(Answer(
            text=item.text,
            entry=item.id,
            title=item.title,
            source=source_ref(self.kb, item.cite) if item.cite is not None else None,
            options=(*related, CHOICE_FLOWCHART, CHOICE_TALK),
            law=item.law,
            quotes=tuple(quotes_for(self.kb, item.cites)) if item.kind == "answer" else (),
        ))
        # Local first: a pack's paragraph on this answer is shown with it, under its own citation.
        replies.extend(local_quotes(self.kb, item.id))
        return replies

    def cannot_answer(self) -> list[Reply]:
        return [
            Text(text=CANNOT_ANSWER),
            Menu(
                text="What would you like to do?", options=(CHOICE_FLOWCHART, CHOICE_TALK, Choice(intents.HELP, "Help"))
            ),
        ]

    def is_entry(self, entry_id: str) -> bool:
        return entry_id in self.items
