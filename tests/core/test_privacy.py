"""Tests for the privacy guard (bot/core/privacy) and the ``canishare redact`` CLI.

Accuracy floors on the labelled set (tests/data/privacy_messages.jsonl) and why these figures:

* The set has a ``dev`` split, which the rules were written against, and a ``heldout`` split
  (its second batch, ids ``heldout-b2-*``, was written after the rules, to be harder). No rule was
  written for a held-out item: its known misses ("Summer told me ...", "12 Kingsway", the
  charity "Brook" flagged as a name) are left in place as honest failures. Dev floors sit near
  the measured figure, so any regression fails; held-out floors leave room for those misses.
* Measured when these floors were set (``python -m benchmarks.privacy``):
  - dev: every kind at recall 1.00 and precision 1.00; 0/70 clean messages flagged.
  - held-out: name recall 0.98 (58/59), address recall 0.86 (6/7), every other kind 1.00;
    1/58 clean messages flagged.
* **Structured kinds** (NHS, NI, postcode, phone, email, date of birth) are deterministic
  patterns, checksums and a phone library. Recall and precision must stay at or above 0.90 on
  each split, which allows at most one miss per kind on the held-out counts (4-10 items).
* **Names** are the hard kind.
  - Recall floors: dev 0.95, held-out 0.85. The earlier prototype in shared/notes/nlp.md §2.4
    reached 0.89 held-out (8/9), and spaCy-small with Presidio reached 0.67.
  - Precision floor: 0.90 on both splits.
* **Addresses** need a street word such as Road or Close. "12 Kingsway" is a known held-out
  miss, so the held-out floor is 0.80 and the dev floor is 0.90.
* **Redaction coverage** counts gold spans hidden by a finding of any kind, which is what protects
  a family. The floor is 0.95 on each split.
* **False alarms:** clean messages flagged must be at most 2% on dev and 5% on held-out. The
  issue says false alarms teach people to ignore the warning. The notes' spaCy pipeline flagged
  13/25 clean questions and the rule prototype 0/45; 5% means one ordinary question in twenty.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app.cli.redact import run_redact
from bot.core.privacy import KIND_LABELS, Finding, PrivacyGuard, Redaction, describe, get_guard
from bot.core.privacy.evaluation import KINDS, Score, load_messages, score

ROOT = Path(__file__).resolve().parents[2]
STRUCTURED = ("nhs_number", "ni_number", "postcode", "phone", "email", "date_of_birth")
PATTERN_KINDS = ("nhs_number", "ni_number", "postcode", "phone", "email")


@pytest.fixture(scope="module")
def guard() -> PrivacyGuard:
    return get_guard()


def kinds_of(guard: PrivacyGuard, text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in guard.redact(text).findings]


def found(guard: PrivacyGuard, text: str, kind: str) -> list[str]:
    return [t for k, t in kinds_of(guard, text) if k == kind]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

def test_kind_labels_are_exactly_the_documented_placeholders() -> None:
    assert KIND_LABELS == {
        "name": "[name]", "nhs_number": "[NHS number]", "ni_number": "[NI number]",
        "postcode": "[postcode]", "address": "[address]", "date_of_birth": "[date]",
        "phone": "[phone number]", "email": "[email]",
    }
    assert set(KIND_LABELS) == set(KINDS)


def test_redaction_replaces_spans_with_labels_and_reports_offsets(guard: PrivacyGuard) -> None:
    text = "Mrs Patel says NHS 943 476 5919, call 07700 900123"
    r = guard.redact(text)
    assert r.redacted == "Mrs [name] says NHS [NHS number], call [phone number]"
    assert [(f.kind, text[f.start:f.end]) for f in r.findings] == [
        ("name", "Patel"), ("nhs_number", "943 476 5919"), ("phone", "07700 900123")]
    assert r.kinds == ("name", "nhs_number", "phone")
    assert r
    assert isinstance(r.findings, tuple)


def test_clean_text_gives_falsy_redaction(guard: PrivacyGuard) -> None:
    r = guard.redact("Can I share under Article 8 without consent?")
    assert not r
    assert r.redacted == "Can I share under Article 8 without consent?"
    assert r.kinds == ()


def test_kinds_are_distinct_in_order_of_appearance() -> None:
    r = Redaction("x", (Finding("phone", 0, 1), Finding("name", 2, 3), Finding("phone", 4, 5)))
    assert r.kinds == ("phone", "name")


def test_value_objects_are_frozen() -> None:
    f = Finding("name", 0, 4)
    with pytest.raises(FrozenInstanceError):
        f.kind = "email"  # type: ignore[misc]


@pytest.mark.parametrize(("kinds", "phrase"), [
    ([], "no identifying details"),
    (["name"], "a name"),
    (["name", "nhs_number"], "a name and an NHS number"),
    (["phone", "name", "phone", "email"], "a phone number, a name and an email address"),
    (["ni_number", "date_of_birth", "postcode", "address"],
     "a National Insurance number, a date of birth, a postcode and an address"),
])
def test_describe(kinds: list[str], phrase: str) -> None:
    assert describe(kinds) == phrase


def test_describe_never_echoes_the_detail(guard: PrivacyGuard) -> None:
    r = guard.redact("Kacper Nowak, 07700 900123")
    assert "Kacper" not in describe(r.kinds) and "07700" not in describe(r.kinds)


def test_get_guard_is_a_cached_singleton() -> None:
    assert get_guard() is get_guard()


def test_guard_is_thread_safe(guard: PrivacyGuard) -> None:
    texts = [m.text for m in load_messages()]
    expected = [guard.redact(t) for t in texts]
    results: list[list[Redaction]] = [[] for _ in range(4)]

    def work(slot: int) -> None:
        results[slot] = [guard.redact(t) for t in texts]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(r == expected for r in results)


# --------------------------------------------------------------------------------------------
# Structured kinds
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919", "448 372 2026"])
def test_nhs_number_with_valid_check_digit(guard: PrivacyGuard, number: str) -> None:
    assert found(guard, f"NHS number {number} please", "nhs_number") == [number]


@pytest.mark.parametrize("number", ["943 476 5918", "9434765910", "1234567890", "5553574219"])
def test_nhs_number_with_wrong_check_digit_is_not_an_nhs_number(guard: PrivacyGuard, number: str) -> None:
    assert found(guard, f"NHS number {number} please", "nhs_number") == []


def test_nhs_check_digit_of_ten_is_never_valid(guard: PrivacyGuard) -> None:
    # 400000008x: the weighted sum leaves remainder 1, so the check digit would be 10 and no
    # valid number with this prefix exists.
    assert all(found(guard, f"ref 400000008{d}", "nhs_number") == [] for d in range(10))


@pytest.mark.parametrize("nino", ["AB 12 34 56 C", "JG103759A", "ab123456c", "jk 45 67 89 d", "TW 98 76 54 A"])
def test_ni_number(guard: PrivacyGuard, nino: str) -> None:
    assert found(guard, f"her NI number is {nino}.", "ni_number") == [nino]


@pytest.mark.parametrize("nino", [
    "QQ 12 34 56 C",   # HMRC's example prefix: Q is never a first letter
    "DA123456A",       # D never first
    "AD123456A",       # D never second
    "AO123456A",       # O never second
    "BG123456A", "GB123456A", "NK123456A", "KN123456A", "TN123456A", "NT123456A", "ZZ123456A",
    "AB123456E",       # suffix only A-D
    "AB12345C",        # too few digits
])
def test_ni_number_prefix_and_suffix_rules(guard: PrivacyGuard, nino: str) -> None:
    assert found(guard, f"her NI number is {nino}.", "ni_number") == []


@pytest.mark.parametrize("postcode", [
    "LS6 2QR", "SW1A 1AA", "SW1A1AA", "m14 5rt", "E1 6AN", "cf10 1ep", "GIR 0AA", "B15 2TT",
])
def test_postcode(guard: PrivacyGuard, postcode: str) -> None:
    assert found(guard, f"postcode {postcode} thanks", "postcode") == [postcode]


@pytest.mark.parametrize("text", [
    "they live in LS6",             # outward code only: a district, not a home
    "XX1 1AA is not a real area",   # unknown area letters
    "Section 47 of the Children Act 1989",
    "Is S47 the same as a Section 47?",
    "Year 10 pupils",
])
def test_not_a_postcode(guard: PrivacyGuard, text: str) -> None:
    assert found(guard, text, "postcode") == []


@pytest.mark.parametrize("phone", [
    "07911 123456", "+44 7911 123456", "+447700900789", "0113 496 0000", "07700 900123",
    "01632 960 123", "020 7946 0321", "0044 7700 900 111", "+44 (0)20 7946 0999", "07700-900-432",
    "+48 512 345 678",
])
def test_phone(guard: PrivacyGuard, phone: str) -> None:
    assert found(guard, f"call {phone} today", "phone") == [phone]


@pytest.mark.parametrize("text", [
    "Childline is 0800 1111", "NSPCC helpline 0808 800 5000", "Samaritans on 116 123",
    "ring 999 or 101", "NHS 111 can help", "the Children Act 1989 and 2004",
    "the ICO helpline is 0303 123 1113", "about 1,200 pupils aged 11-16",
])
def test_public_numbers_and_years_are_not_phones(guard: PrivacyGuard, text: str) -> None:
    assert found(guard, text, "phone") == []


@pytest.mark.parametrize("email", ["jane.doe@example.com", "sam_okafor99@gmail.com", "dsl.helper+notes@school.org.uk",
                                   "mr.davies1972@hotmail.co.uk"])
def test_email(guard: PrivacyGuard, email: str) -> None:
    assert found(guard, f"email {email}, thanks", "email") == [email]


@pytest.mark.parametrize(("text", "date"), [
    ("DOB 12/03/2015", "12/03/2015"),
    ("d.o.b. 04.11.2012", "04.11.2012"),
    ("date of birth: 9th Sept 2015", "9th Sept 2015"),
    ("she was born on 3rd March 2016", "3rd March 2016"),
    ("her birthday is 17 August 2013", "17 August 2013"),
    ("born March 2015", "March 2015"),          # partial date, but a birth cue
    ("Noah Williams 09/02/2014", "09/02/2014"),  # full date right after a name
])
def test_dates_tied_to_a_person(guard: PrivacyGuard, text: str, date: str) -> None:
    assert found(guard, text, "date_of_birth") == [date]


@pytest.mark.parametrize("text", [
    "The incident happened on 12/03/2025 at the bus stop",
    "The strategy meeting is on Monday 12 March",
    "The order was made on 3 March 2022 under section 31",
    "Is 4 May 2024 when the new KCSIE came in?",
    "a 12 year old told me",
    "The policy was updated on 01/09/2024",
])
def test_dates_without_person_context_are_left_alone(guard: PrivacyGuard, text: str) -> None:
    assert kinds_of(guard, text) == []


@pytest.mark.parametrize(("text", "address"), [
    ("They live at 14 Acacia Avenue, LS6 2QR", "14 Acacia Avenue"),
    ("new address is flat 3, 27 Meadow Road", "flat 3, 27 Meadow Road"),
    ("He's at 33 St Anne's Road", "33 St Anne's Road"),
    ("Her address is 2 The Green", "2 The Green"),
    ("He lives on Marsh Road with his dad", "Marsh Road"),
    ("they're at 14 acacia avenue now", "14 acacia avenue"),
])
def test_address(guard: PrivacyGuard, text: str, address: str) -> None:
    assert found(guard, text, "address") == [address]


@pytest.mark.parametrize("text", [
    "Section 47 of the Children Act 1989", "3 very close friends", "Article 8 rights",
    "Schedule 2 of the DPA 2018", "she lives in Leeds", "The hearing is at 10 Crown Court",
    "a Section 31 Family Court order", "Chapter 7 Way forward",
])
def test_not_an_address(guard: PrivacyGuard, text: str) -> None:
    assert found(guard, text, "address") == []


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "names"), [
    ("Mrs Patel rang about her son", ["Patel"]),
    ("mrs kowalczyk came in upset", ["kowalczyk"]),
    ("Mr and Mrs Thompson asked for the records", ["Thompson"]),
    ("his name is jack and he is scared", ["jack"]),
    ("her name is grace", ["grace"]),
    ("a boy called Reggie", ["Reggie"]),
    ("Chidi (7) said his uncle shouted", ["Chidi"]),
    ("Aoife O'Neill, aged 14, disclosed", ["Aoife O'Neill"]),
    ("Worried about Tyler Smith-Jones in year 6", ["Tyler Smith-Jones"]),
    ("Will is 12 and says he won't go home", ["Will"]),
    ("Grace told her teacher", ["Grace"]),
    ("Kacper's mum says no", ["Kacper"]),
    ("harvey's dad rang again", ["harvey"]),
    ("Ioana Popescu and her brother Andrei", ["Ioana Popescu", "Andrei"]),
    ("Mohammed Al-Rashid, 15, is missing", ["Mohammed Al-Rashid"]),
    ("Li Wei's grandmother", ["Li Wei"]),
    ("Zhang Wei's mum works nights", ["Zhang Wei"]),
    ("Abdullah bin Omar, 16, is alone", ["Abdullah bin Omar"]),
    ("Mrs D'Souza asked for notes", ["D'Souza"]),
    ("Zofia Wiśniewska, 10, has not been seen", ["Zofia Wiśniewska"]),
    ("Can I share that Kwame Mensah is staying with his cousin?", ["Kwame Mensah"]),
    ("The Kowalski family moved", ["Kowalski"]),
    ("Chester (7) lives with his grandparents", ["Chester"]),
    ("We think Leon Brown is being exploited", ["Leon Brown"]),
    ("Tomasz Kowalski is 12. Tomasz says his dad hits him", ["Tomasz Kowalski", "Tomasz"]),
    ("i saw liam and his mum at the shop", ["liam"]),
    ("Can I tell Grandma Joyce what happened?", ["Joyce"]),
    ("Hi Sharon, quick question", ["Sharon"]),
    ("Our new Head, Mr Okafor, wants the file", ["Okafor"]),
])
def test_names(guard: PrivacyGuard, text: str, names: list[str]) -> None:
    assert found(guard, text, "name") == names


@pytest.mark.parametrize("text", [
    "Can I share information under Article 8 without consent?",
    "Does Section 47 apply? What about s.17 of the Children Act 1989?",
    "Who is our Caldicott Guardian?",
    "Can a parent ask for a disclosure under Clare's Law or Sarah's Law?",
    "Working Together 2023 and the MASH, DSL and LADO",
    "The NSPCC and Barnardo's both have guidance",
    "Leeds City Council has a different threshold document",
    "The strategy meeting is on Monday 12 March",
    "a 12 year old told me something worrying",
    "mum and dad disagree about consent",
    "Is Gillick competence the same as the Fraser guidelines?",
    "We use the Mr Men books to talk about feelings",
    "Will the ICO fine me? May I share? Hope this helps. Mark the record.",
    "Grace periods for consent forms",
    "St Mary's Primary and Oakwood Academy share a DSL",
    "Our academy trust is Harris Federation",
    "I work at Queen Elizabeth Hospital in King's Lynn",
    "Jack Hunt School asked for the file",
    "What did the Victoria Climbié inquiry say?",
    "Can I share with Women's Aid or Action for Children?",
    "We follow the Pan-London procedures",
    "Christmas holidays start 20 December",
    "His NINO is missing from the form",
    "A child in Willow class said something worrying",
    "I spoke to the Family Hub and the Youth Justice team",
    "The Red Cross and the Healthy Child Programme",
])
def test_field_vocabulary_is_not_a_name(guard: PrivacyGuard, text: str) -> None:
    assert kinds_of(guard, text) == []


# --------------------------------------------------------------------------------------------
# Labelled set: size, shape and accuracy floors (see module docstring)
# --------------------------------------------------------------------------------------------

MESSAGES = load_messages()


def test_labelled_set_shape() -> None:
    raw = (ROOT / "tests" / "data" / "privacy_messages.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(MESSAGES) == len([r for r in raw if r.strip()]) >= 150
    assert sum(1 for m in MESSAGES if not m.gold) >= 60
    assert {m.split for m in MESSAGES} == {"dev", "heldout"}
    assert len({m.id for m in MESSAGES}) == len(MESSAGES)
    for split in ("dev", "heldout"):
        kinds = {g[0] for m in MESSAGES if m.split == split for g in m.gold}
        assert kinds == set(KINDS), f"{split} lacks {set(KINDS) - kinds}"
        assert sum(1 for m in MESSAGES if m.split == split and not m.gold) >= 30


@pytest.fixture(scope="module")
def scores(guard: PrivacyGuard) -> dict[str, Score]:
    def detect(text: str) -> list[tuple[str, int, int]]:
        return [(f.kind, f.start, f.end) for f in guard.find(text)]
    return {split: score(detect, [m for m in MESSAGES if m.split == split]) for split in ("dev", "heldout")}


RECALL_FLOORS = {
    "dev": {"name": 0.95, "address": 0.90, **{k: 0.90 for k in STRUCTURED}},
    "heldout": {"name": 0.85, "address": 0.80, **{k: 0.90 for k in STRUCTURED}},
}
PRECISION_FLOORS = {"name": 0.90, "address": 0.90, **{k: 0.90 for k in STRUCTURED}}
CLEAN_FLAGGED_CEILING = {"dev": 0.02, "heldout": 0.05}
COVERAGE_FLOOR = 0.95


@pytest.mark.parametrize("split", ["dev", "heldout"])
@pytest.mark.parametrize("kind", KINDS)
def test_recall_and_precision_floors(scores: dict[str, Score], split: str, kind: str) -> None:
    ks = scores[split].kinds[kind]
    assert ks.gold > 0
    assert ks.recall >= RECALL_FLOORS[split][kind], (
        f"{kind} recall {ks.found}/{ks.gold} on {split}; missed "
        f"{[m for m in scores[split].missed if m[1] == kind] if split == 'dev' else '(held-out: not listed)'}")
    assert ks.predicted > 0 and ks.precision >= PRECISION_FLOORS[kind], (
        f"{kind} precision {ks.correct}/{ks.predicted} on {split}")


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_redaction_coverage_floor(scores: dict[str, Score], split: str) -> None:
    assert scores[split].coverage >= COVERAGE_FLOOR


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_clean_messages_false_alarm_ceiling(scores: dict[str, Score], split: str) -> None:
    sc = scores[split]
    assert sc.negative_fp_rate <= CLEAN_FLAGGED_CEILING[split], (
        f"{sc.negatives_flagged}/{sc.negatives} clean {split} messages flagged"
        + (f": {sc.flagged_ids}" if split == "dev" else ""))


# --------------------------------------------------------------------------------------------
# Robustness and properties
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "", " ", "\x00\x01\x02\x7f", "\ud800 lone surrogate", "👶🏽 Jack 👨‍👩‍👧 07700 900123 🎉",
    "\u200bMrs\u200b Patel", "a" * 50_000, "Mrs Patel " * 5_000, "0" * 50_000, "1 " * 25_000,
    "Jack's's's''' O'''Neill --- ---", "[name] [NHS number] [date]", "\n\n\t\r",
])
def test_never_raises_on_odd_input(guard: PrivacyGuard, text: str) -> None:
    r = guard.redact(text)
    assert isinstance(r.redacted, str)
    for f in r.findings:
        assert 0 <= f.start < f.end <= len(text)


def test_internal_error_falls_back_and_never_logs_the_text(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from bot.core.privacy import detector

    def boom(*_args: object) -> list[tuple[str, int, int]]:
        raise ValueError("secret: Kacper Nowak")

    guard = PrivacyGuard()
    monkeypatch.setattr(detector.structured, "find_dates", boom)
    r = guard.redact("Mrs Patel, 07700 900123")
    assert r.redacted == "Mrs [name], [phone number]"   # what ran before the failure still counts
    monkeypatch.setattr(detector.structured, "find_emails", boom)
    r = guard.redact("Mrs Patel, 07700 900123")
    assert r.redacted == "[name]"                       # nothing ran: hide the whole message
    assert "ValueError" in caplog.text
    assert "Kacper" not in caplog.text and "Patel" not in caplog.text


_FRAGMENTS = [
    "Mrs", "Mr", "Dr", "Patel", "Jack", "jack", "Will", "Grace", "Kacper's", "mum", "dad", "called",
    "his name is", "(7)", ", aged 9,", "is 12", "O'Neill", "Smith-Jones", "Zainab", "told", "said",
    "NHS", "943 476 5919", "9434765919", "AB 12 34 56 C", "LS6 2QR", "SW1A1AA", "07700 900123",
    "+44 7911 123456", "0800 1111", "jane@example.com", "DOB", "12/03/2015", "3rd March 2016",
    "born", "14 Acacia Avenue", "flat 3,", "Article 8", "Section 47", "Children Act 1989",
    "Caldicott Guardian", "Clare's Law", "Leeds", "Monday", "March", "a 12 year old", ".", ",",
    "?", "\n", "-", "the", "and", "St", "School", "Road", "[name]", "😀", "\x00", "é",
]
# Fixed seed (derandomize) so CI is repeatable; the same properties were run locally with
# 30,000+ random examples while developing, which is how the glued-identifier cases were found.
_messages = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map(" ".join),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map("".join),
)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_messages)
def test_property_never_raises_and_spans_are_sane(text: str) -> None:
    r = get_guard().redact(text)
    prev_end = 0
    for f in r.findings:
        assert f.kind in KIND_LABELS
        assert prev_end <= f.start < f.end <= len(text)
        prev_end = f.end


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_messages)
def test_property_redacted_text_never_contains_a_found_span(text: str) -> None:
    r = get_guard().redact(text)
    for f in r.findings:
        original = text[f.start:f.end]
        if original.strip() and not any(original in label for label in KIND_LABELS.values()):
            # As a whole word/number: "0000000000" may still sit inside an unflagged longer run.
            standalone = re.compile(rf"(?<![^\W_]){re.escape(original)}(?![^\W_])")
            assert not standalone.search(r.redacted), (original, r.redacted)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(_messages)
def test_property_redacting_twice_finds_nothing_new_of_structured_kinds(text: str) -> None:
    # Pattern-defined kinds only.  A date counts when it follows a *name*, and name rules read
    # context that redaction changes (in garbage like "M'Aa0A MaT 1/1/2000"), so dates are
    # covered by the property above instead.
    guard = get_guard()
    once = guard.redact(text)
    twice = guard.redact(once.redacted)
    assert [f for f in twice.findings if f.kind in PATTERN_KINDS] == []


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def test_cli_plain(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_redact(["Mrs Patel, 07700 900123"], io.StringIO()) == 0
    assert capsys.readouterr().out == "Mrs [name], [phone number]\n"


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    text = "Chidi (7), NHS 943 476 5919"
    assert run_redact(["--json", text], io.StringIO()) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == {
        "redacted": "[name] (7), NHS [NHS number]",
        "findings": [{"kind": "name", "start": 0, "end": 5}, {"kind": "nhs_number", "start": 15, "end": 27}],
    }


def test_cli_reads_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_redact([], io.StringIO("his name is jack\n")) == 0
    assert capsys.readouterr().out == "his name is [name]\n"
    assert run_redact(["--json"], io.StringIO("postcode LS6 2QR")) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["redacted"] == "postcode [postcode]"
    assert out["findings"] == [{"kind": "postcode", "start": 9, "end": 16}]


def test_cli_writes_to_a_given_stream() -> None:
    buf = io.StringIO()
    assert run_redact(["--json", "nothing here"], io.StringIO(), buf) == 0
    assert json.loads(buf.getvalue()) == {"redacted": "nothing here", "findings": []}


def test_cli_bad_usage_returns_error_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_redact(["--nope"], io.StringIO()) == 2
    assert "usage" in capsys.readouterr().err


def test_cli_as_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.app.cli.redact", "--json", "email jane@example.com"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["redacted"] == "email [email]"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.app.cli.redact"], input="DOB 12/03/2015\n",
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )
    assert proc.stdout == "DOB [date]\n"
