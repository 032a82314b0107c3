"""The review workflow as data: states, who may do what in which state (pure; no database)."""

from __future__ import annotations

from dataclasses import dataclass

STATES = {
    "draft": "草稿",
    "submitted": "已提交",
    "returned": "退回修改",
    "department_approved": "主管部门已审核",
    "bureau_approved": "财政局已审核",
}
ACTIONS = {"submit": "提交", "return": "退回修改", "approve": "通过", "reopen": "重新打开"}
LOCKED = "bureau_approved"
EDITABLE = frozenset({"draft", "returned"})  # the unit edits the report content only here


@dataclass(frozen=True, slots=True)
class Step:
    action: str
    role: str
    from_states: frozenset[str]
    to_state: str
    needs_comment: bool = False


STEPS = (
    Step("submit", "unit", frozenset({"draft", "returned"}), "submitted"),
    Step("return", "department", frozenset({"submitted"}), "returned", needs_comment=True),
    Step("approve", "department", frozenset({"submitted"}), "department_approved"),
    Step("return", "bureau", frozenset({"submitted", "department_approved"}), "returned", needs_comment=True),
    # a unit directly under the bureau has no department step: the bureau approves from 已提交 too
    Step("approve", "bureau", frozenset({"submitted", "department_approved"}), LOCKED),
    Step("reopen", "bureau", frozenset({LOCKED}), "department_approved", needs_comment=True),
)


class WorkflowError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def next_state(action: str, role: str, state: str, comment: str | None = None) -> str:
    """The state after ``action`` by ``role`` from ``state``; WorkflowError (in Chinese) when not allowed."""
    if action not in ACTIONS:
        raise WorkflowError(f"未知的操作 {action}（可用：{'、'.join(ACTIONS)}）")
    for step in STEPS:
        if step.action == action and step.role == role and state in step.from_states:
            if step.needs_comment and not (comment or "").strip():
                raise WorkflowError(f"{ACTIONS[action]}需要填写意见或理由")
            return step.to_state
    allowed = [ACTIONS[s.action] for s in STEPS if s.role == role and state in s.from_states]
    hint = f"；当前可做：{'、'.join(allowed)}" if allowed else ""
    raise WorkflowError(
        f"报告处于「{STATES.get(state, state)}」状态，{ROLE_NAMES.get(role, role)}不能{ACTIONS[action]}{hint}"
    )


def actions_for(role: str, state: str) -> list[str]:
    return [s.action for s in STEPS if s.role == role and state in s.from_states]


def reviewer_stage(role: str, state: str) -> bool:
    """May this role answer the judgement items now (produce the 审核得分)?"""
    return (role == "department" and state == "submitted") or (
        role == "bureau" and state in ("submitted", "department_approved")
    )


ROLE_NAMES = {"unit": "项目单位", "department": "主管部门", "bureau": "财政局", "admin": "系统管理员"}
