"""What every check receives, and the thresholds that make checks configurable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field, fields, replace
from decimal import Decimal
from typing import Any

from jixiao.checks.registry import CODES
from jixiao.domain import Evaluation, Finding, FormTraits, Indicator, Place, Report, Severity
from jixiao.domain.record import record
from jixiao.errors import JixiaoError
from jixiao.scoring.completion import RowCompletion, row_completion
from jixiao.systems import System


@record
class CheckConfig:
    """Thresholds (percent). Loadable from a YAML/JSON mapping: {checks: {execution_min: 85, …}}."""

    execution_min: Decimal = Decimal(90)  # JX201
    arrival_min: Decimal = Decimal(100)  # JX202
    overachievement: Decimal = Decimal(130)  # JX302
    high_score_gap: Decimal = Decimal(5)  # JX203, percentage points
    rate_tolerance: Decimal = Decimal("0.1")  # JX105, percentage points
    amount_tolerance: Decimal = Decimal("0.01")  # JX101–JX104, in the table's unit
    score_tolerance: Decimal = Decimal("0.01")  # JX401/JX404
    disabled: frozenset[str] = frozenset()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> CheckConfig:
        if not data:
            return cls()
        data = data.get("checks", data)
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise JixiaoError(
                "检查配置中有未知的项：" + "、".join(sorted(unknown)), fix="可用：" + "、".join(sorted(known))
            )
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "disabled":
                values[key] = frozenset(str(c) for c in value or [])
            else:
                values[key] = Decimal(str(value))
        return replace(cls(), **values)


@record
class CheckContext:
    report: Report
    system: System
    evaluation: Evaluation
    config: CheckConfig = field(default_factory=CheckConfig)
    form: FormTraits = field(default_factory=FormTraits)  # what the report's form asks for
    _completions: dict[int, RowCompletion] = field(default_factory=dict, repr=False, compare=False)

    def completion(self, row: Indicator) -> RowCompletion:
        """A row's completion (default direction), computed once per check run: several checks ask."""
        found = self._completions.get(id(row))
        if found is None:
            found = self._completions[id(row)] = row_completion(row)
        return found

    @property
    def file(self) -> str | None:
        return self.report.source.file

    def finding(
        self, code: str, message: str, where: Place | str, severity: Severity | None = None
    ) -> Finding:
        if isinstance(where, str):
            where = Place(path=where, file=self.file)
        elif where.file is None:
            where = where.with_file(self.file)
        return Finding(code=code, severity=severity or CODES[code].severity, message=message, where=where)
