"""The scoring engine: rule kinds → ScoredItem with basis and trace."""

from jixiao.scoring.completion import RowCompletion, row_completion
from jixiao.scoring.engine import evaluate, normalize_answers, row_weights

__all__ = ["RowCompletion", "evaluate", "normalize_answers", "row_completion", "row_weights"]
