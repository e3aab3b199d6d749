"""Scoring: criteria, explanations, weights validation, vectorised == scalar."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from matching.candidates import _Encoded, score_arrays
from matching.scoring import (
    MODE_NAMES,
    ApplicantProfile,
    HostProfile,
    Period,
    Weights,
    distance_km,
    occupation_fit,
    occupation_names,
    regions,
    score_pair,
)

HOHHOT, BAOTOU, ALXA, HULUNBUIR = "150100", "150200", "152900", "150700"


def app(**kw: object) -> ApplicantProfile:
    base: dict[str, object] = {"id": "t1", "occupations": ("6-18-01-01",), "region": HOHHOT}
    base.update(kw)
    return ApplicantProfile(**base)  # type: ignore[arg-type]


def host(**kw: object) -> HostProfile:
    base: dict[str, object] = {
        "id": "w1",
        "occupations": ("6-18-01-01",),
        "region": HOHHOT,
        "capacity": 2,
    }
    base.update(kw)
    return HostProfile(**base)  # type: ignore[arg-type]


def test_occupation_levels_are_ordered() -> None:
    same = occupation_fit(("6-18-01-01",), ("6-18-01-01",))
    small = occupation_fit(("6-18-01-01",), ("6-18-01-02",))
    middle = occupation_fit(("6-18-01-01",), ("6-18-02-04",))
    none = occupation_fit(("6-18-01-01",), ("4-04-05-01",))
    assert same[0] > small[0] > middle[0] > none[0] == 0
    assert same[1] == "职业完全相同（6-18-01-01 车工）"
    assert "小类" in small[1] and "中类" in middle[1] and none[1] == "职业不相关"


def test_distance_uses_league_seats() -> None:
    assert len(regions()) == 14
    assert distance_km(HOHHOT, HOHHOT) == 0
    assert 120 < distance_km(HOHHOT, BAOTOU) < 180
    assert distance_km(ALXA, HULUNBUIR) > 1500
    near = score_pair(app(), host(region=BAOTOU))
    far = score_pair(app(), host(region=HULUNBUIR))
    assert near is not None and far is not None and near.score > far.score
    assert "包头市" in near.breakdown[1].explanation
    with pytest.raises(ValueError, match="region"):
        distance_km("999999", HOHHOT)


def test_perfect_pair_scores_100_and_breakdown_sums() -> None:
    edge = score_pair(
        app(choices=("w1",), modes=frozenset({"linkage"})),
        host(modes=frozenset({"linkage", "enterprise_run"})),
    )
    assert edge is not None and edge.score == 100
    assert [c.criterion for c in edge.breakdown] == [
        "occupation",
        "distance",
        "mode",
        "period",
        "capacity",
        "choice",
        "feedback",
    ]
    assert edge.breakdown[-1].points == 0  # the feedback criterion is off by default
    assert sum(c.points for c in edge.breakdown) == 100
    assert edge.breakdown[2].explanation == "合作模式一致（校企联动）"
    assert edge.to_edge()["breakdown"][0]["criterion"] == "occupation"


def test_period_without_overlap_gives_no_edge_and_partial_overlap_scores_less() -> None:
    a = app(period=Period(date(2025, 3, 1), date(2025, 8, 31)))
    assert score_pair(a, host(period=Period(date(2025, 9, 1), date(2025, 12, 31)))) is None
    part = score_pair(a, host(period=Period(date(2025, 6, 1), date(2025, 12, 31))))
    full = score_pair(a, host(period=Period(date(2025, 1, 1), date(2025, 12, 31))))
    assert part is not None and full is not None and part.score < full.score
    assert "部分重叠" in part.breakdown[3].explanation
    with pytest.raises(ValueError):
        Period(date(2025, 2, 1), date(2025, 1, 1))


def test_mode_capacity_and_choice_criteria() -> None:
    a = app(modes=frozenset({"enterprise_in_school"}), need=2, choices=("w9", "w1"))
    mismatch = score_pair(a, host(modes=frozenset({"enterprise_run"}), capacity=1))
    assert mismatch is not None
    by = {c.criterion: c for c in mismatch.breakdown}
    assert by["mode"].points == 0 and "不一致" in by["mode"].explanation
    assert "少于需求 2" in by["capacity"].explanation
    assert by["choice"].explanation == "第 2 志愿"
    first = score_pair(app(choices=("w1", "w9")), host())
    second = score_pair(app(choices=("w9", "w1")), host())
    assert first is not None and second is not None and first.score > second.score


@pytest.mark.parametrize(
    "bad",
    [
        {"distance": -1},
        {"mode": float("nan")},
        {"occupation": "40"},
        {"choice": True},
        dict.fromkeys(("occupation", "distance", "mode", "period", "capacity", "choice"), 0),
    ],
)
def test_weights_are_validated(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Weights(**bad)  # type: ignore[arg-type]


def test_weights_from_mapping() -> None:
    assert Weights.from_mapping({"distance": 0}).distance == 0
    with pytest.raises(ValueError, match="unknown weight"):
        Weights.from_mapping({"salary": 3})
    only_distance = Weights(occupation=0, distance=1, mode=0, period=0, capacity=0, choice=0)
    edge = score_pair(app(), host(occupations=("4-04-05-01",)), only_distance)
    assert edge is not None and edge.score == 100


def _random_profiles(seed: int) -> tuple[list[ApplicantProfile], list[HostProfile]]:
    rng = random.Random(seed)
    codes, regs, modes = sorted(occupation_names()), sorted(regions()), sorted(MODE_NAMES)

    def period() -> Period | None:
        if rng.random() < 0.3:
            return None
        start = date(2025, 1, 1).toordinal() + rng.randint(0, 300)
        return Period(date.fromordinal(start), date.fromordinal(start + rng.randint(0, 120)))

    apps = [
        ApplicantProfile(
            f"a{i}",
            tuple(rng.sample(codes, rng.randint(1, 2))),
            rng.choice(regs),
            frozenset(rng.sample(modes, rng.randint(0, 2))),
            period(),
            rng.randint(1, 3),
            tuple(f"h{rng.randint(0, 20)}" for _ in range(rng.randint(0, 3))),
        )
        for i in range(40)
    ]
    hosts = [
        HostProfile(
            f"h{j}",
            tuple(rng.sample(codes, rng.randint(1, 3))),
            rng.choice(regs),
            frozenset(rng.sample(modes, rng.randint(0, 3))),
            period(),
            rng.randint(0, 4),
            None if rng.random() < 0.3 else round(rng.uniform(1, 5), 2),
        )
        for j in range(20)
    ]
    return apps, hosts


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("feedback", [0, 2.5])
def test_vectorised_scores_equal_score_pair(seed: int, feedback: float) -> None:
    apps, hosts = _random_profiles(seed)
    weights = Weights(
        occupation=7, distance=3.5, mode=1, period=2, capacity=1, choice=4, feedback=feedback
    )
    enc = _Encoded(apps, hosts)
    pa = np.repeat(np.arange(len(apps)), len(hosts))
    ph = np.tile(np.arange(len(hosts)), len(apps))
    choice = np.array(
        [
            (1 - a.choices.index(h.id) / len(a.choices)) if h.id in a.choices else 0.0
            for a in apps
            for h in hosts
        ]
    )
    scores, keep = score_arrays(enc, pa, ph, choice, weights)
    for k, (i, j) in enumerate(zip(pa.tolist(), ph.tolist(), strict=True)):
        edge = score_pair(apps[i], hosts[j], weights)
        assert (edge is None) == (not keep[k])
        if edge is not None:
            assert edge.score == scores[k]
            assert sum(c.points for c in edge.breakdown) == edge.score
            assert 0 <= edge.score <= 100


def test_feedback_criterion_is_off_by_default_and_prefers_well_rated_hosts() -> None:
    applicant = app()
    good, poor, unrated = host(rating=4.8), host(rating=1.5), host()
    default = [score_pair(applicant, h).score for h in (good, poor, unrated)]
    assert len(set(default)) == 1  # weight 0: ratings change nothing
    weights = Weights(feedback=20)
    scored = {n: score_pair(applicant, h, weights) for n, h in (("good", good), ("poor", poor))}
    scored["unrated"] = score_pair(applicant, unrated, weights)
    assert scored["good"].score > scored["unrated"].score > scored["poor"].score
    line = scored["good"].breakdown[-1]
    assert line.criterion == "feedback" and "4.8" in line.explanation and line.points > 0
    assert "暂无评价" in scored["unrated"].breakdown[-1].explanation
