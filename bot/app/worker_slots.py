"""Stable delivery-consumer names: ``<host>-<slot>``, one slot per live worker process on a host.

A stream consumer's pending entries can only be read back by a consumer of the same name. With
``<host>-<pid>`` a restarted worker had a new name, so the page it was posting when it died
waited for XAUTOCLAIM's idle time (30 s) before anyone resent it. Here a worker leases a slot:
``<p>:worker:slot:<host>:<n>`` holds the holder's PID, with a short TTL refreshed by the worker.
A new process takes the first free slot, or at once the slot of a holder that is no longer
running on this host (a PID check; the lease key would otherwise stay for up to its TTL). So a
worker restarted by systemd or the platform comes back under its predecessor's name and reads
that predecessor's pending entries first thing.

``CANISHARE_WORKER_SLOT`` pins the slot (e.g. systemd's ``%i``) for set-ups that prefer to. On
platforms that set ``DYNO`` (Heroku and look-alikes), the dyno name stands in for the host name,
which changes at every restart there.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

LEASE_SECONDS = 30
MAX_SLOTS = 64
SLOT_ENV = "CANISHARE_WORKER_SLOT"

# Take over a slot only if it still names the dead holder we saw (two newcomers racing for it).
_TAKE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""
_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) and 1 or 0
"""


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


class SlotLease:
    def __init__(self, client: Any, key: str, consumer: str, token: str) -> None:
        self.client = client
        self.key = key
        self.consumer = consumer
        self.token = token

    @staticmethod
    def slot_key(prefix: str, host: str, slot: int | str) -> str:
        return f"{prefix.rstrip(':')}:worker:slot:{host}:{slot}"

    @classmethod
    async def claim(cls, client: Any, prefix: str, *, host: str | None = None, pid: int | None = None,
                    alive: Callable[[int], bool] = pid_alive) -> SlotLease:
        # Heroku-style platforms give each dyno a new hostname at every restart but a stable name
        # (DYNO=worker.1): that is the "host" whose predecessor a restarted worker should succeed.
        host = (host or os.environ.get("DYNO") or socket.gethostname())[:60]
        pid = os.getpid() if pid is None else pid
        token = str(pid)
        pinned = os.environ.get(SLOT_ENV, "").strip()
        if pinned:
            key = cls.slot_key(prefix, host, pinned)
            await client.set(key, token, ex=LEASE_SECONDS)
            return cls(client, key, f"{host}-{pinned}", token)
        for slot in range(1, MAX_SLOTS + 1):
            key = cls.slot_key(prefix, host, slot)
            if await client.set(key, token, nx=True, ex=LEASE_SECONDS):
                return cls(client, key, f"{host}-{slot}", token)
            holder = await client.get(key)
            if holder is None:
                if await client.set(key, token, nx=True, ex=LEASE_SECONDS):
                    return cls(client, key, f"{host}-{slot}", token)
                continue
            held = holder.decode() if isinstance(holder, bytes) else str(holder)
            # Our own PID there means a predecessor with the same PID (a restarted container, where
            # the worker is PID 1 again): two live processes on one host never share a PID.
            if held.isdigit() and (int(held) == pid or not alive(int(held))):
                if await client.eval(_TAKE, 1, key, held, token, LEASE_SECONDS):
                    return cls(client, key, f"{host}-{slot}", token)
        raise RuntimeError(f"no free worker slot on {host} (more than {MAX_SLOTS} workers?)")

    async def refresh(self) -> None:
        await self.client.eval(_REFRESH, 1, self.key, self.token, LEASE_SECONDS)
