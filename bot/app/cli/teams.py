"""``canishare teams-package``: build the Teams app package (zip) to sideload or upload.

The package is ``bot/channels/teams/manifest/manifest.json`` (package data) filled in from settings
and flags, plus the two icons.
The app id is ``MicrosoftAppId`` (``--app-id`` overrides), the bot's name comes from
``--name`` or ``CANISHARE_BOT_NAME``, and the valid domains (the host serving canishare) from
``--domain`` or ``CANISHARE_TEAMS_DOMAINS`` (comma-separated).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from bot.core.config import OrgConfig, load_config
from bot.core.settings import get_settings

# Package data, so the command works from an installed wheel as well as from a checkout.
TEMPLATE_DIR = Path(str(resources.files("bot").joinpath("channels", "teams", "manifest")))
ICONS = ("color.png", "outline.png")
DEFAULT_NAME = "canishare"
# Limits from the Teams app manifest schema (v1.17).
MAX_SHORT_NAME = 30
MAX_FULL_NAME = 100
MAX_DEVELOPER_NAME = 32
MAX_DOMAINS = 16
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^(\*\.)?([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}(:\d{1,5})?$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


class PackageError(ValueError):
    """The package cannot be built from these settings."""


def build_manifest(template: dict[str, Any], app_id: str, name: str, domains: list[str], developer: str,
                   version: str) -> dict[str, Any]:
    if not app_id:
        raise PackageError("MicrosoftAppId is not set: set it (the bot's Azure app registration id) or pass --app-id.")
    if not _GUID.match(app_id):
        raise PackageError(f"the app id must be a GUID such as 00000000-0000-0000-0000-000000000000, not {app_id!r}.")
    name = name.strip()
    if not name or len(name) > MAX_SHORT_NAME:
        raise PackageError(f"the bot name must be 1 to {MAX_SHORT_NAME} characters.")
    if not domains:
        raise PackageError("give the domain that serves canishare with --domain (or CANISHARE_TEAMS_DOMAINS), "
                           "e.g. --domain canishare.example.org.")
    if len(domains) > MAX_DOMAINS:
        raise PackageError(f"at most {MAX_DOMAINS} valid domains are allowed.")
    for domain in domains:
        if not _DOMAIN.match(domain):
            raise PackageError(f"{domain!r} is not a domain name: give the host only, without https:// or a path.")
    if not _SEMVER.match(version):
        raise PackageError(f"the package version must look like 1.2.3, not {version!r}.")

    manifest = copy.deepcopy(template)
    site = f"https://{domains[0].removeprefix('*.')}/"
    manifest["id"] = app_id
    manifest["version"] = version
    manifest["developer"].update(name=developer.strip()[:MAX_DEVELOPER_NAME] or name, websiteUrl=site,
                                 privacyUrl=site, termsOfUseUrl=site)
    manifest["name"]["short"] = name
    manifest["name"]["full"] = manifest["name"]["full"].replace("{{BotName}}", name)[:MAX_FULL_NAME]
    for bot in manifest["bots"]:
        bot["botId"] = app_id
    manifest["validDomains"] = domains
    leftover = re.findall(r"\{\{\w+\}\}", json.dumps(manifest))
    if leftover:  # a template edit added a placeholder this command does not know
        raise PackageError(f"manifest.json has unfilled placeholders: {', '.join(sorted(set(leftover)))}")
    return manifest


def build_package(out: Path, manifest: dict[str, Any], template_dir: Path = TEMPLATE_DIR) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        # Teams wants the three files at the root of the zip, not in a folder.
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        for icon in ICONS:
            zf.write(template_dir / icon, icon)
    return out


def _domains(values: list[str] | None) -> list[str]:
    raw = values if values else os.environ.get("CANISHARE_TEAMS_DOMAINS", "").split(",")
    return [d.strip() for d in raw if d.strip()]


def cmd_teams_package(args: argparse.Namespace) -> int:
    settings = get_settings()
    app_id = (args.app_id if args.app_id is not None else settings.microsoft_app_id).strip()
    name = args.name or os.environ.get("CANISHARE_BOT_NAME") or DEFAULT_NAME
    org = load_config(settings.config_path).name  # a bad config file is reported by ``canishare`` itself
    developer = args.developer or (org if org != OrgConfig().name else name)
    template_dir = Path(args.template_dir) if args.template_dir else TEMPLATE_DIR
    try:
        template = json.loads((template_dir / "manifest.json").read_text(encoding="utf-8"))
        manifest = build_manifest(template, app_id, name, _domains(args.domain), developer, args.package_version)
        out = build_package(Path(args.out), manifest, template_dir)
    except PackageError as exc:
        print(f"canishare teams-package: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"canishare teams-package: cannot read the template in {template_dir}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} (app id {app_id}, bot name {name!r}, domains {', '.join(manifest['validDomains'])})")
    print("Upload it in Teams: Apps > Manage your apps > Upload an app > Upload a custom app.")
    return 0


