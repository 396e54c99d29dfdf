"""Bootstrap intervals, the paired comparison and McNemar's test give known answers."""

from __future__ import annotations

import pytest

from evals.compare import compare_values
from evals.gate import Threshold, Thresholds
from evals.stats import bootstrap_ci, mcnemar_exact, paired_difference, verdict


def test_bootstrap_interval_is_deterministic_and_brackets_the_mean() -> None:
    values = [1.0] * 15 + [0.0] * 5
    first, second = bootstrap_ci(values), bootstrap_ci(values)
    assert first == second
    assert first is not None and first[0] < 0.75 < first[1]
    assert bootstrap_ci([]) is None
    assert bootstrap_ci([0.5, 0.5]) == (0.5, 0.5)


@pytest.mark.parametrize(
    ("b", "c", "p"),
    [(0, 6, 0.03125), (6, 0, 0.03125), (3, 3, 1.0), (0, 0, 1.0), (1, 4, 0.375), (31, 0, 2 * 0.5**31)],
)
def test_mcnemar_exact_values(b: int, c: int, p: float) -> None:
    assert mcnemar_exact(b, c) == pytest.approx(p, rel=1e-5)  # 31/0: 9.3e-10, not rounded to 0


def test_verdicts() -> None:
    worse = paired_difference([1.0] * 10, [0.0] * 6 + [1.0] * 4)
    assert worse is not None and worse[1][1] < 0
    assert verdict(worse, mcnemar_exact(6, 0), (6, 0)) == "worse"
    same = paired_difference([1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0])
    assert verdict(same, mcnemar_exact(1, 1), (1, 1)) == "not distinguishable"
    better = paired_difference([0.0] * 8, [1.0] * 8)
    assert verdict(better, mcnemar_exact(0, 8), (0, 8)) == "better"


def _values(fact: list[float], claims: list[float]) -> dict[str, dict[str, float | None]]:
    return {
        f"c{i}": {"fact_recall": f, "unsupported_claims": u, "safety": 1.0}
        for i, (f, u) in enumerate(zip(fact, claims, strict=True))
    }


def test_a_challenger_significantly_worse_on_a_gated_metric_is_a_regression_above_the_floor() -> None:
    thresholds = Thresholds(
        version="t",
        metrics={
            "fact_recall": Threshold(standard=0.95, min=0.3),
            "unsupported_claims": Threshold(standard=0, max=2, gated=False),
            "safety": Threshold(min=1.0),
        },
    )
    champion = _values([1.0] * 12, [0.0] * 12)
    challenger = _values([0.5] * 12, [1.0] * 12)  # still above the 0.3 floor, still under max 2
    document = compare_values(champion, challenger, {"champion": "a", "challenger": "b"}, thresholds)
    tests = {t["metric"]: t for t in document["tests"]}
    assert tests["fact_recall"]["verdict"] == "worse" and tests["fact_recall"]["gated"]
    assert tests["fact_recall"]["mcnemar"] == {
        "champion_only": 12,
        "challenger_only": 0,
        "p_value": 0.000488281,
    }
    assert tests["unsupported_claims"]["verdict"] == "worse"  # lower is better: +1 claim per scenario
    assert tests["unsupported_claims"]["difference"] == 1.0
    assert tests["safety"]["verdict"] == "not distinguishable"
    assert document["verdict"] == "worse"
    assert document["gated_regressions"] == ["fact_recall"]  # unsupported_claims is advisory here


def test_an_advisory_metric_can_still_block_a_significant_regression() -> None:
    """regression_gated: the count's floor is advisory, yet a challenger measurably worse on it fails."""
    metrics = {
        "fact_recall": Threshold(standard=0.95, min=0.3),
        "unsupported_claims": Threshold(standard=0, max=2, gated=False, regression_gated=True),
        "safety": Threshold(min=1.0),
    }
    thresholds = Thresholds(version="t", metrics=metrics)
    assert metrics["unsupported_claims"].blocks_regressions and metrics["fact_recall"].blocks_regressions
    assert not Threshold(min=0.5, gated=False).blocks_regressions
    assert not Threshold(min=0.5, gated=True, regression_gated=False).blocks_regressions
    champion = _values([1.0] * 12, [0.0] * 12)
    names = {"champion": "a", "challenger": "b"}
    worse = compare_values(champion, _values([1.0] * 12, [1.0] * 12), names, thresholds)
    assert worse["gated_regressions"] == ["unsupported_claims"]
    # one more claim in one scenario of twelve is not distinguishable: no regression
    noise = compare_values(champion, _values([1.0] * 12, [1.0] + [0.0] * 11), names, thresholds)
    assert noise["gated_regressions"] == []


def test_one_new_failure_on_a_perfect_gated_floor_is_worse_however_rare() -> None:
    """Zero tolerance: safety (min 1.0) and a count gated at max 0 have no acceptable rate, so a paired test's
    'not distinguishable' is the wrong answer for one new failure; a fix alone is not called better."""
    metrics = {
        "safety": Threshold(min=1.0),
        "forbidden_proposals": Threshold(max=0),
        "unsupported_claims": Threshold(standard=0, max=0, gated=False),  # advisory: the paired test only
        "fact_recall": Threshold(standard=0.95, min=0.9),
    }
    assert metrics["safety"].zero_tolerance and metrics["forbidden_proposals"].zero_tolerance
    assert not metrics["unsupported_claims"].zero_tolerance and not metrics["fact_recall"].zero_tolerance
    thresholds = Thresholds(version="t", metrics=metrics)
    names = {"champion": "a", "challenger": "b"}

    def run(
        safety: list[float], forbidden: list[float], claims: list[float]
    ) -> dict[str, dict[str, float | None]]:
        return {
            f"c{i}": {"safety": a, "forbidden_proposals": b, "unsupported_claims": c, "fact_recall": 1.0}
            for i, (a, b, c) in enumerate(zip(safety, forbidden, claims, strict=True))
        }

    clean = run([1.0] * 20, [0.0] * 20, [0.0] * 20)
    one_bad = run([1.0] * 19 + [0.0], [0.0] * 19 + [1.0], [0.0] * 19 + [1.0])
    document = compare_values(clean, one_bad, names, thresholds)
    tests = {t["metric"]: t for t in document["tests"]}
    assert tests["safety"]["mcnemar"]["p_value"] == 1.0  # the paired test alone sees noise
    assert tests["safety"]["verdict"] == "worse" and tests["safety"]["zero_tolerance"]
    assert tests["forbidden_proposals"]["verdict"] == "worse"
    assert tests["unsupported_claims"]["verdict"] == "not distinguishable"
    assert document["verdict"] == "worse"
    assert document["gated_regressions"] == ["safety", "forbidden_proposals"]
    # Fixed in one case and broken in another: the new failure is not offset.
    swapped = run([0.0] + [1.0] * 19, [0.0] * 20, [0.0] * 20)
    assert {t["metric"]: t["verdict"] for t in compare_values(swapped, one_bad, names, thresholds)["tests"]}[
        "safety"
    ] == "worse"
    # A fix with nothing lost is one case: not distinguishable, never claimed as better.
    fixed = compare_values(one_bad, clean, names, thresholds)
    assert {t["metric"]: t["verdict"] for t in fixed["tests"]}["safety"] == "not distinguishable"
    assert fixed["verdict"] == "not distinguishable"


def test_a_scenario_worse_only_on_a_count_metric_is_a_loss() -> None:
    """The verifier-off run: every rate the same, unsupported claims left in 3 replies. Each of those scenarios
    is a loss (a count is judged lower-is-better), not a tie hidden by a mean of rates."""
    thresholds = Thresholds(
        version="t",
        metrics={"fact_recall": Threshold(min=0.9), "unsupported_claims": Threshold(max=0.0)},
    )
    names = {"champion": "a", "challenger": "b"}
    document = compare_values(
        _values([1.0] * 6, [0.0] * 6), _values([1.0] * 6, [1.0] * 3 + [0.0] * 3), names, thresholds
    )
    assert (
        document["challenger_wins"],
        document["challenger_losses"],
        document["mixed"],
        document["ties"],
    ) == (0, 3, 0, 3)
    assert (
        document["scenarios"][0]["worse"] == ["unsupported_claims"]
        and document["scenarios"][0]["better"] == []
    )
    assert document["outcome_metrics"] == ["fact_recall", "unsupported_claims"]


def test_better_on_one_gated_metric_and_worse_on_another_is_mixed_and_advisory_metrics_do_not_count() -> None:
    thresholds = Thresholds(
        version="t",
        metrics={
            "fact_recall": Threshold(min=0.9),
            "unsupported_claims": Threshold(max=0.0),
            "safety": Threshold(min=1.0, gated=False),
        },
    )
    names = {"champion": "a", "challenger": "b"}
    champion = {"c0": {"fact_recall": 0.5, "unsupported_claims": 0.0, "safety": 1.0}}
    mixed = {"c0": {"fact_recall": 1.0, "unsupported_claims": 2.0, "safety": 1.0}}
    document = compare_values(champion, mixed, names, thresholds)
    assert [s["outcome"] for s in document["scenarios"]] == ["mixed"] and document["mixed"] == 1
    assert document["scenarios"][0]["better"] == ["fact_recall"]
    assert document["scenarios"][0]["worse"] == ["unsupported_claims"]
    # safety is advisory here: its change is listed in `changed` but decides no outcome
    advisory = {"c0": {"fact_recall": 0.5, "unsupported_claims": 0.0, "safety": 0.0}}
    document = compare_values(champion, advisory, names, thresholds)
    assert document["scenarios"][0]["outcome"] == "tie" and "safety" in document["scenarios"][0]["changed"]
    # without a thresholds file every deterministic metric decides, counts lower-is-better
    assert compare_values(champion, advisory, names)["scenarios"][0]["outcome"] == "loss"
    assert compare_values(advisory, champion, names)["scenarios"][0]["outcome"] == "win"


def test_a_zero_difference_of_a_count_is_not_negative_zero() -> None:
    same = {f"c{i}": {"unsupported_claims": 0.0} for i in range(4)}
    test = next(t for t in compare_values(same, same, {})["tests"] if t["metric"] == "unsupported_claims")
    assert f"{test['difference']:+.3f}" == "+0.000"
    assert [f"{x:+.3f}" for x in test["difference_ci"]] == ["+0.000", "+0.000"]


def test_thresholds_need_exactly_one_bound_and_a_standard_on_the_right_side() -> None:
    with pytest.raises(ValueError, match="exactly one of"):
        Threshold(min=0.5, max=1.0)
    with pytest.raises(ValueError, match="below the floor"):
        Threshold(min=0.5, standard=0.4)
    row = Threshold(min=0.5, standard=0.95)
    assert row.shortfall(0.8) == 0.15 and row.shortfall(0.99) == 0.0
    count = Threshold(max=1.0, standard=0.0)
    assert count.meets(0.5, count.bound) and not count.meets(0.5, count.target)
