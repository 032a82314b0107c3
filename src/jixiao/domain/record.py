"""``@record``: an immutable, slotted dataclass that is quick to build and quick to import.

A frozen dataclass stores each field in ``__init__`` through ``object.__setattr__`` (its own
``__setattr__`` refuses), and ``dataclasses`` compiles five or six methods per class with ``exec`` at
import time. A report makes hundreds of records, a batch millions, and every CLI start imports them all.
So ``record`` asks ``dataclasses`` only for the fields and the slots, and adds:

- an ``__init__`` (the one generated method) that stores each field through its slot descriptor:
  same signature, defaults, factories and ``__post_init__``; about twice as fast;
- ``__eq__`` / ``__hash__`` / ``__repr__`` over the compared / hashed / shown fields, as dataclasses
  writes them, but as plain functions over an ``attrgetter`` (no compiling);
- frozenness: assigning or deleting a field raises ``dataclasses.FrozenInstanceError``;
- ``__reduce__``, so records still pickle (batch workers send reports between processes) and copy.

``dataclasses.fields``, ``replace`` and ``asdict`` work as on any dataclass.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def record(cls: type[T]) -> type[T]:
    built: Any = dataclasses.dataclass(init=False, repr=False, eq=False, slots=True)(cls)
    fields = dataclasses.fields(built)
    names = tuple(f.name for f in fields)
    built.__record_fields__ = names
    built.__init__ = _fast_init(built, fields)
    compared = _getter(tuple(f.name for f in fields if f.compare))
    hashed = _getter(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))
    shown = tuple(f.name for f in fields if f.repr)
    everything = _getter(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    def __reduce__(self: Any) -> tuple[Any, ...]:
        return _rebuild, (self.__class__, everything(self))

    for method in (__eq__, __hash__, __repr__, __reduce__):
        method.__qualname__ = f"{built.__qualname__}.{method.__name__}"
        setattr(built, method.__name__, method)
    built.__setattr__ = _refuse_set
    built.__delattr__ = _refuse_delete
    return built


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delete(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _getter(names: tuple[str, ...]) -> Any:
    """A tuple of the named fields (attrgetter returns a bare value for one name, nothing for none)."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


def _rebuild(cls: Any, values: tuple[Any, ...]) -> Any:
    obj = object.__new__(cls)
    for name, value in zip(cls.__record_fields__, values, strict=True):
        object.__setattr__(obj, name, value)
    return obj


def _fast_init(cls: Any, fields: tuple[dataclasses.Field, ...]) -> Any:
    names: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    params: list[str] = []
    body: list[str] = []
    for n, f in enumerate(fields):
        if f.kw_only:
            raise TypeError(f"@record does not support kw_only fields ({cls.__name__}.{f.name})")
        setter = f"_set{n}"
        names[setter] = getattr(cls, f.name).__set__  # the slot's member descriptor
        if f.default is not dataclasses.MISSING:
            names[f"_default{n}"] = f.default
            value = f"_default{n}"
        elif f.default_factory is not dataclasses.MISSING:
            names[f"_factory{n}"] = f.default_factory
            value = "_MISSING"
        else:
            value = None
        if not f.init:
            if value is None:
                continue  # no default: left unset, as dataclasses does
            body.append(f"    {setter}(self, {f'_factory{n}()' if value == '_MISSING' else value})")
            continue
        params.append(f.name if value is None else f"{f.name}={value}")
        if value == "_MISSING":
            body.append(f"    {setter}(self, _factory{n}() if {f.name} is _MISSING else {f.name})")
        else:
            body.append(f"    {setter}(self, {f.name})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, names)  # generated from the class's own field list, as dataclasses does
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init
