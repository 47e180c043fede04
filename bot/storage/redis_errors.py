"""What counts as "Redis is unavailable", shared by every Redis implementation in this package."""

from __future__ import annotations

from redis import exceptions as rexc

# Errors that mean "Redis is not there (right now)". BusyLoadingError and MasterNotFoundError
# are ConnectionError subclasses; ReadOnlyError is what a demoted master answers mid-failover.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    rexc.ConnectionError,
    rexc.TimeoutError,
    rexc.ReadOnlyError,
    # A Redis Cluster mid-failover: slots without a master (CLUSTERDOWN, MASTERDOWN), a resharding
    # step (TRYAGAIN), or no node reachable at all. redis-py retries these first; what still fails is an outage.
    rexc.ClusterDownError,
    rexc.TryAgainError,
    rexc.RedisClusterException,
    OSError,  # includes asyncio's TimeoutError on 3.11+
)

# Error replies that also mean "not available right now": a primary that lost its replica
# (min-replicas-to-write), a replica that lost its master, a server still loading its data.
# UNBLOCKED: a blocking read on a primary that has just been demoted.
_UNAVAILABLE_REPLIES = ("NOREPLICAS", "MASTERDOWN", "LOADING", "CLUSTERDOWN", "TRYAGAIN", "UNBLOCKED", "READONLY")


def is_unavailable(exc: BaseException) -> bool:
    """True for the errors that mean Redis is not there (or not writable) for now, not a bug."""
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return True
    return isinstance(exc, rexc.ResponseError) and str(exc).startswith(_UNAVAILABLE_REPLIES)
