"""Escalation to the on-duty safeguarding lead or Caldicott Guardian (docs/escalation.md).

Kept import-light: :mod:`bot.core.config` imports :mod:`bot.core.escalation.config`, so nothing here may
pull in Redis, Slack or Teams. The parts:

* :mod:`.config`    rota and policy models (validated with the organisation YAML);
* :mod:`.rota`      who is on duty at an instant (covers, overrides, iCal calendar, layers);
* :mod:`.policy`    which people a chain step pages; empty steps skipped;
* :mod:`.records`   one Redis record per escalation, every transition one compare-and-set Lua script,
                    typed chronology;
* :mod:`.queue`     due-time sorted set with leases; outbound stream, consumer group, XAUTOCLAIM, dead letters;
* :mod:`.handle`    the practitioner's platform id, encrypted at rest;
* :mod:`.core`, :mod:`.service`  the engine's :class:`bot.core.engine.Escalator` and the lead's actions;
* :mod:`.timers`    what a due time does, and the auditor;
* :mod:`.delivery`, :mod:`.delivery_slack`, :mod:`.delivery_teams`, :mod:`.cards`  what people see;
* :mod:`.worker`    the ``canishare worker`` job: timers, delivery, reclaim, auditor;
* :mod:`.slack_actions`, :mod:`.teams_actions`  buttons, forms and commands from each platform;
* :mod:`.wiring`    building all of it from settings and config.
"""
