"""What a spec cannot say in data: named functions a spec lists under ``hooks``. Keep this list short —
every rule that can be a word list or a switch belongs in the spec instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from jixiao.domain import ProjectInfo


def whole_department(project: ProjectInfo) -> ProjectInfo:
    """A 部门整体 form names the department in its header: it is the report's department and unit too."""
    return replace(project, department=project.department or project.name, unit=project.unit or project.name)


# hook name → what it finishes: "project" hooks take and return the ProjectInfo
HOOKS: dict[str, tuple[str, Callable]] = {
    "whole_department": ("project", whole_department),
}
