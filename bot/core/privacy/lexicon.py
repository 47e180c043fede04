"""Name lexicon: which words are names, and how common they are as ordinary English words.

The data files live in ``data/`` (provenance and licences in ``data/PROVENANCE.md``).  Loading
takes ~0.1 s and ~10 MB, so the guard loads once at start-up and shares the result read-only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")

# English-frequency bands (OpenSubtitles counts).  A word's band is how many edges its count
# reaches: 0 = never/rarely a word (Zainab, Kacper), 1 = rare (Sadie), 2 = uncommon (Olivia,
# Harvey), 3 = common (Jack, Emily, Lily), 4 = everyday word (Will, May, Hope, Grace, Mark).
BAND_EDGES: tuple[int, ...] = (20, 300, 3000, 15000)

FIRST = 1
LAST = 2

# Letters NFKD does not decompose, so folding would otherwise leave them in place.
_EXTRA_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
                             "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "ı": "i", "’": "'"})


def fold(word: str) -> str:
    """Lower-case and strip diacritics so "Wiśniewska" and "wisniewska" share one key."""
    low = word.lower()
    if low.isascii():
        return low
    low = low.translate(_EXTRA_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))


def read_supplement(path: Path) -> tuple[set[str], set[str]]:
    """Parse the project-curated supplement (``[first]`` / ``[last]`` sections)."""
    first: set[str] = set()
    last: set[str] = set()
    target = first
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line == "[first]":
            target = first
        elif line == "[last]":
            target = last
        else:
            target.update(fold(w) for w in line.split())
    return first, last


@dataclass(frozen=True)
class Lexicon:
    roles: dict[str, int]   # folded name -> FIRST | LAST bits
    bands: dict[str, int]   # folded word -> English frequency band (absent = 0)

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> Lexicon:
        roles: dict[str, int] = {}
        with open(data_dir / "names.tsv", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                name, _, flags = line.rstrip("\n").partition("\t")
                roles[name] = (FIRST if "f" in flags else 0) | (LAST if "l" in flags else 0)
        sup_first, sup_last = read_supplement(data_dir / "names_supplement.txt")
        for name in sup_first:
            roles[name] = roles.get(name, 0) | FIRST
        for name in sup_last:
            roles[name] = roles.get(name, 0) | LAST
        bands: dict[str, int] = {}
        with open(data_dir / "word_bands.tsv", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                word, _, band = line.rstrip("\n").partition("\t")
                bands[word] = int(band)
        return cls(roles, bands)

    def role(self, key: str) -> int:
        return self.roles.get(key, 0)

    def band(self, key: str) -> int:
        return self.bands.get(key, 0)
