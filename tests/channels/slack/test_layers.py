"""Layered replies in Slack: the law, the checklist and the full record open in place, one click away."""

from __future__ import annotations

from bot.testing.fake_slack import dm_of, visible
from tests.channels.slack.conftest import USER, SlackHarness

# share_without_consent: the outcome with every layer (law and quotations, checklist, record).
WALK = ["No", "Yes", "Yes", "Yes", "No", "No", "Yes"]


async def walk_to_outcome(slack: SlackHarness) -> None:
    await slack.command("")
    await slack.settled()
    for label in WALK:
        await slack.click(slack.question(), label)
        await slack.settled()


async def test_show_the_law_and_the_full_record_open_in_place(slack: SlackHarness, parts) -> None:
    outcome = next(o for o in parts.kb.flowcharts["current"].outcomes if o.id == "share_without_consent")
    await walk_to_outcome(slack)
    message = slack.question()
    default = visible(message.blocks)
    assert outcome.title in default and outcome.text.split(".")[0] in default
    assert "[Show the law] [Before you share] [Full record]" in default
    assert "Legal basis" not in default and "```" not in default
    posted = len(slack.dm())

    await slack.click(message, "Show the law")
    await slack.settled()
    shown = slack.fake.message(message.channel, message.ts)
    text = visible(shown.blocks)
    assert "Legal basis: " + outcome.law.split(";")[0] in text
    assert "Golden rule 1 (2024)" in text  # the quotations come with the law
    assert "[Show the law]" not in text and "[Before you share] [Full record]" in text
    assert len(slack.dm()) == posted  # updated in place: nothing new posted

    await slack.click(shown, "Before you share")
    await slack.settled()
    shown = slack.fake.message(message.channel, message.ts)
    assert "Record it: what, with whom" in visible(shown.blocks)

    await slack.click(shown, "Full record")
    await slack.settled()
    shown = slack.fake.message(message.channel, message.ts)
    text = visible(shown.blocks)
    record = "".join(b["text"]["text"] for b in shown.blocks
                     if b["type"] == "section" and b["text"]["text"].startswith("```"))
    assert "INFORMATION SHARING DECISION RECORD" in record
    # Complete: the form first, every answer, the legal basis as the last section.
    assert record.index("Complete in your case notes:") < record.index("Questions and answers:") < record.index(
        "Legal basis:")
    assert record.count(" — Yes") + record.count(" — No") == len(WALK)
    assert not any(b["type"] == "actions" for b in shown.blocks)  # every layer open, no buttons left
    assert len(slack.dm()) == posted
    assert slack.fake.refused == []


async def test_a_stale_layer_click_is_answered_and_never_applied(slack: SlackHarness) -> None:
    await walk_to_outcome(slack)
    message = slack.question()
    stale = slack.click_payload(message, "Full record")
    await slack.event(slack.dm_event("start again"))  # a new walk: the old outcome's buttons are stale
    await slack.settled()
    updates = len(slack.fake.calls_to("chat.update"))
    posted = len(slack.dm())

    await slack.send_payload(stale)
    await slack.settled()
    assert len(slack.fake.calls_to("chat.update")) == updates  # the old message was not changed
    new = "\n".join(visible(m.blocks) for m in slack.dm()[posted:])
    assert "moved on" in new and "INFORMATION SHARING DECISION RECORD" not in new
    assert "```" not in slack.fake.transcript(dm_of(USER))


async def test_an_answers_law_is_one_click_away(slack: SlackHarness) -> None:
    await slack.event(slack.dm_event("do I need consent to tell the police?"))
    await slack.settled()
    message = slack.question()
    assert "[Show the law]" in visible(message.blocks)
    await slack.click(message, "Show the law")
    await slack.settled()
    shown = visible(slack.fake.message(message.channel, message.ts).blocks)
    assert "UK GDPR" in shown and "[Show the law]" not in shown
    assert "[Walk through the flowchart]" in shown  # the answer's other buttons stay
