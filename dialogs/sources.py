"""Turn cited rules, myths and principles into Quote replies with their source and edition.

Two promises to users live here. A quotation is shown as a quotation only when it was checked word for
word against a document we hold (a project seed); anything else is our summary, shown as such. And a
superseded rule (2018, 2008) is never appended to current advice: it is shown only when the user asked
about history, which is when every item cited is historical or the caller says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from dialogs.messages import Quote, SourceRef
from knowledge.loader import Knowledge
from knowledge.packs import LocalNote, local_notes, pack_of
from knowledge.schema import Citation, Myth, Principle, Rule, Source

EDITION_YEARS = {"current": "2024", "2018": "2018", "2008": "2008"}


def shown_source(kb: Knowledge, source_id: str) -> Source:
    """The published document a user is shown for ``source_id`` (a seed shows as what it reproduces)."""
    src = kb.sources[source_id]
    while src.shown_as is not None:
        src = kb.sources[src.shown_as]
    return src


def source_ref(kb: Knowledge, cite: Citation) -> SourceRef:
    src = shown_source(kb, cite.source)
    return SourceRef(title=src.title, publisher=src.publisher, edition=src.edition, url=src.url,
                     section=cite.section, current=src.current, pack=pack_of(kb, cite.source) or "")


def local_quote(kb: Knowledge, note: LocalNote) -> Quote:
    """A pack's local paragraph under a national answer, in its own reply with its own citation."""
    return Quote(text=f"In {note.area}: {note.text}", title=f"Local: {note.area}", source=source_ref(kb, note.cite))


def local_quotes(kb: Knowledge, entry_id: str) -> list[Quote]:
    """The local paragraphs the enabled packs add to ``entry_id`` (in pack order)."""
    return [local_quote(kb, n) for n in local_notes(kb, entry_id)]


def title_of(item: Rule | Myth | Principle) -> str:
    if isinstance(item, Rule):
        return f"Golden rule {item.number} ({EDITION_YEARS[item.edition]}): {item.title}"
    if isinstance(item, Principle):
        return f"Caldicott principle {item.number}: {item.title}"
    return f"Myth: {item.myth}"


def is_current(item: Rule | Myth | Principle) -> bool:
    return isinstance(item, Principle) or item.edition == "current"


def quote_for(kb: Knowledge, item: Rule | Myth | Principle) -> Quote:
    """A verbatim quotation where we hold the text word for word; otherwise our summary, marked as such."""
    if item.quote is not None and item.quote.confirmed_by == "seed":
        cite = Citation(source=item.quote.source, section=item.quote.section)
        return Quote(text=item.quote.text, title=title_of(item), source=source_ref(kb, cite), verbatim=True)
    summary = item.answer if isinstance(item, Myth) else item.summary
    return Quote(text=summary, title=title_of(item), source=source_ref(kb, item.cite), verbatim=False)


def quotes_for(kb: Knowledge, ids: Iterable[str], history: bool | None = None) -> list[Quote]:
    """Quotes for the cited ids. Superseded items are left out of current advice: they are kept only when
    ``history`` is True, or (``history`` None) when every cited item is historical, i.e. the entry is itself
    about an older edition."""
    items = [kb.citable(i) for i in ids]
    if history is None:
        history = bool(items) and not any(is_current(i) for i in items)
    return [quote_for(kb, i) for i in items if history or is_current(i)]
