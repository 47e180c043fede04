"""Local packs in the core: which packs are on, and their contacts merged into the organisation's.

Local first, national always: the emergency number stays first, the packs' local routes come next, then
the rest of the organisation's (or the national default) contacts. A front door named in the
organisation file wins over a pack's; a pack's front door replaces the national "not configured".
"""

from __future__ import annotations

from bot.core.config import Contact, OrgConfig
from knowledge.loader import Knowledge
from knowledge.packs import configured, knowledge_with, local_contacts


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
