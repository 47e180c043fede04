"""The flowchart of key questions as a ``transitions`` state machine built from knowledge data.

Changing a question or an edge is a change to ``knowledge/data/flowcharts/*.yaml``; nothing here
names a question. The dialog is pure: it takes the walk's state and an answer and returns replies
and the new state. The engine loads and saves state and decides what counts as an answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from transitions import Machine

from dialogs import intents
from dialogs.messages import Choice, Layer, Outcome, Progress, Question, Record, Reply, Text
from dialogs.sources import local_quotes, quotes_for, source_ref
from knowledge.loader import Knowledge
from knowledge.packs import policies
from knowledge.schema import Flowchart, Node
from knowledge.schema import Outcome as OutcomeDef

ANSWER_LABELS = {intents.YES: "Yes", intents.NO: "No"}
CHOICE_YES = Choice(intents.YES, "Yes")
CHOICE_NO = Choice(intents.NO, "No")
CHOICE_NOT_SURE = Choice(intents.NOT_SURE, "Not sure")
CHOICE_EXPLAIN = Choice(intents.EXPLAIN, "Explain")
CHOICE_BACK = Choice(intents.BACK, "Back")
CHOICE_RESTART = Choice(intents.RESTART, "Start again")
CHOICE_TALK = Choice(intents.TALK, "Talk to someone")


@dataclass
class Walk:
    """One practitioner's way through one edition of the flowchart (saved as compact JSON)."""

    edition: str
    node: str
    history: list[tuple[str, str]] = field(default_factory=list)  # (node id, "yes"/"no")
    unsure: list[str] = field(default_factory=list)  # nodes where they said "Not sure"
    started: float = 0.0  # epoch seconds
    decided: float = 0.0  # epoch seconds the outcome was reached: the record's date, when asked for again

    @property
    def step(self) -> int:
        return len(self.history) + 1

    @property
    def ref(self) -> str:
        """Names this exact question instance; a button from any other instance is stale."""
        return f"{self.edition}.{self.node}.{self.step}"

    def to_json(self) -> dict:
        raw = {"e": self.edition, "n": self.node, "h": [f"{n}:{a[0]}" for n, a in self.history],
               "u": self.unsure, "t": int(self.started)}
        if self.decided:
            raw["d"] = int(self.decided)
        return raw

    @classmethod
    def from_json(cls, raw: dict) -> Walk:
        history = []
        for item in raw.get("h", []):
            node, _, a = item.rpartition(":")
            history.append((node, intents.YES if a == "y" else intents.NO))
        return cls(edition=raw["e"], node=raw["n"], history=history, unsure=list(raw.get("u", [])),
                   started=float(raw.get("t", 0)), decided=float(raw.get("d", 0)))


class _Cursor:
    """The plain object ``transitions`` moves for one step; it holds only the state name."""

    def __init__(self, state: str) -> None:
        self.state = state


class FlowchartDialog:
    def __init__(self, kb: Knowledge, chart: Flowchart, tz: str = "Europe/London") -> None:
        self.kb = kb
        self.chart = chart
        self.tz = ZoneInfo(tz)
        self.nodes: dict[str, Node] = {n.id: n for n in chart.nodes}
        self.outcomes: dict[str, OutcomeDef] = {o.id: o for o in chart.outcomes}
        self.seek_advice = next(o for o in chart.outcomes if o.kind == "seek_advice")
        self.machine = Machine(
            model=None,
            states=self.state_names(),
            transitions=self.transition_table(),
            initial=None,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )

    # --- the machine, from data -------------------------------------------------------------
    def state_names(self) -> list[str]:
        return [n.id for n in self.chart.nodes] + [o.id for o in self.chart.outcomes]

    def transition_table(self) -> list[dict[str, str]]:
        table = []
        for node in self.chart.nodes:
            table.append({"trigger": intents.YES, "source": node.id, "dest": node.yes})
            table.append({"trigger": intents.NO, "source": node.id, "dest": node.no})
        return table

    def _move(self, node: str, trigger: str) -> str:
        # The "static machine" style (transitions' FAQ): fire the event on a plain object holding the
        # state. Binding a throwaway model with add_model on every answer cost ~6x as much.
        cursor = _Cursor(node)
        self.machine.events[trigger].trigger(cursor)
        return cursor.state

    # --- the dialog ---------------------------------------------------------------------------
    def begin(self, started: float) -> tuple[list[Reply], Walk]:
        walk = Walk(edition=self.chart.edition, node=self.chart.start, started=started)
        replies: list[Reply] = []
        if self.chart.historical:
            replies.append(Text(text=f"{self.chart.label}. {self.chart.notice}"))
        replies.append(self.question(walk))
        return replies, walk

    def pending(self, walk: Walk) -> bool:
        return walk.node in self.nodes

    def question(self, walk: Walk, *, unsure: bool = False) -> Question:
        node = self.nodes[walk.node]
        options = [CHOICE_YES, CHOICE_NO]
        options.append(CHOICE_TALK if unsure else CHOICE_NOT_SURE)
        options.append(CHOICE_EXPLAIN)
        if walk.history:
            options.append(CHOICE_BACK)
        options.append(CHOICE_RESTART)
        return Question(
            text=node.question, node=node.id, ref=walk.ref, step=walk.step,
            edition_label=self.chart.label, options=tuple(options),
        )

    def answer(self, walk: Walk, intent: str, now: dt.datetime) -> tuple[list[Reply], Walk]:
        """Apply one answer to a pending question. The caller has checked it is pending."""
        node = self.nodes[walk.node]
        if intent in (intents.YES, intents.NO):
            dest = self._move(node.id, intent)
            new = replace(walk, node=dest, history=[*walk.history, (node.id, intent)],
                          decided=now.timestamp() if dest in self.outcomes else 0.0)
            replies: list[Reply] = [Progress(text=f"{node.question} — {ANSWER_LABELS[intent]}", ref=walk.ref,
                                             question=node.question, answer=ANSWER_LABELS[intent])]
            if dest in self.outcomes:
                replies.extend(self.conclude(new, self.outcomes[dest], now))
            else:
                replies.append(self.question(new))
            return replies, new
        if intent == intents.NOT_SURE:
            unsure = walk.unsure if node.id in walk.unsure else [*walk.unsure, node.id]
            new = replace(walk, unsure=unsure)
            return [Text(text=node.not_sure), self.question(new, unsure=True)], new
        if intent == intents.EXPLAIN:
            return [Text(text=node.explain), *quotes_for(self.kb, node.cites), self.question(walk)], walk
        if intent == intents.BACK:
            return self.back(walk)
        if intent == intents.TALK:
            new = replace(walk, unsure=walk.unsure if node.id in walk.unsure else [*walk.unsure, node.id],
                          node=self.seek_advice.id, decided=now.timestamp())
            return self.conclude(new, self.seek_advice, now), new
        raise ValueError(f"not an answer: {intent}")

    def summary(self, walk: Walk) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        """Questions with the answers given, and where they were unsure: no user text."""
        answers = tuple((self.nodes[n].question, ANSWER_LABELS[a]) for n, a in walk.history if n in self.nodes)
        stuck = tuple(self.nodes[n].question for n in walk.unsure if n in self.nodes)
        return answers, stuck

    def back(self, walk: Walk) -> tuple[list[Reply], Walk]:
        if not walk.history:
            return [Text(text="This is the first question, so there is nothing to go back to."),
                    self.question(walk)], walk
        prev_node, _ = walk.history[-1]
        new = replace(walk, node=prev_node, history=walk.history[:-1], decided=0.0)
        return [Text(text="Going back one question."), self.question(new)], new

    def conclude(self, walk: Walk, outcome: OutcomeDef, now: dt.datetime) -> list[Reply]:
        """The outcome: plain words by default; the law, quotations, checklist and record as its layers."""
        # A pack's local paragraph on this outcome is shown with it, not folded away in a layer.
        return [self.outcome_reply(walk, outcome, now), *local_quotes(self.kb, f"flow:{outcome.id}")]

    def outcome_reply(self, walk: Walk, outcome: OutcomeDef, now: dt.datetime) -> Outcome:
        return Outcome(
            text=outcome.text, outcome=outcome.kind, title=outcome.title, law=outcome.law,
            checklist=tuple(self.chart.checklist) if outcome.checklist else (),
            source=source_ref(self.kb, outcome.cite),
            quotes=tuple(quotes_for(self.kb, outcome.cites)),
            record=self.record(walk, outcome, now),
            ref=walk.ref,
        )

    def concluded(self, walk: Walk) -> OutcomeDef | None:
        """The outcome a walk has reached, or None while a question is pending."""
        return self.outcomes.get(walk.node)

    def layer(self, walk: Walk, layer_id: str, now: dt.datetime) -> Layer | None:
        """One layer of the outcome this walk reached, rebuilt from the walk (the record keeps the time the
        outcome was reached). None when the walk has no outcome or the outcome has no such layer."""
        outcome = self.concluded(walk)
        if outcome is None:
            return None
        when = dt.datetime.fromtimestamp(walk.decided, dt.UTC) if walk.decided else now
        reply = self.outcome_reply(walk, outcome, when)
        return next((layer for layer in reply.layers if layer.id == layer_id), None)

    def record(self, walk: Walk, outcome: OutcomeDef, now: dt.datetime) -> Record:
        """The decision record (golden rule 7). Built only from our own text and the answers.

        Complete, and in the order it is used: the outcome and the form to fill in first, then how the
        decision was reached, and the legal basis as the last section."""
        local = now.astimezone(self.tz)
        lines = [
            "INFORMATION SHARING DECISION RECORD",
            f"Date and time: {local:%d %B %Y, %H:%M} ({self.tz.key})",
            f"Guidance used: {self.chart.label}",
            *(f"Local policy relied on: {p.label()}" for p in policies(self.kb)),
            "No names or identifying details are included in this record.",
            "",
            f"Outcome: {outcome.title}",
            "",
            "Complete in your case notes:",
        ]
        lines += [f"  - {prompt} ____" for prompt in self.chart.record_prompts]
        lines += ["", "Questions and answers:"]
        for index, (node_id, answer) in enumerate(walk.history, start=1):
            question = self.nodes[node_id].question
            lines.append(f"  {index}. {question} — {ANSWER_LABELS[answer]}")
        if walk.unsure:
            stuck = "; ".join(self.nodes[n].question for n in walk.unsure if n in self.nodes)
            lines.append(f"Unsure at: {stuck}")
        lines += ["", f"Legal basis: {outcome.law}"]
        cited = [self.kb.citable(c) for c in outcome.cites]
        if cited:
            lines.append("Rules cited: " + "; ".join(_cite_label(c) for c in cited))
        return Record(text="\n".join(lines), title="Decision record — copy into your case notes")


def _cite_label(item: object) -> str:
    number = getattr(item, "number", None)
    title = getattr(item, "title", None) or getattr(item, "myth", "")
    edition = getattr(item, "edition", None)
    if edition is not None and number is not None:
        year = "2024" if edition == "current" else edition
        return f"Golden rule {number} ({year}): {title}"
    if number is not None:
        return f"Caldicott principle {number}: {title}"
    return f"Myth: {title}"


def mermaid(dialog: FlowchartDialog) -> str:
    """A Mermaid diagram drawn by ``transitions`` from the same states and edges as the dialog."""
    from transitions.extensions import GraphMachine

    graph = GraphMachine(
        states=dialog.state_names(), transitions=dialog.transition_table(), initial=dialog.chart.start,
        auto_transitions=False, graph_engine="mermaid", title=dialog.chart.label,
    )
    return graph.get_graph().draw(None)
