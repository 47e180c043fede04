"""Block Kit rendering (issue 5): every Reply type, at its longest realistic content, is a message
Slack accepts; user text can't ping or link; button values round-trip and can't be altered.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.slack.blocks import (
    MAX_BLOCKS,
    SECTION_MAX,
    answered,
    chunks,
    expanded,
    fallback,
    layer_blocks,
    render_messages,
    render_reply,
)
from bot.channels.slack.buttons import VALUE_MAX, BadButton, ButtonCodec
from bot.channels.slack.mrkdwn import WORD_JOINER, escape, plain_from_slack, strip_mention
from bot.core.engine import Parts
from bot.testing.blockkit import message_errors
from bot.testing.fake_slack import dm_of, visible
from dialogs import intents
from dialogs.flowchart import Walk
from dialogs.messages import (
    Answer,
    Choice,
    Contacts,
    Menu,
    Notice,
    Outcome,
    PrivacyNotice,
    Progress,
    Question,
    Quote,
    Record,
    Reply,
    SourceRef,
    Text,
    Urgent,
)
from tests.channels.slack.conftest import SlackHarness

CODEC = ButtonCodec("blocks-test-key")
HOSTILE = "Tom & Jerry <!channel> @here <@U0EVIL> <https://evil.example|click me> *bold* `code` ```fence``` > quote"
SOURCE = SourceRef(
    title="Information sharing: advice for practitioners providing safeguarding services for children, young "
          "people, parents and carers (" + "long title " * 10 + ")",
    publisher="Department for Education", edition="May 2024", url="https://www.gov.uk/government/publications/"
    "information-sharing-advice-on-sharing-information-with-confidence?a=1&b=2", section="Golden rule 7" * 5,
    current=False,
)


def para(n: int, seed: str = "information sharing") -> str:
    """About ``n`` characters of realistic prose with line breaks and hostile markup sprinkled in."""
    words = (f"{seed} & consent <safeguarding> @channel practitioners should record decisions. ").split(" ")
    out, size = [], 0
    while size < n:
        word = words[len(out) % len(words)] or "\n"
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:n]


def choices(n: int, width: int = 120) -> tuple[Choice, ...]:
    return tuple(Choice(f"ask:entry_{i}_" + "x" * 60, f"Option {i} " + "y" * width) for i in range(n))


# Each Reply type at the longest content it realistically carries (the knowledge base's longest
# answer is ~1,200 characters, its longest outcome basis ~800; these are several times that).
LONGEST: dict[str, Reply] = {
    "text": Text(text=para(6000) + "\n" + HOSTILE),
    "quote": Quote(text=para(3500) + "\n" + HOSTILE, title="Golden rule 7 " + HOSTILE, source=SOURCE, verbatim=True),
    "quote-own-words": Quote(text=para(3500), title="Myth 3", source=SOURCE, verbatim=False),
    "question": Question(text=para(600) + "?", node="without_consent", ref="current.without_consent.12", step=12,
                         edition_label="Current advice (DfE, May 2024) - flowchart is a local aid based on it",
                         options=(Choice(intents.YES, "Yes"), Choice(intents.NO, "No"),
                                  Choice(intents.TALK, "Talk to someone"), Choice(intents.EXPLAIN, "Explain"),
                                  Choice(intents.BACK, "Back"), Choice(intents.RESTART, "Start again"))),
    "menu": Menu(text="I'm not certain which of these you mean. Did you mean…", options=choices(4)),
    "answer": Answer(text=para(5000), entry="consent_police", title="Do I need consent to tell the police? " * 3,
                     source=SOURCE, options=choices(4, 70)),
    "outcome": Outcome(text=para(2500), outcome="share", title="You can share without consent " * 4,
                       law=para(2200), checklist=tuple(para(250, f"item {i}") for i in range(12)), source=SOURCE,
                       quotes=tuple(Quote(text=para(700), title=f"Golden rule {i}", source=SOURCE, verbatim=i % 2 == 0)
                                    for i in range(1, 8)),
                       record=Record(text="\n".join(f"  {i}. {para(180)} — Yes" for i in range(20))),
                       ref="current.share_without_consent.8"),
    "outcome-urgent": Outcome(text=para(800), outcome="urgent", title="Act now", law=para(300)),
    "record": Record(text="\n".join(f"  {i}. {para(180)} — Yes" for i in range(60)),
                     options=(Choice("record:keep", "Keep this record for 30 days"),)),
    "urgent": Urgent(text=para(1500), contacts=tuple((f"Contact {i}", "0808 800 5000") for i in range(10))),
    "privacy": PrivacyNotice(text=para(700), found=("name", "postcode", "nhs_number"),
                             options=(Choice("privacy:use", "Use the redacted version"), Choice("privacy:edit", "Edit"),
                                      Choice("privacy:allow", "This isn't personal data"))),
    "contacts": Contacts(text="Who to contact:\n" + "\n".join(f"• {para(150)}: 0808 800 5000" for _ in range(12)),
                         contacts=(("NSPCC", "0808 800 5000"),)),
    "notice": Notice(text=para(900), level="warning"),
    "notice-info": Notice(text="That question has moved on, so I haven't applied that answer."),
    "progress": Progress(text="q — Yes", ref="current.urgent.1", question=para(600), answer="Not sure"),
    "empty-text": Text(text=""),
}


def all_errors(replies: list[Reply]) -> list[str]:
    errors = []
    for message in render_messages(replies, CODEC):
        errors += message_errors(message.text, message.blocks)
    return errors


def test_every_reply_type_is_covered() -> None:
    from dialogs.messages import REPLY_TYPES

    assert {type(r) for r in LONGEST.values()} == set(REPLY_TYPES)


@pytest.mark.parametrize("name", sorted(LONGEST))
def test_each_reply_type_at_its_longest_passes_block_kit_checks(name: str) -> None:
    reply = LONGEST[name]
    blocks = render_reply(reply, CODEC)
    assert message_errors(escape(reply.text) or "x", blocks) == []
    assert len(blocks) <= MAX_BLOCKS
    if not isinstance(reply, Progress):
        assert all_errors([reply]) == []
    # Every word of the reply is shown (escaping and splitting lose nothing).
    shown = re.sub(r"(?m)^> ", "", visible(blocks)).replace(WORD_JOINER, "").replace("```", "")
    body = reply.question if isinstance(reply, Progress) else reply.text
    assert "".join(body.replace("```", "").split()) in "".join(shown.split())


async def test_every_reply_type_at_its_longest_is_accepted_by_the_fake_slack(slack: SlackHarness) -> None:
    await slack.channel.post(dm_of("U0RENDER"), list(LONGEST.values()))
    assert slack.fake.refused == []
    posted = slack.fake.in_channel(dm_of("U0RENDER"))
    assert len(posted) >= len([r for r in LONGEST.values() if r.choices])
    # The clicked-message update (Progress) is accepted too.
    message = next(m for m in posted if any(b["type"] == "actions" for b in m.blocks))
    await slack.channel.call("chat.update", channel=message.channel, ts=message.ts, text=message.text,
                             blocks=answered(message.blocks, "Talk to someone", answer=False))
    assert slack.fake.refused == []


def test_a_whole_outcome_turn_fits_and_buttons_end_their_message() -> None:
    turn = [LONGEST["progress"], LONGEST["urgent"], LONGEST["outcome"], LONGEST["quote"], LONGEST["quote"],
            LONGEST["record"], LONGEST["text"], LONGEST["question"]]
    messages = render_messages(turn, CODEC)
    for message in messages:
        assert message_errors(message.text, message.blocks) == []
        actions = [i for i, b in enumerate(message.blocks) if b["type"] == "actions"]
        assert not actions or actions[-1] == len(message.blocks) - 1  # buttons only at the end
    # The outcome's layer buttons, the record's and the question's.
    assert sum(1 for m in messages for b in m.blocks if b["type"] == "actions") == 3


def test_each_layer_at_its_longest_opens_in_place_within_block_kit_limits() -> None:
    outcome = LONGEST["outcome"]
    blocks = render_reply(outcome, CODEC)
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    labels = [e["text"]["text"] for e in actions["elements"]]
    assert labels == ["Show the law", "Before you share", "Full record"]
    for element, layer in zip(actions["elements"], outcome.layers, strict=True):
        # Signed like every button, and tied to the walk at this outcome so a stale click is refused.
        assert CODEC.decode(element["value"]) == (layer.action, "current.share_without_consent.8")
        added = layer_blocks(layer.label, layer.replies, CODEC)
        opened = expanded(blocks, added, element["action_id"])
        assert opened is not None and message_errors("x", opened) == []
        shown = visible(opened).replace("```", "")
        first = layer.replies[0].text.replace("```", "").split()[:3]
        assert " ".join(first) in " ".join(shown.split())
        assert layer.label not in [e["text"]["text"] for b in opened if b["type"] == "actions" for e in b["elements"]]


def test_the_outcome_shows_plain_words_by_default() -> None:
    shown = visible(render_reply(LONGEST["outcome"], CODEC))
    assert "basis" not in shown.lower() and "Golden rule 1" not in shown and "item 0" not in shown
    assert "```" not in shown


def test_absurdly_long_text_is_shortened_but_keeps_its_buttons() -> None:
    reply = Menu(text="word " * 60_000, options=choices(3))
    blocks = render_reply(reply, CODEC)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert "shortened" in blocks[-2]["elements"][0]["text"]
    assert message_errors("x", blocks) == []


def test_the_fallback_text_is_never_empty_and_never_ends_in_half_an_entity() -> None:
    assert fallback([""]) == "canishare"
    text = fallback(["a" * 2996 + "&&&&&&"])
    assert text.endswith("…") and not re.search(r"&(?!amp;|lt;|gt;)", text)


def test_quotes_and_answers_show_their_source_with_the_edition() -> None:
    for reply in (LONGEST["quote"], LONGEST["answer"]):
        shown = visible(render_reply(reply, CODEC))
        assert "Source: <https://www.gov.uk/" in shown
        assert "(May 2024)" in shown and "superseded" in shown
    # An outcome's source is its legal citation: it is shown with the law, one click away.
    law = LONGEST["outcome"].layers[0]
    shown = visible(layer_blocks(law.label, law.replies, CODEC))
    assert "Source: " in shown and "(May 2024)" in shown


def test_questions_offer_every_choice_as_a_button_with_unique_action_ids() -> None:
    blocks = render_reply(LONGEST["question"], CODEC)
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Yes", "No", "Talk to someone", "Explain", "Back",
                                                                "Start again"]
    assert len({e["action_id"] for e in actions["elements"]}) == 6
    for element, choice in zip(actions["elements"], LONGEST["question"].choices, strict=True):
        assert CODEC.decode(element["value"]) == (choice.id, "current.without_consent.12")
        assert len(element["value"]) <= VALUE_MAX


def test_the_decision_record_is_a_code_block() -> None:
    blocks = render_reply(LONGEST["record"], CODEC)
    code = [b["text"]["text"] for b in blocks if b["type"] == "section" and b["text"]["text"].startswith("```")]
    assert len(code) >= 2  # split into several blocks, each a complete code block
    assert all(c.endswith("```") and len(c) <= SECTION_MAX for c in code)


def test_answered_drops_the_buttons_and_shows_the_choice() -> None:
    blocks = render_reply(LONGEST["question"], CODEC)
    after = answered(blocks, "No <!here>", answer=True)
    assert not any(b["type"] == "actions" for b in after)
    assert after[-1]["elements"][0]["text"] == ":heavy_check_mark: You answered: *No &lt;!here&gt;*"
    assert message_errors("x", after) == []


# --- the real knowledge base ----------------------------------------------------------------------
NOW = dt.datetime(2026, 11, 21, 14, 5, tzinfo=dt.UTC)


def knowledge_replies(parts: Parts) -> list[list[Reply]]:
    """Every answer, question, explanation and outcome (with its record) the knowledge base can produce."""
    turns: list[list[Reply]] = [parts.qa.answer(entry) for entry in parts.kb.answers]
    for dialog in parts.router.flowcharts.values():
        history = [(n.id, intents.YES) for n in dialog.chart.nodes]
        for node in dialog.chart.nodes:
            walk = Walk(edition=dialog.chart.edition, node=node.id, history=history[:3])
            for intent in (intents.EXPLAIN, intents.NOT_SURE):
                turns.append(dialog.answer(walk, intent, NOW)[0])
        for outcome in dialog.chart.outcomes:
            walk = Walk(edition=dialog.chart.edition, node=outcome.id, history=history, unsure=[history[0][0]])
            turns.append(dialog.conclude(walk, outcome, NOW))
    return turns


def test_everything_in_the_knowledge_base_renders_within_block_kit_limits(parts: Parts) -> None:
    turns = knowledge_replies(parts)
    assert len(turns) > 60
    for replies in turns:
        assert all_errors(replies) == [], replies[0].text[:80]


# --- escaping and Slack markup -------------------------------------------------------------------------
PING = re.compile(r"<[!@#]|<https?:|(?<![\w\u2060])@(channel|here|everyone)\b", re.IGNORECASE)


def test_escape_neutralises_pings_links_and_markup() -> None:
    out = escape(HOSTILE)
    assert "<" not in out and ">" not in out
    assert PING.search(out) is None
    assert out.startswith("Tom &amp; Jerry &lt;!channel&gt; @\u2060here &lt;@U0EVIL&gt;")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escape_never_lets_anything_ping_and_loses_nothing(text: str) -> None:
    out = escape(text)
    assert "<" not in out and ">" not in out
    assert PING.search(out) is None
    assert re.search(r"&(?!amp;|lt;|gt;)", out) is None
    assert html.unescape(out.replace(WORD_JOINER, "")) == html.unescape(text.replace(WORD_JOINER, "")) or "&" in text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab &<>\n@channel")), max_size=400), st.integers(10, 300))
def test_chunks_fit_and_never_cut_an_entity(text: str, limit: int) -> None:
    escaped = escape(text)
    pieces = chunks(escaped, limit)
    assert all(len(p) <= limit for p in pieces)
    for piece in pieces:
        assert re.search(r"&(?!amp;|lt;|gt;)", piece) is None, piece
    assert "".join("".join(pieces).split()) == "".join(escaped.split())


def test_plain_from_slack_turns_markup_into_words_without_ids() -> None:
    raw = "&lt;b&gt; <@U0ABC> and <@U0DEF|dee> in <#C0XYZ|general>: <!here>, <!subteam^S1|@leads>, " \
          "<https://example.org|this page> <mailto:a@b.org|a@b.org> Tom &amp; Jerry"
    assert plain_from_slack(raw) == ("<b> @someone and @someone in #general: @here, @leads, this page a@b.org "
                                     "Tom & Jerry")


def test_strip_mention_removes_only_the_bot() -> None:
    assert strip_mention("<@U0BOT> can I share with <@U0OTHER>?", "U0BOT") == "can I share with <@U0OTHER>?"
    assert strip_mention("  <@U0BOT>  ", None) == ""


# --- button values ----------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=200), st.text(max_size=200))
def test_button_values_round_trip_and_any_change_is_refused(choice: str, ref: str) -> None:
    value = CODEC.encode(choice, ref)
    assert CODEC.decode(value) == (choice, ref)
    body = json.loads(value)
    for key, new in (("a", choice + "x"), ("r", ref + "x"), ("s", body["s"][::-1] + "0")):
        if new == body[key]:
            continue
        with pytest.raises(BadButton):
            CODEC.decode(json.dumps({**body, key: new}))
    with pytest.raises(BadButton):
        ButtonCodec("another deployment").decode(value)


def test_a_value_too_long_for_slack_is_an_error_when_rendering() -> None:
    with pytest.raises(ValueError, match="2000"):
        CODEC.encode("ask:" + "x" * 2000)
