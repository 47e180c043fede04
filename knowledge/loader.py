"""Load and cross-check the knowledge files.

A broken file fails at start-up with one message naming the file, the entry and the field,
so an editor fixing a typo in YAML never has to read a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.schema import (
    ADVICE_OF_OUTCOME,
    FLOWCHART_FILES,
    LIST_FILES,
    Answer,
    Askable,
    Flowchart,
    Myth,
    Principle,
    QuizItem,
    Rule,
    Source,
    Strict,
    Term,
)

DATA_DIR = Path(__file__).parent / "data"


class KnowledgeError(ValueError):
    """A knowledge file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Knowledge:
    sources: dict[str, Source]
    rules: dict[str, Rule]
    myths: dict[str, Myth]
    principles: dict[str, Principle]
    answers: dict[str, Answer]
    flowcharts: dict[str, Flowchart]
    quiz: dict[str, QuizItem] = field(default_factory=dict)
    glossary: dict[str, Term] = field(default_factory=dict)

    def citable(self, item_id: str) -> Rule | Myth | Principle:
        """A rule, myth or principle by id (ids are unique across the three)."""
        for table in (self.rules, self.myths, self.principles):
            if item_id in table:
                return table[item_id]
        raise KeyError(item_id)

    @cached_property
    def askables(self) -> tuple[Askable, ...]:
        """Everything a practitioner can ask about, in one shape (see ``Askable``)."""
        return tuple(_askables(self))

    def askable(self, item_id: str) -> Askable:
        for item in self.askables:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def flowchart(self, edition: str) -> Flowchart:
        try:
            return self.flowcharts[edition]
        except KeyError:
            raise KeyError(f"unknown edition {edition!r}; choose from {sorted(self.flowcharts)}") from None


RULE_EDITIONS = {"current": "DfE 2024", "2018": "HM Government 2018 (superseded)",
                 "2008": "2008 course (historical)"}
RULE_YEARS = {"current": "2024", "2018": "2018", "2008": "2008"}


def _askables(kb: Knowledge) -> Iterable[Askable]:
    def edition_of(source_id: str) -> str:
        src = kb.sources[source_id]
        return src.edition if src.current else f"{src.edition} (superseded)"

    for a in kb.answers.values():
        yield Askable(id=a.id, kind="answer", title=a.title, text=a.answer, law=a.law, questions=tuple(a.questions),
                      keywords=tuple(a.keywords), advice=a.advice, current=a.current,
                      edition=edition_of(a.cite.source), cite=a.cite, related=tuple(a.related))
    for r in kb.rules.values():
        yield Askable(id=r.id, kind="rule", title=f"Golden rule {r.number} ({RULE_YEARS[r.edition]}): {r.title}",
                      text=r.summary, law=None, questions=tuple(r.questions), keywords=("golden rule",),
                      advice="depends", current=r.edition == "current", edition=RULE_EDITIONS[r.edition],
                      cite=r.cite)
    for m in kb.myths.values():
        yield Askable(id=m.id, kind="myth", title=f"Myth: {m.myth}", text=m.answer, law=None,
                      questions=tuple(m.questions), keywords=("myth",), advice="depends",
                      current=m.edition == "current", edition=RULE_EDITIONS[m.edition], cite=m.cite)
    for p in kb.principles.values():
        yield Askable(id=p.id, kind="caldicott", title=f"Caldicott principle {p.number}: {p.title}", text=p.summary,
                      law=None, questions=tuple(p.questions), keywords=("Caldicott", "principle"), advice="depends",
                      current=True, edition=edition_of(p.cite.source), cite=p.cite)
    chart = kb.flowcharts.get("current")
    if chart is not None:
        for n in chart.nodes:
            yield Askable(id=f"flow:{n.id}", kind="flow", title=n.title or n.question,
                          text=f"{n.question}\n{n.explain}", law=None, questions=tuple(n.questions),
                          keywords=tuple(n.keywords), advice="depends", current=True, edition=chart.label,
                          cite=n.cite)
        for o in chart.outcomes:
            yield Askable(id=f"flow:{o.id}", kind="outcome", title=o.title, text=o.text, law=o.law,
                          questions=tuple(o.questions), keywords=tuple(o.keywords),
                          advice=ADVICE_OF_OUTCOME[o.kind], current=True, edition=chart.label, cite=o.cite)
    for t in kb.glossary.values():
        yield Askable(id=f"term:{t.id}", kind="term", title=t.term, text=t.text, law=t.law,
                      questions=tuple(t.questions), keywords=tuple(t.keywords), advice="depends", current=True,
                      edition=edition_of(t.cite.source), cite=t.cite, related=tuple(t.related))


def _describe_error(path: Path, entry: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(entry)"
        parts.append(f"field '{where}': {err['msg']}")
    return f"{path}: entry {entry}: " + "; ".join(parts)


def _read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: not valid YAML: {exc}") from None


def _load_list(path: Path, model: type[Strict]) -> list[Strict]:
    doc = _read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise KnowledgeError(f"{path}: expected a mapping with an 'items' list")
    out: list[Strict] = []
    for index, raw in enumerate(doc["items"]):
        label = f"#{index + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            label = f"'{raw['id']}'"
        try:
            out.append(model.model_validate(raw))
        except ValidationError as exc:
            raise KnowledgeError(_describe_error(path, label, exc)) from None
    return out


def _index(items: Iterable[Strict], path_of: dict[str, Path], kind: str) -> dict[str, Strict]:
    table: dict[str, Strict] = {}
    for item in items:
        item_id = item.id  # type: ignore[attr-defined]
        if item_id in table:
            raise KnowledgeError(f"{path_of[item_id]}: entry '{item_id}': field 'id': duplicate {kind} id")
        table[item_id] = item
    return table


def load_knowledge(data_dir: Path | str = DATA_DIR) -> Knowledge:
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise KnowledgeError(f"{data_dir}: knowledge directory not found")
    loaded: dict[str, list[Strict]] = {}
    path_of: dict[str, Path] = {}
    for pattern, model in LIST_FILES.items():
        items: list[Strict] = []
        for path in sorted(data_dir.glob(pattern)):
            for item in _load_list(path, model):
                path_of[item.id] = path  # type: ignore[attr-defined]
                items.append(item)
        loaded[pattern] = items
    flowcharts: dict[str, Flowchart] = {}
    for path in sorted(data_dir.glob(FLOWCHART_FILES)):
        raw = _read_yaml(path)
        try:
            chart = Flowchart.model_validate(raw)
        except ValidationError as exc:
            raise KnowledgeError(_describe_error(path, f"'{path.stem}'", exc)) from None
        if chart.edition in flowcharts:
            raise KnowledgeError(f"{path}: field 'edition': edition {chart.edition!r} defined twice")
        flowcharts[chart.edition] = chart
        path_of[f"flowchart:{chart.edition}"] = path

    kb = Knowledge(
        sources=_index(loaded["sources.yaml"], path_of, "source"),  # type: ignore[arg-type]
        rules=_index(loaded["rules.yaml"], path_of, "rule"),  # type: ignore[arg-type]
        myths=_index(loaded["myths.yaml"], path_of, "myth"),  # type: ignore[arg-type]
        principles=_index(loaded["caldicott.yaml"], path_of, "principle"),  # type: ignore[arg-type]
        answers=_index(loaded["answers/*.yaml"], path_of, "answer"),  # type: ignore[arg-type]
        flowcharts=flowcharts,
        quiz=_index(loaded["quiz/*.yaml"], path_of, "quiz item"),  # type: ignore[arg-type]
        glossary=_index(loaded["glossary.yaml"], path_of, "glossary term"),  # type: ignore[arg-type]
    )
    _cross_check(kb, path_of)
    return kb


def _cross_check(kb: Knowledge, path_of: dict[str, Path]) -> None:
    citable = set(kb.rules) | set(kb.myths) | set(kb.principles)
    overlap = (set(kb.rules) & set(kb.myths)) | (set(kb.rules) & set(kb.principles)) | (
        set(kb.myths) & set(kb.principles)
    )
    if overlap:
        first = sorted(overlap)[0]
        raise KnowledgeError(f"{path_of[first]}: entry '{first}': field 'id': used by two kinds of entry")

    def check_source(where: Path, entry: str, source_id: str, fld: str) -> None:
        if source_id not in kb.sources:
            raise KnowledgeError(f"{where}: entry '{entry}': field '{fld}': unknown source '{source_id}'")

    def check_cites(where: Path, entry: str, cites: Iterable[str], fld: str = "cites") -> None:
        for cid in cites:
            if cid not in citable:
                raise KnowledgeError(f"{where}: entry '{entry}': field '{fld}': unknown rule/myth/principle '{cid}'")

    for table in (kb.rules, kb.myths, kb.principles, kb.answers, kb.quiz, kb.glossary):
        for item_id, item in table.items():
            where = path_of[item_id]
            check_source(where, item_id, item.cite.source, "cite.source")
            quote = getattr(item, "quote", None)
            if quote is not None:
                check_source(where, item_id, quote.source, "quote.source")
    for src in kb.sources.values():
        if src.shown_as is not None:
            check_source(path_of[src.id], src.id, src.shown_as, "shown_as")
    for answer in kb.answers.values():
        where = path_of[answer.id]
        check_cites(where, answer.id, answer.cites)
        for rid in answer.related:
            if rid not in kb.answers:
                raise KnowledgeError(f"{where}: entry '{answer.id}': field 'related': unknown answer '{rid}'")
    for term in kb.glossary.values():
        for rid in term.related:
            if rid not in kb.answers:
                raise KnowledgeError(f"{path_of[term.id]}: entry '{term.id}': field 'related': unknown answer '{rid}'")
    for item in kb.quiz.values():
        check_cites(path_of[item.id], item.id, item.cites_rules, "cites_rules")
        if item.kind == "true_false" and item.answer not in ("true", "false"):
            raise KnowledgeError(f"{path_of[item.id]}: entry '{item.id}': field 'answer': must be true or false")
        if item.kind == "multiple_choice" and item.answer not in item.options:
            raise KnowledgeError(f"{path_of[item.id]}: entry '{item.id}': field 'answer': not one of the options")

    for edition, chart in kb.flowcharts.items():
        _check_flowchart(chart, path_of[f"flowchart:{edition}"], check_source, check_cites)


def _check_flowchart(chart: Flowchart, where: Path, check_source, check_cites) -> None:  # type: ignore[no-untyped-def]
    node_ids = [n.id for n in chart.nodes]
    outcome_ids = [o.id for o in chart.outcomes]
    seen: set[str] = set()
    for ident in node_ids + outcome_ids:
        if ident in seen:
            raise KnowledgeError(f"{where}: entry '{ident}': field 'id': duplicate node or outcome id")
        seen.add(ident)
    if chart.historical and not chart.notice:
        raise KnowledgeError(f"{where}: entry '{chart.edition}': field 'notice': a historical edition needs a notice")
    if chart.start not in node_ids:
        raise KnowledgeError(f"{where}: entry '{chart.edition}': field 'start': unknown node '{chart.start}'")
    check_source(where, chart.edition, chart.cite.source, "cite.source")
    for node in chart.nodes:
        for edge in ("yes", "no"):
            target = getattr(node, edge)
            if target not in seen:
                raise KnowledgeError(f"{where}: entry '{node.id}': field '{edge}': dangling edge to '{target}'")
        check_cites(where, node.id, node.cites)
        check_source(where, node.id, node.cite.source, "cite.source")
    for outcome in chart.outcomes:
        check_cites(where, outcome.id, outcome.cites)
        check_source(where, outcome.id, outcome.cite.source, "cite.source")
    if not any(o.kind == "seek_advice" for o in chart.outcomes):
        raise KnowledgeError(f"{where}: entry '{chart.edition}': field 'outcomes': needs a seek_advice outcome")
    # Every question must be reachable from the start, and the graph must not loop.
    edges = {n.id: (n.yes, n.no) for n in chart.nodes}
    reachable: set[str] = set()
    stack = [chart.start]
    while stack:
        cur = stack.pop()
        if cur in reachable or cur not in edges:
            continue
        reachable.add(cur)
        stack.extend(edges[cur])
    for nid in node_ids:
        if nid not in reachable:
            raise KnowledgeError(f"{where}: entry '{nid}': field 'id': question unreachable from '{chart.start}'")
    _check_acyclic(chart.start, edges, where)


def _check_acyclic(start: str, edges: dict[str, tuple[str, str]], where: Path) -> None:
    state: dict[str, int] = {}

    def visit(node: str, path: tuple[str, ...]) -> None:
        if node not in edges:
            return
        if state.get(node) == 1:
            raise KnowledgeError(f"{where}: entry '{node}': field 'yes/no': the flowchart loops ({' -> '.join(path)})")
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in edges[node]:
            visit(nxt, (*path, nxt))
        state[node] = 2

    visit(start, (start,))


@functools.cache
def default_knowledge() -> Knowledge:
    """The shipped knowledge, loaded once per process."""
    return load_knowledge(DATA_DIR)
