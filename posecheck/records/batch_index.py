"""A batch's summary table: one row per file, as CSV and as a simple HTML index linking
each report and annotated video. Names are escaped: a file may be called anything."""

from __future__ import annotations

import csv
import html
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from posecheck.records import safeout
from posecheck.records.summary import plural

# pose_fps: the rate the pose model ran at (fast mode); empty: every frame
COLUMNS = ("file", "exercise", "status", "reps_counted", "reps_attempted", "faults", "duration_s", "pose_fps",
           "seconds", "report", "annotated", "error")  # fmt: skip


def row(
    file: Path, exercise: str, status: str, error: str, seconds: float, report: dict[str, Any], paths: dict[str, Any]
) -> dict[str, Any]:
    summary = report.get("summary") or {}
    done = status != "failed"
    return {
        "file": str(file),
        "exercise": report.get("exercise") or exercise,
        "status": status,
        "reps_counted": summary.get("reps_counted", "") if done else "",
        "reps_attempted": summary.get("reps_attempted", "") if done else "",
        "faults": " ".join(summary.get("fault_ids") or []) if done else "",
        "duration_s": report.get("duration_s", "") if done else "",
        "pose_fps": ((report.get("settings") or {}).get("pose_fps") or "") if done else "",
        "seconds": f"{seconds:.1f}" if status != "skipped" else "",
        "report": str(paths["report"]) if done else "",
        "annotated": str(paths["output"]) if done and paths.get("output") else "",
        "error": error,
    }


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _link(target: str, folder: Path, text: str) -> str:
    if not target:
        return ""
    href = quote(Path(os.path.relpath(Path(target).resolve(), folder.resolve())).as_posix())
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _blank(column: str, r: dict[str, Any]) -> str:
    """What an empty cell means, where it means something: a review's model ran on every frame."""
    return "every frame" if column == "pose_fps" and r["report"] else ""


def to_html(rows: Sequence[dict[str, Any]], folder: Path) -> str:
    """The index, with links relative to `folder` (where it is written)."""
    failed = sum(r["status"] == "failed" for r in rows)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS if c not in ("report", "annotated"))
    body = []
    for r in rows:
        cells = [
            _link(r["report"], folder, r["file"]) or html.escape(r["file"]),
            *(html.escape(str(r[c]) or _blank(c, r)) for c in COLUMNS[1:-3]),
            html.escape(r["error"]),
        ]
        video = _link(r["annotated"], folder, "video")
        cls = html.escape(r["status"])
        body.append(f'<tr class="{cls}">' + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{video}</td></tr>")
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>posecheck batch</title>\n'
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:2px 6px}tr.failed{background:#fdd}tr.skipped{color:#666}</style></head><body>\n"
        f"<h1>posecheck batch</h1><p>{plural(len(rows), 'file')}, {failed} failed</p>\n"
        f"<table><tr>{head}<th>annotated</th></tr>\n" + "\n".join(body) + "\n</table></body></html>\n"
    )


def write(rows: Sequence[dict[str, Any]], folder: Path) -> tuple[Path, Path]:
    """summary.csv and index.html in `folder`."""
    csv_path, html_path = folder / "summary.csv", folder / "index.html"
    safeout.write_text(csv_path, to_csv(rows))
    safeout.write_text(html_path, to_html(rows, folder))
    return csv_path, html_path
