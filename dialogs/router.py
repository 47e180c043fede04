"""Route one (already redacted) input to the right dialog. Pure: no I/O, no clock reads.

This is the engine's single pre-dispatch step (the shape of BotBuilder's
``cancel_and_help_dialog``): the urgent check, privacy choices, stale buttons, Help, Start again,
Back, Explain, Not sure and Talk to someone are decided here once, before any dialog sees the
input, instead of being repeated in every state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from bot.core.config import OrgConfig
from dialogs import intents
from dialogs.flowchart import FlowchartDialog, Walk
from dialogs.messages import (
    MORE_PREFIX,
    Choice,
    Contacts,
    EscalationRequest,
    Menu,
    Notice,
    Outcome,
    PrivacyNotice,
    Progress,
    Reply,
    Text,
    Urgent,
)
from dialogs.qa import ASK_PREFIX, CANNOT, CASE, QADialog
from dialogs.quiz import STATE as QUIZ_STATE
from dialogs.quiz import QuizDialog

State = dict  # compact JSON saved by the store

PRIVACY_USE = "privacy:use"
PRIVACY_EDIT = "privacy:edit"
PRIVACY_ALLOW = "privacy:allow"
EDITION_PREFIX = "edition:"
RESTART_CONFIRM = "restart:confirm"
PENDING_TEXT_MAX = 500

HELP_TEXT = (
    "I help you decide whether you can share information to safeguard a child, using the government's "
    "information sharing advice.\n"
    "• start — walk through the flowchart of key questions (Yes / No / Not sure / Explain / Back)\n"
    "• ask <question> — e.g. \"ask do I need consent to tell the police?\"\n"
    "• talk to someone — who to contact for advice\n"
    "• edition — choose the current advice or the historical 2008 course\n"
    "• quiz — a short quiz on the guidance, with the answers explained\n"
    "• restart — start again\n"
    "Please don't type names or other details that could identify a child or family: I don't need them."
)


@dataclass(frozen=True)
class Input:
    text: str  # redacted
    action: str | None
    ref: str | None
    found: tuple[str, ...]  # kinds of identifying detail found in the original text
    found_phrase: str  # e.g. "a name and a postcode"
    urgent: bool
    once: bool
    now: dt.datetime
    # The cleaned text before redaction. Used only when the practitioner said "this isn't personal data"
    # and only for this turn; nothing in the router stores it.
    unredacted: str = field(default="", repr=False)


class Router:
    def __init__(self, config: OrgConfig, flowcharts: dict[str, FlowchartDialog], qa: QADialog) -> None:
        self.config = config
        self.flowcharts = flowcharts
        self.qa = qa
        self.quiz = QuizDialog(qa.kb, config.quiz.questions)  # issue 8

    # --- helpers -------------------------------------------------------------------------------
    def contacts(self) -> Contacts:
        pairs = tuple((c.label, c.number) for c in self.config.urgent_contacts)
        return Contacts(text="Who to contact:\n" + "\n".join(f"• {label}: {number}" for label, number in pairs),
                        contacts=pairs)

    def urgent_replies(self) -> list[Reply]:
        pairs = tuple((c.label, c.number) for c in self.config.urgent_contacts)
        lines = [
            "If a child is in immediate danger, act now: call 999. Then contact children's social care "
            "and tell your designated safeguarding lead. Do not wait to seek consent or to finish this chat.",
            *(f"• {label}: {number}" for label, number in pairs),
        ]
        if self.config.childrens_social_care is None:
            lines.append("• Local children's social care: not configured here. Use your organisation's "
                         "safeguarding procedures to find the number.")
        return [Urgent(text="\n".join(lines), contacts=pairs)]

    def walk_of(self, state: State) -> Walk | None:
        raw = state.get("w")
        if not raw:
            return None
        try:
            walk = Walk.from_json(raw)
        except (KeyError, TypeError, ValueError):
            return None
        if walk.edition not in self.flowcharts:
            return None
        return walk

    def dialog_for(self, walk: Walk) -> FlowchartDialog:
        return self.flowcharts[walk.edition]

    def edition(self, state: State) -> str:
        chosen = state.get("e")
        return chosen if chosen in self.flowcharts else self.config.default_edition

    def begin(self, state: State, now: dt.datetime, edition: str | None = None) -> tuple[list[Reply], State]:
        edition = edition or self.edition(state)
        replies, walk = self.flowcharts[edition].begin(started=now.timestamp())
        new = {k: v for k, v in state.items() if k not in ("w", "pr", QUIZ_STATE)}
        new["w"] = walk.to_json()
        if edition != self.config.default_edition:
            new["e"] = edition
        else:
            new.pop("e", None)
        return replies, new

    def current_question(self, state: State) -> list[Reply]:
        quiz = self.quiz.session_of(state)  # issue 8: a quiz question waiting comes first
        if quiz is not None:
            return [self.quiz.question(quiz)]
        walk = self.walk_of(state)
        if walk is not None and self.dialog_for(walk).pending(walk):
            return [self.dialog_for(walk).question(walk)]
        return [Menu(text="What would you like to do?", options=(
            Choice(intents.START, "Walk through the flowchart"), Choice(intents.HELP, "Help")))]

    def escalation_request(self, walk: Walk | None, reason: str, urgent: bool = False) -> EscalationRequest:
        """Ask the engine for a person. Carries only our questions and the answers given."""
        if walk is None:
            return EscalationRequest(text="", urgent=urgent, reason=reason)
        answers, stuck = self.dialog_for(walk).summary(walk)
        return EscalationRequest(text="", urgent=urgent, edition=walk.edition, answers=answers, stuck_at=stuck,
                                 reason=reason)

    def stale(self, state: State) -> list[Reply]:
        return [Notice(text="That question has moved on, so I haven't applied that answer. Here is where you are now:"),
                *self.current_question(state)]

    # --- the one pre-dispatch step -------------------------------------------------------------
    def route(self, inp: Input, state: State) -> tuple[list[Reply], State]:
        lead: list[Reply] = self.urgent_replies() if inp.urgent else []
        if inp.urgent:
            # The message was a danger signal, not an answer: say act now and what else can be done.
            return [*lead, self.escalation_request(self.walk_of(state), "urgent", urgent=True),
                    Menu(text="When the child is safe, I can help you record what you shared.", options=(
                Choice(intents.TALK, "Talk to someone"), Choice(intents.START, "Walk through the flowchart")))], state

        if inp.found and not state.get("pb"):
            notice = PrivacyNotice(
                text=(f"Your message looks like it contains {inp.found_phrase}. I don't need details that could "
                      "identify a child or family, and I haven't kept them: seeking advice without naming anyone "
                      "protects them (golden rule 5, 2024: protect identities)."),
                found=inp.found,
                options=() if inp.once else (Choice(PRIVACY_USE, "Use the redacted version"),
                                             Choice(PRIVACY_EDIT, "Edit"),
                                             Choice(PRIVACY_ALLOW, "This isn't personal data")),
            )
            if inp.once:
                replies, state = self.dispatch(inp, state)
                return [notice, *replies], state
            new = dict(state)
            new["pr"] = inp.text[:PENDING_TEXT_MAX]
            return [notice], new
        if inp.text and state.get("pb"):
            state = {k: v for k, v in state.items() if k != "pb"}  # the once-only pass is used up
            if inp.found:
                inp = replace(inp, text=inp.unredacted or inp.text, found=(), found_phrase="")
        return self.dispatch(inp, state)

    def dispatch(self, inp: Input, state: State) -> tuple[list[Reply], State]:
        action = inp.action
        if action in (PRIVACY_USE, PRIVACY_EDIT, PRIVACY_ALLOW):
            return self.privacy_choice(action, inp, state)
        # --- quiz (issue 8): quiz choice ids, "quiz", and typed answers to a waiting quiz question
        if self.quiz.wants(action, inp.text, state):
            return self.quiz.handle(action, inp.text, inp.ref, state, inp.now)
        # --- end quiz
        walk = self.walk_of(state)
        if action is not None and inp.ref:
            if walk is None or walk.ref != inp.ref:
                return self.stale(state), state
        intent = action if action is not None else intents.intent_of(inp.text)

        pending = walk is not None and self.dialog_for(walk).pending(walk)
        if intent is None and inp.text.lower().startswith("ask "):
            return self.free_text(inp.text[4:], inp, state)
        if intent == intents.HELP:
            return [Text(text=HELP_TEXT), *self.current_question(state)], state
        if intent == intents.START and pending:
            # "Walk through the flowchart" from a menu mid-walk: carry on, answers kept.
            return [Text(text="Carrying on where you were:"), *self.current_question(state)], state
        if intent == intents.RESTART and pending and walk is not None and walk.history:
            return [Menu(text="Start again from the first question? The answers you have given so far will be lost.",
                         options=(Choice(RESTART_CONFIRM, "Yes, start again"),
                                  Choice(intents.START, "No, carry on")))], state
        if intent in (intents.START, intents.RESTART, RESTART_CONFIRM):
            return self.begin(state, inp.now)
        if intent == intents.EDITION:
            return [self.edition_menu(state)], state
        if intent is not None and intent.startswith(EDITION_PREFIX):
            edition = intent[len(EDITION_PREFIX):]
            if edition not in self.flowcharts:
                return [Notice(text="I don't recognise that option."), self.edition_menu(state)], state
            return self.begin(state, inp.now, edition)
        if intent is not None and intent.startswith(MORE_PREFIX):
            return self.more(intent[len(MORE_PREFIX):], walk, inp.now, state), state
        if intent is not None and intent.startswith(ASK_PREFIX):
            entry = intent[len(ASK_PREFIX):]
            if not self.qa.is_entry(entry):
                return [Notice(text="I don't recognise that option."), *self.current_question(state)], state
            if pending:
                return [*self.qa.answer(entry), Text(text="Back to where you were:"),
                        *self.current_question(state)], state
            return self.qa.answer(entry), state

        if walk is not None and pending and intent in (intents.YES, intents.NO, intents.NOT_SURE, intents.EXPLAIN,
                                                       intents.BACK, intents.TALK):
            replies, new_walk = self.dialog_for(walk).answer(walk, intent, inp.now)
            if any(isinstance(r, Outcome) and r.outcome == "urgent" for r in replies):
                # Act now comes before the outcome, the quotes and the record.
                at = 1 if replies and isinstance(replies[0], Progress) else 0
                replies[at:at] = self.urgent_replies()
                replies.append(self.escalation_request(new_walk, "urgent", urgent=True))
            if intent == intents.TALK:
                replies.append(self.escalation_request(new_walk, "talk"))
            return replies, {**state, "w": new_walk.to_json()}
        if intent == intents.BACK and walk is not None and walk.history:
            # From an outcome, Back returns to the last question answered.
            replies, new_walk = self.dialog_for(walk).back(walk)
            return replies, {**state, "w": new_walk.to_json()}
        if intent == intents.TALK:
            return [Text(text="Talking it through with someone is the right call when you're unsure (golden "
                               "rule 4, 2024: seek advice promptly). You don't need to name the child or family."),
                    self.escalation_request(walk, "talk")], state
        if intent in (intents.YES, intents.NO, intents.NOT_SURE, intents.EXPLAIN, intents.BACK):
            return [Notice(text="There's no question waiting for an answer just now."),
                    *self.current_question(state)], state
        if intent is not None:
            return [Notice(text="I don't recognise that option."), *self.current_question(state)], state
        if not inp.text:
            return [Notice(text="I didn't get any text there."), *self.current_question(state)], state
        return self.free_text(inp.text, inp, state)

    def free_text(self, text: str, inp: Input, state: State) -> tuple[list[Reply], State]:
        """A question or a described case, typed anywhere. Mid-walk, the answer comes first and the same
        flowchart question is asked again, answers kept. A described case outside a walk starts one."""
        walk = self.walk_of(state)
        pending = walk is not None and self.dialog_for(walk).pending(walk)
        decision = self.qa.decide(text, pickable=not inp.once)
        if decision.kind == CANNOT:
            if pending:
                return [Notice(text="I didn't catch that, and it isn't something the guidance I hold answers. "
                                    "Please answer Yes, No or Not sure, or ask Explain, or ask me a question about "
                                    "sharing information."), *self.current_question(state)], state
            return [*self.qa.cannot_answer(), self.contacts()], state
        replies = self.qa.replies_for(decision)
        if pending:
            return [*replies, Text(text="Back to where you were:"), *self.current_question(state)], state
        if decision.kind == CASE and not inp.once and self.quiz.session_of(state) is None:
            walk_replies, new = self.begin(state, inp.now)
            return [*replies, Text(text="To check your situation one question at a time:"), *walk_replies], new
        return replies, state

    def more(self, wanted: str, walk: Walk | None, now: dt.datetime, state: State) -> list[Reply]:
        """A layer kept one tap away: an answer's law (``law:<entry>``), or the law, checklist or full record
        of the outcome this walk reached. Stale refs were refused before this point."""
        layer_id, _, entry = wanted.partition(":")
        if entry:
            if not self.qa.is_entry(entry):
                return [Notice(text="I don't recognise that option."), *self.current_question(state)]
            layers = [layer for reply in self.qa.answer(entry) for layer in getattr(reply, "layers", ())]
            layer = next((item for item in layers if item.id == layer_id), None)
        elif walk is None or self.dialog_for(walk).concluded(walk) is None:
            return [Notice(text="There's no outcome to show that for yet: it comes at the end of the flowchart."),
                    *self.current_question(state)]
        else:
            layer = self.dialog_for(walk).layer(walk, layer_id, now)
        if layer is None:
            return [Notice(text="There's nothing more of that kind to show here."), *self.current_question(state)]
        return list(layer.replies)

    def privacy_choice(self, action: str, inp: Input, state: State) -> tuple[list[Reply], State]:
        pending = state.get("pr")
        new = {k: v for k, v in state.items() if k != "pr"}
        if action == PRIVACY_ALLOW:
            new["pb"] = 1
            return [Text(text="OK. Send your message again and I'll let it through once, as it is.")], new
        if action == PRIVACY_EDIT or not pending:
            if not pending and action == PRIVACY_USE:
                notice = Notice(text="There's no message waiting: please type it again.")
                return [notice, *self.current_question(new)], new
            return [Text(text="OK. Send your message again without the identifying details.")], new
        # The redacted message is a question or a case, never an answer to a waiting flowchart question.
        text = pending[4:] if pending.lower().startswith("ask ") else pending
        return self.free_text(text, replace(inp, text=text, action=None, ref=None, found=(), found_phrase=""), new)

    def edition_menu(self, state: State) -> Menu:
        options = tuple(Choice(f"{EDITION_PREFIX}{ed}", dialog.chart.label) for ed, dialog in self.flowcharts.items())
        current = self.flowcharts[self.edition(state)].chart.label
        return Menu(text=f"Which guidance should I use? Now: {current}.", options=options)
