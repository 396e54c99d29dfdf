"""``payinvest bench``: benchmarks that print ratios against a baseline measured in the same run."""

from __future__ import annotations

import json
from typing import Any

import typer

bench_app = typer.Typer(
    help="Benchmarks (ratios against baselines measured in the same run; medians).", no_args_is_help=True
)


def _guarded(run: Any) -> Any:
    """Run a benchmark; a typed error (no seeded sandbox, no index, no model) is one line and exit 2."""
    from core.errors import PayinvestError

    try:
        return run()
    except PayinvestError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None


def _emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
        return
    from rich.table import Table

    from core.console import console

    table = Table(title=result.get("benchmark", "benchmark"))
    table.add_column("metric")
    table.add_column("value")
    for key, value in _flatten(result).items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    console().print(table)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


@bench_app.command("retrieval")
def bench_retrieval(
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    repeats: int = typer.Option(3, help="Timing passes over the query set (median reported)."),
) -> None:
    """Hybrid vs BM25-only vs dense-only: hit@1, hit@5, MRR, nDCG@5, latency, build throughput."""
    from bench.retrieval import run
    from core.settings import get_settings

    _emit(_guarded(lambda: run(get_settings(), repeats=repeats)), as_json)


@bench_app.command("api")
def bench_api(
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    payments: int = typer.Option(1_000_000, help="Payments in the benchmark database (seeded if missing)."),
    requests: int = typer.Option(2000, help="Lookups per measured series."),
) -> None:
    """Payments API lookup latency and throughput against a bare FastAPI endpoint over loopback."""
    from bench.api import run
    from core.settings import get_settings

    _emit(_guarded(lambda: run(get_settings(), payments=payments, requests=requests)), as_json)


@bench_app.command("agent")
def bench_agent(
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    embedded: bool = typer.Option(False, "--embedded", help="Also measure turns with the embedded model."),
    turns: int = typer.Option(50, help="Scripted-model turns to time."),
    questions: int = typer.Option(10, help="Embedded-model turns (catalogue questions) to time."),
    answer_timeout_s: float = typer.Option(
        None,
        "--answer-timeout",
        help="Override AgentConfig.answer_timeout_s (default 15 s) to see the tokens.",
    ),
) -> None:
    """Agent orchestration overhead (zero-latency scripted model) and embedded-model turn latency:
    time to the findings, the whole turn, tokens per turn and the ratio to the token floor."""
    from bench.agent import run
    from core.settings import get_settings

    _emit(
        _guarded(
            lambda: run(
                get_settings(),
                embedded=embedded,
                turns=turns,
                questions=questions,
                answer_timeout_s=answer_timeout_s,
            )
        ),
        as_json,
    )


@bench_app.command("answer")
def bench_answer(
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    prompt: str = typer.Option(..., "--prompt", help="The challenger's answer prompt version (e.g. v3)."),
    max_tokens: int = typer.Option(64, "--max-tokens", help="The challenger's answer token cap."),
    questions: int = typer.Option(12, help="Catalogue questions, each answered by both sides."),
) -> None:
    """The champion's answer call against a challenger prompt and token cap on the embedded model: paired
    turn and model-time ratios, tokens, replies that fell back to the findings, sentences the verifier removed."""
    from bench.agent import run_answer_pair
    from core.settings import get_settings

    _emit(
        _guarded(
            lambda: run_answer_pair(get_settings(), questions=questions, prompt=prompt, max_tokens=max_tokens)
        ),
        as_json,
    )


@bench_app.command("model")
def bench_model(
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    calls: int = typer.Option(4, min=1, help="Answer-shaped calls per cell (median reported)."),
) -> None:
    """The embedded model's prompt and generation rates with two threads and one, on an idle machine and beside
    one busy core: ratios to two threads on an idle machine, measured in the same run."""
    from bench.model import run
    from core.settings import get_settings

    _emit(_guarded(lambda: run(get_settings(), calls=calls)), as_json)


@bench_app.command("web")
def bench_web(
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    conversations: int = typer.Option(50, min=1, help="Concurrent analysts, each asking turn after turn."),
    seconds: float = typer.Option(60.0, min=1.0, help="How long the analysts keep asking."),
) -> None:
    """Load over real HTTP with SSE (scripted model): concurrent conversations, supervisors deciding,
    compliance reading; 0 errors, the audit chain verified and its counts matched, p50/p99 per route."""
    from bench.web import run
    from core.settings import get_settings

    result = _guarded(lambda: run(get_settings(), conversations=conversations, seconds=seconds))
    _emit(result, as_json)
    if not result["ok"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``payinvest bench`` to the command line."""
    app.add_typer(bench_app, name="bench")
