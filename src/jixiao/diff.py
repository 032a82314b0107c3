"""Differences between two JSON documents (two revisions of a report), as path / old / new rows."""

from __future__ import annotations

from typing import Any


def json_diff(old: Any, new: Any, path: str = "$") -> list[dict[str, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[dict[str, Any]] = []
        for key in list(old) + [k for k in new if k not in old]:
            out.extend(json_diff(old.get(key), new.get(key), f"{path}.{key}"))
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            a = old[i] if i < len(old) else None
            b = new[i] if i < len(new) else None
            out.extend(json_diff(a, b, f"{path}[{i}]"))
        return out
    if old == new:
        return []
    return [{"path": path, "old": old, "new": new}]
