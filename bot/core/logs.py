"""Logging set-up: plain or JSON lines, and never message text or clear user ids.

Code logs events with fixed names and safe fields (hashes, counts, kinds); nothing in the project
passes user text to a logger. The JSON formatter exists for log shippers.
"""

from __future__ import annotations

import json
import logging
import sys

SAFE_EXTRA = ("event", "channel", "user", "outcome", "kinds", "count", "version", "reason",
              "method", "path", "status", "ms", "pid")


def _with_pid(record: logging.LogRecord) -> bool:
    record.pid = record.process
    return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": self.formatTime(record), "level": record.levelname, "logger": record.name,
               "msg": record.getMessage()}
        for key in SAFE_EXTRA:
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out)


# Libraries that write whole request and response bodies (what people typed, platform user ids)
# at DEBUG. They are never allowed below INFO, whatever the root level.
PAYLOAD_LOGGERS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "msrest", "msal", "urllib3")


def quiet_payload_loggers() -> None:
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:  # NOTSET too: a root at DEBUG must not reach them
            logger.setLevel(logging.INFO)


def configure(level: str = "INFO", fmt: str = "text", *, process: bool = False) -> None:
    """``process``: name the process id in each line (``serve --workers N``: which process said it)."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
        if process:
            handler.addFilter(_with_pid)
    else:
        where = " [%(process)d]" if process else ""
        handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s{where} %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_payload_loggers()
