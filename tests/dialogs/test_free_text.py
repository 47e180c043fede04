"""Free-text questions reach the right knowledge entry; off-topic ones get an honest "can't answer".

The phrasings are written here, independently of the phrasings in the knowledge files: chatty
wording, British spelling and typos, the way practitioners type in a hurry.
"""

from __future__ import annotations

import pytest

from bot.core.engine import Engine
from dialogs.messages import Answer, Urgent
from dialogs.turn import Turn

ON_TOPIC: list[tuple[str, str]] = [
    ("do I need consent to tell the police?", "consent-needed"),
    ("do i have to get permission from the parents before i share?", "consent-needed"),
    ("is consent the right lawful basis for safeguarding?", "consent-not-lawful-basis"),
    ("when should I NOT ask for consent", "consent-when-not-to-seek"),
    ("shud i ask mum for concent if it might put the child at risk", "consent-when-not-to-seek"),
    ("the parent has withdrawn their consent, what now?", "consent-withdrawn"),
    ("is one parent's consent enough or do I need both?", "consent-one-parent"),
    ("parents said no to sharing, can I still refer?", "consent-parents-refuse"),
    ("can a 16 year old consent for themselves", "capacity-16-plus"),
    ("what is gillick competence", "gillick-competence"),
    ("what's gillick?", "gillick-competence"),
    ("at what age can a child consent to sharing, is it 12?", "consent-age-12"),
    ("a 15 year old told me not to tell anyone about the abuse", "child-refuses"),
    ("mum has a mental health condition and won't agree, does she have capacity", "parent-mental-illness"),
    ("what lawful bases can I use under UK GDPR?", "lawful-basis-overview"),
    ("we're a council, is public task our lawful basis?", "public-task"),
    ("what is the legal obligation basis", "legal-obligation"),
    ("vital interests - when does that apply", "vital-interests"),
    ("we're a charity - can we rely on legitimate interests?", "legitimate-interests"),
    ("what is recognised legitimate interest and the safeguarding condition", "recognised-legitimate-interest"),
    ("health information is special category data - what condition do I need?", "special-category-data"),
    ("schedule 1 paragraph 18 safeguarding of children", "special-category-data"),
    ("what about criminal offence data?", "criminal-offence-data"),
    ("section 115 crime and disorder act", "crime-disorder-s115"),
    ("is data protection law a barrier to sharing?", "dp-not-barrier"),
    ("does GDPR stop me sharing info about a child?", "dp-not-barrier"),
    ("is the Data Protection Act 1998 still in force?", "dpa-1998-repealed"),
    ("is there a new statutory duty to share information?", "cwsa-duty-to-share"),
    ("what's changed in working together 2026", "working-together-2026"),
    ("will the ICO fine me for sharing to protect a kid", "ico-wont-penalise"),
    ("what is Clare's Law", "dvds-clares-law"),
    ("domestic violence disclosure scheme - how does it work", "dvds-clares-law"),
    ("sarah's law - how does a parent ask about someone?", "csods-sarahs-law"),
    ("what are the caldicott principles?", "caldicott-principles"),
    ("what does a Caldicott Guardian do", "caldicott-guardian"),
    ("what is the common law duty of confidentiality", "confidentiality-duty"),
    ("how do I know if info is confidential or not", "confidential-or-not"),
    ("what does sufficient public interest mean", "public-interest"),
    ("a child asked me to promise to keep a secret", "promise-secret"),
    ("does article 8 of the human rights act stop me sharing?", "article-8-echr"),
    ("can I share anonymised information without consent", "anonymised-info"),
    ("what are the 3 meanings of consent in the 2024 advice", "consent-three-meanings"),
]

OFF_TOPIC = [
    "what's the weather like in Leeds tomorrow?",
    "how do I reset my password for the staff portal?",
    "recommend a good recipe for lasagne",
    "who won the football last night",
    "how many days annual leave do I get?",
    "can you book me a meeting room",
    "what's the capital of France",
    "how do I fix the printer on floor 2",
    "tell me a joke",
    "what time does the canteen close",
    "how do I claim mileage expenses",
]


@pytest.mark.parametrize(("question", "entry"), ON_TOPIC)
async def test_phrasing_reaches_entry(memory_engine: Engine, question: str, entry: str) -> None:
    """The right entry is the answer, or one tap away (a related question or a "did you mean" choice)."""
    replies = await memory_engine.handle(Turn(channel="terminal", user_id="q", text=f"ask {question}"))
    answers = [r for r in replies if isinstance(r, Answer)]
    offered = [c.id for r in replies for c in getattr(r, "choices", ())]
    assert (answers and answers[0].entry == entry) or f"ask:{entry}" in offered, (question, answers, offered)
    if answers:
        assert answers[0].source is not None


async def test_most_phrasings_are_answered_with_their_entry(memory_engine: Engine) -> None:
    right = 0
    for question, entry in ON_TOPIC:
        replies = await memory_engine.handle(Turn(channel="terminal", user_id="q1", text=f"ask {question}"))
        right += any(isinstance(r, Answer) and r.entry == entry for r in replies[:2])
    # 39/42 when the glossary and the learnt phrasings arrived; a term's definition can win a "what is" question.
    assert right >= 36, right


def test_on_topic_set_is_big_enough() -> None:
    assert len(ON_TOPIC) >= 40 and len(OFF_TOPIC) >= 10


async def test_direct_answers_dominate(memory_engine: Engine) -> None:
    """Most phrasings should be answered outright, not with a menu."""
    direct = 0
    for question, entry in ON_TOPIC:
        replies = await memory_engine.handle(Turn(channel="terminal", user_id="q2", text=f"ask {question}"))
        direct += any(isinstance(r, Answer) and r.entry == entry for r in replies)
    assert direct >= 0.8 * len(ON_TOPIC), direct


@pytest.mark.parametrize("question", OFF_TOPIC)
async def test_off_topic_gets_honest_cant_answer(memory_engine: Engine, question: str) -> None:
    replies = await memory_engine.handle(Turn(channel="terminal", user_id="o", text=question))
    assert not any(isinstance(r, Answer) for r in replies)
    assert "can't answer" in replies[0].text


async def test_danger_wins_over_any_match(memory_engine: Engine) -> None:
    replies = await memory_engine.handle(
        Turn(channel="terminal", user_id="d", text="do I need consent? the child is in danger right now")
    )
    assert isinstance(replies[0], Urgent)
    assert "999" in replies[0].text


async def test_question_while_flowchart_pending_keeps_place(memory_engine: Engine) -> None:
    first = await memory_engine.handle(Turn(channel="terminal", user_id="p", action="start"))
    replies = await memory_engine.handle(Turn(channel="terminal", user_id="p", text="what is gillick competence"))
    assert any(isinstance(r, Answer) for r in replies)
    assert replies[-1].ref == first[-1].ref


# Written after the knowledge files were tuned on ON_TOPIC, and not used for tuning: an honest
# estimate of how the matcher does on wording nobody has seen. Top-3 is what "did you mean" offers.
HELD_OUT: list[tuple[str, str]] = [
    # A request from the police now has its own answer (what to check, the crime exemption).
    ("the police rang asking about a pupil - can I tell them what I know?", "police-request"),
    ("we have no data sharing agreement with the health visitor team, can I still share?", "protocol-not-needed"),
    ("how much should i send, the whole file?", "share-securely"),
    ("should I let the family know I've made a referral", "telling-family"),
    ("what exactly should I write down after deciding", "record-keeping"),
    ("a social worker wants info for a section 47, do we have to give it", "s47-request"),
    ("I'm a volunteer, who do I go to if I'm worried", "who-to-ask"),
    ("is it ok to email the report to social care", "share-securely"),
    ("the child is moving to a school in another council area", "transfer-another-la"),
    ("can a 13 yr old say no to me telling her mum", "child-refuses"),
    ("we're a private nursery, what's our lawful basis", "legitimate-interests"),
    ("what counts as special category info", "special-category-data"),
]


def test_held_out_phrasings_mostly_offer_the_right_entry(parts) -> None:  # type: ignore[no-untyped-def]
    matcher = parts.qa.matcher
    top3 = sum(entry in [m.entry for m in matcher.search(q, k=3)] for q, entry in HELD_OUT)
    top1 = sum(bool(matcher.search(q, k=1)) and matcher.search(q, k=1)[0].entry == entry for q, entry in HELD_OUT)
    # Measured 11/12 top-3 and 7/12 top-1 when written; 9/12 and 6/12 once the knowledge base grew to every
    # askable item (more near neighbours: glossary terms, flowchart steps, rules). The floors allow honest drift.
    assert top3 >= 8, top3
    assert top1 >= 5, top1
