"""Hybrid search over the SOP index: the ``open_retriever`` / ``Retriever.search`` contract."""

from __future__ import annotations

import unicodedata
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from core.domain import ABOUT_SECTION_TITLES, CaseType
from core.settings import Settings
from retrieval.chunking import Chunk, anchor_for
from retrieval.embedder import ChromaEmbeddingFunction, Embedder, MiniLMEmbedder
from retrieval.errors import ChromaUnavailable, IndexNotBuilt, InvalidQuery
from retrieval.fusion import FusionWeights, fuse
from retrieval.index import bm25_dir, chroma_client, read_manifest
from retrieval.lexical import LexicalIndex

MAX_QUERY_CHARS = 2000
MAX_K = 50
Mode = Literal["hybrid", "dense", "bm25"]


class Hit(BaseModel):
    """One retrieved SOP section with everything needed to cite it."""

    chunk_id: str
    citation: str
    sop_id: str
    section: str
    section_title: str
    title: str
    breadcrumb: str
    anchor: str
    version: str
    status: Literal["effective", "superseded"]
    effective_date: str
    case_types: list[str]
    score: float
    text: str
    note: str | None = None


def validate_query(
    query: object, k: object = 5, case_type: object = None
) -> tuple[str, int, CaseType | None]:
    """Check a search request; raise ``InvalidQuery`` with a one-line reason."""
    if not isinstance(query, str):
        raise InvalidQuery("query must be text")
    text = query.strip()
    if not text:
        raise InvalidQuery("query is empty")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\t\n\r" for ch in text):
        raise InvalidQuery("query contains binary or control characters")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise InvalidQuery(f"k must be an integer from 1 to {MAX_K}")
    return text, k, None if case_type is None else parse_case_type(case_type)


def parse_case_type(case_type: object) -> CaseType:
    """A case type by its name; raise ``InvalidQuery`` naming the known ones."""
    try:
        return CaseType(str(case_type))
    except ValueError as exc:
        known = ", ".join(c.value for c in CaseType)
        raise InvalidQuery(f"unknown case type {case_type!r} (one of: {known})") from exc


def _hit(chunk: Chunk, score: float) -> Hit:
    note = None
    if chunk.status == "superseded":
        note = f"superseded by version {chunk.superseded_by} — cite with care"
    return Hit(
        chunk_id=chunk.chunk_id,
        citation=chunk.citation,
        sop_id=chunk.sop_id,
        section=chunk.section,
        section_title=chunk.section_title,
        title=chunk.title,
        breadcrumb=chunk.breadcrumb,
        anchor=chunk.anchor,
        version=chunk.version,
        status=chunk.status,  # type: ignore[arg-type]
        effective_date=chunk.effective_date,
        case_types=chunk.case_types,
        score=round(float(score), 6),
        text=chunk.text,
        note=note,
    )


class Retriever:
    """Loaded once per process: the Chroma collection, the BM25 index, the embedder and the fusion weights."""

    def __init__(
        self, collection: Any, lexical: LexicalIndex, embedder: Embedder, weights: FusionWeights
    ) -> None:
        self.collection = collection
        self.lexical = lexical
        self.embedder = embedder
        self.weights = weights
        self._row = {c.chunk_id: i for i, c in enumerate(lexical.chunks)}
        chunks = lexical.chunks
        self._effective = np.array([c.status == "effective" for c in chunks], dtype=bool)
        self._by_type = {
            ct: np.array([ct.value in c.case_types or "general" in c.case_types for c in chunks], dtype=bool)
            for ct in CaseType
        }

    def _mask(self, case_type: CaseType | None, include_superseded: bool) -> np.ndarray:
        mask = np.ones(len(self.lexical.chunks), dtype=bool)
        if not include_superseded:
            mask &= self._effective
        if case_type is not None:
            mask &= self._by_type[case_type]
        return mask

    @staticmethod
    def _where(case_type: CaseType | None, include_superseded: bool) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if not include_superseded:
            clauses.append({"status": "effective"})
        if case_type is not None:
            clauses.append({"$or": [{f"ct_{case_type.value}": True}, {"ct_general": True}]})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def _dense(self, query: str, case_type: CaseType | None, include_superseded: bool) -> dict[int, float]:
        vector = self.embedder.embed_query(query)
        try:
            result = self.collection.query(
                query_embeddings=[vector],
                n_results=min(self.weights.candidates, len(self.lexical.chunks)),
                where=self._where(case_type, include_superseded),
                include=["distances"],
            )
        except Exception as exc:  # Chroma's server stopped or unreachable: one clear line, not a client trace
            raise ChromaUnavailable("the procedure index (Chroma) is not reachable") from exc
        return {
            self._row[cid]: 1.0 - float(dist)
            for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)
            if cid in self._row
        }

    def _bm25(self, query: str, mask: np.ndarray) -> dict[int, float]:
        scores = np.where(mask, self.lexical.scores(query), 0.0)
        top = np.argsort(-scores, kind="stable")[: self.weights.candidates]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}

    def search(
        self,
        query: str,
        k: int = 5,
        case_type: CaseType | str | None = None,
        include_superseded: bool = False,
        *,
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        """Top-k sections for the query; superseded versions only on request and below their effective twin."""
        text, k, ct = validate_query(query, k, case_type)
        dense = self._dense(text, ct, include_superseded) if mode != "bm25" else {}
        lexical = self._bm25(text, self._mask(ct, include_superseded)) if mode != "dense" else {}
        weights = self.weights
        if mode != "hybrid":
            weights = FusionWeights(dense=float(mode == "dense"), bm25=float(mode == "bm25"))
        return self._select(self._boost(fuse(dense, lexical, weights), ct), k)

    def _boost(self, ranked: list[tuple[int, float]], case_type: CaseType | None) -> list[tuple[int, float]]:
        """With a case-type filter, add the bonus to chunks of SOPs written for that case type."""
        bonus = self.weights.case_type_bonus
        if case_type is None or not bonus:
            return ranked
        chunks = self.lexical.chunks
        boosted = [(row, s + bonus * (case_type.value in chunks[row].case_types)) for row, s in ranked]
        return sorted(boosted, key=lambda item: (-item[1], item[0]))

    def _select(self, ranked: list[tuple[int, float]], k: int) -> list[Hit]:
        """One hit per section version (best part), superseded twins pushed below their effective version."""
        chunks = self.lexical.chunks
        best: dict[tuple[str, str, str], tuple[int, float]] = {}
        for row, score in ranked:
            c = chunks[row]
            best.setdefault((c.sop_id, c.version, c.section), (row, score))
        effective_score = {
            (chunks[row].sop_id, chunks[row].section): score
            for row, score in best.values()
            if chunks[row].status == "effective"
        }
        adjusted: list[tuple[int, float]] = []
        for row, score in best.values():
            c = chunks[row]
            twin = effective_score.get((c.sop_id, c.section))
            if c.status == "superseded" and twin is not None:
                score = min(score, twin - 1e-6)
            adjusted.append((row, score))
        adjusted.sort(key=lambda item: (-item[1], chunks[item[0]].status != "effective", item[0]))
        return [_hit(chunks[row], score) for row, score in adjusted[:k]]

    def procedure(self, case_type: CaseType | str) -> list[Hit]:
        """The SOPs written for ``case_type`` alone, section by section in document order (parts joined): what an
        analyst opens for the case (definitions, checks, procedures, deadlines, approvals, when not to act).

        Purpose and Scope say what a procedure is about, never what to do, and are left out. Cross-cutting SOPs
        (tagged with several case types or ``general``) are not included: the searches find their sections.
        Not a search: every hit scores 0. ``general`` has no own SOP; an unknown case type raises
        ``InvalidQuery``."""
        ct = parse_case_type(case_type)
        if ct is CaseType.GENERAL:  # the general SOPs are each other case type's cross-cutting ones
            return []
        own = [c for c in self.lexical.chunks if c.status == "effective" and list(c.case_types) == [ct.value]]
        sections: dict[tuple[str, str], list[Chunk]] = {}
        for chunk in own:
            if chunk.section_title.strip().lower() not in ABOUT_SECTION_TITLES:
                sections.setdefault((chunk.sop_id, chunk.section), []).append(chunk)
        hits = []
        for parts in sections.values():
            hit = _hit(parts[0], 0.0)
            hit.chunk_id = parts[0].chunk_id.split("~", 1)[0]
            hit.text = "\n\n".join(c.text for c in parts)
            hits.append(hit)
        return hits

    def get_section(self, sop_id: str, section: str) -> Hit | None:
        """The effective text of one section (parts joined; a bare ``##`` number gathers its subsections)."""
        chunks = [c for c in self.lexical.chunks if c.status == "effective" and c.sop_id == sop_id]
        exact = [c for c in chunks if c.section == section]
        parts = exact or [c for c in chunks if c.section.startswith(f"{section}.")]
        if not parts:
            return None
        first = parts[0]
        hit = _hit(first, 1.0)
        if not exact:
            hit.section, hit.citation = section, f"{sop_id} §{section}"
            hit.section_title = first.breadcrumb.split(" › ")[1].split(". ", 1)[-1]
            hit.breadcrumb = " › ".join(first.breadcrumb.split(" › ")[:2])
            hit.anchor = anchor_for(sop_id, section)
        hit.text = "\n\n".join(c.text for c in parts)
        return hit


def open_retriever(
    settings: Settings, embedder: Embedder | None = None, weights: FusionWeights | None = None
) -> Retriever:
    """Open the built index once per process; raise ``IndexNotBuilt`` when it is missing or incomplete."""
    manifest = read_manifest(settings)
    if manifest is None:
        raise IndexNotBuilt(f"no SOP index under {settings.resolved_data_dir}")
    embedder = embedder or MiniLMEmbedder(threads=settings.embed_threads)
    if manifest.get("embedder") != embedder.name:
        raise IndexNotBuilt(
            f"the index was built with embedder {manifest.get('embedder')!r}, not {embedder.name!r}"
        )
    client = chroma_client(settings)
    try:
        collection = client.get_collection(
            settings.chroma_collection, embedding_function=ChromaEmbeddingFunction(embedder)
        )
    except Exception as exc:  # chromadb raises NotFoundError or ValueError depending on the client
        raise IndexNotBuilt(
            f"Chroma collection {settings.chroma_collection!r} is missing ({type(exc).__name__})"
        ) from exc
    lexical = LexicalIndex.load(bm25_dir(settings))
    if collection.count() != len(lexical.chunks):
        raise IndexNotBuilt("the Chroma and BM25 indexes disagree (an interrupted build?)")
    warm_up = getattr(embedder, "warm_up", None)
    if callable(warm_up):
        warm_up()  # model load belongs to opening, not to the first search
    return Retriever(collection, lexical, embedder, weights or FusionWeights.load())
