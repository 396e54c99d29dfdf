"""Build the SOP index: Chroma (dense, MiniLM) + bm25s (lexical), incrementally by content hash."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from core.domain import CaseType
from core.settings import Settings
from retrieval.chunking import Chunk, chunk_corpus
from retrieval.corpus import load_corpus
from retrieval.embedder import ChromaEmbeddingFunction, Embedder, MiniLMEmbedder
from retrieval.errors import ChromaUnavailable
from retrieval.lexical import LexicalIndex

MANIFEST_FILE = "manifest.json"
EMBED_BATCH = 32


@dataclass
class BuildReport:
    """What an index build changed (the ``payinvest index build --json`` contract)."""

    documents: int
    chunks: int
    added: int
    updated: int
    removed: int
    unchanged: int
    embedded: int
    seconds: float
    embedded_per_second: float | None
    embedder: str
    collection: str
    corpus_hash: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def bm25_dir(settings: Settings) -> Path:
    """Where the lexical index and the chunk records live."""
    return settings.resolved_data_dir / "bm25"


def chroma_client(settings: Settings) -> Any:
    """Chroma's HTTP client when ``chroma_url`` is set, else the embedded persistent client."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    where = settings.chroma_url or str(settings.chroma_path)
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)
    except Exception as exc:  # connection refused, bad URL, unreadable store: one clear line for the user
        raise ChromaUnavailable(f"cannot open Chroma at {where} ({type(exc).__name__}: {exc})") from exc


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    """Chroma metadata: what filters need (status, one bool per case type) plus the content hash."""
    meta: dict[str, Any] = {
        "sop_id": chunk.sop_id,
        "version": chunk.version,
        "section": chunk.section,
        "status": chunk.status,
        "content_hash": chunk.content_hash,
        "case_types": ",".join(chunk.case_types),
    }
    for case_type in CaseType:
        meta[f"ct_{case_type.value}"] = case_type.value in chunk.case_types
    return meta


def _collection(client: Any, settings: Settings, embedder: Embedder) -> Any:
    return client.get_or_create_collection(
        settings.chroma_collection,
        embedding_function=ChromaEmbeddingFunction(embedder),
        # A corpus of a few thousand chunks: a wide HNSW beam makes the search exact in practice; with the
        # defaults, filtered queries dropped true nearest neighbours, differently on each build.
        configuration={"hnsw": {"space": "cosine", "ef_construction": 400, "ef_search": 400}},
    )


def read_manifest(settings: Settings) -> dict[str, Any] | None:
    """The manifest written by the last successful build, or None."""
    path = bm25_dir(settings) / MANIFEST_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _corpus_hash(chunks: list[Chunk]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(f"{chunk.chunk_id}={chunk.content_hash}\n".encode())
    return digest.hexdigest()[:16]


def _embed_with_progress(embedder: Embedder, texts: list[str], progress: bool) -> list[list[float]]:
    """Embed in length-sorted batches (less padding), with a rich progress bar when asked."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    batches = [order[i : i + EMBED_BATCH] for i in range(0, len(order), EMBED_BATCH)]
    vectors: list[list[float]] = [[] for _ in texts]

    def run(batch: list[int]) -> None:
        for index, vector in zip(batch, embedder.embed_documents([texts[i] for i in batch]), strict=True):
            vectors[index] = vector

    if not progress or len(batches) < 2:
        for batch in batches:
            run(batch)
        return vectors
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("Embedding SOP chunks", total=len(texts))
        for batch in batches:
            run(batch)
            bar.advance(task, len(batch))
    return vectors


def build_index(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    corpus_dir: Path | None = None,
    rebuild: bool = False,
    progress: bool = False,
) -> BuildReport:
    """Parse, chunk and index the corpus; only new or changed chunks are embedded."""
    started = time.perf_counter()
    docs = load_corpus(corpus_dir)
    chunks = chunk_corpus(docs)
    embedder = embedder or MiniLMEmbedder(threads=settings.embed_threads)
    manifest = read_manifest(settings)
    if manifest is not None and manifest.get("embedder") != embedder.name:
        rebuild = True  # vectors of another model are not comparable
    client = chroma_client(settings)
    if rebuild and settings.chroma_collection in {c.name for c in client.list_collections()}:
        client.delete_collection(settings.chroma_collection)
    collection = _collection(client, settings, embedder)

    existing_raw = collection.get(include=["metadatas"])
    existing = {
        cid: (meta or {}).get("content_hash")
        for cid, meta in zip(existing_raw["ids"], existing_raw["metadatas"] or [], strict=False)
    }
    wanted = {c.chunk_id for c in chunks}
    to_write = [c for c in chunks if existing.get(c.chunk_id) != c.content_hash]
    added = sum(1 for c in to_write if c.chunk_id not in existing)
    removed_ids = sorted(set(existing) - wanted)
    if removed_ids:
        collection.delete(ids=removed_ids)
    embed_started = time.perf_counter()
    vectors = _embed_with_progress(embedder, [c.embed_text for c in to_write], progress)
    embed_seconds = time.perf_counter() - embed_started
    if to_write:
        collection.upsert(
            ids=[c.chunk_id for c in to_write],
            embeddings=vectors,
            documents=[c.embed_text for c in to_write],
            metadatas=[chunk_metadata(c) for c in to_write],
        )

    directory = bm25_dir(settings)
    LexicalIndex.build(chunks).save(directory)
    report = BuildReport(
        documents=len(docs),
        chunks=len(chunks),
        added=added,
        updated=len(to_write) - added,
        removed=len(removed_ids),
        unchanged=len(chunks) - len(to_write),
        embedded=len(to_write),
        seconds=round(time.perf_counter() - started, 3),
        embedded_per_second=round(len(to_write) / embed_seconds, 2)
        if to_write and embed_seconds > 0
        else None,
        embedder=embedder.name,
        collection=settings.chroma_collection,
        corpus_hash=_corpus_hash(chunks),
    )
    manifest_data = {
        "embedder": embedder.name,
        "collection": settings.chroma_collection,
        "chunks": len(chunks),
        "corpus_hash": report.corpus_hash,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest_data, indent=2), encoding="utf-8")
    return report
