"""Value classes that share their methods, where a dataclass compiles its own.

A frozen dataclass keeps about 15 KiB once imported: Python compiles an
`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__` and
`__delattr__` for each one. A `Record` subclass keeps about 4 KiB: its
methods are these, shared, and read the fields the class declares. Setup
imports 26 such classes (docs/benchmarks.md).

Fields are declared as in a dataclass, with a default or without, and
`dataclasses.field(default=…, default_factory=…, compare=False)` where
needed; arguments are keywords only. `frozen=False` in the class statement
makes a class whose fields can be set (and that is not hashable).
`copy.replace(record, **changes)` makes a changed copy.
"""

from __future__ import annotations

from annotationlib import Format, get_annotations
from collections.abc import Callable
import dataclasses
from operator import attrgetter
from typing import Any, ClassVar, Self, dataclass_transform

_MISSING = dataclasses.MISSING


@dataclass_transform(
    kw_only_default=True, frozen_default=True, field_specifiers=(dataclasses.field,)
)
class Record:
    """A value: its fields, compared, hashed and shown as a dataclass's are."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _field_set: ClassVar[frozenset[str]] = frozenset()
    _compared: ClassVar[tuple[str, ...]] = ()
    # The compared fields' values (and the class) as a tuple.
    _compared_values: ClassVar[attrgetter[Any]]
    # Defaults made anew for each record (a list, a dict).
    _factories: ClassVar[dict[str, Callable[[], Any]]] = {}
    _frozen: ClassVar[bool] = True

    def __init_subclass__(cls, *, frozen: bool = True, **kwargs: Any) -> None:  # noqa: ANN401 # passed on as they came
        """Read the fields from the class's annotations, after its bases'."""
        super().__init_subclass__(**kwargs)
        fields = dict.fromkeys(cls._fields)
        compared = set(cls._compared)
        factories = dict(cls._factories)
        for name, annotation in get_annotations(cls, format=Format.STRING).items():
            if annotation.startswith(("ClassVar", "typing.ClassVar")):
                continue
            fields[name] = None
            compared.add(name)
            declared = cls.__dict__.get(name, _MISSING)
            if isinstance(declared, dataclasses.Field):
                if not declared.compare:
                    compared.discard(name)
                if declared.default_factory is not _MISSING:
                    factories[name] = declared.default_factory
                    delattr(cls, name)
                elif declared.default is not _MISSING:
                    # A default is read from the class until a record has its own.
                    setattr(cls, name, declared.default)
                else:
                    delattr(cls, name)
        cls._fields = tuple(fields)
        cls._field_set = frozenset(fields)
        cls._compared = tuple(name for name in fields if name in compared)
        # With the class, always two names or more: attrgetter gives a tuple.
        cls._compared_values = attrgetter(*cls._compared, "__class__")
        cls._factories = factories
        cls._frozen = frozen
        if not frozen:
            # As a dataclass: equal values, changing, make no hash.
            cls.__hash__ = None  # type: ignore[assignment]

    def __init__(self, **values: Any) -> None:  # noqa: ANN401 # each field its own type
        """Set every field: from `values`, else its default; unknown names fail."""
        cls = type(self)
        if unknown := values.keys() - cls._field_set:
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        for name in cls._field_set - values.keys():
            if (factory := cls._factories.get(name)) is not None:
                values[name] = factory()
            elif not hasattr(cls, name):
                raise TypeError(f"{cls.__name__} needs {name}")
        # Straight into the record, past the frozen __setattr__.
        self.__dict__.update(values)

    def __eq__(self, other: object) -> bool:
        """Equal: of the same class, with equal compared fields."""
        if other.__class__ is not self.__class__:
            return NotImplemented
        equal: bool = self._compared_values(self) == self._compared_values(other)
        return equal

    def __hash__(self) -> int:
        """The hash of the compared fields (frozen records only)."""
        return hash(self._compared_values(self))

    def __repr__(self) -> str:
        """`Name(field=value, …)`, as a dataclass shows itself."""
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:  # noqa: ANN401 # any field
        """Set a field of a record that is not frozen."""
        if self._frozen:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """Fields are not deleted."""
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __replace__(self, **changes: Any) -> Self:  # noqa: ANN401 # each field its own type
        """A copy with `changes` (`copy.replace`)."""
        values = {name: getattr(self, name) for name in self._fields}
        return type(self)(**(values | changes))

    def as_dict(self) -> dict[str, Any]:
        """The fields and their values."""
        return {name: getattr(self, name) for name in self._fields}
