"""Small immutable value classes without ``dataclasses``, for what the window's start imports.

``@dataclass`` writes each class's ``__init__``, ``__eq__``, ``__repr__``… as source text
and compiles it when the class is made: about 3.5 M instructions per class (callgrind),
paid at every start for every dataclass the start imports. A :class:`Frozen` subclass
names its fields in ``__slots__`` and shares these methods, written once here:

- fields in the order the class annotates them (``__slots__`` may be sorted);
- ``__init__`` from keywords (a subclass writes its own for positional arguments and
  types, setting the fields with :func:`set_field`); ``_defaults`` holds a field's
  default;
- ``__eq__`` (same class, equal fields; fields named in ``_uncompared`` are left out),
  ``__hash__`` (of the compared fields but those in ``_unhashed``), ``__repr__``
  (``Class(field=value, ...)``, leaving out ``_unshown``);
- immutability: setting or deleting a field raises ``FrozenInstanceError``, as a frozen
  dataclass does; :meth:`Frozen.replace` makes a changed copy (``dataclasses.replace``);
- copying and pickling.

Each subclass gets its own ``__eq__`` and ``__hash__`` closures over an ``attrgetter``
of its fields (made, not compiled). Per call they cost about what a dataclass's do:
``Period`` measured (best of 7) eq 0.14 -> 0.20 us, hash 0.13 -> 0.16 us, made
0.49 -> 0.43 us.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import FrozenInstanceError  # imports inspect too
from operator import attrgetter
from typing import Any, ClassVar, Self

__all__ = ["Frozen", "FrozenInstanceError", "set_field"]


set_field = object.__setattr__  # for a subclass's __init__: set_field(self, "name", value)


class Frozen:
    """Base of immutable values whose fields are the ``__slots__`` of their classes."""

    __slots__ = ()
    #: every field, the base classes' first (set for each subclass)
    _fields: ClassVar[tuple[str, ...]] = ()
    #: the fields compared and hashed, and those shown by repr
    _compared: ClassVar[tuple[str, ...]] = ()
    _shown: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    _unshown: ClassVar[frozenset[str]] = frozenset()
    _unhashed: ClassVar[frozenset[str]] = frozenset()  # compared, but not hashed
    _values: ClassVar[Callable[[Any], object]]
    _hashed: ClassVar[Callable[[Any], object]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[str] = []
        for klass in reversed(cls.__mro__):
            slots = klass.__dict__.get("__slots__", ())
            slots = (slots,) if isinstance(slots, str) else slots
            # in the order the class annotates them (its repr's order), then the others
            named = [n for n in inspect.get_annotations(klass) if n in slots]
            fields.extend(named + [n for n in slots if n not in named])
        cls._fields = tuple(fields)
        cls._compared = tuple(f for f in fields if f not in cls._uncompared)
        cls._shown = tuple(f for f in fields if f not in cls._unshown)
        # what __eq__ and __hash__ compare, fetched in C (one field: the field itself),
        # bound into this class's own two closures (made, not compiled)
        values = attrgetter(*cls._compared) if cls._compared else _nothing
        hashed_fields = [f for f in cls._compared if f not in cls._unhashed]
        hashed = attrgetter(*hashed_fields) if hashed_fields else _nothing
        cls._values = staticmethod(values)
        cls._hashed = staticmethod(hashed)
        if "__eq__" not in cls.__dict__:

            def __eq__(self: Frozen, other: object) -> bool:
                if other.__class__ is self.__class__:
                    return values(self) == values(other)
                return NotImplemented

            cls.__eq__ = __eq__  # type: ignore[method-assign]
            if "__hash__" not in cls.__dict__:  # (a class's own __eq__ keeps Python's rule)

                def __hash__(self: Frozen) -> int:
                    return hash(hashed(self))

                cls.__hash__ = __hash__  # type: ignore[method-assign]

    def __init__(self, **values: Any) -> None:
        defaults = self._defaults
        for name in self._fields:
            if name in values:
                set_field(self, name, values.pop(name))
            elif name in defaults:
                set_field(self, name, defaults[name])
            else:
                raise TypeError(f"{type(self).__name__}() needs {name!r}")
        if values:
            raise TypeError(f"{type(self).__name__}() takes no {', '.join(map(repr, values))}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        get = type(self)._values
        return bool(get(self) == get(other))

    def __hash__(self) -> int:
        return hash(type(self)._hashed(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` made (as ``dataclasses.replace``)."""
        copy = object.__new__(type(self))
        for name in self._fields:
            set_field(copy, name, changes.pop(name) if name in changes else getattr(self, name))
        if changes:
            raise TypeError(f"{type(self).__name__} has no {', '.join(map(repr, changes))}")
        return copy

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), tuple(getattr(self, name) for name in self._fields))

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        import copy

        values = tuple(getattr(self, name) for name in self._fields)
        made: Self = _rebuild(type(self), copy.deepcopy(values, memo))
        return made


def _nothing(_value: object) -> tuple[()]:
    return ()


def _rebuild(cls: type[Frozen], values: tuple[Any, ...]) -> Any:
    made = object.__new__(cls)
    for name, value in zip(cls._fields, values, strict=True):
        set_field(made, name, value)
    return made
