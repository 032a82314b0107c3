"""Indicator systems (指标体系): data files plus their schema and loader."""

from jixiao.systems.loader import all_systems, load_system, system_for_layout
from jixiao.systems.model import COMPUTED_KINDS, Criterion, GradeBand, Node, Rule, System

__all__ = [
    "COMPUTED_KINDS",
    "Criterion",
    "GradeBand",
    "Node",
    "Rule",
    "System",
    "all_systems",
    "load_system",
    "system_for_layout",
]
