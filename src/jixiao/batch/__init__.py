"""jixiao batch: import and score a whole folder of reports into one review workbook.

``run_batch(folder, out, jobs=…, layout=…, system=…, restart=…, progress=…) -> BatchResult``.
"""

from jixiao.batch.runner import BatchResult, FileOutcome, FindingRow, ReportSummary, run_batch

__all__ = ["BatchResult", "FileOutcome", "FindingRow", "ReportSummary", "run_batch"]
