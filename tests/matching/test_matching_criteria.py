"""Each scoring criterion on its own, with the fraction and the explanation line it must give
(figures worked out by hand from the rules in docs/matching.md), and the arithmetic that turns
fractions into a score and points."""

from __future__ import annotations

import math
from datetime import date

import pytest

from matching.scoring import (
    CRITERIA,
    ApplicantProfile,
    HostProfile,
    Period,
    Weights,
    allocate_points,
    capacity_fit,
    choice_fit,
    combine,
    distance_fraction,
    feedback_fit,
    feedback_fraction,
    fraction_for_parts,
    haversine_km,
    mode_fit,
    occupation_fit,
    overlap_days,
    period_fit,
    region,
    score_pair,
    shared_parts,
)

SPRING = Period(date(2025, 3, 1), date(2025, 8, 31))  # 184 days


def test_shared_parts_count_the_leading_equal_parts_of_two_codes() -> None:
    assert shared_parts("6-18-01-01", "6-18-01-01") == 4
    assert shared_parts("6-18-01-01", "6-18-01-02") == 3
    assert shared_parts("6-18-01-01", "6-18-02-01") == 2
    assert shared_parts("6-18-01-01", "6-19-01-01") == 1
    assert shared_parts("6-18-01-01", "4-18-01-01") == 0
    assert shared_parts("6-18", "6-18-01-01") == 2  # the shorter code ends the comparison


def test_occupation_fractions_by_shared_parts() -> None:
    assert [fraction_for_parts(n) for n in range(6)] == [0.0, 0.0, 0.3, 0.6, 1.0, 1.0]


def test_occupation_fit_takes_the_best_pair_and_explains_it() -> None:
    assert occupation_fit(("6-18-01-01",), ("6-18-01-01",)) == (
        1.0,
        "职业完全相同（6-18-01-01 车工）",
    )
    assert occupation_fit(("4-04-05-01", "6-18-01-01"), ("6-18-01-02",)) == (
        0.6,
        "同一职业小类 6-18-01（6-18-01-01 车工 / 6-18-01-02 铣工）",
    )
    assert occupation_fit(("6-18-01-01",), ("9-99-99-99", "6-18-02-04")) == (
        0.3,
        "同一职业中类 6-18（6-18-01-01 车工 / 6-18-02-04 焊工）",
    )
    assert occupation_fit(("6-18-01-01",), ("6-19-01-01",)) == (0.0, "职业不相关")
    assert occupation_fit((), ("6-18-01-01",)) == (0.0, "职业不相关")
    # A code without a name is shown as the code alone.
    assert occupation_fit(("9-99-99-99",), ("9-99-99-99",)) == (1.0, "职业完全相同（9-99-99-99）")


def test_distance_is_great_circle_and_falls_linearly_to_zero_at_2400_km() -> None:
    assert haversine_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * 6371 / 360)
    assert haversine_km(10, 20, 10, 20) == 0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371)
    assert haversine_km(90, 0, -90, 0) == pytest.approx(math.pi * 6371)
    assert haversine_km(40, 111, 41, 111) == pytest.approx(2 * math.pi * 6371 / 360)
    assert [distance_fraction(km) for km in (0, 600, 1200, 2400, 3000)] == [
        1.0,
        0.75,
        0.5,
        0.0,
        0.0,
    ]
    assert region("150200").name == "包头市"
    with pytest.raises(ValueError, match=r"^unknown region code '999999'$"):
        region("999999")


def test_mode_fit_explains_agreement_and_disagreement() -> None:
    assert mode_fit(frozenset(), frozenset({"linkage"})) == (1.0, "未限定合作模式")
    assert mode_fit(frozenset({"linkage"}), frozenset()) == (1.0, "未限定合作模式")
    both = frozenset({"linkage", "enterprise_run"})
    assert mode_fit(both, both | {"x"}) == (1.0, "合作模式一致（企业办学、校企联动）")
    assert mode_fit(frozenset({"enterprise_in_school", "zz"}), frozenset({"enterprise_run"})) == (
        0.0,
        "合作模式不一致（希望引企驻校、zz，提供企业办学）",
    )


def test_period_fit_is_the_covered_share_of_the_applicants_days() -> None:
    assert SPRING.days() == 184
    assert period_fit(None, SPRING) == (1.0, "未限定时间")
    assert period_fit(SPRING, None) == (1.0, "未限定时间")
    whole_year = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert period_fit(SPRING, whole_year) == (1.0, "时间完全覆盖（184 天）")
    assert period_fit(SPRING, SPRING) == (1.0, "时间完全覆盖（184 天）")
    summer = Period(date(2025, 6, 1), date(2025, 12, 31))  # shares Jun 1 – Aug 31: 92 days
    assert overlap_days(SPRING, summer) == 92
    assert period_fit(SPRING, summer) == (0.5, "时间部分重叠（92/184 天）")
    last_day = Period(date(2025, 8, 31), date(2025, 9, 30))
    assert overlap_days(SPRING, last_day) == 1
    assert period_fit(SPRING, last_day) == (1 / 184, "时间部分重叠（1/184 天）")
    after = Period(date(2025, 9, 1), date(2025, 9, 30))
    assert overlap_days(SPRING, after) == 0
    assert period_fit(SPRING, after) is None
    with pytest.raises(ValueError, match=r"^period ends \(2025-01-01\) before it starts"):
        Period(date(2025, 2, 1), date(2025, 1, 1))
    assert Period(date(2025, 2, 1), date(2025, 2, 1)).days() == 1


def test_capacity_choice_and_feedback_fractions_and_lines() -> None:
    assert capacity_fit(2, 2) == (1.0, "名额 2，满足需求 2")
    assert capacity_fit(2, 5) == (1.0, "名额 5，满足需求 2")
    assert capacity_fit(4, 1) == (0.25, "名额 1，少于需求 4")
    assert choice_fit(("w1", "w2", "w3", "w4"), "w1") == (1.0, "第 1 志愿")
    assert choice_fit(("w1", "w2", "w3", "w4"), "w3") == (0.5, "第 3 志愿")
    assert choice_fit(("w1",), "w9") == (0.0, "未列入志愿")
    assert [feedback_fraction(r) for r in (None, 1, 2, 3, 5, 0, 7)] == [
        0.5,
        0.0,
        0.25,
        0.5,
        1.0,
        0.0,
        1.0,
    ]
    assert feedback_fit(None) == (0.5, "暂无评价（按中等计）")
    assert feedback_fit(4) == (0.75, "评价均分 4.0/5")


def test_combine_rounds_the_weighted_share_half_up() -> None:
    only_occupation = Weights(occupation=8, distance=0, mode=0, period=0, capacity=0, choice=0)
    assert combine([0.125, 1, 1, 1, 1, 1, 1], only_occupation) == 13  # 12.5 rounds up
    assert combine([0.1225, 1, 1, 1, 1, 1, 1], only_occupation) == 12  # 12.25 rounds down
    default = Weights()
    assert default.total() == 100
    # 40·1 + 20·0.5 + 10·0 + 10·1 + 5·0.5 + 15·0 + 0·1 = 62.5 -> 63
    assert combine([1, 0.5, 0, 1, 0.5, 0, 1], default) == 63


def test_points_go_to_the_largest_remainders_then_to_the_first() -> None:
    assert allocate_points([33.4, 33.3, 33.3], 100) == [34, 33, 33]
    assert allocate_points([20.5, 29.5, 50.0], 100) == [21, 29, 50]  # tie: the first criterion
    assert allocate_points([10.2, 10.9], 21) == [10, 11]
    assert allocate_points([10.7, 10.7], 21) == [11, 10]
    assert allocate_points([3.0, 4.0], 7) == [3, 4]
    assert allocate_points([3.6, 4.0], 3) == [3, 4]  # nothing to add when the floors exceed


def test_weights_are_named_in_their_errors_and_listed_in_order() -> None:
    assert list(Weights().to_dict()) == list(CRITERIA)
    assert Weights().to_dict()["feedback"] == 0
    with pytest.raises(ValueError, match=r"^weight 'mode' must be a number, got '1'$"):
        Weights(mode="1")  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match=r"^weight 'distance' must be a non-negative finite number, got -1$"
    ):
        Weights(distance=-1)
    with pytest.raises(ValueError, match=r"finite number, got inf$"):
        Weights(choice=float("inf"))
    with pytest.raises(
        ValueError, match=r"^at least one weight must be positive \(all weights are zero\)$"
    ):
        Weights(**dict.fromkeys(CRITERIA, 0))
    assert Weights(**dict.fromkeys(CRITERIA, 0) | {"feedback": 0.5}).total() == 0.5
    with pytest.raises(
        ValueError,
        match=r"^unknown weight\(s\) a, b; known: occupation, distance, mode, period, "
        r"capacity, choice, feedback$",
    ):
        Weights.from_mapping({"b": 1, "a": 2, "mode": 3})


def test_a_pair_scores_its_weighted_fractions_with_every_line_explained() -> None:
    """Hohhot–Baotou is 155 km (distance 20·(1 − 155.15/2400) = 18.71 points); raw points
    24 + 18.71 + 0 + 5 + 2.5 + 7.5 + 0 = 57.71 → score 58; floors sum to 56, so the two largest
    remainders (distance .71, then capacity .5 before choice .5) get one point each."""
    applicant = ApplicantProfile(
        "t1",
        ("6-18-01-01",),
        "150100",
        frozenset({"enterprise_in_school"}),
        SPRING,
        need=2,
        choices=("w9", "w1"),
    )
    host = HostProfile(
        "w1",
        ("6-18-01-02",),
        "150200",
        frozenset({"enterprise_run"}),
        Period(date(2025, 6, 1), date(2025, 12, 31)),
        capacity=1,
    )
    assert score_pair(applicant, host).to_edge() == {
        "applicant": "t1",
        "host": "w1",
        "score": 58,
        "breakdown": [
            {
                "criterion": "occupation",
                "points": 24,
                "weight": 40,
                "explanation": "同一职业小类 6-18-01（6-18-01-01 车工 / 6-18-01-02 铣工）",
            },
            {
                "criterion": "distance",
                "points": 19,
                "weight": 20,
                "explanation": "相距约 155 公里（呼和浩特市—包头市）",
            },
            {
                "criterion": "mode",
                "points": 0,
                "weight": 10,
                "explanation": "合作模式不一致（希望引企驻校，提供企业办学）",
            },
            {
                "criterion": "period",
                "points": 5,
                "weight": 10,
                "explanation": "时间部分重叠（92/184 天）",
            },
            {
                "criterion": "capacity",
                "points": 3,
                "weight": 5,
                "explanation": "名额 1，少于需求 2",
            },
            {"criterion": "choice", "points": 7, "weight": 15, "explanation": "第 2 志愿"},
            {
                "criterion": "feedback",
                "points": 0,
                "weight": 0,
                "explanation": "暂无评价（按中等计）",
            },
        ],
    }
    same_seat = score_pair(applicant, HostProfile("w1", ("6-18-01-01",), "150100", capacity=2))
    assert same_seat.breakdown[1].explanation == "同一盟市（呼和浩特市）"
    assert same_seat.breakdown[1].points == 20
