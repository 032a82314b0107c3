"""Chinese labels of codes the library uses in data (one place for the CLI, exporters and web)."""

from __future__ import annotations

BASIS_ZH = {"computed": "计算", "judgement": "判断", "missing": "缺失"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
