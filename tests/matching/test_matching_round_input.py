"""A round's input (profiles, weights, k) is refused with a line naming the item and what was
wrong; explicit choices become edges at their first rank; the candidates convert to the
matcher's problem and explain any pair with the round's weights."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matching.candidates import _choice_pairs, generate_candidates, parse_round
from matching.problem import ProblemError
from matching.scoring import ApplicantProfile, HostProfile, Period, Weights, score_pair

T = {"id": "t", "occupations": ["6-18-01-01"], "region": "150100"}
W = {"id": "w", "occupations": ["6-18-01-01"], "region": "150100", "capacity": 1}


def _round(**changes: object) -> dict:
    data: dict = {"applicants": [dict(T)], "hosts": [dict(W)]}
    for key, value in changes.items():
        kind, _, field = key.partition("__")
        if not field:
            data[kind] = value
        elif value is KeyError:
            del data[kind][0][field]
        else:
            data[kind][0][field] = value
    return data


CASES = [
    ([], "the round must be a JSON object"),
    ({"applicants": []}, "the round needs an array 'hosts'"),
    ({"applicants": {}, "hosts": []}, "the round needs an array 'applicants'"),
    (
        _round(weights={"mode": -1}),
        "bad weights: weight 'mode' must be a non-negative finite number, got -1",
    ),
    (
        _round(weights={"salary": 1}),
        "bad weights: unknown weight(s) salary; known: occupation, distance, mode, period, "
        "capacity, choice, feedback",
    ),
    (_round(k=0), "k must be a positive integer"),
    (_round(k=True), "k must be a positive integer"),
    (_round(k="5"), "k must be a positive integer"),
    (_round(applicants=["t"]), "applicants[0]: must be an object"),
    (_round(applicants__region=KeyError), "applicants[0] is missing required key 'region'"),
    (_round(hosts__capacity=KeyError), "hosts[0] is missing required key 'capacity'"),
    (_round(applicants__occupations=[5]), "applicants[0]: id and occupations must be strings"),
    (_round(hosts__id=7), "hosts[0]: id and occupations must be strings"),
    (_round(hosts__capacity=-1), "hosts[0]: capacity must be a non-negative integer"),
    (_round(hosts__capacity=1.0), "hosts[0]: capacity must be a non-negative integer"),
    (_round(applicants__need=-1), "applicants[0]: need must be a non-negative integer"),
    (_round(applicants__need="2"), "applicants[0]: need must be a non-negative integer"),
    (_round(applicants__period="2025"), "applicants[0]: period must be [start, end] dates or null"),
    (
        _round(hosts__period=["2025-01-01"]),
        "hosts[0]: period must be [start, end] dates or null",
    ),
    (
        _round(hosts__period=["2025-02-01", "2025-01-01"]),
        "hosts[0]: period ends (2025-01-01) before it starts (2025-02-01)",
    ),
]


@pytest.mark.parametrize(("data", "message"), CASES, ids=[m for _d, m in CASES])
def test_bad_round_input_is_refused_with_a_line_naming_the_item(data, message) -> None:
    with pytest.raises(ProblemError) as raised:
        parse_round(data)
    assert str(raised.value) == message


def test_a_round_reads_profiles_weights_and_k() -> None:
    data = _round(
        weights={"distance": 0},
        k=3,
        applicants__need=0,
        applicants__modes=["linkage"],
        applicants__choices=["w", "x"],
        applicants__period=["2025-01-01", "2025-02-01"],
        hosts__capacity=0,
        hosts__modes=None,
    )
    apps, hosts, weights, k = parse_round(data)
    assert apps == [
        ApplicantProfile(
            "t",
            ("6-18-01-01",),
            "150100",
            frozenset({"linkage"}),
            Period(date(2025, 1, 1), date(2025, 2, 1)),
            0,
            ("w", "x"),
        )
    ]
    assert hosts == [HostProfile("w", ("6-18-01-01",), "150100", frozenset(), None, 0)]
    assert (weights, k) == (Weights(distance=0), 3)
    defaults = parse_round(_round())
    assert defaults[0][0].need == 1 and defaults[0][0].choices == () and defaults[3] == 5
    assert defaults[2] == Weights()


def test_choices_count_at_their_first_rank_and_unknown_hosts_are_ignored() -> None:
    apps = [
        ApplicantProfile("a", (), "150100", choices=("h2", "zz", "h1", "h2")),
        ApplicantProfile("b", (), "150100"),
        ApplicantProfile("c", (), "150100", choices=("h1",)),
    ]
    ca, ch, cf = _choice_pairs(apps, {"h1": 0, "h2": 1})
    assert ca.tolist() == [0, 0, 2]
    assert ch.tolist() == [1, 0, 0]
    assert cf.tolist() == [1.0, 0.5, 1.0]  # "a": h2 first of 4, h1 third of 4
    assert ca.dtype == ch.dtype == np.int64
    empty = _choice_pairs([], {})
    assert [x.shape for x in empty] == [(0,), (0,), (0,)]


def test_candidates_become_the_matchers_problem_and_explain_a_pair() -> None:
    weights = Weights(distance=0)
    apps = [
        ApplicantProfile("t2", ("6-18-01-01",), "150100", need=2),
        ApplicantProfile("t1", ("6-18-01-02",), "150200"),
    ]
    hosts = [
        HostProfile("w2", ("6-18-01-01",), "150100", capacity=3),
        HostProfile("w1", ("6-18-01-02",), "150200", capacity=0),
    ]
    cands = generate_candidates(apps, hosts, weights, prune=False)
    problem = cands.to_problem()
    assert problem.applicant_ids == ("t1", "t2")
    assert problem.applicant_capacity.tolist() == [1, 2]
    assert problem.host_ids == ("w1", "w2")
    assert problem.host_capacity.tolist() == [0, 3]
    pairs = list(zip(problem.edge_applicant.tolist(), problem.edge_host.tolist(), strict=True))
    assert pairs == [(0, 0), (0, 1), (1, 0), (1, 1)]
    expected = [
        score_pair(apps[1], hosts[1], weights).score,
        score_pair(apps[1], hosts[0], weights).score,
        score_pair(apps[0], hosts[1], weights).score,
        score_pair(apps[0], hosts[0], weights).score,
    ]
    assert problem.edge_score.tolist() == expected
    assert problem.edge_applicant_rank.tolist() == [0] * 4
    assert problem.edge_host_rank.tolist() == [0] * 4
    assert cands.to_dict() == problem.to_dict()
    assert cands.scored_pairs == 4
    assert cands.explain("t2", "w1") == score_pair(apps[0], hosts[1], weights)


def test_generation_refuses_duplicate_ids_and_a_k_below_one() -> None:
    a = ApplicantProfile("t", ("6-18-01-01",), "150100")
    h = HostProfile("w", ("6-18-01-01",), "150100")
    with pytest.raises(ValueError, match=r"^duplicate applicant id 't'$"):
        generate_candidates([a, a], [h])
    with pytest.raises(ValueError, match=r"^duplicate host id 'w'$"):
        generate_candidates([a], [h, h])
    with pytest.raises(ValueError, match=r"^k and per_applicant must be at least 1$"):
        generate_candidates([a], [h], k=0)
    with pytest.raises(ValueError, match=r"^k and per_applicant must be at least 1$"):
        generate_candidates([a], [h], per_applicant=0)
    assert generate_candidates([a], [h], k=1, per_applicant=1).edge_score.tolist() == [100 - 15]
    bad = HostProfile("w", ("6-18-01-01",), "999999")
    with pytest.raises(ValueError, match=r"^'w' has unknown region code '999999'$"):
        generate_candidates([a], [bad])
