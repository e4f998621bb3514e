"""What every staged import shares: its counts, its row errors and its error report."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gonghui.core.tabular import Column, RowError, open_table, write_error_report

# What the parse stage hands to validation: row number, normalised values, original cells.
Record = tuple[int, dict[str, str], list[str]]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    error_report: Path | None = None

    def reject(self, error: RowError) -> None:
        self.rejected += 1
        self.errors.append(error)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warnings": len(self.warnings),
            "errors": str(self.error_report) if self.error_report else None,
        }


def default_report_path(source: Path) -> Path:
    """The report sits next to the input, where the officer who ran the import will look."""
    return source.with_name(f"{source.stem}.errors.xlsx")


def finish_report(result: ImportResult, *, headers: list[str], report_path: Path) -> ImportResult:
    """Write the row-level report (errors, then warnings), or remove a stale one from a past run."""
    issues = sorted([*result.errors, *result.warnings], key=lambda e: e.row)
    if issues:
        result.error_report = write_error_report(report_path, headers, issues)
    else:
        report_path.unlink(missing_ok=True)
        result.error_report = None
    return result


def import_file(
    *,
    path: Path,
    columns: Sequence[Column],
    import_rows: Callable[[Iterable[Record]], ImportResult],
    report_path: Path | None = None,
) -> ImportResult:
    """Parse `path`, hand its records to `import_rows` (validate + write), then report."""
    table = open_table(path, columns)
    result = import_rows(table.records())
    return finish_report(
        result, headers=table.headers, report_path=report_path or default_report_path(path)
    )
