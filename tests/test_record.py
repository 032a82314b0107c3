"""@record: the fast __init__ behaves exactly like the frozen dataclass's."""

from __future__ import annotations

import dataclasses
from dataclasses import field

import pytest

from jixiao.domain import Funds, Place, Report
from jixiao.domain.record import record


@record
class Sample:
    name: str
    count: int = 3
    tags: tuple[str, ...] = field(default_factory=tuple)
    where: Place = field(default_factory=Place)
    derived: str = field(default="", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", f"{self.name}:{self.count}")


def test_defaults_factories_and_post_init():
    a = Sample("x")
    assert (a.name, a.count, a.tags, a.where, a.derived) == ("x", 3, (), Place(), "x:3")
    b = Sample("y", 5, ("t",), where=Place("p"))
    assert (b.count, b.tags, b.where.path, b.derived) == (5, ("t",), "p", "y:5")
    assert Sample("x").where is not Sample("x").where  # the factory runs for each record


def test_frozen_hashable_and_replace():
    a = Sample("x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "z"  # type: ignore[misc]
    assert hash(a) == hash(Sample("x")) and a == Sample("x")
    c = dataclasses.replace(a, count=7)
    assert (c.count, c.derived) == (7, "x:7")


def test_signature_errors_like_a_dataclass():
    with pytest.raises(TypeError):
        Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Sample("x", nope=1)  # type: ignore[call-arg]


def test_domain_records_use_it():
    report = Report()
    assert report.funds == Funds() and report.funds.unit == "万元"
    assert Place("a", "f", 3).render() == "f:3:a"


def test_pickle_copy_and_repr():
    import copy
    import pickle

    a = Sample("x", 4, ("t",), Place("p", "f.txt", 3))
    for b in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
        assert b == a and b.derived == "x:4" and b.where.line == 3
    assert repr(Place("p", None, 3)) == "Place(path='p', file=None, line=3, cell=None)"
    assert Sample("x") != Place("x") and Place("a") != Place("b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        del a.name
