"""Unified social credit code (统一社会信用代码, GB 32100-2015) validation."""

from dataclasses import dataclass

CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(CHARS)}


@dataclass(frozen=True)
class UsccCheck:
    """Outcome of checking a code: `error` for malformed, `check_ok` False for a wrong check."""

    code: str
    error: str | None = None
    check_ok: bool = True

    @property
    def well_formed(self) -> bool:
        return self.error is None


def check_character(first17: str) -> str:
    """The check character for the first 17 characters; raises KeyError on a bad character."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARS[(31 - total % 31) % 31]


def normalise(raw: str) -> str:
    """Upper-case and strip surrounding white space (inner spaces stay, and are refused)."""
    return (raw or "").strip().upper()


def check(raw: str) -> UsccCheck:
    """Check a code's form and its check character."""
    code = normalise(raw)
    if len(code) != 18:
        return UsccCheck(code, error="length")
    bad = [c for c in code if c not in _VALUE]
    if bad:
        return UsccCheck(code, error="characters")
    if not code[2:8].isdigit():
        return UsccCheck(code, error="division")
    return UsccCheck(code, check_ok=check_character(code[:17]) == code[17])
