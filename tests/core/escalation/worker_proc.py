"""A real worker process for the kill tests: ``python -m tests.core.escalation.worker_proc SPEC_JSON``.

SPEC: redis_url, prefix, slack_url, consumer, config (OrgConfig as JSON), and ``stall_after_claim``:
claim due escalations, write a marker file, then hang there (to be SIGKILLed between claiming
and finishing). Prints "ready" once its consumer group is in place.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.app.escalation_worker import EscalationWorker
from bot.channels.slack.escalation_delivery import SlackDelivery
from bot.core.config import OrgConfig
from bot.core.escalation.delivery import Deliverer
from bot.core.escalation.handle import Sealer
from bot.core.escalation.rota import RotaView
from bot.core.escalation.service import EscalationService
from bot.storage.redis_store import RedisStore

SEALER_KEY = "test-escalation-key"
HASH_KEY = "test-hash-key"


class StallingWorker(EscalationWorker):
    def __init__(self, *args: Any, marker: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.marker = marker

    async def timers_once(self, limit: int = 50) -> list[str]:
        ids = await self.core.due.claim(self.core.now_ms(), self.core.lease_ms, limit)
        if ids:
            self.marker.write_text(json.dumps(ids))
            await asyncio.Event().wait()  # claimed, never finished: waiting for SIGKILL
        return []


async def main(spec: dict[str, Any]) -> None:
    config = OrgConfig.model_validate(spec["config"])
    store = RedisStore.from_url(spec["redis_url"], spec["prefix"])
    assert config.rota is not None
    service = EscalationService(store.client, store.prefix, config, RotaView(config.rota), sealer=Sealer(SEALER_KEY),
                                hash_key=HASH_KEY, lease_seconds=spec.get("lease_seconds", 2), store=store)
    platforms: dict[str, Any] = {"slack": SlackDelivery("xoxb-test", spec["slack_url"])}
    if spec.get("teams"):
        from bot.channels.teams.adapter import create_adapter
        from bot.channels.teams.escalation_delivery import TeamsDelivery
        from bot.channels.teams.references import References
        from bot.core.settings import Settings

        platforms["teams"] = TeamsDelivery(create_adapter(Settings(MicrosoftAppId="")),
                                           References(store, HASH_KEY, 3600), "", backoff_seconds=0.01)
    deliverer = Deliverer(service, platforms)
    options = {"consumer": spec.get("consumer"), "tick_seconds": 0.05,
               "reclaim_idle_ms": spec.get("reclaim_idle_ms", 1500),
               "reclaim_seconds": 0.25, "audit_seconds": 30, "block_ms": 200}
    if spec.get("stall_after_claim"):
        worker: EscalationWorker = StallingWorker(service, deliverer, marker=Path(spec["marker"]), **options)
    else:
        worker = EscalationWorker(service, deliverer, **options)
    await service.outbox.ensure_group()
    print("ready", flush=True)
    # Without a given consumer name, the worker leases a stable per-host slot, as `canishare worker` does.
    await worker.run(asyncio.Event(), claim_slot=spec.get("consumer") is None)


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
