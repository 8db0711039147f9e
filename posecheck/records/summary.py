"""The few lines a review or a live session prints at its end, in words a patient reads.

Faults are named by their message ("not held: lift your hips higher"), not by their id;
counts agree with their number ("1 rep"); long lines wrap to the terminal's width.
"""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

from posecheck.records.seenpage import rep_mark, seen_line

INDENT = "  "


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 rep', '2 reps', '0 reps'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def as_clause(message: str) -> str:
    """A cue as it reads after a colon: 'Lift your hips higher' -> 'lift your hips higher'.
    'I' and names stay as they are."""
    message = message.strip().rstrip(".")
    first = message.split(" ", 1)[0]
    if not first or first == "I" or first.startswith("I'") or (len(first) > 1 and first[1:2].isupper()):
        return message
    return message[0].lower() + message[1:]


def fault_messages(report: dict[str, Any]) -> dict[str, str]:
    """Each fault id's message, from the report's fault spans (the exercise's words)."""
    out: dict[str, str] = dict(report.get("faults_unseen_messages") or {})
    for span in report.get("faults") or []:
        if span.get("message") and span["id"] not in out:
            out[span["id"]] = span["message"]
    return out


def _named(ids: list[str], messages: dict[str, str]) -> str:
    return "; ".join(as_clause(messages.get(i) or i.replace("_", " ")) for i in ids)


def rep_verdict(rep: dict[str, Any], hold_s: float, messages: dict[str, str]) -> str:
    """What became of one rep: 'held 13.0 s, counted', 'not held: lift your hips higher'; and
    what the camera could not see in it."""
    verdict = _verdict(rep, hold_s, messages)
    unseen = list(rep.get("faults_unseen") or [])
    return verdict + (f" (not seen by the camera: {_named(unseen, messages)})" if unseen else "")


def _verdict(rep: dict[str, Any], hold_s: float, messages: dict[str, str]) -> str:
    faults = list(rep.get("faults") or [])
    held = float(rep.get("hold_s") or 0.0)
    if rep["counted"]:
        return f"held {held:.1f} s, counted" + (f" (watch: {_named(faults, messages)})" if faults else "")
    if faults:
        if held < 0.05:
            return f"not held: {_named(faults, messages)}"
        return f"held {held:.1f} s, not counted: {_named(faults, messages)}"
    return f"held {held:.1f} s, too short (hold {hold_s:g} s)"


def summary_lines(report: dict[str, Any]) -> list[str]:
    """The summary, one line per rep, unwrapped (see `wrap`)."""
    s = report["summary"]
    messages = fault_messages(report)
    lines = [
        f"{report['name']} ({report['exercise']}): "
        f"{plural(s['reps_counted'], 'rep')} counted, {s['reps_attempted']} attempted"
    ]
    for rep in report["reps"]:
        side = f" {rep['side']}" if rep["side"] else ""
        end = rep["end_s"] if rep["end_s"] is not None else rep["start_s"]
        lines.append(
            f"{INDENT}rep {rep['index']}{side}: {rep['start_s']:.1f}–{end:.1f} s, "
            f"{rep_verdict(rep, report['hold_s'], messages)}{rep_mark(rep)}"
        )
    if seen_line(report):  # a guided movement watched in the picture: what the camera measured
        lines.append(f"{INDENT}{seen_line(report)}")
    if report.get("countable") is False:
        lines.append(f"{INDENT}not counted from video: {report.get('not_countable_reason') or ''}".rstrip())
        lines.append(
            f"{INDENT}position and faults were checked; for a paced, counted set: "
            f"posecheck live -e {report['exercise']}"
        )
        for f in report["faults"]:
            message = as_clause(f.get("message") or f["id"].replace("_", " "))
            lines.append(f"{INDENT}{f['start_s']:.1f}–{(f['end_s'] or f['start_s']):.1f} s: {message}")
    elif not report["reps"]:
        lines.append(f"{INDENT}no reps seen")
    return lines


def terminal_width(fallback: int = 100) -> int:
    return shutil.get_terminal_size((fallback, 24)).columns


def wrap(lines: list[str], width: int | None = None) -> list[str]:
    """Lines folded to `width` (the terminal's by default) at spaces, never mid-word; a
    continued line is indented under the text it continues."""
    width = max(40, width or terminal_width())
    out: list[str] = []
    for line in lines:
        indent = line[: len(line) - len(line.lstrip(" "))]
        out += textwrap.wrap(
            line,
            width=width,
            subsequent_indent=indent + "    ",
            break_long_words=False,
            break_on_hyphens=False,
        ) or [line]
    return out
