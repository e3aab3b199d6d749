"""The credit-code validator against every line of the shared samples (tests/data copy)."""

from pathlib import Path

import pytest

from app.registry import uscc

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "uscc-samples.txt"


def _samples() -> list[tuple[str, str]]:
    rows = []
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        expected, code = line.split(" ", 1)  # the code itself may contain a space
        rows.append((expected, code))
    return rows


SAMPLE_ROWS = _samples()


def test_samples_cover_every_outcome():
    """The copy is complete: valid, check-mismatch and malformed lines are all there."""
    kinds = {expected for expected, _ in SAMPLE_ROWS}
    assert kinds == {"valid", "check_mismatch", "malformed"}
    assert len(SAMPLE_ROWS) == 24


@pytest.mark.parametrize(("expected", "code"), SAMPLE_ROWS, ids=[c for _, c in SAMPLE_ROWS])
def test_sample(expected: str, code: str):
    result = uscc.check(code)
    if expected == "valid":
        assert result.well_formed and result.check_ok
        assert uscc.check_character(result.code[:17]) == result.code[17]
    elif expected == "check_mismatch":
        assert result.well_formed
        assert not result.check_ok
    else:
        assert not result.well_formed
        assert result.error in {"length", "characters", "division"}


def test_lower_case_and_surrounding_space_are_normalised():
    result = uscc.check("  91350200776049653a ")
    assert result.code == "91350200776049653A"
    assert result.well_formed and result.check_ok


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("", "length"),
        ("91350200776049653", "length"),
        ("91350200776O49653A", "characters"),
        ("9135020077604965 A", "characters"),
        ("91AB0200776049653A", "division"),
    ],
)
def test_error_kinds(code: str, error: str):
    assert uscc.check(code).error == error
