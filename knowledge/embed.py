"""Static sentence embeddings read from files in this package: no model hub, no torch.

The model (``models/minilm-static``) holds one vector per WordPiece token, distilled once with
model2vec from all-MiniLM-L6-v2 (see ``models/PROVENANCE.md`` and ``models/build.py``). A sentence's
vector is the mean of its tokens' vectors, L2-normalised, so the cosine of two sentences is a dot product.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).parent / "models" / "minilm-static"


class StaticEmbedder:
    def __init__(self, model_dir: Path | str = MODEL_DIR) -> None:
        model_dir = Path(model_dir)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        # Kept as float16 (half the memory); the few rows a sentence needs are summed in float32.
        self.vectors = np.load(model_dir / "vectors.npy")
        self.dims = int(self.vectors.shape[1])
        unk = self.tokenizer.token_to_id("[UNK]")
        self._unk = -1 if unk is None else unk

    def _ids(self, text: str) -> list[int]:
        ids = self.tokenizer.encode(text, add_special_tokens=False).ids
        return [i for i in ids if i != self._unk and i < len(self.vectors)]

    def encode(self, text: str) -> np.ndarray:
        """One unit vector (zeros when no token is known)."""
        ids = self._ids(text)
        if not ids:
            return np.zeros(self.dims, dtype=np.float32)
        vec = self.vectors[ids].astype(np.float32).mean(axis=0)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec

    def encode_many(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        return np.vstack([self.encode(t) for t in texts])


@functools.cache
def default_embedder() -> StaticEmbedder:
    """The shipped model, loaded once per process."""
    return StaticEmbedder()
