"""Checks: (context) → findings. One module per family; codes live in registry.py."""

from __future__ import annotations

from jixiao.checks import evidence, execution, fields, funds, indicators, scores
from jixiao.checks.context import CheckConfig, CheckContext
from jixiao.checks.registry import CODES, CodeDoc
from jixiao.domain import Evaluation, Finding, FormTraits, Report
from jixiao.systems import System

# The order findings come out in: money first, then indicators, scores, fields, evidence.
ALL_CHECKS = (
    *funds.CHECKS,
    *execution.CHECKS,
    *indicators.CHECKS,
    *scores.CHECKS,
    *fields.CHECKS,
    *evidence.CHECKS,
)


_DEFAULTS = CheckConfig()


def run_checks(
    report: Report,
    system: System,
    evaluation: Evaluation,
    config: CheckConfig | None = None,
    form: FormTraits | None = None,
) -> list[Finding]:
    ctx = CheckContext(report, system, evaluation, config or _DEFAULTS, form or FormTraits())
    out: list[Finding] = []
    for check in ALL_CHECKS:
        out.extend(f for f in check(ctx) if f.code not in ctx.config.disabled)
    return out


__all__ = ["ALL_CHECKS", "CODES", "CheckConfig", "CheckContext", "CodeDoc", "run_checks"]
