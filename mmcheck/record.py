"""Small value classes without the import-time cost of dataclasses.

A ``Record`` subclass lists its fields in ``__slots__`` and writes its own typed
``__init__``; equality, hashing, ordering and ``repr`` come from the fields, like a
frozen dataclass's.  ``_compare`` names the fields that take part in equality, hashing
and ordering when not all of them do (a source span, a named relation's body).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from mmcheck import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar

    R = TypeVar("R", bound="Record")


def _key_function(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A fast ``record -> tuple of the named fields`` (operator.attrgetter is in C)."""
    if not names:
        return lambda record: ()
    get = attrgetter(*names)
    if len(names) == 1:
        return lambda record: (get(record),)
    return get


def replace(record: R, **changes: Any) -> R:
    """A copy of ``record`` with some fields changed (a Record's ``__init__`` takes each
    of its fields by name)."""
    fields = {f: getattr(record, f) for f in record._fields}
    fields.update(changes)
    return type(record)(**fields)


class Record:
    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _compare: ClassVar[tuple[str, ...]] = ()

    @staticmethod
    def _key(record: Any) -> tuple[Any, ...]:
        """The compared fields' values (replaced per subclass)."""
        return ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__slots__", ())
        fields = tuple(cls._fields) + ((own,) if isinstance(own, str) else tuple(own))
        cls._fields = fields
        if "_compare" not in cls.__dict__:
            cls._compare = fields
        setattr(cls, "__match_args__", fields)  # noqa: B010 - set per subclass
        setattr(cls, "_key", staticmethod(_key_function(cls._compare)))  # noqa: B010

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Record):
            return NotImplemented
        return self._key(self) == other._key(other)

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Record):
            return NotImplemented
        return bool(self._key(self) < other._key(other))

    def __le__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Record):
            return NotImplemented
        return bool(self._key(self) <= other._key(other))

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Record):
            return NotImplemented
        return bool(self._key(self) > other._key(other))

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not self.__class__ or not isinstance(other, Record):
            return NotImplemented
        return bool(self._key(self) >= other._key(other))

    def __repr__(self) -> str:
        args = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__qualname__}({args})"
