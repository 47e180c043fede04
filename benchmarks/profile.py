"""Profiles of the hot paths, as text: where a real ``canishare serve`` spends its time under load.

    python -m benchmarks.profile [--seconds 8] [--clients 30]

For each path (``slash``: people each sending ``/canishare`` in their DM again and again; ``click``:
people walking the flowchart with buttons, clicks being most requests; ``teams``: people walking it in
Teams) the server runs against the real Redis and the fakes, ``py-spy record --format raw`` samples it
while the load runs, and the samples are folded into two text tables, written to
``benchmarks/profiles/<path>.txt``: the functions where the samples were taken (self time) and the
functions on the stack (total time), by share of samples. Needs py-spy (the ``bench`` extra) and
the permission to trace a child process (ptrace), which containers usually grant.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from benchmarks.http_paths import (
    DEFAULT_REDIS,
    delete_prefix,
    drive,
    fakes,
    hammer,
    serve_env,
    start_canishare,
)
from benchmarks.load import SLACK_PATH, SlackRequests
from bot.testing.fake_slack import dm_of
from bot.testing.slack import FORM

OUT = Path(__file__).resolve().parent / "profiles"
ROOT_FRAMES = re.compile(r"^(<module>|run_module|_run_code|_run_module_as_main|main|run_app|run_forever|"
                         r"run_until_complete|_run_once|_run|cmd_serve|serve_one)\b")


def fold(raw: str, top: int = 40) -> str:
    """py-spy's raw format ("frame;frame;... count" per line) -> self and total tables."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            total[frame] += n
    lines = [f"{samples} samples", "", "self (where the sample was taken)", ""]
    lines += [f"{100 * n / samples:6.1f} %  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "total (on the stack)", ""]
    lines += [f"{100 * n / samples:6.1f} %  {frame}" for frame, n in total.most_common(top * 2)
              if not ROOT_FRAMES.match(frame)][:top]
    return "\n".join(lines) + "\n"


async def profile(path: str, seconds: float, clients: int, redis_url: str) -> str:
    prefix = f"bench-prof-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="canishare-prof-") as tmp:
        async with fakes() as (fake, connector):
            server = await start_canishare(serve_env(fake.api_url, redis_url, prefix), Path(tmp))
            raw = Path(tmp) / "raw.txt"
            try:
                # Warm up (imports on first use, connection pools), then sample the steady state.
                await drive(server.url, 5, 2, slack=path != "teams", fake=fake, connector=connector)
                spy = subprocess.Popen(["py-spy", "record", "--pid", str(server.process.pid), "--format", "raw",
                                        "--rate", "200", "--duration", str(int(seconds)), "--output", str(raw),
                                        "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(0.5)
                if path == "slash":
                    requests = SlackRequests(fake)
                    bodies = []
                    for n in range(clients * 4):
                        user = f"UPROF{n:05d}"
                        body = requests.command_body("", user, dm_of(user))
                        bodies.append((body.encode(), requests.signed(body, FORM)))
                    await hammer(server.url + SLACK_PATH, bodies, clients, seconds)
                else:
                    await drive(server.url, clients, seconds, slack=path == "click", fake=fake, connector=connector)
                _, err = await asyncio.to_thread(spy.communicate)
                if spy.returncode != 0:
                    raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-300:]}")
            finally:
                server.stop()
                await delete_prefix(redis_url, prefix)
            return fold(raw.read_text())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("paths", nargs="*", default=["slash", "click", "teams"])
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    for path in args.paths:
        text = asyncio.run(profile(path, args.seconds, args.clients, args.redis_url))
        header = (f"# canishare serve, {path}: py-spy, {args.clients} clients, {args.seconds:.0f} s, "
                  f"{time.strftime('%Y-%m-%d %H:%M %Z')}\n")
        (OUT / f"{path}.txt").write_text(header + text)
        print(header + "\n".join(text.splitlines()[:25]))


if __name__ == "__main__":
    main()
