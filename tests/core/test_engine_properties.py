"""Property test: no input sequence breaks the engine, and an outcome is always still reachable."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.engine import SORRY, Engine
from bot.core.store import MemoryStore
from dialogs.messages import Outcome, Question
from dialogs.turn import Turn
from tests.conftest import FIXED_NOW, TEST_HASH_KEY

CHOICE_IDS = ["yes", "no", "not_sure", "explain", "back", "restart", "talk", "help", "start", "edition",
              "edition:2008", "edition:current", "privacy:use", "privacy:edit", "privacy:allow", "ask:nope", "zzz"]

inputs = st.one_of(
    st.builds(lambda t: {"text": t}, st.text(max_size=200)),
    st.builds(lambda t: {"text": t}, st.sampled_from(["y", "nope", "not sure", "go back", "restart", "help", "",
                                                     "\x00\x1b[2J", "ask consent", "my name is Jack Smith"])),
    st.builds(lambda n: {"text": "x" * n}, st.sampled_from([50_000])),
    st.builds(lambda a, r: {"action": a, "ref": r}, st.sampled_from(CHOICE_IDS),
              st.one_of(st.none(), st.just("current.purpose.2"), st.text(max_size=20))),
)


async def reach_outcome(engine: Engine) -> bool:
    replies = await engine.handle(Turn(channel="terminal", user_id="prop", text="restart"))
    if any(c.id == "restart:confirm" for r in replies for c in getattr(r, "choices", ())):
        replies = await engine.handle(Turn(channel="terminal", user_id="prop", action="restart:confirm"))
    for _ in range(12):
        if any(isinstance(r, Outcome) for r in replies):
            return True
        questions = [r for r in replies if isinstance(r, Question)]
        if not questions:
            return False
        replies = await engine.handle(Turn(channel="terminal", user_id="prop", action="no", ref=questions[-1].ref))
    return any(isinstance(r, Outcome) for r in replies)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(inputs, max_size=12))
def test_any_input_sequence_never_breaks(parts, sequence) -> None:  # type: ignore[no-untyped-def]
    engine = Engine(parts, MemoryStore(), TEST_HASH_KEY, clock=lambda: FIXED_NOW)

    async def run() -> None:
        for item in sequence:
            replies = await engine.handle(Turn(channel="terminal", user_id="prop", **item))
            assert SORRY not in replies, item
            assert replies, item
        assert await reach_outcome(engine)

    asyncio.run(run())
