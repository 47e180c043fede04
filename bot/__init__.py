"""canishare: can I share this? Engine, stores, settings, channels, server and CLI."""

from bot.core.logs import quiet_payload_loggers

__version__ = "0.1.0"

# Before any SDK logs anything, in every process (server, worker, CLI, tests).
quiet_payload_loggers()
