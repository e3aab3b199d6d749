"""Matcher input validation in-process: each bad input is refused with the one line that names
the item, the key and what was wrong (the command prints that line; its own tests run the
command in a subprocess). Also the canonical problem's round trip to the input format."""

from __future__ import annotations

import copy

import pytest

from matching import parse_problem
from matching.problem import (
    MAX_CAPACITY,
    Applicant,
    Edge,
    Host,
    ProblemError,
    make_problem,
    show,
)

GOOD = {
    "applicants": [{"id": "a1"}, {"id": "a2", "capacity": 2}],
    "hosts": [{"id": "h1", "capacity": 1}, {"id": "h2", "capacity": 3}],
    "edges": [
        {"applicant": "a1", "host": "h1", "score": 70},
        {"applicant": "a2", "host": "h1", "score": 80, "applicant_rank": 2, "host_rank": 1},
        {"applicant": "a2", "host": "h2", "score": 0},
    ],
}


def _with(path: str, value: object) -> dict:
    inst = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node = inst
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    key = int(last) if last.isdigit() else last
    if value is KeyError:
        del node[key]
    else:
        node[key] = value
    return inst


CASES = [
    ([], "the problem must be a JSON object, got array"),
    (None, "the problem must be a JSON object, got null"),
    (7, "the problem must be a JSON object, got integer"),
    (7.5, "the problem must be a JSON object, got number"),
    (True, "the problem must be a JSON object, got boolean"),
    ("x", "the problem must be a JSON object, got string"),
    ({1, 2}, "the problem must be a JSON object, got set"),
    (_with("edges", KeyError), 'the problem is missing required key "edges"'),
    (_with("applicants", KeyError), 'the problem is missing required key "applicants"'),
    (_with("hosts", {}), '"hosts" must be an array, got object'),
    (_with("applicants.1", "a2"), "applicants[1] must be an object, got string"),
    (_with("hosts.1.capacity", KeyError), 'hosts[1] is missing required key "capacity"'),
    (_with("applicants.0.id", KeyError), 'applicants[0] is missing required key "id"'),
    (_with("applicants.1.id", 5), "applicants[1].id must be a string, got integer 5"),
    (_with("hosts.0.id", ""), "hosts[0].id must not be empty"),
    (
        _with("applicants.0.capacity", True),
        "applicants[0].capacity must be an integer, got boolean True",
    ),
    (_with("hosts.1.capacity", -1), "hosts[1].capacity must be between 0 and 1000000000, got -1"),
    (
        _with("hosts.0.capacity", MAX_CAPACITY + 1),
        "hosts[0].capacity must be between 0 and 1000000000, got 1000000001",
    ),
    (_with("applicants.1.id", "a1"), 'duplicate applicant id "a1"'),
    (_with("hosts.1.id", "h1"), 'duplicate host id "h1"'),
    (_with("edges", None), '"edges" must be an array, got null'),
    (_with("edges", {}), '"edges" must be an array, got object'),
    (_with("edges.0.score", None), "edges[0].score must be an integer, got null None"),
    (
        {**GOOD, "hosts": [{"id": f"h{i}", "capacity": 1} for i in (1, 2, 3, 3)]},
        'duplicate host id "h3"',  # the first id seen twice, not the first id
    ),
    (
        {**GOOD, "applicants": [{"id": "a1", "capacity": 0}, {"id": "a2", "capacity": -1}]},
        "applicants[1].capacity must be between 0 and 1000000000, got -1",
    ),
    (
        _with("hosts", [{"id": "h1", "capacity": MAX_CAPACITY}, {"id": "h2", "capacity": 10**10}]),
        "hosts[1].capacity must be between 0 and 1000000000, got 10000000000",
    ),
    (_with("edges.0", 3), "edges[0] must be an object, got integer"),
    (_with("edges.1.score", KeyError), 'edges[1] is missing required key "score"'),
    (_with("edges.2.host", KeyError), 'edges[2] is missing required key "host"'),
    (_with("edges.0.applicant", None), "edges[0].applicant must be a string, got null None"),
    (_with("edges.2.host", 2), "edges[2].host must be a string, got integer 2"),
    (_with("edges.1.applicant", "zz"), 'edges[1] names unknown applicant "zz"'),
    (_with("edges.2.host", "nope"), 'edges[2] names unknown host "nope"'),
    (_with("edges.0.score", 101), "edges[0].score must be between 0 and 100, got 101"),
    (_with("edges.2.score", -1), "edges[2].score must be between 0 and 100, got -1"),
    (_with("edges.0.score", 7.5), "edges[0].score must be an integer, got number 7.5"),
    (
        _with("edges.1.applicant_rank", 0),
        "edges[1].applicant_rank must be between 1 and 1000000000, got 0",
    ),
    (
        _with("edges.1.host_rank", "1"),
        'edges[1].host_rank must be an integer, got string "1"',
    ),
    (
        _with("edges.2.host", "h1"),
        'duplicate edge between applicant "a2" and host "h1"',
    ),
]


@pytest.mark.parametrize(("data", "message"), CASES, ids=[m for _d, m in CASES])
def test_bad_input_is_refused_with_a_line_naming_the_item(data: object, message: str) -> None:
    with pytest.raises(ProblemError) as raised:
        parse_problem(data)
    assert str(raised.value) == message


def test_bounds_themselves_are_accepted() -> None:
    inst = _with("hosts.0.capacity", MAX_CAPACITY)
    inst["applicants"][0]["capacity"] = 0
    inst["edges"][0]["score"] = 100
    inst["edges"][1]["applicant_rank"] = 1
    inst["edges"][1]["host_rank"] = 1_000_000_000
    problem = parse_problem(inst)
    assert problem.host_capacity.tolist() == [MAX_CAPACITY, 3]
    assert problem.applicant_capacity.tolist() == [0, 2]


def test_show_quotes_escapes_and_shortens() -> None:
    assert show('say "hi"') == '"say \\"hi\\""'
    assert show("车工\n") == '"\\u8f66\\u5de5\\n"'
    assert show(None) == "None"
    assert show([1, "a"]) == "[1, 'a']"
    assert show("x" * 58) == '"' + "x" * 58 + '"'  # 60 characters: kept whole
    assert show("x" * 59) == '"' + "x" * 56 + "..."  # 61 characters: cut to 60
    assert show({"k": "v\nw"}) == "{'k': 'v\\nw'}"


def test_canonical_problem_sorts_ids_and_edges_and_round_trips() -> None:
    shuffled = copy.deepcopy(GOOD)
    shuffled["applicants"].reverse()
    shuffled["hosts"].reverse()
    shuffled["edges"].reverse()
    problem = parse_problem(shuffled)
    assert problem.applicant_ids == ("a1", "a2")
    assert problem.host_ids == ("h1", "h2")
    assert (problem.n_applicants, problem.n_hosts, problem.n_edges) == (2, 2, 3)
    assert problem.applicants() == [Applicant("a1", 1), Applicant("a2", 2)]
    assert problem.hosts() == [Host("h1", 1), Host("h2", 3)]
    assert problem.edges() == [
        Edge("a1", "h1", 70),
        Edge("a2", "h1", 80, 2, 1),
        Edge("a2", "h2", 0),
    ]
    assert problem.to_dict() == {
        "applicants": [{"id": "a1", "capacity": 1}, {"id": "a2", "capacity": 2}],
        "hosts": [{"id": "h1", "capacity": 1}, {"id": "h2", "capacity": 3}],
        "edges": [
            {"applicant": "a1", "host": "h1", "score": 70},
            {"applicant": "a2", "host": "h1", "score": 80, "applicant_rank": 2, "host_rank": 1},
            {"applicant": "a2", "host": "h2", "score": 0},
        ],
    }
    assert parse_problem(problem.to_dict()).to_dict() == problem.to_dict()


def test_make_problem_builds_the_same_canonical_problem_from_dataclasses() -> None:
    problem = make_problem(
        [Applicant("a2", 2), Applicant("a1")],
        [Host("h2", 3), Host("h1", 1)],
        [Edge("a2", "h2", 0), Edge("a2", "h1", 80, 2, 1), Edge("a1", "h1", 70)],
    )
    assert problem.to_dict() == parse_problem(GOOD).to_dict()
    with pytest.raises(ProblemError, match=r'^duplicate host id "h1"$'):
        make_problem([], [Host("h1", 1), Host("h1", 2)], [])
