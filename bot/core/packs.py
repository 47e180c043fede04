"""Local packs in the core: which packs are on, and their contacts merged into the organisation's.

Local first, national always: the emergency number stays first, the packs' local routes come next, then
the rest of the organisation's (or the national default) contacts. A front door named in the
organisation file wins over a pack's; a pack's front door replaces the national "not configured".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from bot.core.config import Contact, OrgConfig
from dialogs.qa import QADialog
from knowledge.loader import Knowledge, default_knowledge
from knowledge.packs import (
    Pack,
    PackError,
    configured,
    conflicts,
    knowledge_with,
    load_pack,
    local_contacts,
    merge,
    pack_of,
)
from knowledge.search import Matcher


def knowledge_for(config: OrgConfig) -> Knowledge:
    """The national knowledge with the packs ``CANISHARE_PACKS`` (or the organisation file) enables."""
    return knowledge_with(configured(config.packs))


def with_pack_contacts(config: OrgConfig, kb: Knowledge) -> OrgConfig:
    found = local_contacts(kb)
    if not found:
        return config
    front = config.childrens_social_care
    added: list[Contact] = []
    labels = {c.label for c in config.contacts}
    for _pack, c in found:
        contact = Contact(label=c.label, number=c.number, when=c.when)
        if c.route == "front_door":
            front = front or contact
        elif c.label not in labels:
            added.append(contact)
            labels.add(c.label)
    first, rest = config.contacts[:1], config.contacts[1:]
    return config.model_copy(update={"contacts": (*first, *added, *rest), "childrens_social_care": front})


# --- ``canishare pack check`` ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    level: str  # error | warning
    message: str

    def __str__(self) -> str:
        return f"{self.level.upper()}: {self.message}"


REVIEW_SOON_DAYS = 60
_BARE_GDPR = re.compile(r"(?<!UK )\bGDPR\b")


def check_pack(spec: str | Path, base: Knowledge | None = None, today: dt.date | None = None,
               retrieval: bool = True) -> list[Finding]:
    """Everything wrong with a pack: schema, citations, review dates, conflicts with the national base,
    and (``retrieval``) example phrasings that reach the wrong entry or take a national one's place."""
    today = today or dt.date.today()
    base = base or default_knowledge()
    try:
        pack = load_pack(spec)
    except PackError as exc:
        return [Finding("error", str(exc))]
    out = [Finding("error", p) for p in conflicts(base, pack)]
    meta = pack.meta
    for path in sorted(pack.path.rglob("*.y*ml")):
        lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if "TODO" in line.split("#", 1)[0]]
        if lines:
            out.append(Finding("error", f"{path}: lines {', '.join(map(str, lines[:8]))}: still say TODO"))
    if meta.review_by < today:
        out.append(Finding("error", f"{pack.path / 'pack.yaml'}: field 'review_by': review date {meta.review_by} "
                                    "has passed; review the pack against the current national advice and "
                                    "re-sign it"))
    elif (meta.review_by - today).days <= REVIEW_SOON_DAYS:
        out.append(Finding("warning", f"{pack.path / 'pack.yaml'}: field 'review_by': due {meta.review_by}"))
    for src in pack.sources.values():
        if src.review_by < today:
            out.append(Finding("error", f"{pack.file_of(src.id)}: entry '{src.id}': field 'review_by': "
                                        f"review date {src.review_by} has passed"))
    for entry_id, entry in pack.entries():
        for fld in ("answer", "text", "law", "explanation", "prompt"):
            value = getattr(entry, fld, None)
            if isinstance(value, str) and _BARE_GDPR.search(value):
                out.append(Finding("warning", f"{pack.file_of(entry_id)}: entry '{entry_id}': field '{fld}': "
                                              "say 'UK GDPR' (the EU GDPR no longer applies in the UK)"))
    if any(f.level == "error" for f in out) or not retrieval:
        return out
    out += _retrieval_findings(base, pack)
    return out


def _retrieval_findings(base: Knowledge, pack: Pack) -> list[Finding]:
    """Each pack phrasing must reach its own entry; no national phrasing may be taken by the pack."""
    merged = merge(base, [pack])
    before = QADialog(base, Matcher(base))
    matcher = Matcher(merged, embedder=before.matcher.embedder)
    after = QADialog(merged, matcher)
    out: list[Finding] = []
    own: dict[str, tuple[str, ...]] = {a.id: tuple(a.questions) for a in pack.answers.values()}
    own.update({m.id: tuple(m.questions) for m in pack.myths.values()})
    own.update({f"term:{t.id}": tuple(t.questions) for t in pack.glossary.values()})
    for entry_id, questions in own.items():
        for q in questions:
            if after.best_urgent(q):
                out.append(Finding("error", f"{pack.file_of(entry_id.removeprefix('term:'))}: entry '{entry_id}': "
                                            f"phrasing {q!r} signals danger now: the national urgent path "
                                            "answers it first, so this entry would never be shown"))
                continue
            got = after.confident(q)
            if got != entry_id:
                out.append(Finding("error", f"{pack.file_of(entry_id.removeprefix('term:'))}: entry '{entry_id}': "
                                            f"phrasing {q!r} retrieves {got or 'nothing'!r}"))
    for answer in base.answers.values():
        for q in answer.questions:
            if before.confident(q) != answer.id:
                continue  # already a miss nationally: not the pack's doing
            got = after.confident(q)
            if got != answer.id and pack_of(merged, got or "") == pack.name:
                out.append(Finding("error", f"national answer '{answer.id}': phrasing {q!r} now retrieves the "
                                            f"pack's '{got}' instead"))
    return out
