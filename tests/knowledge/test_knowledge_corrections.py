"""Regression tests for content found wrong, and for "nothing unverified reaches a user".

Expectations come from ../shared/notes/guidance.md and the seeds, not from the YAML: where a fact there is
unconfirmed, the knowledge base must say less, never more.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dialogs.sources import quote_for, quotes_for, shown_source, source_ref
from knowledge.loader import default_knowledge
from knowledge.schema import Citation

KB = default_knowledge()
CHART = KB.flowchart("current")
NODES = {n.id: n for n in CHART.nodes}
OUTCOMES = {o.id: o for o in CHART.outcomes}
A = KB.answers

NEW_IDS = [
    "legitimate-purpose", "identifiable-info", "fact-and-opinion", "records-retention", "informed-consent",
    "mental-capacity-act", "discuss-without-identifying", "someone-else-reported", "request-housing",
    "request-school", "request-gp", "police-request", "parents-disagree", "subject-access-request",
    "operation-encompass", "check-caller-identity", "press-and-neighbours", "personal-devices", "adults-at-risk",
    "advice-non-statutory", "other-uk-nations", "keep-confidence", "sexuality-disclosure", "curious-colleague",
    "parent-past-history", "consensual-relationship-16-17", "parent-without-pr", "just-in-case",
    "whole-file-request",
]
KEEP = ["keep-confidence", "sexuality-disclosure", "curious-colleague", "parent-past-history",
        "consensual-relationship-16-17", "press-and-neighbours", "parent-without-pr", "just-in-case"]


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’]*", text))


def user_texts() -> list[tuple[str, str]]:
    """Every text the bot can show a user (default and one tap away), across all editions."""
    out: list[tuple[str, str]] = []
    for a in A.values():
        out += [(f"{a.id}.answer", a.answer), (f"{a.id}.law", a.law or ""), (f"{a.id}.title", a.title)]
    for r in KB.rules.values():
        out.append((r.id, r.summary))
    for m in KB.myths.values():
        out += [(m.id, m.answer), (m.id, m.myth)]
    for p in KB.principles.values():
        out.append((p.id, p.summary))
    for t in KB.glossary.values():
        out += [(t.id, t.text), (t.id, t.law or "")]
    for chart in KB.flowcharts.values():
        out.append((chart.edition, chart.notice))
        for n in chart.nodes:
            out += [(n.id, n.question), (n.id, n.explain), (n.id, n.not_sure)]
        for o in chart.outcomes:
            out += [(o.id, o.text), (o.id, o.law), (o.id, o.title)]
        out += [("checklist", c) for c in chart.checklist]
    return out


# ------------------------------------------------------------------------------------ new answers
@pytest.mark.parametrize("aid", NEW_IDS)
def test_new_answer_is_complete(aid: str) -> None:
    a = A[aid]
    assert len(a.questions) >= 6 and a.keywords and a.related, aid
    assert a.law and a.law.strip(), aid
    assert words(a.answer) <= 120, aid
    assert a.cite.section.strip(), aid
    assert a.reviewed >= dt.date(2026, 12, 1)


def test_keep_confidence_answers_say_keep_it() -> None:
    for aid in KEEP:
        assert A[aid].advice == "keep_confidential", aid
    keep = A["keep-confidence"].answer.lower()
    for needed in ("support", "without naming", "record", "why", "changes"):
        assert needed in keep, needed
    assert "golden rule" in A["keep-confidence"].law.lower() and "7" in A["keep-confidence"].law


def test_sexuality_disclosure_respects_the_confidence() -> None:
    # Issue seen in use: a 15-year-old coming out was told to pass it to the DSL straight away.
    text = A["sexuality-disclosure"].answer.lower()
    assert text.startswith("respect their confidence")
    assert "support" in text and "risk of harm" in text
    assert "not, on its own, a safeguarding concern" in text


def test_other_nations_point_elsewhere() -> None:
    text = A["other-uk-nations"].answer
    for nation in ("Wales", "Northern Ireland", "Scotland"):
        assert nation in text
    assert "differ" in text
    for sid in ("wales-procedures", "ni-cosc", "scot-ngcp-2021"):
        assert KB.sources[sid].url.startswith("https://")


def test_every_answer_has_advice_and_plain_default_text() -> None:
    for a in A.values():
        assert a.advice in ("share", "keep_confidential", "share_less", "depends"), a.id
        # The legal detail sits one tap away: no article numbers or schedule paragraphs in the default text.
        if a.id != "schedule-8-police":  # that answer is about a misquoted schedule, named so people recognise it
            assert not re.search(r"Art(icle)? ?\d|Sch(edule)? ?\d|para(graph)? \d+|\(\d\)\([a-z]+\)", a.answer), a.id
    assert A["urgent-danger"].advice == "share"


# ------------------------------------------------------------------------------------ corrections
def test_1_without_consent_separates_lawful_basis_from_confidence() -> None:
    node = NODES["without_consent"]
    # Only a real justification for breaching a confidence is asked about; "public task" (UK GDPR Art 6
    # only) must not be an answer that leads to "share".
    assert not re.search(r"public task|lawful|legal obligation|vital interests", node.question, re.IGNORECASE)
    assert "confidence" in node.question and "harm" in node.question
    assert "public task" in node.explain and "not enough" in node.explain
    assert len(node.question.split()) <= 25
    do_not = OUTCOMES["do_not_share"]
    text = do_not.text.lower()
    assert "ask" in text and "agree" in text  # ask for consent where safe and appropriate
    assert "keep" in text and "record" in text and "why" in text
    assert "public task" in do_not.law and "confidence" in do_not.law


def test_2_sharing_about_adults_says_with_whom() -> None:
    text = A["sharing-about-adults"].answer
    assert text.startswith("Yes, but only with people who have a role in keeping the child safe")
    assert "neighbour" in text and "press" in text


def test_3_sixteen_and_seventeen_are_still_children() -> None:
    a = A["capacity-16-plus"]
    assert "still children" in a.answer and "18" in a.answer
    assert "s.105" in a.law and "Working Together 2023" in a.law


def test_4_lado_direct_referral_and_whistleblowing() -> None:
    a = A["lado-allegations"]
    assert "directly" in a.answer and "whistleblowing" in a.answer
    assert a.cite.source == "kcsie" and "Part 4" in a.cite.section


def test_5_transfer_cites_current_editions_and_kcsie() -> None:
    a = A["transfer-another-la"]
    assert a.cite.source == "wt-2023" and not a.cite.source.startswith("seed")
    assert "5 school days" in a.answer and "separately" in a.answer
    assert "Keeping Children Safe in Education" in a.law and "receipt is confirmed" in a.law
    assert "2018" not in a.answer + a.law + a.cite.section


def test_6_consent_grounds_credited_to_the_right_edition() -> None:
    a = A["consent-when-not-to-seek"]
    # Rule 2 (2024) covers "greater risk to the child"; the crime and delay grounds are the 2008 guidance's.
    assert "2008" in a.law and "not 2024 text" in a.law
    assert not any(c.endswith("-2018") or c.startswith("gr2008") for c in a.cites)
    one = A["consent-one-parent"]
    assert one.cite.source == "dfe-2024"
    assert "s.2(7)" in one.law and "withdrawn" in one.law


def test_7_working_together_2026_not_cited_for_content() -> None:
    for a in A.values():
        assert a.cite.source != "wt-2026", a.id
    for t in KB.glossary.values():
        assert t.cite.source != "wt-2026", t.id
    assert KB.sources["wt-2023"].current is True
    for text in (A["working-together-2026"].answer, A["referral-csc-mash"].law):
        assert "Working Together 2026" not in text or "not checked" in text


def test_current_answers_cite_current_sources_and_rules() -> None:
    for a in A.values():
        if a.current:
            # A withdrawn source may back a current answer only for a common-law point it states that has not
            # changed since (the duty of confidence), and the section says so.
            assert shown_source(KB, a.cite.source).current or "unchanged since" in a.cite.section, a.id
            for cid in a.cites:
                item = KB.citable(cid)
                assert getattr(item, "edition", "current") == "current", (a.id, cid)


def test_8_kcsie_and_care_act_sources_are_cited() -> None:
    for sid in ("kcsie", "care-act-2014"):
        src = KB.sources[sid]
        assert src.url.startswith("https://") and src.edition and src.current
    assert A["adults-at-risk"].cite.source == "care-act-2014" and "s.42" in A["adults-at-risk"].cite.section
    assert A["someone-else-reported"].cite.source == "kcsie"
    assert "Care Act 2014 s.42" in A["adults-at-risk"].law


def test_legal_facts_say_no_more_than_the_notes() -> None:
    joined = " ".join(t for _, t in user_texts())
    # Recognised legitimate interest commenced 5 February 2026 (SI 2026/82); never another date.
    for m in re.finditer(r"recognised legitimate interest[^.]*?(\d{1,2} \w+ 20\d\d)", joined, re.IGNORECASE):
        assert m.group(1) in ("5 February 2026", "5 Feb 2026"), m.group(0)
    # Commencement of the new duty to share is unconfirmed: say so wherever s.16LA is mentioned.
    for where, text in user_texts():
        if "16LA" in text:
            assert "not confirmed" in text, where
    assert KB.sources["ico-10-step"].edition == "14 September 2023"
    assert "2026" in A["recognised-legitimate-interest"].answer


# ------------------------------------------------------------------------------------ nothing unverified
def test_no_apology_or_unattributed_text_reaches_a_user() -> None:
    for where, text in user_texts():
        low = text.lower()
        assert "not yet been checked" not in low and "not been checked" not in low, where
        assert "unattributed" not in low, where
        assert "recollection" not in low, where


def _citations() -> list[tuple[str, Citation]]:
    out = [(f"answer:{a.id}", a.cite) for a in A.values()]
    out += [(f"rule:{r.id}", r.cite) for r in KB.rules.values()]
    out += [(f"myth:{m.id}", m.cite) for m in KB.myths.values()]
    out += [(f"cp:{p.id}", p.cite) for p in KB.principles.values()]
    out += [(f"term:{t.id}", t.cite) for t in KB.glossary.values()]
    for chart in KB.flowcharts.values():
        out.append((f"flowchart:{chart.edition}", chart.cite))
        out += [(f"flow:{p.id}", p.cite) for p in (*chart.nodes, *chart.outcomes)]
    for table in (KB.rules, KB.myths, KB.principles):
        for item in table.values():
            if item.quote is not None:
                out.append((f"quote:{item.id}", Citation(source=item.quote.source, section=item.quote.section)))
    return out


@pytest.mark.parametrize(("where", "cite"), _citations(), ids=[w for w, _ in _citations()])
def test_every_citation_is_checkable(where: str, cite: Citation) -> None:
    src = shown_source(KB, cite.source)
    assert src.url.startswith("https://"), (where, src.id)
    assert src.edition.strip() and cite.section.strip(), where
    assert "unattributed" not in src.publisher.lower(), where
    assert src.review_by >= dt.date.today(), f"{where}: source {src.id} was due for review on {src.review_by}"
    ref = source_ref(KB, cite)
    assert ref.url == src.url


def test_seeds_are_shown_as_the_published_document() -> None:
    for sid in ("seed-000", "seed-003"):
        assert KB.sources[sid].shown_as in ("hmg-2008", "dfe-2018")
        assert shown_source(KB, sid).url.startswith("https://")
    # A quotation checked against a seed says where that wording was found.
    for table in (KB.rules, KB.myths):
        for item in table.values():
            if item.quote is not None and item.quote.source.startswith("seed-"):
                assert re.search(r"as (reproduced|taught|quoted) in", item.quote.section), item.id


def test_quotation_only_when_held_verbatim() -> None:
    for table in (KB.rules, KB.myths, KB.principles):
        for item in table.values():
            q = quote_for(KB, item)
            assert q.verbatim is (item.quote is not None and item.quote.confirmed_by == "seed"), item.id
    # The Caldicott titles are confirmed only by secondary web pages: shown as our summary.
    assert quote_for(KB, KB.principles["cp-1"]).verbatim is False


def test_superseded_rules_only_when_history_is_asked() -> None:
    for a in A.values():
        quotes = quotes_for(KB, a.cites)
        if a.current:
            assert all("(2018)" not in q.title and "(2008)" not in q.title for q in quotes), a.id
            assert all(q.source is None or q.source.current for q in quotes), a.id
    mixed = quotes_for(KB, ["gr2024-1", "gr2018-1"])
    assert [q.title.split(":")[0] for q in mixed] == ["Golden rule 1 (2024)"]
    assert len(quotes_for(KB, ["gr2024-1", "gr2018-1"], history=True)) == 2
    assert len(quotes_for(KB, ["gr2008-1", "gr2008-4"])) == 2  # an entry about history keeps its rules
    for a in A.values():
        if not a.current:  # an answer about an older edition shows that edition's rules
            assert a.cites and len(quotes_for(KB, a.cites)) == len(a.cites), a.id
