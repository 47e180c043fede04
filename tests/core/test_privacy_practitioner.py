"""The privacy guard on practitioner text: typos, text-speak, missing apostrophes, roles.

The set is tests/data/privacy_practitioner.jsonl.  It has 713 messages, about half with invented
identifiers.  Each message's split comes from a hash: rows built from one template share a split,
so the test part never holds a sibling of a tune message.  The guard was tuned on the ``tune``
part only.  The floors below hold on the ``test`` part:

* False flags: at most 1 clean message stopped per 100.  Each false flag puts a privacy prompt in
  front of a practitioner's answer.  Before tuning the figure was 3.73, with "theres", "Imam" and
  "Brook" all flagged.
* Name recall at least 0.95 (0.939 before tuning).
* Structured recall at least 0.98.  This pools every kind except name: NHS number, NI number,
  postcode, address, date of birth, phone and email.  With 62 test items it allows one miss.

The tune part has slightly tighter floors, set just under its measured figures (0/202 flagged,
159/160 names, 124/124 structured).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.core.privacy import PrivacyGuard, get_guard
from bot.core.privacy.evaluation import KINDS, PRACTITIONER_SET, Figures, figures, load_messages, score
from bot.core.privacy.names import domain_like

MESSAGES = load_messages(PRACTITIONER_SET)
FLOORS = {  # split -> (max false flags per 100 clean messages, min name recall, min structured recall)
    "test": (1.0, 0.95, 0.98),
    "tune": (1.0, 0.97, 0.98),
}


@pytest.fixture(scope="module")
def guard() -> PrivacyGuard:
    return get_guard()


@pytest.fixture(scope="module")
def measured(guard: PrivacyGuard) -> dict[str, Figures]:
    def detect(text: str) -> list[tuple[str, int, int]]:
        return [(f.kind, f.start, f.end) for f in guard.find(text)]

    out: dict[str, Figures] = {}
    for split in FLOORS:
        subset = [m for m in MESSAGES if m.split == split]
        out[split] = figures(score(detect, subset), len(subset))
    return out


def names(guard: PrivacyGuard, text: str) -> list[str]:
    return [text[f.start:f.end] for f in guard.find(text) if f.kind == "name"]


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

def test_corpus_shape_and_hashed_split() -> None:
    rows = [json.loads(line) for line in Path(PRACTITIONER_SET).read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 600
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows)
    for r in rows:
        key = f"pos:{r['template']}" if r["spans"] else f"clean:{r['text'].lower()}"
        expected = "tune" if int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100 < 60 else "test"
        assert r["split"] == expected, r["id"]
    clean = sum(1 for m in MESSAGES if not m.gold)
    assert 0.4 <= clean / len(MESSAGES) <= 0.6
    for split in ("tune", "test"):
        subset = [m for m in MESSAGES if m.split == split]
        assert {g[0] for m in subset for g in m.gold} == set(KINDS), split
    assert 0.55 <= sum(1 for m in MESSAGES if m.split == "tune") / len(MESSAGES) <= 0.65


# --------------------------------------------------------------------------------------------
# The floors
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("split", list(FLOORS))
def test_false_flags_per_100_clean_messages(measured: dict[str, Figures], split: str) -> None:
    f = measured[split]
    assert f.false_flags_per_100 <= FLOORS[split][0], f"{f.clean_flagged}/{f.clean} clean {split} messages flagged"


@pytest.mark.parametrize("split", list(FLOORS))
def test_name_recall(measured: dict[str, Figures], split: str) -> None:
    f = measured[split]
    assert f.name_recall >= FLOORS[split][1], f"names found {f.names_found}/{f.names} on {split}"


@pytest.mark.parametrize("split", list(FLOORS))
def test_structured_recall(measured: dict[str, Figures], split: str) -> None:
    f = measured[split]
    assert f.structured_recall >= FLOORS[split][2], f"structured found {f.structured_found}/{f.structured} on {split}"


# --------------------------------------------------------------------------------------------
# The examples from the field
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "theres a lad in my class who keeps coming in hungry",
    "theres",
    "imam",
    "Imam asked if he can speak to the school",
    "the imam at the mosque told me something about a family",
    "Caldicott Guardia",
    "id like to check with the Caldicott Guardia before sharing",
    "Caldicot gaurdian or DPO, who do i ask",
    "safegaurding concern but confidentiallity matters, do i need consnet",
    "shes 15, hes 16, im not sure, dont know, wont tell, cant say, ill ask, were told, its late",
    "nan, nana, grandad, stepdad and stepmum all want to know",
    "Vicar here, Rabbi there, Priest asked, Nana rang, Grandad came in",
    "SENCO, DSL, DDSL, HV, SW, GP, LADO, MASH, CAMHS, PCSO, TA and the Head were all there",
    "Gillick or Fraser for a 15 yr old?",
    "Brook clinic asked about a 15 yr old",
    "The pupil moved to Park View Academy, how do I send the file",
    "re CSC: the strategy meeting is tomorrow",
    "CHILD SAID HE WAS HIT",
])
def test_practitioner_words_pass_through_untouched(guard: PrivacyGuard, text: str) -> None:
    r = guard.redact(text)
    assert not r.findings, [(f.kind, text[f.start:f.end]) for f in r.findings]
    assert r.redacted == text


@pytest.mark.parametrize(("text", "expected"), [
    ("kayleigh said her stepdad hits her mum", ["kayleigh"]),
    ("kayleigh said her stepdad…", ["kayleigh"]),
    ("her son jayden has been coming in with bruises", ["jayden"]),
    ("grandad said ethan is being bullied online", ["ethan"]),
    ("spoke to leo today, hes ok", ["leo"]),
    ("a girl in yr 7, aisha, says her cousin touched her", ["aisha"]),
    ("nan Nia Hall has a special guardianship order", ["Nia"]),
    ("TA said Ellie-May has marks on her neck", ["Ellie-May"]),
    ("im a priest, Rose confessed something", ["Rose"]),
    ("child T.W. disclosed abuse at home", ["T.W."]),
    ("pupil LJ (Y6) came in with a burn", ["LJ"]),
    ("re AB: the SW wants the chronology", ["AB"]),
    ("theres a concern about Lacey Bibi at Park View", ["Lacey Bibi"]),
    ("the imam says Yusuf has stopped coming to the madrassa", ["Yusuf"]),
])
def test_names_in_practitioner_text_are_caught(guard: PrivacyGuard, text: str, expected: list[str]) -> None:
    assert names(guard, text) == expected


@pytest.mark.parametrize(("text", "address"), [
    ("the kids are staying at grans on Beech Avenue", "Beech Avenue"),
    ("Zofia lives with her nan on Oak Tree Close", "Oak Tree Close"),
])
def test_street_after_on_is_an_address(guard: PrivacyGuard, text: str, address: str) -> None:
    assert [text[f.start:f.end] for f in guard.find(text) if f.kind == "address"] == [address]


def test_redacted_kayleigh_message_keeps_the_role_word(guard: PrivacyGuard) -> None:
    assert guard.redact("kayleigh said her stepdad hit her").redacted == "[name] said her stepdad hit her"


@pytest.mark.parametrize("word", ["guardia", "gaurdian", "safegaurding", "confidentiallity", "consnet", "caldicot"])
def test_misspelt_field_words_are_domain_like(word: str) -> None:
    assert domain_like(word)


@pytest.mark.parametrize("word", ["zainab", "kacper", "jayden", "oliwia", "okonkwo", "chanel", "gillian"])
def test_names_are_not_domain_like(word: str) -> None:
    assert not domain_like(word)
