"""Scoring: domain attributes -> integer edge score 0–100 with a per-criterion breakdown.

Pure functions over typed dataclasses. Each criterion yields a fraction in [0, 1]; the score
is round(100 * sum(weight * fraction) / sum(weights)), and the breakdown's points add up to it.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
REGION_SPAN_KM = 2400.0
EARTH_RADIUS_KM = 6371.0
CRITERIA = ("occupation", "distance", "mode", "period", "capacity", "choice", "feedback")
MODE_NAMES = {
    "enterprise_in_school": "引企驻校",
    "school_in_enterprise": "引校进企",
    "linkage": "校企联动",
    "enterprise_run": "企业办学",
}
OCCUPATION_LEVELS = ((4, 1.0), (3, 0.6), (2, 0.3))  # shared code parts -> fraction


@dataclass(frozen=True)
class Weights:
    """Per-round criterion weights; non-negative numbers, not all zero (else ValueError)."""

    occupation: float = 40
    distance: float = 20
    mode: float = 10
    period: float = 10
    capacity: float = 5
    choice: float = 15
    feedback: float = 0  # optional: the host's average rating; off unless a round weighs it

    def __post_init__(self) -> None:
        """Validate the weights; raises ValueError with the offending criterion."""
        for name in CRITERIA:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"weight {name!r} must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(
                    f"weight {name!r} must be a non-negative finite number, got {value}"
                )
        if self.total() <= 0:
            raise ValueError("at least one weight must be positive (all weights are zero)")

    def total(self) -> float:
        """Sum of all weights."""
        return float(sum(getattr(self, n) for n in CRITERIA))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Weights:
        """Weights from a dict (missing keys keep defaults); raises ValueError on unknown keys."""
        unknown = sorted(set(data) - set(CRITERIA))
        if unknown:
            known = ", ".join(CRITERIA)
            raise ValueError(f"unknown weight(s) {', '.join(unknown)}; known: {known}")
        return cls(**dict(data))

    def to_dict(self) -> dict[str, float]:
        """The weights as a plain dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Period:
    """An inclusive date range; raises ValueError if it ends before it starts."""

    start: date
    end: date

    def __post_init__(self) -> None:
        """Validate the order of the dates; raises ValueError."""
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    def days(self) -> int:
        """Length in days, both ends included."""
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class ApplicantProfile:
    """What an applicant (teacher or school major) brings to a round."""

    id: str
    occupations: tuple[str, ...]
    region: str
    modes: frozenset[str] = field(default_factory=frozenset)
    period: Period | None = None
    need: int = 1
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostProfile:
    """What a host (workshop, station, studio) offers in a round."""

    id: str
    occupations: tuple[str, ...]
    region: str
    modes: frozenset[str] = field(default_factory=frozenset)
    period: Period | None = None
    capacity: int = 1
    rating: float | None = None  # average rating 1–5 from feedback, None when unrated


@dataclass(frozen=True)
class Criterion:
    """One line of a score breakdown."""

    criterion: str
    points: int
    weight: float
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "criterion": self.criterion,
            "points": self.points,
            "weight": self.weight,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class ScoredEdge:
    """A scored applicant–host pair with its explanation."""

    applicant: str
    host: str
    score: int
    breakdown: tuple[Criterion, ...]

    def to_edge(self) -> dict[str, Any]:
        """The matcher edge dict (DESIGN §5) plus the breakdown."""
        return {
            "applicant": self.applicant,
            "host": self.host,
            "score": self.score,
            "breakdown": [c.to_dict() for c in self.breakdown],
        }


@dataclass(frozen=True)
class Region:
    """A league or city seat with coordinates."""

    code: str
    name: str
    lat: float
    lng: float


@lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """The 14 leagues/cities of Inner Mongolia from matching/data/regions.csv."""
    with open(DATA_DIR / "regions.csv", encoding="utf-8", newline="") as fh:
        return {
            r["code"]: Region(r["code"], r["name"], float(r["lat"]), float(r["lng"]))
            for r in csv.DictReader(fh)
        }


@lru_cache(maxsize=1)
def occupation_names() -> dict[str, str]:
    """Occupation code -> Chinese name from matching/data/occupations.csv."""
    with open(DATA_DIR / "occupations.csv", encoding="utf-8", newline="") as fh:
        return {r["code"]: r["name"] for r in csv.DictReader(fh)}


def region(code: str) -> Region:
    """The region with this code; raises ValueError if unknown."""
    try:
        return regions()[code]
    except KeyError:
        raise ValueError(f"unknown region code {code!r}") from None


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_km(code_a: str, code_b: str) -> float:
    """Distance between two league seats in km; raises ValueError for unknown codes."""
    a, b = region(code_a), region(code_b)
    return 0.0 if a.code == b.code else haversine_km(a.lat, a.lng, b.lat, b.lng)


def distance_fraction(km: float) -> float:
    """1 at the same seat, falling linearly to 0 at 2,400 km (the region's span)."""
    return max(0.0, 1.0 - km / REGION_SPAN_KM)


def _occ_label(code: str) -> str:
    """'6-18-01-01 车工' style label."""
    name = occupation_names().get(code)
    return f"{code} {name}" if name else code


def shared_parts(code_a: str, code_b: str) -> int:
    """How many leading parts of two D-MM-SS-NN codes agree (0–4)."""
    n = 0
    for x, y in zip(code_a.split("-"), code_b.split("-"), strict=False):
        if x != y:
            break
        n += 1
    return n


def occupation_fit(a_codes: tuple[str, ...], h_codes: tuple[str, ...]) -> tuple[float, str]:
    """Best fit over code pairs: same occupation 1, small group 0.6, middle group 0.3."""
    best, pair = 0, ("", "")
    for x in a_codes:
        for y in h_codes:
            n = shared_parts(x, y)
            if n > best:
                best, pair = n, (x, y)
    frac = fraction_for_parts(best)
    x, y = pair
    if best >= 4:
        return frac, f"职业完全相同（{_occ_label(x)}）"
    if best == 3:
        return frac, f"同一职业小类 {x[:7]}（{_occ_label(x)} / {_occ_label(y)}）"
    if best == 2:
        return frac, f"同一职业中类 {x[:4]}（{_occ_label(x)} / {_occ_label(y)}）"
    return 0.0, "职业不相关"


def fraction_for_parts(parts: int) -> float:
    """Occupation fraction for a number of shared code parts."""
    for need, frac in OCCUPATION_LEVELS:
        if parts >= need:
            return frac
    return 0.0


def mode_fit(a_modes: frozenset[str], h_modes: frozenset[str]) -> tuple[float, str]:
    """1 if the applicant states no preference, the host no restriction, or they share a mode."""
    if not a_modes or not h_modes:
        return 1.0, "未限定合作模式"
    common = sorted(a_modes & h_modes)
    if common:
        return 1.0, "合作模式一致（" + "、".join(MODE_NAMES.get(m, m) for m in common) + "）"
    want = "、".join(MODE_NAMES.get(m, m) for m in sorted(a_modes))
    offer = "、".join(MODE_NAMES.get(m, m) for m in sorted(h_modes))
    return 0.0, f"合作模式不一致（希望{want}，提供{offer}）"


def overlap_days(a: Period, h: Period) -> int:
    """Days both periods share (0 if none)."""
    return max(0, (min(a.end, h.end) - max(a.start, h.start)).days + 1)


def period_fit(a: Period | None, h: Period | None) -> tuple[float, str] | None:
    """Share of the applicant's period covered by the host's; None when they do not overlap."""
    if a is None or h is None:
        return 1.0, "未限定时间"
    days = overlap_days(a, h)
    if days == 0:
        return None
    total = a.days()
    if days >= total:
        return 1.0, f"时间完全覆盖（{total} 天）"
    return days / total, f"时间部分重叠（{days}/{total} 天）"


def capacity_fit(need: int, capacity: int) -> tuple[float, str]:
    """1 if the host's places cover the applicant's need, else the covered share."""
    if capacity >= need:
        return 1.0, f"名额 {capacity}，满足需求 {need}"
    return (capacity / need if need else 0.0), f"名额 {capacity}，少于需求 {need}"


def choice_fit(choices: tuple[str, ...], host_id: str) -> tuple[float, str]:
    """Rank r of n choices gives 1 - (r - 1) / n; not chosen gives 0."""
    if host_id not in choices:
        return 0.0, "未列入志愿"
    r = choices.index(host_id)
    return 1.0 - r / len(choices), f"第 {r + 1} 志愿"


def feedback_fraction(rating: float | None) -> float:
    """An average rating 1–5 as a fraction 0–1; an unrated host counts as middling (0.5)."""
    if rating is None:
        return 0.5
    return min(1.0, max(0.0, (float(rating) - 1.0) / 4.0))


def feedback_fit(rating: float | None) -> tuple[float, str]:
    """The host's average rating from earlier feedback, with its explanation."""
    if rating is None:
        return feedback_fraction(None), "暂无评价（按中等计）"
    return feedback_fraction(rating), f"评价均分 {float(rating):.1f}/5"


def allocate_points(raw: list[float], score: int) -> list[int]:
    """Integer points per criterion summing to `score` (largest remainder, ties by order)."""
    floors = [math.floor(x) for x in raw]
    rest = score - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[: max(0, rest)]:
        floors[i] += 1
    return floors


def combine(fracs: list[float], weights: Weights) -> int:
    """Integer score from criterion fractions (same arithmetic as the vectorised path)."""
    w = [getattr(weights, n) for n in CRITERIA]
    total = 0.0
    for wi, fi in zip(w, fracs, strict=True):
        total = total + wi * fi
    return int(math.floor(total * 100.0 / weights.total() + 0.5))


def _distance(code_a: str, code_b: str) -> tuple[float, str]:
    """The distance criterion's fraction and explanation for two leagues."""
    km = distance_km(code_a, code_b)
    ra, rh = region(code_a), region(code_b)
    where = (
        f"同一盟市（{ra.name}）"
        if ra.code == rh.code
        else f"相距约 {km:.0f} 公里（{ra.name}—{rh.name}）"
    )
    return distance_fraction(km), where


# The criteria of a pair repeat across a round's many pairs (few leagues, occupations, periods,
# capacities): score_pair works each one out once per distinct input.
_CACHE = 1 << 16
_period_part = lru_cache(maxsize=_CACHE)(lambda a, h: period_fit(a, h))
_occupation_part = lru_cache(maxsize=_CACHE)(lambda a, h: occupation_fit(a, h))
_distance_part = lru_cache(maxsize=_CACHE)(_distance)
_mode_part = lru_cache(maxsize=_CACHE)(lambda a, h: mode_fit(a, h))
_capacity_part = lru_cache(maxsize=_CACHE)(lambda need, cap: capacity_fit(need, cap))
_feedback_part = lru_cache(maxsize=_CACHE)(lambda rating: feedback_fit(rating))


def score_pair(
    applicant: ApplicantProfile, host: HostProfile, weights: Weights | None = None
) -> ScoredEdge | None:
    """Score one pair; None when the periods do not overlap; raises ValueError on bad regions."""
    weights = weights or Weights()
    period = _period_part(applicant.period, host.period)
    if period is None:
        return None
    parts = [
        _occupation_part(applicant.occupations, host.occupations),
        _distance_part(applicant.region, host.region),
        _mode_part(applicant.modes, host.modes),
        period,
        _capacity_part(applicant.need, host.capacity),
        choice_fit(applicant.choices, host.id),
        _feedback_part(host.rating),
    ]
    fracs = [p[0] for p in parts]
    score = combine(fracs, weights)
    total = weights.total()
    raw = [getattr(weights, n) * f * 100.0 / total for n, f in zip(CRITERIA, fracs, strict=True)]
    points = allocate_points(raw, score)
    breakdown = tuple(
        Criterion(n, pt, getattr(weights, n), text)
        for n, pt, (_f, text) in zip(CRITERIA, points, parts, strict=True)
    )
    return ScoredEdge(applicant.id, host.id, score, breakdown)
