"""The personal quiz: N questions, immediate feedback with the explanation and its source, a score.

Pure, like every dialog: it takes the input and the conversation state and returns Replies and
the new state. The quiz in progress lives in the state under ``"q"``. The person's
spaced-repetition progress (a Leitner box and a due time per item) is lent by the engine under
``"qp"`` (:data:`PROGRESS`) from its own longer-lived key, and handed back the same way; without
it the quiz still works, it just cannot remember anything between quizzes.

Choice ids: ``quiz:start``, ``quiz:stop``, ``quiz:team``, ``quiz:tf:<item>:true|false`` and
``quiz:a:<item>:<option index>``. The index is the option's place in the bank, whatever order it was
shown in: multiple-choice options are shown in an order of their own for each person and question
(:func:`option_order`), so the right answer is not always "A", and a person sees the same order each
time the question comes back. The order's seed lives with their progress (``"~seed"``).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dialogs import intents
from dialogs.messages import Answer, Choice, Menu, Notice, Progress, Question, Reply, Text
from dialogs.sources import source_ref, title_of
from knowledge.loader import Knowledge
from knowledge.schema import QuizItem

PREFIX = "quiz:"
START = intents.QUIZ  # "quiz:start"
STOP = "quiz:stop"
TEAM = intents.QUIZ_TEAM  # "quiz:team"
STATE = "q"
PROGRESS = "qp"

LETTERS = "ABCDEFGH"
LABEL_MAX = 70  # Slack cuts button text at 75 characters; the full option is in the question text
# Leitner boxes: a right answer moves an item up a box and pushes it this many days away; a wrong
# answer puts it back in box 0, due at once, so it comes back first in the next quiz.
BOX_DAYS = (0, 2, 7, 21, 60)
DAY = 86400
STOP_WORDS = {"stop", "stop quiz", "stop the quiz", "end quiz", "end the quiz", "quit quiz", "finish quiz",
              "exit quiz", "cancel quiz"}
_TRUE = {"true", "t", "yes", "y", "1", "right", "correct"}
_FALSE = {"false", "f", "no", "n", "2", "wrong", "incorrect"}
_TIDY = re.compile(r"[^\w\s]")

State = dict[str, Any]
Progress_ = dict[str, list[int]]  # item id -> [box, due (unix seconds)]; SEED -> [the person's seed, 0]
SEED = "~seed"


def option_order(item: QuizItem, seed: int) -> list[int]:
    """The bank indexes of ``item``'s options in the order this person sees them."""
    order = list(range(len(item.options)))
    random.Random(f"{seed}:{item.id}").shuffle(order)
    return order


def seed_of(progress: Mapping[str, Any]) -> int:
    value = progress.get(SEED)
    return int(value[0]) if isinstance(value, list) and value and isinstance(value[0], int) else 0


# --- spaced repetition (pure functions of the progress dict) -----------------------------------
def clean_progress(raw: object, known: Mapping[str, object]) -> Progress_:
    """Progress as stored, with anything malformed or no longer in the bank dropped."""
    out: Progress_ = {}
    if not isinstance(raw, dict):
        return out
    for item, value in raw.items():
        if item == SEED and isinstance(value, list) and value and isinstance(value[0], int):
            out[SEED] = [value[0], 0]
        elif item in known and isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
            out[item] = [min(max(value[0], 0), len(BOX_DAYS) - 1), value[1]]
    return out


def select(item_ids: list[str], progress: Progress_, count: int, now: int, seed: int) -> list[str]:
    """The next quiz: items due again first (ones got wrong before the rest), then new items in a
    shuffled order, then the items due soonest."""
    due = sorted((i for i in item_ids if i in progress and progress[i][1] <= now),
                 key=lambda i: (progress[i][0], progress[i][1], i))
    unseen = [i for i in item_ids if i not in progress]
    random.Random(seed).shuffle(unseen)
    later = sorted((i for i in item_ids if i in progress and progress[i][1] > now), key=lambda i: (progress[i][1], i))
    return (due + unseen + later)[:count]


def record(progress: Progress_, item: str, correct: bool, now: int) -> Progress_:
    box = progress.get(item, [0, 0])[0]
    box = min(box + 1, len(BOX_DAYS) - 1) if correct else 0
    return {**progress, item: [box, now + BOX_DAYS[box] * DAY]}


# --- the quiz in progress -------------------------------------------------------------------------
@dataclass(frozen=True)
class Session:
    items: tuple[str, ...]
    at: int = 0  # index of the question now waiting
    score: int = 0
    ref: str = ""  # the waiting question's ref; a button carrying another ref is stale
    wrong: tuple[str, ...] = field(default=())
    seed: int = 0  # the person's option-order seed

    @property
    def current(self) -> str | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def to_json(self) -> dict[str, Any]:
        return {"i": list(self.items), "k": self.at, "s": self.score, "r": self.ref, "x": list(self.wrong),
                "z": self.seed}

    @classmethod
    def from_json(cls, raw: object) -> Session | None:
        if not isinstance(raw, dict):
            return None
        try:
            items = tuple(str(i) for i in raw["i"])
            return cls(items=items, at=int(raw["k"]), score=int(raw["s"]), ref=str(raw["r"]),
                       wrong=tuple(str(i) for i in raw.get("x", ())), seed=int(raw.get("z", 0)))
        except (KeyError, TypeError, ValueError):
            return None


def tf_choice(item: str, value: bool) -> str:
    return f"{PREFIX}tf:{item}:{'true' if value else 'false'}"


def mc_choice(item: str, index: int) -> str:
    return f"{PREFIX}a:{item}:{index}"


def parse_choice(choice: str) -> tuple[str, str] | None:
    """(item id, "true"/"false" or the option index as text) from a quiz answer id, else None."""
    for kind in ("tf:", "a:"):
        head = PREFIX + kind
        if choice.startswith(head):
            item, sep, value = choice[len(head):].rpartition(":")
            if sep and item and value:
                return item, value
    return None


def is_quiz_choice(choice: str | None) -> bool:
    return bool(choice) and choice.startswith(PREFIX)  # type: ignore[union-attr]


def option_label(index: int, option: str) -> str:
    label = f"{LETTERS[index]}. {option}"
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def answer_label(item: QuizItem, value: str, seed: int | None = 0) -> str:
    """An answer as this person saw it ("C. …"); with ``seed=None`` the option's text alone."""
    if item.kind == "true_false":
        return "True" if value == "true" else "False"
    index = int(value)
    if seed is None:
        return item.options[index]
    return f"{LETTERS[option_order(item, seed).index(index)]}. {item.options[index]}"


def right_label(item: QuizItem, seed: int | None = 0) -> str:
    if item.kind == "true_false":
        return "True" if item.answer == "true" else "False"
    return answer_label(item, str(item.options.index(item.answer)), seed)


def normalise(text: str) -> str:
    return " ".join(_TIDY.sub(" ", text.lower().replace("\u2019", "'")).split())


class QuizDialog:
    def __init__(self, kb: Knowledge, questions: int = 5) -> None:
        self.kb = kb
        self.questions = questions
        # Bank order is file order; selection shuffles new items, so this only breaks ties.
        self.item_ids = sorted(kb.quiz)

    # --- rendering ---------------------------------------------------------------------------
    def prompt_text(self, item: QuizItem, seed: int = 0) -> str:
        if item.kind == "true_false":
            return f"True or false? {item.prompt}"
        order = option_order(item, seed)
        lines = [item.prompt, *(f"{LETTERS[pos]}. {item.options[i]}" for pos, i in enumerate(order))]
        return "\n".join(lines)

    def choices(self, item: QuizItem, seed: int = 0) -> tuple[Choice, ...]:
        if item.kind == "true_false":
            return Choice(tf_choice(item.id, True), "True"), Choice(tf_choice(item.id, False), "False")
        return tuple(Choice(mc_choice(item.id, i), option_label(pos, item.options[i]))
                     for pos, i in enumerate(option_order(item, seed)))

    def question(self, session: Session) -> Question:
        item = self.kb.quiz[session.current or ""]
        label = f"Quiz ({len(session.items)} questions)"
        if item.seed_module is not None:
            label += " · from the 2008 course, answered with today's advice"
        return Question(text=self.prompt_text(item, session.seed), node=f"{PREFIX}{item.id}", ref=session.ref,
                        step=session.at + 1, edition_label=label,
                        options=(*self.choices(item, session.seed), Choice(STOP, "Stop the quiz")))

    def feedback(self, item: QuizItem, correct: bool, seed: int = 0) -> Answer:
        """The explanation, what it rests on, and its source."""
        verdict = "Right" if correct else "Not quite"
        based = [title_of(self.kb.citable(c)) for c in item.cites_rules if self._citable(c)]
        text = item.explanation.strip()
        if based:
            text += "\nBased on: " + "; ".join(b.rstrip(".") for b in based) + "."
        return Answer(text=text, entry="", title=f"{verdict}: the answer is {right_label(item, seed)}.",
                      source=source_ref(self.kb, item.cite))

    def _citable(self, item_id: str) -> bool:
        try:
            self.kb.citable(item_id)
        except KeyError:
            return False
        return True

    def end_menu(self) -> Menu:
        return Menu(text="What next?", options=(Choice(START, "Another quiz"),
                                                Choice(intents.START, "Walk through the flowchart"),
                                                Choice(intents.HELP, "Help")))

    # --- the dialog ---------------------------------------------------------------------------
    def session_of(self, state: Mapping[str, Any]) -> Session | None:
        session = Session.from_json(state.get(STATE))
        if session is None or session.current is None or any(i not in self.kb.quiz for i in session.items):
            return None
        return session

    def wants(self, action: str | None, text: str, state: Mapping[str, Any]) -> bool:
        """True when this input is for the quiz (the router asks before anything else)."""
        if action is not None:
            return is_quiz_choice(action)
        intent = intents.intent_of(text) if text else None
        if intent in (START, TEAM):
            return True
        session = self.session_of(state)
        if session is None:
            return False
        # A stray letter or number while a question waits is a mistyped answer, not a question to look up.
        return self.typed_choice(session, text) is not None or (intent is None and len(normalise(text)) <= 3)

    def typed_choice(self, session: Session, text: str) -> str | None:
        """The choice id a typed answer stands for ("true", "b", "2", the option's text), else None."""
        norm = normalise(text)
        if not norm:
            return None
        if norm in STOP_WORDS:
            return STOP
        item = self.kb.quiz[session.current or ""]
        if item.kind == "true_false":
            if norm in _TRUE:
                return tf_choice(item.id, True)
            if norm in _FALSE:
                return tf_choice(item.id, False)
            return None
        letters = LETTERS[: len(item.options)].lower()
        order = option_order(item, session.seed)  # letters and numbers are positions as shown
        if len(norm) == 1 and norm in letters:
            return mc_choice(item.id, order[letters.index(norm)])
        if norm.isdigit() and 1 <= int(norm) <= len(item.options):
            return mc_choice(item.id, order[int(norm) - 1])
        for index, option in enumerate(item.options):
            if norm == normalise(option):
                return mc_choice(item.id, index)
        return None

    def handle(self, action: str | None, text: str, ref: str | None, state: State,
               now: dt.datetime) -> tuple[list[Reply], State]:
        session = self.session_of(state)
        choice = action
        if choice is None:
            intent = intents.intent_of(text) if text else None
            choice = intent if intent in (START, TEAM) else (self.typed_choice(session, text) if session else None)
        if choice == START:
            return self.begin(state, now)
        if choice == TEAM:
            return [Text(text="A team quiz runs in a channel, for everyone there: type \"/canishare quiz team\" "
                              "in a Slack channel, or mention me with \"quiz team\" in a Teams channel. Here I can "
                              "give you a quiz of your own.")], state
        if choice == STOP:
            return self.stop(session, state)
        if choice is None and session is not None:
            item = self.kb.quiz[session.current or ""]
            hint = "True or False" if item.kind == "true_false" else "the letter of an option"
            return [Notice(text=f"I didn't catch that answer. Please choose {hint}, or \"stop\" to stop the quiz."),
                    self.question(session)], state
        parsed = parse_choice(choice or "")
        if parsed is None or parsed[0] not in self.kb.quiz:
            return [Notice(text="I don't recognise that quiz option."), *self.where(session)], state
        if session is None:
            return [Notice(text="That quiz has finished, so I haven't counted that answer."), self.end_menu()], state
        item_id, value = parsed
        if item_id != session.current or (action is not None and ref and ref != session.ref):
            return [Notice(text="That quiz question has moved on, so I haven't counted that answer. "
                                "Here is the question waiting now:"), self.question(session)], state
        return self.answer(session, item_id, value, state, now)

    def begin(self, state: State, now: dt.datetime) -> tuple[list[Reply], State]:
        stamp = int(now.timestamp())
        progress = clean_progress(state.get(PROGRESS), self.kb.quiz)
        items = select(self.item_ids, progress, self.questions, stamp, seed=int(now.timestamp() * 1000))
        seed = seed_of(progress)
        if not seed:  # first quiz: this person's option order from now on
            seed = random.Random(int(now.timestamp() * 1000)).randrange(1, 2**31)
            progress = {**progress, SEED: [seed, 0]}
        session = Session(items=tuple(items), ref=self.ref_for(now, 0), seed=seed)
        intro = Text(text=f"Here's a quiz of {len(items)} questions on sharing information to safeguard children. "
                          "After each answer I'll explain it and give the source. Questions you get wrong come "
                          "back sooner next time.")
        return [intro, self.question(session)], {**state, STATE: session.to_json(), PROGRESS: progress}

    @staticmethod
    def ref_for(now: dt.datetime, at: int) -> str:
        return f"qz{int(now.timestamp() * 1000):x}.{at}"

    def answer(self, session: Session, item_id: str, value: str, state: State,
               now: dt.datetime) -> tuple[list[Reply], State]:
        item = self.kb.quiz[item_id]
        if item.kind == "true_false":
            if value not in ("true", "false"):
                return [Notice(text="I don't recognise that quiz option."), self.question(session)], state
            correct = value == item.answer
        else:
            if not value.isdigit() or int(value) >= len(item.options):
                return [Notice(text="I don't recognise that quiz option."), self.question(session)], state
            correct = item.options[int(value)] == item.answer
        progress = record(clean_progress(state.get(PROGRESS), self.kb.quiz), item_id, correct, int(now.timestamp()))
        prefix = session.ref.rpartition(".")[0]
        done = Session(items=session.items, at=session.at + 1, score=session.score + int(correct),
                       ref=f"{prefix}.{session.at + 1}", wrong=session.wrong + (() if correct else (item_id,)),
                       seed=session.seed)
        replies: list[Reply] = [
            Progress(text=item.prompt, ref=session.ref, question=self.prompt_text(item, session.seed),
                     answer=answer_label(item, value, session.seed)),
            self.feedback(item, correct, session.seed),
        ]
        new_state = {**state, PROGRESS: progress}
        if done.current is not None:
            replies.append(self.question(done))
            new_state[STATE] = done.to_json()
            return replies, new_state
        new_state.pop(STATE, None)
        return [*replies, self.score(done), self.end_menu()], new_state

    def score(self, session: Session) -> Text:
        total = len(session.items)
        line = f"Quiz finished: you scored {session.score} out of {total}."
        if session.wrong:
            line += (" The questions you missed will come back early in your next quiz. For more on any of them, "
                     "type \"ask\" and your question.")
        elif total:
            line += " Well done."
        return Text(text=line)

    def stop(self, session: Session | None, state: State) -> tuple[list[Reply], State]:
        if session is None:
            return [Notice(text="There's no quiz running just now."), self.end_menu()], state
        new_state = {k: v for k, v in state.items() if k != STATE}
        answered = session.at
        note = (f"Quiz stopped: {session.score} right out of {answered} answered." if answered
                else "Quiz stopped.")
        waiting = self.kb.quiz[session.current or ""]
        stopped = Progress(text="Quiz stopped", ref=session.ref, question=self.prompt_text(waiting, session.seed),
                           answer="Stopped")
        return [stopped, Text(text=note), self.end_menu()], new_state

    def where(self, session: Session | None) -> list[Reply]:
        return [self.question(session)] if session is not None else [self.end_menu()]
