"""``payinvest bench model``: a missing model is one clear error; the ratios are to the idle default in the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bench.model as bench_model
from core.errors import PayinvestError
from core.settings import Settings


def test_a_missing_model_is_a_clear_error_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(PayinvestError, match="the embedded model is not installed"):
        bench_model.run(Settings(data_dir=tmp_path))


class _Server:
    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_cells_alternate_the_busy_core_and_report_ratios_to_two_idle_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agent.llm.embedded as embedded

    servers: list[_Server] = []
    competitors: list[Any] = []
    real_busy = bench_model._busy_core

    def busy() -> Any:
        process = real_busy()
        competitors.append(process)
        return process

    def start(settings: Settings) -> _Server:
        servers.append(_Server(settings.llm_threads))
        return servers[-1]

    def call(server: _Server, index: int, max_tokens: int) -> dict[str, float]:
        loaded = any(p.poll() is None for p in competitors)  # a competitor is spinning during this call
        gen = {(2, False): 28.0, (2, True): 9.0, (1, False): 19.0, (1, True): 18.0}[(server.threads, loaded)]
        return {"prompt_tps": 75.0, "gen_tps": gen, "seconds": 2.0 + 64 / gen}

    monkeypatch.setattr(embedded, "model_is_verified", lambda path: True)
    monkeypatch.setattr(embedded, "start_embedded_server", start)
    monkeypatch.setattr(bench_model, "_call", call)
    monkeypatch.setattr(bench_model, "_busy_core", busy)
    result = bench_model.run(Settings(data_dir=tmp_path), calls=2)
    assert result["baseline"] == "threads_2.idle"
    assert result["threads_2.idle"]["gen_rate_ratio"] == 1.0
    assert result["threads_2.one_busy_core"]["gen_tok_s"] == 9.0
    assert result["threads_2.one_busy_core"]["gen_rate_ratio"] == round(9 / 28, 2)
    assert result["threads_1.one_busy_core"]["call_time_ratio"] == round((2 + 64 / 18) / (2 + 64 / 28), 2)
    assert [s.threads for s in servers] == [2, 1] and all(s.stopped for s in servers)
    assert len(competitors) == 4 and all(p.poll() is not None for p in competitors)  # none left running
