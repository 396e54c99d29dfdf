"""``payinvest index build|tune`` and ``payinvest search``: ingest the SOP corpus and query it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

index_app = typer.Typer(help="Build and tune the SOP index (Chroma + BM25).", no_args_is_help=True)


def _fail(exc: Exception, as_json: bool) -> None:
    """One-line error on stderr (and a JSON error object with --json), exit code 2."""
    code = getattr(exc, "code", "error")
    message = getattr(exc, "message", str(exc))
    if as_json:
        typer.echo(json.dumps({"error": {"code": code, "message": message}}))
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@index_app.command("build")
def index_build(
    rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and embed every chunk again."),
    corpus: Path = typer.Option(None, "--corpus", help="Corpus directory (default: retrieval/corpus)."),
    as_json: bool = typer.Option(False, "--json", help="Print the build report as JSON."),
) -> None:
    """Parse, validate and chunk the SOPs; embed only new or changed chunks; rebuild BM25."""
    from core.settings import get_settings
    from retrieval.errors import RetrievalError
    from retrieval.index import build_index

    try:
        report = build_index(get_settings(), corpus_dir=corpus, rebuild=rebuild, progress=not as_json)
    except RetrievalError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    typer.echo(
        f"{report.documents} SOP files, {report.chunks} chunks: {report.added} added, {report.updated} updated, "
        f"{report.removed} removed, {report.unchanged} unchanged ({report.embedded} embedded in {report.seconds:.1f} s)"
    )


@index_app.command("tune")
def index_tune(
    dataset: Path = typer.Option(
        None, "--dataset", help="Query set JSONL (default: evals/datasets/retrieval.jsonl)."
    ),
    write: bool = typer.Option(
        True, "--write/--dry-run", help="Store the best weights in retrieval/weights.json."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the grid result as JSON."),
) -> None:
    """Grid-search the dense/BM25 fusion weight on the query set (objective: hit@5, then MRR)."""
    from core.settings import get_settings
    from retrieval.errors import RetrievalError
    from retrieval.tuning import tune_weights

    try:
        result = tune_weights(get_settings(), dataset=dataset, write=write)
    except RetrievalError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    best = result["best"]
    typer.echo(
        f"best dense={best['dense']:.2f} bm25={best['bm25']:.2f}: hit@5={best['hit@5']:.3f} "
        f"MRR={best['mrr']:.3f} ({'written to' if write else 'not written to'} retrieval/weights.json)"
    )


def _print_hits(payload: dict[str, Any]) -> None:
    from rich.console import Console

    console = Console()
    if not payload["hits"]:
        console.print("No matching SOP sections.")
    for rank, hit in enumerate(payload["hits"], start=1):
        excerpt = " ".join(hit["text"].split())[:240]
        console.print(
            f"[bold]{rank}. {hit['citation']}[/bold] v{hit['version']}  {hit['title']}  score {hit['score']:.3f}",
            highlight=False,
        )
        console.print(f"   {hit['breadcrumb']}", style="dim", highlight=False, markup=False)
        if hit["note"]:
            console.print(f"   note: {hit['note']}", style="yellow", highlight=False, markup=False)
        console.print(f"   {excerpt}", highlight=False, markup=False)
    console.print(f"({payload['timing']['search_ms']:.1f} ms search)", style="dim")


def search_command(
    query: str = typer.Argument(..., help="What you are looking for, in plain words or codes."),
    k: int = typer.Option(5, "--k", help="Number of sections to return (1-50)."),
    case_type: str = typer.Option(
        None, "--case-type", help="Only SOPs for this case type (or general ones)."
    ),
    include_superseded: bool = typer.Option(
        False, "--include-superseded", help="Also search superseded versions."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print hits, query and timing as JSON."),
) -> None:
    """Hybrid (dense + BM25) search of the SOPs with section citations."""
    from retrieval.errors import RetrievalError
    from retrieval.search import validate_query

    try:
        text, k, ct = validate_query(query, k, case_type)
        from core.settings import get_settings
        from retrieval.search import open_retriever

        started = time.perf_counter()
        retriever = open_retriever(get_settings())
        opened = time.perf_counter()
        hits = retriever.search(text, k=k, case_type=ct, include_superseded=include_superseded)
        done = time.perf_counter()
    except RetrievalError as exc:
        _fail(exc, as_json)
        return
    payload = {
        "query": text,
        "k": k,
        "case_type": ct.value if ct else None,
        "include_superseded": include_superseded,
        "hits": [hit.model_dump(mode="json") for hit in hits],
        "timing": {
            "open_ms": round((opened - started) * 1000, 2),
            "search_ms": round((done - opened) * 1000, 2),
        },
    }
    if as_json:
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print_hits(payload)


def register(app: typer.Typer) -> None:
    """Add ``payinvest index`` and ``payinvest search`` to the command line."""
    app.add_typer(index_app, name="index")
    app.command("search")(search_command)
