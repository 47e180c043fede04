"""The quiz bank: every statement of the seed course's four quizzes with its answer, the items
written from current guidance, and the schema machinery that validates them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.app.cli.main import main
from knowledge.loader import DATA_DIR, KnowledgeError, default_knowledge, load_knowledge

SEED = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "000_6244487be294d799.txt"

# (course quiz, statement as printed in seed 000, answer). Quizzes 1-3 print their answers (the
# "Show Answer" slides list the false statements); quiz 4's key is guidance.md §7.
SEED_STATEMENTS: list[tuple[int, str, str]] = [
    (1, "Success for those at risk depends on information sharing between services.", "true"),
    (1, "Sharing information enables early intervention and helps positive outcomes", "true"),
    (1, "Information does not need to be shared as part of preventative work", "false"),
    (1, "Information sharing is vital to safeguarding & promoting welfare.", "true"),
    (3, "In general you don’t need to tell people that their information will or could be shared.", "false"),
    (3, "You should always record the reasons for sharing or not sharing information.", "true"),
    (3, "If you are in doubt about sharing go with your gut instinct.", "false"),
    (3, "When deciding to share information, the person’s safety and well-being must be the over-riding "
        "consideration.", "true"),
    (3, "You should, where possible, respect the wishes of the C, YP or families who do not consent to share.",
     "true"),
    (3, "The Data Protection Act is a barrier to Information Sharing.", "false"),
    (4, "During a counselling session a service user tells you that their parent is using drugs. This "
        "information could be shared without sufficient public interest.", "false"),
    (4, "Confidence is breached when sharing is not authorised by the person to whom it relates.", "true"),
    (4, "Without consent you can still share even if the information is not in the public interest.", "false"),
    (4, "Sharing information without consent is justified to prevent significant harm.", "true"),
    (4, "All information given to you is confidential and shouldn’t be shared.", "false"),
    (4, "During a counselling session a service user tells you that their parent is using drugs. This "
        "information could be made public if there was sufficient public interest.", "false"),
]
# Quiz 2: who to talk to when unsure about "reasonable cause to believe"; the IT helpdesk is the odd one out.
SEED_OPTIONS = ["A lead person on child protection", "Your local IT Helpdesk", "An experienced and trusted colleague",
                "Another practitioner who knows the individual"]
# The bank spells out the course's abbreviations; everything else must match word for word.
SPELLED_OUT = {"c yp": "children young people", "&": "and"}


def norm(text: str) -> str:
    text = text.lower().replace("’", "'").replace("&", " and ")
    text = " ".join(re.sub(r"[^\w']+", " ", text).split())
    for short, long in SPELLED_OUT.items():
        text = text.replace(short, long)
    return text.replace("'", "")


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return default_knowledge()


@pytest.mark.parametrize(("quiz", "statement", "answer"), SEED_STATEMENTS)
def test_every_seed_statement_is_in_the_bank_with_its_answer(kb, quiz: int, statement: str, answer: str) -> None:  # type: ignore[no-untyped-def]
    if SEED.exists():  # the fixture above is the seed's own text
        assert norm(statement) in norm(SEED.read_text(encoding="utf-8"))
    matches = [i for i in kb.quiz.values() if i.seed_module == quiz and norm(i.prompt) == norm(statement)]
    assert len(matches) == 1, f"quiz {quiz}: {statement!r} not in the bank exactly once"
    item = matches[0]
    assert item.kind == "true_false"
    assert item.answer == answer


def test_seed_quiz_2_is_there_with_the_helpdesk_as_the_odd_one_out(kb) -> None:  # type: ignore[no-untyped-def]
    (item,) = [i for i in kb.quiz.values() if i.seed_module == 2]
    assert item.kind == "multiple_choice"
    assert item.options == SEED_OPTIONS
    assert item.answer == "Your local IT Helpdesk"
    assert "reasonable cause to believe" in item.prompt


def test_seed_items_are_exactly_the_four_quizzes(kb) -> None:  # type: ignore[no-untyped-def]
    seed = [i for i in kb.quiz.values() if i.seed_module is not None]
    assert len(seed) == len(SEED_STATEMENTS) + 1
    assert {i.seed_module for i in seed} == {1, 2, 3, 4}


def test_seed_answers_resting_on_2008_law_say_what_current_guidance_says(kb) -> None:  # type: ignore[no-untyped-def]
    for item in (i for i in kb.quiz.values() if i.seed_module is not None):
        source = kb.sources[item.cite.source]
        # The explanation is sourced to current guidance or law, never to the withdrawn course.
        assert source.current, f"{item.id} cites {source.id}, which is not current"
        assert item.cites_rules, f"{item.id} names no rule"
        for rule in item.cites_rules:
            cited = kb.citable(rule)
            assert getattr(cited, "edition", "current") == "current", f"{item.id} rests on a superseded rule"
    dpa = next(i for i in kb.quiz.values() if i.seed_module == 3 and "Data Protection Act" in i.prompt)
    assert "repealed" in dpa.explanation and "UK GDPR" in dpa.explanation
    consent = next(i for i in kb.quiz.values() if i.seed_module == 3 and "respect the wishes" in i.prompt)
    assert "current advice" in consent.explanation and "Consent is not needed" in consent.explanation


def test_at_least_forty_current_items_covering_the_topics(kb) -> None:  # type: ignore[no-untyped-def]
    current = [i for i in kb.quiz.values() if i.seed_module is None]
    assert len(current) >= 40
    assert {i.kind for i in current} == {"true_false", "multiple_choice"}
    topics = {i.topic for i in current}
    for topic in ("myths", "golden rules", "consent and age", "lawful bases", "caldicott", "flowchart",
                  "when not to seek consent"):
        assert topic in topics, topic
    for item in current:
        assert kb.sources[item.cite.source].current, f"{item.id} cites a superseded source"
        assert len(item.explanation) > 60, item.id
    # No item may present the 1998 Act as today's law: it is only ever named as repealed or as history.
    for item in kb.quiz.values():
        if "1998" in item.explanation and "Data Protection Act 1998" in item.explanation:
            assert "repealed" in item.explanation, item.id


def test_multiple_choice_items_have_one_listed_answer(kb) -> None:  # type: ignore[no-untyped-def]
    for item in kb.quiz.values():
        if item.kind == "multiple_choice":
            assert 3 <= len(item.options) <= 6 and len(set(item.options)) == len(item.options), item.id
            assert item.options.count(item.answer) == 1, item.id
        else:
            assert item.options == [] and item.answer in ("true", "false"), item.id


def test_a_broken_quiz_file_fails_loading_naming_file_entry_and_field(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "quiz" / "current.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    answer: Public task\n", "    answer: Public interest\n", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(data)
    message = str(err.value)
    assert "current.yaml" in message and "'basis-state-school'" in message and "field 'answer'" in message

    path.write_text(text.replace("kind: true_false", "kind: yes_no", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"current\.yaml.*field 'kind'"):
        load_knowledge(data)


def test_export_json_prints_the_whole_bank_for_review(kb, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["quiz", "--export", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == len(kb.quiz)
    by_id = {i["id"]: i for i in items}
    for item in kb.quiz.values():
        exported = by_id[item.id]
        assert exported["prompt"] == item.prompt.strip()
        assert exported["explanation"] == item.explanation.strip()
        assert exported["source"].startswith(kb.sources[item.cite.source].publisher)
        expected = {"true": "True", "false": "False"}.get(item.answer) or item.answer
        assert exported["answer"].endswith(expected)
    mc = by_id["seed2-who-to-talk-to"]
    # Options are shown in an order of each person's own, so the key names the answer by its text.
    assert mc["options"][1] == "- Your local IT Helpdesk" and mc["answer"] == "Your local IT Helpdesk"


def test_export_text_lists_statement_answer_explanation_and_source(kb, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["quiz", "--export"]) == 0
    out = capsys.readouterr().out
    assert out.count("   Answer: ") == len(kb.quiz)
    assert out.count("   Source: ") == len(kb.quiz)
    assert "Information does not need to be shared as part of preventative work." in out
    assert "course quiz 4" in out
