"""``canishare slack-manifest``: print the Slack app manifest to paste at api.slack.com/apps.

The manifests are package data (``bot/channels/slack/manifest/``), so this works from an installed
wheel. ``--host`` fills in the public host that serves ``canishare serve``; ``--socket-mode`` picks
the manifest for local development without a public URL.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import resources

PLACEHOLDER = "YOUR-HOST"
HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d+)?$")


def manifest_text(socket_mode: bool = False) -> str:
    name = "manifest.socket-mode.yml" if socket_mode else "manifest.yml"
    return resources.files("bot").joinpath("channels", "slack", "manifest", name).read_text(encoding="utf-8")


def cmd_slack_manifest(args: argparse.Namespace) -> int:
    text = manifest_text(args.socket_mode)
    if args.host:
        host = args.host.removeprefix("https://").rstrip("/")
        if not HOST.match(host):
            print("canishare slack-manifest: --host takes a host name such as canishare.example.org", file=sys.stderr)
            return 2
        text = "\n".join(line if line.lstrip().startswith("#") else line.replace(PLACEHOLDER, host)
                         for line in text.split("\n"))
    sys.stdout.write(text)
    return 0
