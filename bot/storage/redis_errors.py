"""What counts as "Redis is unavailable", shared by every Redis implementation in this package."""

from __future__ import annotations

from redis import exceptions as rexc

# Errors that mean "Redis is not there (right now)". BusyLoadingError and MasterNotFoundError
# are ConnectionError subclasses; ReadOnlyError is what a demoted master answers mid-failover.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    rexc.ConnectionError,
    rexc.TimeoutError,
    rexc.ReadOnlyError,
    OSError,  # includes asyncio's TimeoutError on 3.11+
)
