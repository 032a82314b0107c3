"""``@record``: an immutable, slotted dataclass that is quick to build.

A frozen dataclass's generated ``__init__`` stores each field through ``object.__setattr__`` (the
class's own ``__setattr__`` refuses). A report makes hundreds of records and a batch makes millions, so
``record`` replaces that ``__init__`` by one that stores each field through the slot's own descriptor:
same signature, same defaults and factories, same ``__post_init__``, still frozen afterwards, and
about twice as fast. Everything else (eq, hash, repr, ``dataclasses.replace``) is the dataclass's.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def record(cls: type[T]) -> type[T]:
    built: Any = dataclasses.dataclass(frozen=True, slots=True)(cls)
    built.__init__ = _fast_init(built)
    return built


def _fast_init(cls: Any) -> Any:
    names: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    params: list[str] = []
    body: list[str] = []
    for n, f in enumerate(dataclasses.fields(cls)):
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
    exec(source, names)
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init
