"""Prometheus metric families of payinvest, in one process-wide registry (prometheus-client convention).

Each worker process exposes its own values at ``/metrics`` (docs/operations.md); Prometheus scrapes every
worker and sums. Values that live in the shared database (proposals by status, kill switches) are read at
scrape time by ``app.metrics.DatabaseCollector``, so every worker reports the same, current numbers."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# A turn on the embedded model takes 10-60 s on two cores: the buckets reach past the 120 s answer timeout.
_SLOW = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 60.0, 90.0, 120.0, 180.0)

HTTP_LATENCY = Histogram(
    "payinvest_http_request_duration_seconds",
    "HTTP request latency by route template (not raw path), method and status code.",
    ["method", "route", "status"],
    buckets=(*_FAST, 10.0, 30.0, 60.0, 120.0),
    registry=REGISTRY,
)
TURN_LATENCY = Histogram(
    "payinvest_turn_duration_seconds",
    "Agent turn latency from the message to the TurnResult, by final status.",
    ["status"],
    buckets=_SLOW,
    registry=REGISTRY,
)
TIME_TO_FINDINGS = Histogram(
    "payinvest_turn_time_to_findings_seconds",
    "Seconds from the message to the deterministic findings event (before any answer token).",
    buckets=_SLOW,
    registry=REGISTRY,
)
LLM_CALLS = Counter(
    "payinvest_llm_calls_total",
    "LLM calls by prompt, prompt version, provider and outcome (ok|failed).",
    ["prompt", "version", "provider", "outcome"],
    registry=REGISTRY,
)
LLM_TOKENS = Counter(
    "payinvest_llm_tokens_total",
    "LLM tokens by prompt, prompt version and direction (prompt|completion).",
    ["prompt", "version", "direction"],
    registry=REGISTRY,
)
LLM_LATENCY = Histogram(
    "payinvest_llm_call_duration_seconds",
    "LLM call latency by prompt and prompt version.",
    ["prompt", "version"],
    buckets=_SLOW,
    registry=REGISTRY,
)
TOOL_CALLS = Counter(
    "payinvest_tool_calls_total",
    "Read tool calls by tool and outcome (ok|error).",
    ["tool", "outcome"],
    registry=REGISTRY,
)
TOOL_LATENCY = Histogram(
    "payinvest_tool_call_duration_seconds",
    "Read tool call latency by tool.",
    ["tool"],
    buckets=_FAST,
    registry=REGISTRY,
)
RETRIEVAL_LATENCY = Histogram(
    "payinvest_retrieval_duration_seconds",
    "SOP retrieval (hybrid search) latency by outcome (ok|error).",
    ["outcome"],
    buckets=_FAST,
    registry=REGISTRY,
)
PROPOSALS_CREATED = Counter(
    "payinvest_proposals_created_total",
    "Proposals the agent made, by kind (the current count by status is payinvest_proposals).",
    ["kind"],
    registry=REGISTRY,
)
DECISIONS = Counter(
    "payinvest_decisions_total",
    "Supervisor and compliance decisions taken, by action (approve|edit|reject).",
    ["action"],
    registry=REGISTRY,
)
DECISION_REFUSALS = Counter(
    "payinvest_decision_refusals_total",
    "Decisions refused, by code (four_eyes_violation, approval_limit_exceeded, not_authorised, ...).",
    ["code"],
    registry=REGISTRY,
)
VERIFIER_REMOVALS = Counter(
    "payinvest_verifier_removed_sentences_total",
    "Answer sentences the verifier removed as unsupported by the findings (unsupported_claims).",
    registry=REGISTRY,
)
CLASSIFIER_CONFIDENCE = Histogram(
    "payinvest_classifier_confidence",
    "Confidence of the case-type intent classifier per turn, by source (trained|keywords|llm).",
    ["source"],
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
    registry=REGISTRY,
)
AUDIT_APPEND_LATENCY = Histogram(
    "payinvest_audit_append_duration_seconds",
    "Latency of one hash-chained audit append (lock, insert, head update, commit).",
    buckets=_FAST,
    registry=REGISTRY,
)

# Refusal codes every operator alerts on: exported as 0 from the start so a rate() has a series.
for _code in ("four_eyes_violation", "approval_limit_exceeded", "not_authorised", "actions_disabled"):
    DECISION_REFUSALS.labels(code=_code)
for _action in ("approve", "edit", "reject"):
    DECISIONS.labels(action=_action)
