"""Value classes declared as dataclasses are, and behaving as theirs do."""

from __future__ import annotations

import copy
from dataclasses import FrozenInstanceError, field
from datetime import UTC, datetime

import pytest

from custom_components.alexa_care.util.record import Record


class Point(Record):
    """A frozen record, with a default and a field not compared."""

    x: int
    y: int = 0
    seen: datetime | None = field(default=None, compare=False)


class Point3(Point):
    """A field more than its base."""

    z: int


class Tally(Record, frozen=False):
    """A record whose fields change."""

    name: str
    marks: list[str] = field(default_factory=list)


def test_fields_are_set_from_keywords_else_from_their_defaults() -> None:
    assert (Point(x=1).x, Point(x=1).y, Point(x=1).seen) == (1, 0, None)
    assert Point3(x=1, z=3).z == 3


def test_a_missing_or_unknown_field_is_refused() -> None:
    with pytest.raises(TypeError, match="needs x"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="no field w"):
        Point(x=1, w=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="needs z"):
        Point3(x=1)  # type: ignore[call-arg]


def test_equal_and_hashed_by_the_compared_fields_of_the_same_class() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert Point(x=1, seen=now) == Point(x=1)
    assert hash(Point(x=1, seen=now)) == hash(Point(x=1))
    assert Point(x=1) != Point(x=2)
    # A subclass's record is another value, even where the fields agree.
    assert Point(x=1) != Point3(x=1, z=0)
    assert len({Point(x=1), Point(x=1, y=0), Point(x=1, y=1)}) == 2


def test_frozen_records_refuse_changes_and_copy_with_them() -> None:
    point = Point(x=1, y=2)
    with pytest.raises(FrozenInstanceError):
        point.x = 5  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.y  # type: ignore[misc]
    moved = copy.replace(point, y=7)
    assert (point.y, moved.y, moved.x, type(moved)) == (2, 7, 1, Point)
    assert repr(moved) == "Point(x=1, y=7, seen=None)"
    assert moved.as_dict() == {"x": 1, "y": 7, "seen": None}


def test_a_record_not_frozen_changes_has_fresh_defaults_and_no_hash() -> None:
    first, second = Tally(name="a"), Tally(name="b")
    first.marks.append("x")
    first.name = "c"
    assert (first.name, first.marks, second.marks) == ("c", ["x"], [])
    assert first == Tally(name="c", marks=["x"])
    with pytest.raises(TypeError, match="unhashable"):
        hash(first)
