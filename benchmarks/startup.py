"""``canishare --help`` start-up time, beside a bare interpreter and ``import aiohttp``, in the same run.

    python -m benchmarks.startup [--runs 5]

Wall time of a fresh process, median of ``--runs``. The references say what the floor is: Python
itself, and the one web library every surface needs. ``--help`` must not pay for the knowledge
base, the privacy lexicon or the Slack and Teams SDKs: none of them is needed to print usage.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def canishare_command() -> list[str]:
    script = Path(sys.executable).parent / "canishare"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.app.cli"]


COMMANDS: dict[str, list[str]] = {
    "canishare --help": [*canishare_command(), "--help"],
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import aiohttp'": [sys.executable, "-c", "import aiohttp"],
}


def wall_time(command: list[str], runs: int) -> list[float]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    times = []
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return times


def measure(runs: int = 5) -> dict[str, float]:
    """Median wall seconds per command."""
    return {name: statistics.median(wall_time(cmd, runs)) for name, cmd in COMMANDS.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = measure(args.runs)
    floor = results["python -c pass"]
    for name, seconds in results.items():
        print(f"{name:<30} {seconds * 1e3:8.0f} ms  {seconds / floor:5.1f}x bare python")


if __name__ == "__main__":
    main()
