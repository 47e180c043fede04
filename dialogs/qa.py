"""Free-text questions answered from the knowledge base.

Policy from ../shared/notes/nlp.md §1.6: answer when one entry is clearly best; offer up to three
"did you mean" choices when several are close or the best is only fair; below the floor, say
honestly that the guidance held here does not answer it, and say what the bot can do instead.
"""

from __future__ import annotations

from dialogs import intents
from dialogs.messages import Answer, Choice, Menu, Reply, Text
from dialogs.sources import quotes_for, source_ref
from knowledge.loader import Knowledge
from knowledge.search import Matcher

ASK_PREFIX = "ask:"
CHOICE_FLOWCHART = Choice(intents.START, "Walk through the flowchart")
CHOICE_TALK = Choice(intents.TALK, "Talk to someone")
# When two entries score within this margin, ask which was meant rather than guess.
CLOSE_MARGIN = 0.04


class QADialog:
    def __init__(self, kb: Knowledge, matcher: Matcher) -> None:
        self.kb = kb
        self.matcher = matcher

    def best_urgent(self, text: str) -> bool:
        """True when the question most resembles an entry marked urgent."""
        matches = self.matcher.search(text, k=1)
        return bool(matches) and matches[0].score >= Matcher.HIGH and self.kb.answers[matches[0].entry].urgent

    def confident(self, text: str) -> str | None:
        """The entry id when one entry clearly answers the text, else None."""
        matches = self.matcher.search(text, k=2)
        if not matches or matches[0].score < Matcher.HIGH:
            return None
        if len(matches) > 1 and matches[0].score - matches[1].score < CLOSE_MARGIN:
            return None
        return matches[0].entry

    def ask(self, text: str) -> list[Reply]:
        matches = self.matcher.search(text, k=4)
        if not matches or matches[0].score < Matcher.LOW:
            return self.cannot_answer()
        entry = self.confident(text)
        if entry is not None:
            return self.answer(entry)
        options = [
            Choice(f"{ASK_PREFIX}{m.entry}", self.kb.answers[m.entry].title)
            for m in matches[:3]
            if m.score >= Matcher.LOW
        ]
        options.append(Choice(intents.START, "None of these: walk through the flowchart"))
        return [Menu(text="I'm not certain which of these you mean. Did you mean…", options=tuple(options))]

    def answer(self, entry_id: str) -> list[Reply]:
        entry = self.kb.answers[entry_id]
        related = [Choice(f"{ASK_PREFIX}{r}", self.kb.answers[r].title) for r in entry.related[:2]]
        reply = Answer(
            text=entry.answer,
            entry=entry.id,
            title=entry.title,
            source=source_ref(self.kb, entry.cite),
            options=(*related, CHOICE_FLOWCHART, CHOICE_TALK),
            law=entry.law,
            quotes=tuple(quotes_for(self.kb, entry.cites)),
        )
        return [reply]

    def cannot_answer(self) -> list[Reply]:
        return [
            Text(
                text=(
                    "I can't answer that from the information-sharing guidance I hold. I can walk you through "
                    "the flowchart of key questions, answer questions about consent, confidentiality, the golden "
                    "rules, lawful bases and the Caldicott principles, or point you to someone to talk to."
                )
            ),
            Menu(
                text="What would you like to do?", options=(CHOICE_FLOWCHART, CHOICE_TALK, Choice(intents.HELP, "Help"))
            ),
        ]

    def is_entry(self, entry_id: str) -> bool:
        return entry_id in self.kb.answers
