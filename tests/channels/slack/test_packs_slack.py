"""A local pack through the real Slack path: signed slash command, bolt app, fake Slack Web API."""

from __future__ import annotations

import pytest

from bot.core.config import OrgConfig
from bot.core.engine import Parts, build_parts
from bot.testing.fake_slack import dm_of
from knowledge.packs import knowledge_with
from tests.channels.slack.conftest import USER, SlackHarness


@pytest.fixture(scope="module")
def parts() -> Parts:
    return build_parts(OrgConfig(packs=("example-local",)), kb=knowledge_with(["example-local"]))


async def test_a_local_route_question_gets_the_local_answer_and_its_citation_in_slack(slack: SlackHarness) -> None:
    await slack.command("ask where are the Derby and Derbyshire safeguarding procedures?")
    await slack.settled()
    transcript = slack.fake.transcript(dm_of(USER))
    assert "Derby and Derbyshire: local procedures" in transcript
    assert "Local pack 'example-local'" in transcript
    assert "2019 edition, written on the July 2018 national advice" in transcript
    assert slack.fake.refused == []


async def test_a_national_answer_in_slack_carries_the_local_paragraph(slack: SlackHarness) -> None:
    await slack.command("ask How do I make a referral to children's social care?")
    await slack.settled()
    transcript = slack.fake.transcript(dm_of(USER))
    assert "In Derby and Derbyshire:" in transcript
    assert "Working Together" in transcript  # the national answer's own source is still shown
    assert slack.fake.refused == []
