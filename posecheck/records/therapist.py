"""`posecheck report`: one self-contained HTML page about a session, for a physical therapist.

Summary, a table of the reps, the key signal over time with phases, holds and faults marked,
and a still frame of the moment each fault began. Images are embedded as base64 PNG, so the
page is one file that opens anywhere, offline. Every piece of text is escaped.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from posecheck.errors import PosecheckError
from posecheck.exercise.describe import unit_words
from posecheck.records.seenpage import SeenFigures, rep_mark, seen_text
from posecheck.records.stills import allowed_text

MAX_STILLS = 24  # a long session with many faults: the first ones tell the story


class ReportError(PosecheckError):
    """The report JSON or the session cannot be read, or the page cannot be written."""


# --- inputs ----------------------------------------------------------------------------------------


class _Shape(BaseModel):
    # a report's keys are stable and more may be added: those read here are checked, the rest kept
    model_config = ConfigDict(extra="allow", allow_inf_nan=False)


class _Rep(_Shape):
    index: int
    counted: bool
    side: str | None = None
    start_s: float | None = None
    end_s: float | None = None
    hold_s: float | None = None
    holds: dict[str, float | None] | None = None
    faults: list[str] = []
    guided: bool | None = None


class _Fault(_Shape):
    id: str
    message: str = ""
    start_s: float
    end_s: float | None = None
    rep: int | None = None


class _Summary(_Shape):
    reps_counted: int
    reps_attempted: int
    reps_guided: int | None = None


class _Report(_Shape):
    exercise: str
    name: str | None = None
    video: str | None = None
    hold_s: float = Field(gt=0)
    target: int | None = None
    frames: int | None = None
    reps: list[_Rep]
    faults: list[_Fault]
    summary: _Summary
    setup: dict[str, Any] | None = None
    second_person: list[tuple[float, float]] | None = None
    settings: dict[str, Any] | None = None
    timeline: dict[str, Any] | None = None
    interrupted: bool | None = None
    truncated: bool | None = None
    seen: SeenFigures | None = None


def _check_shape(path: Path, data: dict[str, Any]) -> None:
    """The keys the page reads, of the types it reads them as: else one line naming the file and the key."""
    try:
        _Report.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        raise ReportError(
            f"{path}: {key}: {msg[0].lower() + msg[1:]}, got {err.get('input')!r:.60} (not a posecheck report?)"
        ) from None


def load_report(path: Path, set_number: int | None = None) -> dict[str, Any]:
    """A review's report; or set `set_number` (from 1) of a live session's (`posecheck live --report`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"{path}: is a folder, not a report") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ReportError(f"{path}: not a posecheck report (not JSON: {e})") from None
    if isinstance(data, dict) and isinstance(data.get("sets"), list):
        sets = data["sets"]
        if set_number is None and len(sets) == 1:
            set_number = 1
        if set_number is None or not 1 <= set_number <= len(sets):
            raise ReportError(f"{path}: a live session with {len(sets)} sets; pick one with --set 1..{len(sets)}")
        pain = data.get("pain")  # asked once, at the end of the whole session
        data = sets[set_number - 1]
        if isinstance(data, dict) and pain is not None and "pain" not in data:
            data = {**data, "pain": pain}
    elif set_number is not None:
        raise ReportError(f"{path}: --set is for a live session's report; this one is a review's")
    missing = [
        k for k in ("exercise", "reps", "faults", "summary", "hold_s") if not isinstance(data, dict) or k not in data
    ]
    if missing:
        raise ReportError(f"{path}: not a posecheck review report (missing {', '.join(missing)})")
    _check_shape(path, data)
    return data


def find_video(
    report: dict[str, Any], given: Path | None, report_path: Path | None, source: str | None = None
) -> Path | None:
    """The video to take stills from: as given, else where the report says (also beside the report)."""
    if given is not None:
        return given
    candidates: list[str | None] = [source] if source else []
    candidates.append(report.get("video"))
    for c in filter(None, candidates):
        p = Path(c)
        if p.is_file():
            return p
        if report_path is not None and not p.is_absolute() and (report_path.parent / p).is_file():
            return report_path.parent / p
    return None


# --- the page ----------------------------------------------------------------------------------------

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1d;
       max-width: 1000px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; }
td, th { padding: .25em .7em; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.no { color: #b35900; } .yes { color: #207a38; }
.note { background: #fff6e0; padding: .5em .8em; border-left: 3px solid #e0a000; }
.muted { color: #666; font-size: .9em; } figure { display: inline-block; margin: .5em 1em .5em 0; vertical-align: top; }
figure.timeline { display: block; margin: .5em 0; }
figcaption { font-size: .9em; max-width: 480px; } figure.timeline figcaption { max-width: none; }
img { max-width: 100%; }
@media print {
  @page { margin: 14mm; }
  body { font-size: 10.5pt; max-width: none; margin: 0; padding: 0; color: #000; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, tr, .note { break-inside: avoid; page-break-inside: avoid; }
  figure.timeline { break-before: page; page-break-before: always; }
  figure { width: 47%; margin: .4em 2% .4em 0; } figure.timeline { width: 100%; }
  th { background: none; } .note { background: none; border-left: 3px solid #999; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _s(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _row(label: str, value: str, raw: bool = False) -> str:
    return f"<tr><th>{escape(label)}</th><td>{value if raw else escape(value)}</td></tr>"


def _rounds_done(reps: Sequence[dict[str, Any]], rounds: Sequence[str]) -> int:
    """Complete rounds among the counted reps, as the engine counts them (every side once)."""
    done, seen = 0, set()
    for r in reps:
        if r["counted"] and r.get("side"):
            seen.add(r["side"])
            if rounds and set(rounds) <= seen:
                done, seen = done + 1, set()
    return done


SIDE_WORDS: dict[str, str] = {}


def peak_text(peak: dict[str, Any], words: dict[str, Any]) -> str:
    """The measured value at a fault's clearest moment, against the range allowed."""
    sig = (words.get("signals") or {}).get(peak["signal"], {})
    unit = sig.get("unit", "")
    after = unit_words(unit)[0]
    desc = sig.get("description") or "the measurement"
    value = f"{peak['value']:.3g}".replace("-", "−")
    return (
        f"{desc[0].upper()}{desc[1:]}: {value}{after} (allowed: {allowed_text(peak.get('min'), peak.get('max'), unit)})"
    )


def render(
    report: dict[str, Any],
    *,
    video: Path | None,
    video_named: str | None = None,
    session: dict[str, Any] | None = None,
    words: dict[str, Any] | None = None,
    timeline_png: bytes | None = None,
    frames: dict[float, bytes] | None = None,
) -> str:
    """The page, from a report (as `posecheck review --report` writes it), the words for its ids
    (describe.words, plus counting and rounds) and its images."""
    words = words or {}
    s = report["summary"]
    name = report.get("name") or report["exercise"]
    reps, faults = report["reps"], report["faults"]
    phase_name = words.get("phase_names") or {}
    message = {**(words.get("fault_messages") or {}), **{f["id"]: f.get("message") or f["id"] for f in faults}}
    unseen_words = {**message, **(report.get("faults_unseen_messages") or {})}
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(name)} — posecheck session report</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(name)}</h1>",
    ]
    when = session.get("started_at") if session else None
    sub = []
    if session:
        sub.append(f"session {session['id']}, {session.get('kind', '')}")
    if session and when:
        sub.append(f"{when} ({session.get('time_of_day', '')})")
    if sub:
        out.append(f'<p class="muted">{escape("; ".join(sub))}</p>')

    # summary
    out.append("<h2>Summary</h2>")
    notes = []
    if report.get("interrupted"):
        notes.append("The session was interrupted: the figures cover what was seen before.")
    if report.get("truncated"):
        notes.append("The video ends early (truncated or damaged): the figures cover what could be read.")
    if session and session.get("status") == "running":
        notes.append("This session never finished (stopped or killed): the reps listed are those completed before.")
    setup = report.get("setup") or {}
    if setup and not setup.get("ok") and setup.get("last_message"):
        notes.append(f"The start position was never seen clearly: {setup['last_message']}")
    if report.get("countable") is False:
        notes.append(f"Not counted from the video: {report.get('not_countable_reason') or 'it cannot be seen'}.")
    for a, b in (report.get("second_person") or [])[:3]:
        notes.append(f"A second person was in view {a:.1f}–{b:.1f} s; posecheck followed one.")
    for a, b, said in (setup.get("told") or [])[:3]:  # what the camera could not read, said at the time
        notes.append(f"Said at {a:.1f}–{b:.1f} s: {said}")
    for n in notes:
        out.append(f'<p class="note">{escape(n)}</p>')
    counts = Counter(f["id"] for f in faults)
    fault_text = "; ".join(f"{message[fid]} ×{n}" for fid, n in sorted(counts.items())) or "none"
    counting, rounds = words.get("counting", "reps"), words.get("rounds") or []
    target = report.get("target")
    attempts = f"{s['reps_counted']} of {s['reps_attempted']} attempted"
    if counting == "rounds":
        each = ", ".join(SIDE_WORDS.get(r, r) for r in rounds)
        rows = [
            _row("Rounds completed", f"{_rounds_done(reps, rounds)} (a round: one hold each — {each})"),
            _row("Holds counted", attempts),
            _row("Target", f"{target} rounds" if target is not None else "–"),
        ]
    else:
        rows = [
            _row("Reps counted", attempts),
            _row(
                "Target",
                "–" if target is None else f"{target} reps" + (" each side" if counting == "each_side" else ""),
            ),
        ]
    rows += [
        _row("Hold time asked", f"{report['hold_s']:g} s"),
        _row("Faults", fault_text),
        _row("Duration", f"{_s(report.get('duration_s'))} s"),
    ]
    if s.get("reps_guided"):
        rows.insert(
            1, _row("Guided reps", f"{s['reps_guided']} (paced by voice; the movement itself could not be seen)")
        )
    seen = seen_text(report, words)
    if seen:
        rows.insert(1, _row("Seen by the camera", seen))
    pain = report.get("pain") if report.get("pain") is not None else (session or {}).get("pain")
    if isinstance(pain, int) and not isinstance(pain, bool):
        rows.append(_row("Back pain after the session", f"{pain} of 10 (0 none, 10 worst; the user's answer)"))
    trend, kept = (session or {}).get("pain_by_day"), (session or {}).get("adherence")
    if trend or kept:  # from the history (report --session): the weeks up to this session
        days = "  ".join(f"{d[5:]}: {p}" for d, p in trend or []) or "no answers"
        done = f"; this exercise done on {kept['done']} of {kept['days']} days" if kept else ""
        span = f"{kept['days']} days" if kept else "the weeks"
        rows.append(_row(f"Back pain, {span} up to this session", f"{days}{done}"))
    if report.get("frames"):
        rows.append(_row("Body seen in", f"{report.get('frames_with_pose', 0)} of {report['frames']} frames"))
    rows.append(_row("Video", video_named or str(report.get("video") or "–")))
    settings = {k: v for k, v in (report.get("settings") or {}).items() if v is not None}
    setting_words = {"hold_s": "hold time (s)", "target": "target", "model": "pose model"}
    if settings:
        rows.append(_row("Settings", ", ".join(f"{setting_words.get(k, k)} {v}" for k, v in settings.items())))
    out.append('<table class="summary">' + "".join(rows) + "</table>")

    # reps
    out.append("<h2>Reps</h2>" if counting != "rounds" else "<h2>Holds</h2>")
    if not reps:
        out.append("<p>No reps were seen.</p>")
    else:
        multi = any(len(r.get("holds") or {}) > 1 for r in reps)  # e.g. arched, then flat
        head = ["#", "time (s)", "side", "hold achieved (s)", "counted", "faults"]
        out.append(
            '<table class="reps"><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"
        )
        for r in reps:
            hold = _s(r.get("hold_s"))
            if multi and r.get("holds"):
                hold += " (" + ", ".join(f"{phase_name.get(k, k)} {_s(v)}" for k, v in r["holds"].items()) + ")"
            counted = '<span class="yes">yes</span>' if r["counted"] else '<span class="no">no</span>'
            if r.get("guided"):
                counted += " (guided)"
            counted += rep_mark(r)
            cells = [
                f'<td class="num">{escape(str(r["index"]))}</td>',
                f'<td class="num">{_s(r.get("start_s"))}–{_s(r.get("end_s"))}</td>',
                f"<td>{escape(SIDE_WORDS.get(r.get('side') or '', r.get('side') or '–'))}</td>",
                f'<td class="num hold">{escape(hold)}</td>',
                f"<td>{counted}</td>",
                f"<td>{escape('; '.join(message.get(f, f) for f in r.get('faults') or []) or '–')}"
                + "".join(
                    f'<br><span class="muted">not seen by the camera: {escape(unseen_words.get(f, f))}</span>'
                    for f in r.get("faults_unseen") or []
                )
                + "</td>",
            ]
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        out.append(
            f'<p class="muted">A rep counts when its hold reached {report["hold_s"]:g} s with good form; '
            "a shorter one is an attempt.</p>"
        )

    # timeline
    out.append("<h2>Timeline</h2>")
    if timeline_png:
        out.append(f'<figure class="timeline">{_img(timeline_png, "what was measured over time, with its limits")}')
        out.append(
            "<figcaption>"
            + escape(
                "Top: the position posecheck recognised, when the hold timer ran, and each fault. Below: each "
                "measurement that decides a position or a fault, with its limits (dashed: a position; dash-dot: "
                "where the hold runs; solid, with its side shaded: a fault). Dotted lines: start and end of each rep."
            )
            + "</figcaption></figure>"
        )
    else:
        out.append("<p>No timeline in this report (it was written by an older posecheck).</p>")

    # stills
    out.append("<h2>Faults at their clearest</h2>")
    if not faults:
        out.append("<p>No faults.</p>")
    elif video is None and _is_live(report, session):
        out.append('<p class="note">A live session: no video was recorded, so there are no still frames.</p>')
    elif video is None:
        where = video_named or report.get("video") or "the video"
        missing = f"The video ({where}) was not found, so there are no still frames. Pass it with --video."
        out.append(f'<p class="note">{escape(missing)}</p>')
    else:
        frames = frames or {}
        for f in faults[:MAX_STILLS]:
            peak = f.get("peak")
            t = peak["t_s"] if peak else f["start_s"]
            png = frames.get(t)
            rep = f", rep {f['rep']}" if f.get("rep") is not None else ""
            cap = f"{message[f['id']]} — at {t:.1f} s{rep}"
            cap += f" (from {f['start_s']:.1f} s). " + peak_text(peak, words) if peak else " (when it began)."
            out.append(
                "<figure>" + (_img(png, cap) if png else "") + f"<figcaption>{escape(cap)}</figcaption></figure>"
            )
        if len(faults) > MAX_STILLS:
            out.append(f'<p class="muted">{len(faults) - MAX_STILLS} more faults not shown.</p>')

    made = datetime.now().astimezone().isoformat(timespec="minutes")
    out.append(
        '<p class="muted">'
        + escape(
            f"Written by posecheck {report.get('posecheck', '')} on {made}. Measured from video with a pose model: "
            "it sees landmarks (shoulders, hips, knees...), not the spine; times are from the start of the video."
        )
        + "</p>"
    )
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


WORD_KEYS = ("signals", "phase_names", "fault_messages", "limits", "counting", "rounds")


def words_for(report: dict[str, Any]) -> dict[str, Any]:
    """The words for the report's ids: as the review kept them in its timeline, else from the
    exercise's file by id (an older report), else none (a therapist's own file not at hand)."""
    from posecheck.exercise.describe import words

    tl = report.get("timeline") or {}
    kept = {k: tl[k] for k in WORD_KEYS if k in tl}
    try:
        from posecheck.exercise.definition import load

        exercise = load(report["exercise"])
        return {**words(exercise), "name": exercise.name, **kept}
    except PosecheckError:
        return kept


def build(
    report: dict[str, Any],
    *,
    video: Path | None,
    video_named: str | None = None,
    session: dict[str, Any] | None = None,
) -> str:
    """The page with its images: the timeline plot and the stills."""
    from posecheck.records import stills, timeline

    if _is_live(report, session):
        video = None  # its times are the session's, not a video's
    words = words_for(report)
    report = {**report, "name": report.get("name") or words.get("name")}
    tl = report.get("timeline")
    png = None
    if tl and tl.get("t_s"):
        tl = {**tl, **{k: words[k] for k in WORD_KEYS if k in words}}
        png = timeline.timeline_png({**report, "timeline": tl})
    frames: dict[float, bytes] = {}
    if video is not None and report["faults"]:
        _, fault_colour = timeline.colours(tl or {"phase": []}, report["faults"])
        painters: dict[float, Any] = {}
        times = []
        for f in report["faults"][:MAX_STILLS]:
            peak = f.get("peak")
            times.append(peak["t_s"] if peak else f["start_s"])
            if peak:
                unit = (words.get("signals") or {}).get(peak["signal"], {}).get("unit", "")
                allowed = allowed_text(peak.get("min"), peak.get("max"), unit)
                value = f"{peak['value']:.3g}".replace("-", "−")
                label = f"measured {value}{unit_words(unit)[0]}, allowed {allowed}"
                painters[times[-1]] = partial(stills.draw_peak, peak=peak, colour=fault_colour[f["id"]], label=label)
        frames = stills.stills(video, times, painters=painters)
    return render(
        report,
        video=video,
        video_named=video_named,
        session=session,
        words=words,
        timeline_png=png,
        frames=frames,
    )


def _is_live(report: dict[str, Any], session: dict[str, Any] | None) -> bool:
    return bool(report.get("live")) or (session or {}).get("kind") == "live"
