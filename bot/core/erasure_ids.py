"""The id forms an administrator may have for a person, and what each means for ``canishare forget``.

Each channel hashes a different string for the same person: Slack ``<team>:<user>``, Teams the
Entra object id (or the ``29:…`` id when Teams gives no Entra id), the web page a session cookie,
the terminal a fixed local id. An erasure request usually arrives with something else: a bare
Slack ``U…`` from a profile, an e-mail address, a ``29:…`` id from a log of the Bot Framework.
This module only classifies the text; resolving it (asking Slack for the workspace or the e-mail's
owner, Teams references for the other id) is the caller's job. Pure, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["slack_team_user", "slack_user", "email", "teams_29", "entra", "other"]

_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,30}$")
_SLACK_TEAM = re.compile(r"^[TE][A-Z0-9]{2,30}$")
_EMAIL = re.compile(r"^[^@\s:]+@[^@\s:]+\.[^@\s:]+$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class ParsedId:
    kind: Kind
    value: str  # normalised: "T…:U…", "U…", a lower-case e-mail, "29:…", a GUID, or as given
    team: str | None = None  # the Slack workspace, when given

    @property
    def label(self) -> str:
        return {
            "slack_team_user": "a Slack user id with its workspace",
            "slack_user": "a Slack user id",
            "email": "an e-mail address",
            "teams_29": "a Teams user id (29:…)",
            "entra": "a Microsoft Entra object id",
            "other": "an id used as given (web session, terminal)",
        }[self.kind]


def parse_id(text: str) -> ParsedId:
    value = text.strip()
    for sep in (":", "/", " "):
        team, found, user = value.partition(sep)
        if found and _SLACK_TEAM.match(team.upper()) and _SLACK_USER.match(user.strip().upper()):
            team, user = team.upper(), user.strip().upper()
            return ParsedId("slack_team_user", f"{team}:{user}", team=team)
    if _SLACK_USER.match(value):
        return ParsedId("slack_user", value)
    if _EMAIL.match(value):
        return ParsedId("email", value.lower())
    if value.startswith("29:") and len(value) > 3:
        return ParsedId("teams_29", value)
    if _GUID.match(value):
        return ParsedId("entra", value)
    return ParsedId("other", value)
