"""Rebuild the name lexicon shipped in ``bot/core/privacy/data/`` (offline tool, not used at run time).

Run by hand in a throw-away environment that has the three source packages::

    python -m venv /tmp/lex && /tmp/lex/bin/pip install faker==40.54.0 nicknames==1.0.1 pyspellchecker==0.9.1 \\
        phonenumbers python-stdnum   # the last two only because bot.core.privacy imports them
    PYTHONPATH=. /tmp/lex/bin/python -m bot.core.privacy.build_lexicon

It writes two files (see ``data/PROVENANCE.md`` for sources and licences):

* ``names.tsv`` -- ``name<TAB>roles``: every Latin-script first name (``f``) and surname (``l``)
  in Faker's person providers (all locales, romanised lists for zh/ja) plus the given names and
  diminutives of the ``nicknames`` package.  Keys are lower-case with diacritics folded.
* ``word_bands.tsv`` -- ``word<TAB>band``: how common a word is in English (OpenSubtitles counts
  via pyspellchecker), bucketed so the detector can tell "Will"/"Grace" from "Zainab".  Only
  bands, never counts, and only for name-words or words common enough to matter.

Faker and nicknames are *not* runtime dependencies: the lists are extracted once and committed.
"""

from __future__ import annotations

import gzip
import importlib
import json
import pkgutil
import re
from pathlib import Path

from bot.core.privacy.lexicon import BAND_EDGES, fold, read_supplement

DATA = Path(__file__).with_name("data")
# Latin script only: chat text is English, and non-Latin entries can never match a Latin token.
_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\u2019\-]*$")
# Words at least this common are kept even when they are not names: the detector uses them to
# refuse "called Police" or "Mr Men" while still accepting an unknown rare word after "called".
_COMMON_FLOOR = 1000
_NAME_FLOOR = 20


def _band(count: int) -> int:
    return sum(1 for edge in BAND_EDGES if count >= edge)


def faker_names() -> tuple[set[str], set[str]]:
    import faker.providers.person as person  # type: ignore[import-not-found]

    first: set[str] = set()
    last: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        for attr in dir(provider):
            if attr.startswith("_") or "pair" in attr or "kana" in attr:
                continue
            value = getattr(provider, attr)
            if callable(value) or not isinstance(value, (list, tuple, dict, set)):
                continue
            target = first if "first" in attr else last if "last" in attr else None
            if target is None:
                continue
            # zh/ja lists are in Han/kana script; only their romanised variants can match.
            if mod.name in {"zh_CN", "zh_TW", "ja_JP"} and "romanized" not in attr:
                continue
            for entry in value:
                if not isinstance(entry, str):
                    continue
                for part in entry.split():
                    # Drop initials and fragments ("A", "a'"): they carry no signal.
                    if _LATIN.match(part) and len(part) > 1 and part[-1].isalpha():
                        target.add(fold(part))
    return first, last


def nickname_names() -> set[str]:
    import nicknames  # type: ignore[import-not-found]

    out: set[str] = set()
    for triplet in nicknames.name_triplets():
        out.add(fold(triplet.name1))
        out.add(fold(triplet.name2))
    return out


def main() -> None:
    import spellchecker  # type: ignore[import-not-found]

    first, last = faker_names()
    first |= nickname_names()
    sup_first, sup_last = read_supplement(DATA / "names_supplement.txt")
    names = sorted(first | last)
    with open(DATA / "names.tsv", "w", encoding="utf-8") as fh:
        fh.write("# name\troles (f=first name, l=surname). Built by bot/core/privacy/build_lexicon.py\n")
        for name in names:
            roles = ("f" if name in first else "") + ("l" if name in last else "")
            fh.write(f"{name}\t{roles}\n")

    freq_path = Path(spellchecker.__file__).with_name("resources") / "en.json.gz"
    freq: dict[str, int] = json.loads(gzip.open(freq_path).read())
    everything = set(names) | sup_first | sup_last
    bands: dict[str, int] = {}
    for word, count in freq.items():
        key = fold(word)
        if not key.isalpha() and "-" not in key and "'" not in key:
            continue
        if count >= _COMMON_FLOOR or (key in everything and count >= _NAME_FLOOR):
            bands[key] = max(bands.get(key, 0), _band(count))
    with open(DATA / "word_bands.tsv", "w", encoding="utf-8") as fh:
        fh.write("# word\tband (English frequency bucket, see lexicon.BAND_EDGES)\n")
        for word in sorted(bands):
            fh.write(f"{word}\t{bands[word]}\n")
    print(f"names: {len(names)} ({len(first)} first, {len(last)} surnames); bands: {len(bands)}")


if __name__ == "__main__":
    main()
