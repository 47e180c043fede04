"""The rota with every ``email:`` resolved to platform ids, for the processes that page people.

``serve``, ``worker`` and ``duty`` call :func:`resolve_rota` once at start. A person whose ids are
given keeps them (a given id always wins over a look-up). An address nobody can resolve leaves the
person as they are and is reported, so start-up and ``canishare doctor`` can say who cannot be
reached and why, instead of failing at the first page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.app.directory import Directory, LookupError_
from bot.core.config import OrgConfig


@dataclass
class Resolution:
    config: OrgConfig
    resolved: list[str] = field(default_factory=list)  # "amy: Slack U0123 from the e-mail address"
    problems: list[str] = field(default_factory=list)  # "amy: ... not found on Slack"


async def resolve_rota(config: OrgConfig, directory: Directory) -> Resolution:
    rota = config.rota
    out = Resolution(config)
    if rota is None or not any(p.email for p in rota.people):
        return out
    people = []
    for person in rota.people:
        if not person.email or (person.slack_user_id and person.teams_user_id):
            people.append(person)
            continue
        update: dict[str, str] = {}
        try:
            if not person.slack_user_id and directory.slack_on:
                slack = await directory.slack_by_email(person.email)
                if slack:
                    update["slack_user_id"] = slack
                    out.resolved.append(f"{person.id}: Slack id found from the e-mail address")
            if not person.teams_user_id:
                teams = await directory.teams_by_email(person.email)
                if teams and (teams.entra or teams.user):
                    update["teams_user_id"] = str(teams.entra or teams.user)
                    out.resolved.append(f"{person.id}: Teams id found from the e-mail address")
        except LookupError_ as exc:
            out.problems.append(f"{person.id}: {exc}")
        if not (person.slack_user_id or person.teams_user_id or update):
            out.problems.append(
                f"{person.id}: the e-mail address was found neither on Slack (users.lookupByEmail) nor in the "
                "fallback Teams channel's members; give slack_user_id or teams_user_id (docs/deployment.md, "
                "'Finding ids by hand')")
        people.append(person.model_copy(update=update) if update else person)
    out.config = config.model_copy(update={"rota": rota.model_copy(update={"people": tuple(people)})})
    return out


async def resolve_for_process(settings: object, config: OrgConfig, client: object = None,
                              prefix: str | None = None) -> Resolution:
    """Resolve with the process's own settings; logs what could not be resolved (no addresses, no ids)."""
    import logging

    from bot.app.directory import directory_for

    if config.rota is None or not any(p.email for p in config.rota.people):
        return Resolution(config)
    directory = directory_for(settings, config, client, prefix)
    try:
        result = await resolve_rota(config, directory)
    finally:
        await directory.close()
    log = logging.getLogger("canishare.directory")
    for problem in result.problems:
        log.warning("rota: %s", problem.split(":", 1)[0] + ": not resolved (run `canishare doctor`)")
    return result
