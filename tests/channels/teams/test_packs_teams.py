"""A local pack through the real Teams path: botbuilder adapter, Adaptive Cards, fake connector."""

from __future__ import annotations

import json

import pytest

from bot.core.config import OrgConfig
from bot.core.engine import Parts, build_parts
from bot.testing.teams import TeamsHarness, personal_message
from knowledge.packs import knowledge_with


@pytest.fixture(scope="module")
def parts() -> Parts:
    return build_parts(OrgConfig(packs=("example-local",)), kb=knowledge_with(["example-local"]))


async def test_a_local_route_question_gets_the_local_answer_and_its_citation_in_teams(teams: TeamsHarness) -> None:
    messages = await teams.send(personal_message(teams.connector.url, "How do I make a referral in Derby?"))
    cards = json.dumps([m.cards() for m in messages])
    assert "Derby and Derbyshire: local procedures" in cards
    assert "Local pack 'example-local'" in cards
    assert "2019 edition, written on the July 2018 national advice" in cards
