"""Local knowledge packs: a partnership's own answers, contacts, quiz items and local notes on top of
the national knowledge base.

A pack is a folder (or an installed package exposing a ``canishare.packs`` entry point) holding
``pack.yaml`` (name, publisher, area, edition, review date, licence, sign-off) and any of:

* ``sources.yaml``, ``answers.yaml`` / ``answers/*.yaml``, ``myths.yaml``, ``glossary.yaml``,
  ``quiz.yaml`` / ``quiz/*.yaml``: entries validated by the same schema as the national files;
* ``extensions.yaml``: local paragraphs appended to a national answer (or flowchart outcome), each with
  its own citation ("In Derby and Derbyshire: ...");
* ``contacts.yaml``: local contacts and the local front door (children's social care / MASH).

Local first, national always: a pack adds and extends; it never replaces a national entry, never
touches the urgent path (999 first, act now without waiting for consent) and never contradicts a
national legal fact. The loader refuses a pack that tries, and says which file, entry and rule.
Packs are listed, in order, by ``CANISHARE_PACKS`` (comma-separated) or the organisation file's
``packs`` key; none is on by default.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from knowledge.loader import Knowledge, KnowledgeError, _describe_error, _load_list, _read_yaml, default_knowledge
from knowledge.schema import Answer, Askable, Citation, Myth, QuizItem, Source, Strict, Term

log = logging.getLogger("canishare.packs")

PACKS_DIR = Path(__file__).parent / "packs"
ENTRY_POINT_GROUP = "canishare.packs"
ENV_VAR = "CANISHARE_PACKS"
NATIONAL = "national"
_SLUG = r"^[a-z0-9][a-z0-9-]{1,62}$"


class PackError(KnowledgeError):
    """A pack is malformed, or would remove or contradict national advice."""


# --- schema of the pack-only files -----------------------------------------------------------------

class PackMeta(Strict):
    """``pack.yaml``: who publishes the pack, for where, which edition, and when it must be reviewed."""

    name: str = Field(pattern=_SLUG)
    title: str  # e.g. "Derby and Derbyshire information sharing policy"
    publisher: str
    area: str  # e.g. "Derby and Derbyshire": prefixes every local paragraph ("In Derby and Derbyshire: ...")
    edition: str  # the local document's own edition, e.g. "2019"
    based_on: str  # the national source id it was written on, e.g. "dfe-2018"
    policy_source: str  # the pack source id of the local policy itself (named in decision records)
    review_by: dt.date
    licence: str
    signed_off_by: str  # the role that approved this edition, e.g. "Partnership business manager"
    contact: str = ""  # who to tell about a mistake in the pack
    description: str = ""


class Extension(Strict):
    """A local paragraph appended to a national answer or flowchart outcome (``flow:<id>``)."""

    id: str
    extends: str
    text: str = Field(max_length=700)
    reviewed: dt.date
    cite: Citation


class LocalContact(Strict):
    """A local number or route. ``front_door`` replaces the national placeholder for children's social care."""

    label: str
    number: str
    when: str = ""
    route: Literal["contact", "front_door"] = "contact"


PACK_LIST_FILES: dict[str, type[Strict]] = {
    "sources.yaml": Source,
    "answers.yaml": Answer,
    "answers/*.yaml": Answer,
    "myths.yaml": Myth,
    "glossary.yaml": Term,
    "quiz.yaml": QuizItem,
    "quiz/*.yaml": QuizItem,
    "extensions.yaml": Extension,
    "contacts.yaml": LocalContact,
}


@dataclass(frozen=True)
class Pack:
    meta: PackMeta
    path: Path
    sources: dict[str, Source] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    myths: dict[str, Myth] = field(default_factory=dict)
    glossary: dict[str, Term] = field(default_factory=dict)
    quiz: dict[str, QuizItem] = field(default_factory=dict)
    extensions: tuple[Extension, ...] = ()
    contacts: tuple[LocalContact, ...] = ()
    where: dict[str, Path] = field(default_factory=dict)  # entry id -> file, for messages

    @property
    def name(self) -> str:
        return self.meta.name

    def entries(self) -> Iterable[tuple[str, Strict]]:
        for table in (self.sources, self.answers, self.myths, self.glossary, self.quiz):
            yield from table.items()
        for ext in self.extensions:
            yield ext.id, ext

    def file_of(self, entry: str) -> Path:
        return self.where.get(entry, self.path / "pack.yaml")


@dataclass(frozen=True)
class LocalNote:
    """A pack's local paragraph as shown under a national answer."""

    pack: str
    area: str
    text: str
    cite: Citation


@dataclass(frozen=True)
class PolicyRef:
    """The local policy a reply or decision record relied on."""

    pack: str
    title: str
    publisher: str
    edition: str  # as shown, e.g. "2019 edition, written on the July 2018 national advice"
    area: str

    def label(self) -> str:
        return f"{self.title} ({self.publisher}), {self.edition}"


# --- locating and reading a pack -------------------------------------------------------------------

def _entry_point_path(name: str) -> Path | None:
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.name != name:
            continue
        target = ep.load()
        target = target() if callable(target) else target
        if isinstance(target, str | os.PathLike):
            return Path(target)
        file = getattr(target, "__file__", None)  # a package: the pack files sit beside its __init__.py
        if file:
            return Path(file).parent
        raise PackError(f"entry point {ENTRY_POINT_GROUP}:{name} gives neither a folder nor a package")
    return None


def resolve(spec: str) -> Path:
    """A pack folder from a name in ``CANISHARE_PACKS``: a path, a shipped pack, or an entry point."""
    spec = spec.strip()
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    if re.fullmatch(_SLUG, spec):
        shipped = PACKS_DIR / spec
        if (shipped / "pack.yaml").is_file():
            return shipped
        found = _entry_point_path(spec)
        if found is not None:
            return found
    raise PackError(f"pack {spec!r}: no such folder, shipped pack (knowledge/packs/) or installed "
                    f"'{ENTRY_POINT_GROUP}' entry point")


def available() -> list[tuple[str, Path]]:
    """Every pack that could be enabled: shipped ones, then installed entry points."""
    out = [(p.name, p) for p in sorted(PACKS_DIR.iterdir()) if (p / "pack.yaml").is_file()] \
        if PACKS_DIR.is_dir() else []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            path = _entry_point_path(ep.name)
        except Exception as exc:  # a broken third-party package must not hide the others
            log.warning("pack entry point %s not loadable: %s", ep.name, type(exc).__name__)
            continue
        if path is not None:
            out.append((ep.name, path))
    return out


def load_pack(spec: str | Path) -> Pack:
    root = resolve(str(spec))
    meta_path = root / "pack.yaml"
    if not meta_path.is_file():
        raise PackError(f"{root}: not a pack (no pack.yaml)")
    raw = _read_yaml(meta_path)
    try:
        meta = PackMeta.model_validate(raw)
    except ValidationError as exc:
        raise PackError(_describe_error(meta_path, "'pack'", exc)) from None
    tables: dict[type[Strict], list[Strict]] = {}
    where: dict[str, Path] = {}
    known = set(PACK_LIST_FILES) | {"pack.yaml"}
    for path in sorted(root.rglob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        if not any(Path(rel).match(g) for g in known) or rel.count("/") > 1:
            raise PackError(f"{path}: not a pack file; expected one of {sorted(known)}")
    for pattern, model in PACK_LIST_FILES.items():
        for path in sorted(root.glob(pattern)):
            try:
                items = _load_list(path, model)
            except KnowledgeError as exc:
                raise PackError(str(exc)) from None
            for n, item in enumerate(items):
                key = getattr(item, "id", None) or f"contact:{getattr(item, 'label', n)}"
                if key in where and model is not LocalContact:
                    raise PackError(f"{path}: entry '{key}': field 'id': duplicate id in pack '{meta.name}'")
                where[key] = path
            tables.setdefault(model, []).extend(items)

    def table(model: type[Strict]) -> dict:
        return {i.id: i for i in tables.get(model, [])}  # type: ignore[attr-defined]

    return Pack(meta=meta, path=root, sources=table(Source), answers=table(Answer), myths=table(Myth),
                glossary=table(Term), quiz=table(QuizItem),
                extensions=tuple(tables.get(Extension, [])),  # type: ignore[arg-type]
                contacts=tuple(tables.get(LocalContact, [])), where=where)  # type: ignore[arg-type]


# --- what a pack may never say ------------------------------------------------------------------------
# Sentences that contradict the urgent path. Checked on every text a pack adds.
URGENT_PATH_BREAKS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.I), why) for p, why in (
    (r"\b(do not|don't|never|no need to|need not|needn't|should not|shouldn't|must not)\s+(call|ring|phone|dial|"
     r"contact)\s+(999|the police|an ambulance|emergency services)",
     "tells people not to call 999 or the police; the urgent path always says call 999 first"),
    (r"\b(instead of|rather than|before)\s+(calling|ringing|phoning|dialling)\s+999\b",
     "puts another step ahead of 999; the urgent path always says call 999 first"),
    (r"\b(wait|hold off|delay)\b[^.;]{0,60}\b(before|until)\b[^.;]{0,60}\b(999|police|refer|referring|report|"
     r"reporting|social care|MASH|front door)\b",
     "tells people to wait before acting on a risk of harm; the urgent path says act now"),
))
SCHEDULE_8 = ("cites DPA 2018 Schedule 8 for the safeguarding condition; outside law enforcement it is UK GDPR "
              "Art 9(2)(g) with DPA 2018 Sch 1 Pt 2 para 18")
# A text that explains Schedule 8 is for law enforcement is correcting the mistake, not making it.
_LAW_ENFORCEMENT = re.compile(r"\b(law enforcement|police|competent authorit)", re.I)
# Positive claims that contradict a national legal fact. A sentence that negates the claim ("you do not
# need consent before referring") is not a contradiction, so these are voided by a negation before them.
LEGAL_FACT_BREAKS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.I), why) for p, why in (
    (r"\b(always|must|need to|have to|required to|requires?)\b[^.;]{0,30}\b(get|obtain|have|seek|gain)?\b"
     r"[^.;]{0,15}\bconsent\b[^.;]{0,40}\bbefore\b[^.;]{0,40}\b(shar|refer|report|tell|call)",
     "says consent is needed before sharing or referring; nationally, consent is not needed where a child "
     "is at risk (DfE May 2024; UK GDPR Art 6(1)(e) and Art 9(2)(g) with DPA 2018 Sch 1 Pt 2 para 18)"),
    (r"\b(gdpr|uk gdpr|data protection act|data protection law|dpa 2018|dpa)\b[^.;]{0,40}\b(prevents?|stops?|"
     r"prohibits?|forbids?|bars?|blocks?)\b[^.;]{0,40}\bshar",
     "says data protection law prevents sharing; nationally it is not a barrier to sharing to keep a child "
     "safe (DfE May 2024, golden rule 1)"),
    (r"\b(seven|7)\s+caldicott principles\b",
     "names seven Caldicott principles; there have been eight since December 2020 (National Data Guardian)"),
    (r"\b(schedule|sch\.?)\s*8\b(?![^.;]*\b(only|police|law enforcement|competent authorit))[^.;]{0,80}"
     r"\bsafeguarding\b", SCHEDULE_8),
    (r"\bdata protection act\s*\(?1998\)?(?![^.;]*\b(repealed|replaced|superseded|no longer))",
     "relies on the Data Protection Act 1998, which is repealed (DPA 2018 and UK GDPR apply)"),
))
_NEGATION = re.compile(r"\b(not|never|no|without)\b|n't\b", re.I)
_NEGATED_VERB = re.compile(r"(\bnot|n't|\bnever|\bno need to)\s*$", re.I)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def contradictions(text: str) -> list[str]:
    """Why ``text`` breaks the urgent path or a national legal fact (empty when it does not)."""
    found: list[str] = []
    for sentence in _SENTENCE.split(text):
        for pattern, why in URGENT_PATH_BREAKS:
            m = pattern.search(sentence)
            # "Don't wait for consent before you refer" says the opposite of "wait before you refer".
            if m and not (m.group(0).lower().startswith(("wait", "hold off", "delay"))
                          and _NEGATED_VERB.search(sentence[:m.start()])) and why not in found:
                found.append(why)
        for pattern, why in LEGAL_FACT_BREAKS:
            m = pattern.search(sentence)
            if m and not _NEGATION.search(sentence[:m.end()]) and why not in found \
                    and not (why is SCHEDULE_8 and _LAW_ENFORCEMENT.search(text)):
                found.append(why)
    return found


def _texts(entry: Strict) -> Iterable[str]:
    if isinstance(entry, Answer):
        yield entry.answer
        yield entry.law or ""
    elif isinstance(entry, Myth):
        yield entry.answer
    elif isinstance(entry, Term):
        yield entry.text
        yield entry.law or ""
    elif isinstance(entry, QuizItem):
        yield entry.explanation
        if entry.kind == "true_false" and entry.answer == "true":
            yield entry.prompt  # a statement the pack teaches as true
        if entry.kind == "multiple_choice":
            yield entry.answer
    elif isinstance(entry, Extension):
        yield entry.text
    elif isinstance(entry, LocalContact):
        yield entry.when


# --- merging ---------------------------------------------------------------------------------------------

URGENT_OUTCOMES = frozenset({"flow:act_now", "flow:urgent"})


def _national_ids(kb: Knowledge) -> set[str]:
    ids = set(kb.sources) | set(kb.rules) | set(kb.myths) | set(kb.principles) | set(kb.answers) | set(kb.quiz)
    ids |= set(kb.glossary) | {f"term:{t}" for t in kb.glossary}
    for chart in kb.flowcharts.values():
        ids |= {f"flow:{n.id}" for n in chart.nodes} | {f"flow:{o.id}" for o in chart.outcomes}
    return ids


def _urgent_ids(kb: Knowledge) -> set[str]:
    ids = {a.id for a in kb.answers.values() if a.urgent}
    for chart in kb.flowcharts.values():
        ids |= {f"flow:{o.id}" for o in chart.outcomes if o.kind == "urgent"}
    return ids


def _rule_current(kb: Knowledge, rule_id: str) -> bool:
    item = kb.citable(rule_id)
    return getattr(item, "edition", "current") == "current"


def conflicts(base: Knowledge, pack: Pack) -> list[str]:
    """Every reason ``pack`` cannot be laid over ``base`` (empty: it can). Cheap: no matching."""
    problems: list[str] = []
    meta = pack.meta

    def bad(entry: str, fld: str, why: str) -> None:
        problems.append(f"{pack.file_of(entry)}: entry '{entry}': field '{fld}': {why}")

    taken = _national_ids(base)
    urgent = _urgent_ids(base)
    sources = {**base.sources, **pack.sources}
    for entry_id, entry in pack.entries():
        if entry_id in taken:
            bad(entry_id, "id", "already a national entry; a pack adds new entries or extends a national answer "
                                "(extensions.yaml), it never replaces one")
        cite = getattr(entry, "cite", None)
        if cite is not None and cite.source not in sources:
            bad(entry_id, "cite.source", f"unknown source '{cite.source}' (add it to the pack's sources.yaml)")
        if cite is not None and cite.source in sources and not cite.section.strip() and cite.source in pack.sources:
            bad(entry_id, "cite.section", "a local citation names the section or paragraph it relies on")
        for text in _texts(entry):
            for why in contradictions(text):
                bad(entry_id, "text", why)
    for answer in pack.answers.values():
        if answer.urgent:
            bad(answer.id, "urgent", "the urgent path is national; add local numbers in contacts.yaml instead")
        for rid in answer.cites:
            try:
                current = _rule_current(base, rid)
            except KeyError:
                bad(answer.id, "cites", f"unknown rule/myth/principle '{rid}'")
                continue
            if answer.current and not current:
                bad(answer.id, "cites", f"'{rid}' is superseded and cannot be cited as current advice")
        for rid in answer.related:
            if rid not in base.answers and rid not in pack.answers:
                bad(answer.id, "related", f"unknown answer '{rid}'")
    for item in pack.quiz.values():
        if item.kind == "true_false" and item.answer not in ("true", "false"):
            bad(item.id, "answer", "must be true or false")
        if item.kind == "multiple_choice" and item.answer not in item.options:
            bad(item.id, "answer", "not one of the options")
    targets = set(base.answers) | {i for i in taken if i.startswith("flow:")} | set(pack.answers)
    for ext in pack.extensions:
        if ext.extends not in targets:
            bad(ext.id, "extends", f"no national answer or flowchart outcome '{ext.extends}' to extend")
        if ext.extends in urgent and ext.cite.source not in pack.sources:
            bad(ext.id, "cite.source", "a note on the urgent path must cite the pack's own policy")
    for contact in pack.contacts:
        key = f"contact:{contact.label}"
        if contact.number.replace(" ", "") in ("999", "112"):
            bad(key, "number", "999 is national and always shown first; a pack cannot restate or move it")
        if re.search(r"\b(emergency|999)\b", contact.label, re.I):
            bad(key, "label", "the emergency contact is national; a pack cannot replace it")
    if sum(c.route == "front_door" for c in pack.contacts) > 1:
        bad("contacts", "route", "a pack names at most one front door")
    if meta.policy_source not in pack.sources:
        bad("pack", "policy_source", f"'{meta.policy_source}' is not in the pack's sources.yaml")
    if meta.based_on not in base.sources:
        bad("pack", "based_on", f"unknown national source '{meta.based_on}'")
    elif meta.policy_source in pack.sources:
        policy, basis = pack.sources[meta.policy_source], base.sources[meta.based_on]
        # Never newer than it is: the edition shown must carry its own year and, when the national
        # advice it was written on has been replaced, say which advice that was.
        if meta.edition not in policy.edition:
            bad(meta.policy_source, "edition", f"must show the pack's edition '{meta.edition}'")
        if not basis.current and str(basis.year) not in policy.edition:
            bad(meta.policy_source, "edition", f"must say it was written on the {basis.year} national advice "
                                               f"({basis.edition}), which has since been replaced")
        if policy.year > dt.date.today().year or str(policy.year) not in meta.edition:
            bad(meta.policy_source, "year", f"year {policy.year} does not match the pack edition '{meta.edition}'")
    return problems


class PackedKnowledge(Knowledge):
    """The national knowledge with packs laid over it. Pack entries sit in the same tables, so every
    channel, the matcher and the quiz see them; provenance says which pack each came from."""

    # Set through ``object.__setattr__`` in ``merge`` (the dataclass is frozen and its fields are K's).
    packs: tuple[PackMeta, ...]
    origin: dict[str, str]  # entry id (answer, myth, term:..., quiz, source) -> pack name
    notes: dict[str, tuple[LocalNote, ...]]  # national entry id -> local paragraphs
    local_contacts: tuple[tuple[str, LocalContact], ...]  # (pack name, contact), in pack order

    @cached_property
    def askables(self) -> tuple[Askable, ...]:
        shown = {m.name: policy_ref(self, m.name).edition for m in self.packs}
        out = []
        for item in super().askables:
            pack = self.origin.get(item.id)
            out.append(replace(item, edition=shown[pack]) if pack else item)
        return tuple(out)


def merge(base: Knowledge, packs: Sequence[Pack]) -> Knowledge:
    """``base`` with ``packs`` laid over it, in order. Raises PackError naming every conflict."""
    if not packs:
        return base
    seen: set[str] = set()
    for pack in packs:
        if pack.name in seen:
            raise PackError(f"pack '{pack.name}' is listed twice")
        seen.add(pack.name)
    current = base
    origin: dict[str, str] = {}
    notes: dict[str, list[LocalNote]] = {}
    contacts: list[tuple[str, LocalContact]] = []
    for pack in packs:
        problems = conflicts(current, pack)
        if problems:
            raise PackError(f"pack '{pack.name}' refused ({len(problems)} problem"
                            f"{'s' if len(problems) != 1 else ''}):\n  " + "\n  ".join(problems))
        for table in (pack.sources, pack.answers, pack.myths, pack.quiz):
            origin.update({k: pack.name for k in table})
        origin.update({f"term:{k}": pack.name for k in pack.glossary})
        for ext in pack.extensions:
            notes.setdefault(ext.extends, []).append(LocalNote(pack.name, pack.meta.area, ext.text, ext.cite))
        contacts.extend((pack.name, c) for c in pack.contacts)
        current = Knowledge(
            sources={**current.sources, **pack.sources}, rules=current.rules,
            myths={**current.myths, **pack.myths}, principles=current.principles,
            answers={**current.answers, **pack.answers}, flowcharts=current.flowcharts,
            quiz={**current.quiz, **pack.quiz}, glossary={**current.glossary, **pack.glossary},
        )
    fields = {f: getattr(current, f) for f in current.__dataclass_fields__}
    merged = PackedKnowledge(**fields)
    object.__setattr__(merged, "packs", tuple(p.meta for p in packs))
    object.__setattr__(merged, "origin", origin)
    object.__setattr__(merged, "notes", {k: tuple(v) for k, v in notes.items()})
    object.__setattr__(merged, "local_contacts", tuple(contacts))
    for pack in packs:
        if pack.meta.review_by < dt.date.today():
            # A lapsed review date must not take the service down; ``canishare pack check`` fails on it.
            log.warning("pack %s: review date %s has passed", pack.name, pack.meta.review_by)
    return merged


# --- what dialogs and the core ask of a (possibly packed) knowledge base -------------------------------

def pack_of(kb: Knowledge, entry_id: str) -> str | None:
    """The pack an entry or source came from, or None for the national base."""
    return getattr(kb, "origin", {}).get(entry_id)


def local_notes(kb: Knowledge, entry_id: str) -> tuple[LocalNote, ...]:
    return getattr(kb, "notes", {}).get(entry_id, ())


def active_packs(kb: Knowledge) -> tuple[PackMeta, ...]:
    return getattr(kb, "packs", ())


def local_contacts(kb: Knowledge) -> tuple[tuple[str, LocalContact], ...]:
    return getattr(kb, "local_contacts", ())


def policy_ref(kb: Knowledge, pack_name: str) -> PolicyRef:
    meta = next(m for m in active_packs(kb) if m.name == pack_name)
    src = kb.sources[meta.policy_source]
    return PolicyRef(pack=meta.name, title=src.title, publisher=src.publisher, edition=src.edition, area=meta.area)


def policies(kb: Knowledge) -> list[PolicyRef]:
    return [policy_ref(kb, m.name) for m in active_packs(kb)]


# --- which packs are on --------------------------------------------------------------------------------

def configured(org_packs: Sequence[str] = (), environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """The packs to enable, in order: ``CANISHARE_PACKS`` when set (empty or "none": no packs), else the
    organisation file's ``packs``."""
    env = (environ if environ is not None else os.environ).get(ENV_VAR)
    if env is not None:
        names = [n.strip() for n in env.split(",") if n.strip()]
        return () if names in ([], ["none"]) else tuple(names)
    return tuple(org_packs)


_CACHE: dict[tuple[str, ...], tuple[Knowledge, Knowledge]] = {}


def knowledge_with(names: Sequence[str], base: Knowledge | None = None) -> Knowledge:
    """The national knowledge (``base``, by default the shipped one) with the named packs laid over it.
    Cached per list of packs for as long as the same national base is in use."""
    base = base or default_knowledge()
    if not names:
        return base
    key = tuple(names)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is base:
        return cached[1]
    kb = merge(base, [load_pack(n) for n in names])
    _CACHE[key] = (base, kb)
    return kb
