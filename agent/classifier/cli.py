"""``payinvest classifier train|report|predict|corpus``: the case-type classifier from the command line."""

from __future__ import annotations

import json
from typing import Any

import typer

classifier_app = typer.Typer(help="Train, measure and try the case-type classifier.", no_args_is_help=True)

VARIANT_HELP = (
    "full (MiniLM embeddings + n-grams, the default) or lexical (n-grams only, the weaker baseline)."
)


def _fail(exc: Exception, as_json: bool) -> None:
    """One line on stderr (and a JSON error object with --json), exit code 2."""
    code = getattr(exc, "code", "error")
    message = getattr(exc, "message", str(exc))
    if as_json:
        typer.echo(json.dumps({"error": {"code": code, "message": message}}))
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _check_variant(variant: str, as_json: bool) -> Any:
    from agent.classifier.model import VARIANTS

    if variant not in VARIANTS:
        _fail(ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}"), as_json)
    return variant


def _summary(report: dict[str, Any]) -> str:
    held = report["heldout"]
    return (
        f"{report['version']}: {report['examples']['total']} examples, held-out n={held['n']} "
        f"accuracy={held['accuracy']:.3f} macro-F1={held['macro_f1']:.3f} ECE={held['ece_10_bins']:.3f}, "
        f"5-fold CV accuracy={report['cv_accuracy_5fold']:.3f}, threshold={report['confidence_threshold']} "
        f"(coverage {held['at_threshold']['coverage']:.2f}, accepted accuracy {held['at_threshold']['accuracy']:.3f}), "
        f"trained in {report['train_seconds']:.1f} s"
    )


@classifier_app.command("train")
def train_command(
    variant: str = typer.Option("full", "--variant", help=VARIANT_HELP),
    include_labels: bool = typer.Option(
        False,
        "--include-labels",
        help="Also train on the analysts' labels in <data_dir>/classifier/labels.jsonl.",
    ),
    if_stale: bool = typer.Option(
        False,
        "--if-stale",
        help="Only train when the stored model is missing or was made from another corpus.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report of the trained model as JSON."),
) -> None:
    """Train on the committed corpus (held-out report, 5-fold CV, released model) into <data_dir>/classifier/."""
    from agent.classifier import CaseClassifier, ClassifierError, classifier_report
    from core.settings import get_settings

    settings = get_settings()
    chosen = _check_variant(variant, as_json)
    try:
        trainer = CaseClassifier.load_or_train if if_stale else CaseClassifier.train
        trainer(settings, variant=chosen, include_labels=include_labels)
        report = classifier_report(settings, variant=chosen, include_labels=include_labels)
    except ClassifierError as exc:
        _fail(exc, as_json)
        return
    typer.echo(json.dumps(report, indent=2) if as_json else _summary(report))


@classifier_app.command("report")
def report_command(
    variant: str = typer.Option("full", "--variant", help=VARIANT_HELP),
    include_labels: bool = typer.Option(
        False, "--include-labels", help="Report the model trained with labels."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the whole report as JSON."),
) -> None:
    """Held-out accuracy, macro-F1, per-class F1, confusion matrix, ECE and 5-fold CV accuracy."""
    from agent.classifier import ClassifierError, classifier_report
    from core.settings import get_settings

    try:
        report = classifier_report(
            get_settings(), variant=_check_variant(variant, as_json), include_labels=include_labels
        )
    except ClassifierError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(_summary(report))
    for label, f1 in report["heldout"]["per_class_f1"].items():
        typer.echo(f"  {label:<22} F1 {f1:.3f}")


@classifier_app.command("predict")
def predict_command(
    text: str = typer.Argument(..., help="The analyst's message."),
    variant: str = typer.Option("full", "--variant", help=VARIANT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the prediction as JSON."),
) -> None:
    """The case type of one message with its calibrated confidence."""
    from agent.classifier import CaseClassifier, ClassifierError
    from core.settings import get_settings

    try:
        clf = CaseClassifier.load_or_train(get_settings(), variant=_check_variant(variant, as_json))
        pred = clf.predict(text)
    except ClassifierError as exc:
        _fail(exc, as_json)
        return
    if as_json:
        typer.echo(json.dumps(pred.model_dump(mode="json") | {"confident": pred.confident}, indent=2))
        return
    flag = "" if pred.confident else " (below the threshold: ask the analyst)"
    typer.echo(f"{pred.case_type.value} {pred.confidence:.2f} margin {pred.margin:.2f}{flag}")


@classifier_app.command("corpus")
def corpus_command(
    write: bool = typer.Option(False, "--write", help="Regenerate agent/classifier/data/generated.jsonl."),
    as_json: bool = typer.Option(False, "--json", help="Print the corpus statistics as JSON."),
) -> None:
    """Statistics of the committed corpus; --write regenerates the generated part (deterministic)."""
    from collections import Counter

    from agent.classifier.corpus import corpus_hash, load_corpus, write_generated
    from agent.classifier.errors import ClassifierError

    try:
        if write:
            write_generated()
        examples = load_corpus()
    except ClassifierError as exc:
        _fail(exc, as_json)
        return
    stats: dict[str, Any] = {
        "total": len(examples),
        "corpus_hash": corpus_hash(),
        "by_source": dict(Counter(e.source for e in examples)),
        "by_label": dict(sorted(Counter(e.case_type.value for e in examples).items())),
    }
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    typer.echo(f"{stats['total']} examples {stats['by_source']} corpus {stats['corpus_hash'][:12]}")
    for label, n in stats["by_label"].items():
        typer.echo(f"  {label:<22} {n}")


def register(app: typer.Typer) -> None:
    """Add ``payinvest classifier`` to the command line."""
    app.add_typer(classifier_app, name="classifier")
