"""``canishare flowchart``: print a flowchart edition, as text or as a Mermaid diagram."""

from __future__ import annotations

import argparse

from dialogs.flowchart import FlowchartDialog, mermaid
from knowledge.loader import default_knowledge


def cmd_flowchart(args: argparse.Namespace) -> int:
    kb = default_knowledge()
    dialog = FlowchartDialog(kb, kb.flowchart(args.edition))
    if args.mermaid:
        print("```mermaid\n" + mermaid(dialog).strip() + "\n```")
    else:
        for node in dialog.chart.nodes:
            print(f"{node.id}: {node.question}\n    yes -> {node.yes}\n    no  -> {node.no}")
        for outcome in dialog.chart.outcomes:
            print(f"{outcome.id} [{outcome.kind}]: {outcome.title}")
    return 0
