"""Turn cited rules, myths and principles into Quote replies with their source and edition."""

from __future__ import annotations

from collections.abc import Iterable

from dialogs.messages import Quote, SourceRef
from knowledge.loader import Knowledge
from knowledge.schema import Citation, Myth, Principle, Rule

EDITION_YEARS = {"current": "2024", "2018": "2018", "2008": "2008"}


def source_ref(kb: Knowledge, cite: Citation) -> SourceRef:
    src = kb.sources[cite.source]
    return SourceRef(title=src.title, publisher=src.publisher, edition=src.edition, url=src.url,
                     section=cite.section, current=src.current)


def title_of(item: Rule | Myth | Principle) -> str:
    if isinstance(item, Rule):
        return f"Golden rule {item.number} ({EDITION_YEARS[item.edition]}): {item.title}"
    if isinstance(item, Principle):
        return f"Caldicott principle {item.number}: {item.title}"
    return f"Myth: {item.myth}"


def quote_for(kb: Knowledge, item: Rule | Myth | Principle) -> Quote:
    """A verbatim quotation where we hold confirmed text; otherwise our summary, marked as such."""
    if item.quote is not None:
        cite = Citation(source=item.quote.source, section=item.quote.section)
        return Quote(text=item.quote.text, title=title_of(item), source=source_ref(kb, cite), verbatim=True)
    summary = item.answer if isinstance(item, Myth) else item.summary
    return Quote(text=summary, title=title_of(item), source=source_ref(kb, item.cite), verbatim=False)


def quotes_for(kb: Knowledge, ids: Iterable[str]) -> list[Quote]:
    return [quote_for(kb, kb.citable(i)) for i in ids]
