"""``payinvest bench model``: the embedded model's prompt and generation rates by thread count, on an otherwise
idle machine and beside one busy core, as ratios to the default (two threads, idle) measured in the same run.

Why it exists: the release gate's time is the embedded model's tokens at these rates, and llama.cpp's threads
wait for each other at every operation, so anything else running on a 2-core machine slows the model far more
than its own share of the CPU (docs/agent.md "What sets the model's speed").
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import Any

from core.settings import Settings

# An answer-shaped call: the answer prompt's instructions (the cached prefix), then a question and findings of
# the usual size. The amount changes on every call, so only the instructions come from the prompt cache.
_USER = (
    "Question: Alpine Textiles GmbH says their USD {amount} payment PAY-90000001 to Hudson Trading never "
    "arrived, can you check?\nFindings:\n"
    "- PAY-90000001 is accepted, USD {amount} from Alpine Textiles GmbH to Hudson Trading Inc [E1].\n"
    "- The gpi tracker shows it pending at HUDSUS33 with G002 (credit may be delayed: further checks at the "
    "intermediary) [E2].\n- No screening hit on the payment [E3].\n"
    "- Proposed: camt.110 CCNR claim of non-receipt to HUDSUS33, awaiting a supervisor's approval [E2].\nReply:"
)
_BUSY = "while True:\n    pass\n"


def _system() -> str:
    """The release's answer instructions (its pinned prompt version)."""
    from agent.config import DEFAULT_PROMPT_VERSIONS
    from prompts import load_prompt

    prompt = load_prompt("answer", DEFAULT_PROMPT_VERSIONS["answer"])
    return prompt.render(**dict.fromkeys(prompt.variables, ""))[0]


def _call(server: Any, index: int, max_tokens: int, system: str = "") -> dict[str, float]:
    import httpx

    from agent.llm.calls import EMBEDDED_SLOTS

    response = httpx.post(
        f"{server.base_url}/chat/completions",
        headers={"Authorization": f"Bearer {server.api_key}"},
        json={
            "model": server.model,
            "messages": [
                {"role": "system", "content": system or _system()},
                {"role": "user", "content": _USER.format(amount=f"{48_000 + index:,}.00")},
            ],
            "temperature": 0,
            "max_tokens": max_tokens,
            "id_slot": EMBEDDED_SLOTS["answer"],
        },
        timeout=600,
    )
    response.raise_for_status()
    timings = response.json()["timings"]
    return {
        "prompt_tps": timings["prompt_n"] / (timings["prompt_ms"] / 1000),
        "gen_tps": timings["predicted_n"] / (timings["predicted_ms"] / 1000),
        "seconds": (timings["prompt_ms"] + timings["predicted_ms"]) / 1000,
    }


def _busy_core() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _BUSY], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def run(
    settings: Settings, *, calls: int = 4, max_tokens: int = 64, threads: tuple[int, ...] = (2, 1)
) -> dict[str, Any]:
    """Median rates per (threads, condition); ratios to (threads[0], idle). Conditions alternate per call."""
    from agent.llm.embedded import EmbeddedServerError, model_is_verified, model_path, start_embedded_server
    from core.errors import PayinvestError

    if not model_is_verified(model_path(settings)):
        raise PayinvestError(
            "the embedded model is not installed: run `payinvest model install`", code="model_missing"
        )
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    rows: dict[str, list[dict[str, float]]] = {}
    index = 0
    for count in threads:
        try:
            server = start_embedded_server(settings.model_copy(update={"llm_threads": count}))
        except EmbeddedServerError as exc:
            raise PayinvestError(str(exc), code="model_unavailable") from None
        try:
            _call(server, index, 8)  # warm the instructions into the slot's cache
            for _ in range(calls):
                for condition in ("idle", "one_busy_core"):
                    index += 1
                    busy = _busy_core() if condition == "one_busy_core" else None
                    try:
                        if busy is not None:
                            time.sleep(0.2)  # let the competitor start spinning
                        rows.setdefault(f"threads_{count}.{condition}", []).append(
                            _call(server, index, max_tokens)
                        )
                    finally:
                        if busy is not None:
                            busy.kill()
                            busy.wait()
        finally:
            server.stop()
    baseline = f"threads_{threads[0]}.idle"
    medians = {
        key: {k: statistics.median(v[k] for v in values) for k in ("prompt_tps", "gen_tps", "seconds")}
        for key, values in rows.items()
    }
    base = medians[baseline]
    result: dict[str, Any] = {"benchmark": "embedded model rates by threads and load", "baseline": baseline}
    for key, value in medians.items():
        result[key] = {
            "prompt_tok_s": round(value["prompt_tps"], 1),
            "gen_tok_s": round(value["gen_tps"], 1),
            "call_s": round(value["seconds"], 2),
            "call_time_ratio": round(value["seconds"] / base["seconds"], 2),
            "gen_rate_ratio": round(value["gen_tps"] / base["gen_tps"], 2),
        }
    result.update(
        calls_per_cell=calls,
        max_tokens=max_tokens,
        load_average_1m=round(load_before, 2),
        load_average_1m_after=round(os.getloadavg()[0], 2),
        seconds=round(time.perf_counter() - started, 1),
    )
    return result
