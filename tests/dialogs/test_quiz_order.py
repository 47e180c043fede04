"""Multiple-choice options in an order of each person's own: the right answer is not always "A", the
same person sees the same order every time, typed letters mean what was shown, and the key follows."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from dialogs import quiz
from knowledge.loader import default_knowledge

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def mc_items() -> list:  # type: ignore[type-arg]
    return [i for i in default_knowledge().quiz.values() if i.kind != "true_false"]


def right_position(item, seed: int) -> int:  # type: ignore[no-untyped-def]
    return quiz.option_order(item, seed).index(item.options.index(item.answer))


def test_the_right_answer_is_spread_over_the_letters() -> None:
    items = mc_items()
    assert len(items) >= 10
    bank = Counter(item.options.index(item.answer) for item in items)
    assert bank[0] > len(items) / 2  # in the bank, most right answers come first ...
    where = Counter(right_position(item, seed) for seed in range(1, 101) for item in items)
    assert where[0] / sum(where.values()) < 0.4, where  # ... but not as people see them


def test_the_order_is_stable_per_person_and_differs_between_people() -> None:
    items = mc_items()
    assert all(quiz.option_order(i, 7) == quiz.option_order(i, 7) for i in items)
    assert any(quiz.option_order(i, 7) != quiz.option_order(i, 8) for i in items)


def test_the_seed_is_kept_with_progress_so_the_next_quiz_shows_the_same_order() -> None:
    dialog = quiz.QuizDialog(default_knowledge(), questions=40)
    _, state = dialog.begin({}, T0)
    seed = quiz.seed_of(state[quiz.PROGRESS])
    assert seed
    _, again = dialog.begin({quiz.PROGRESS: quiz.clean_progress(state[quiz.PROGRESS], dialog.kb.quiz)},
                            T0 + dt.timedelta(days=1))
    assert quiz.Session.from_json(again[quiz.STATE]).seed == seed  # type: ignore[union-attr]


def test_letters_typed_and_shown_and_the_feedback_agree() -> None:
    dialog = quiz.QuizDialog(default_knowledge(), questions=40)
    _, state = dialog.begin({}, T0)
    session = quiz.Session.from_json(state[quiz.STATE])
    assert session is not None
    while dialog.kb.quiz[session.current or ""].kind == "true_false":
        session = quiz.Session(items=session.items, at=session.at + 1, ref=session.ref, seed=session.seed)
    item = dialog.kb.quiz[session.current or ""]
    letter = "ABCDEFGH"[right_position(item, session.seed)]
    question = dialog.question(session)
    shown = [c.label for c in question.options if c.id != quiz.STOP]
    assert shown[right_position(item, session.seed)].endswith(item.answer[:40].rstrip("…")[:20]) or \
        shown[right_position(item, session.seed)].startswith(f"{letter}. ")
    assert f"{letter}. {item.answer}" in question.text
    typed = dialog.typed_choice(session, letter.lower())
    assert typed == quiz.mc_choice(item.id, item.options.index(item.answer))
    answered, _ = dialog.answer(session, item.id, str(item.options.index(item.answer)),
                                {**state, quiz.STATE: session.to_json()}, T0)
    titles = [getattr(r, "title", "") for r in answered]
    assert any(t == f"Right: the answer is {letter}. {item.answer}." for t in titles), titles
