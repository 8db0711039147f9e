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
from html import escape
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from posecheck.errors import PosecheckError

MAX_STILLS = 24  # a long session with many faults: the first ones tell the story
STILL_WIDTH_PX = 480


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
        data = sets[set_number - 1]
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


def stills(video: Path, times: Sequence[float], width: int = STILL_WIDTH_PX) -> dict[float, bytes]:
    """PNG bytes of the first frame at or after each time (timestamps as the review saw them)."""

    from posecheck.sources.video import VideoFile

    wanted = sorted(set(times))
    out: dict[float, bytes] = {}
    if not wanted:
        return out
    vf = VideoFile(video)
    half = 0.5 / vf.fps if vf.fps else 1 / 60
    i = 0
    last = None
    for frame in vf:
        while i < len(wanted) and frame.t_s >= wanted[i] - half:
            out[wanted[i]] = _png(frame.image, width)
            i += 1
        last = frame
        if i == len(wanted):
            break
    for t in wanted[i:]:  # past the end of what could be read: the last frame
        if last is not None:
            out[t] = _png(last.image, width)
    return out


def _png(image, width: int) -> bytes:
    import cv2

    h, w = image.shape[:2]
    if w > width:
        image = cv2.resize(image, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise ReportError("could not encode a still frame as PNG")
    return buf.tobytes()


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
figcaption { font-size: .9em; max-width: 480px; } img { max-width: 100%; }
"""


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _s(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _row(label: str, value: str, raw: bool = False) -> str:
    return f"<tr><th>{escape(label)}</th><td>{value if raw else escape(value)}</td></tr>"


def render(
    report: dict[str, Any],
    *,
    video: Path | None,
    video_named: str | None = None,
    session: dict[str, Any] | None = None,
    phases: Sequence[str] = (),
    timeline_png: bytes | None = None,
    frames: dict[float, bytes] | None = None,
) -> str:
    """The page, from a report (as `posecheck review --report` writes it) and its images."""
    s = report["summary"]
    name = report.get("name") or report["exercise"]
    reps, faults = report["reps"], report["faults"]
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(name)} — posecheck session report</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f'<h1>{escape(name)} <span class="muted">({escape(report["exercise"])})</span></h1>',
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
    for a, b in (report.get("second_person") or [])[:3]:
        notes.append(f"A second person was in view {a:.1f}–{b:.1f} s; posecheck followed one.")
    for n in notes:
        out.append(f'<p class="note">{escape(n)}</p>')
    counts = Counter(f["id"] for f in faults)
    messages = {f["id"]: f.get("message", "") for f in faults}
    fault_text = "; ".join(f"{fid} ×{n} — {messages[fid]}" for fid, n in sorted(counts.items())) or "none"
    rows = [
        _row("Reps counted", f"{s['reps_counted']} of {s['reps_attempted']} attempted"),
        _row("Target", f"{report['target']} reps" if report.get("target") is not None else "–"),
        _row("Hold time asked", f"{report['hold_s']:g} s"),
        _row("Faults", fault_text),
        _row("Duration", f"{_s(report.get('duration_s'))} s"),
    ]
    if s.get("reps_guided"):
        rows.insert(
            1, _row("Guided reps", f"{s['reps_guided']} (paced by voice; the movement itself could not be seen)")
        )
    if report.get("frames"):
        rows.append(_row("Body seen in", f"{report.get('frames_with_pose', 0)} of {report['frames']} frames"))
    rows.append(_row("Video", video_named or str(report.get("video") or "–")))
    settings = {k: v for k, v in (report.get("settings") or {}).items() if v is not None}
    if settings:
        rows.append(_row("Settings", ", ".join(f"{k} = {v}" for k, v in settings.items())))
    out.append('<table class="summary">' + "".join(rows) + "</table>")

    # reps
    out.append("<h2>Reps</h2>")
    if not reps:
        out.append("<p>No reps were seen.</p>")
    else:
        multi = len({k for r in reps for k in (r.get("holds") or {})}) > 1
        head = ["#", "time (s)", "side", "hold achieved (s)", "counted", "faults"]
        out.append(
            '<table class="reps"><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"
        )
        for r in reps:
            hold = _s(r.get("hold_s"))
            if multi and r.get("holds"):
                hold += " (" + ", ".join(f"{k} {_s(v)}" for k, v in r["holds"].items()) + ")"
            counted = '<span class="yes">yes</span>' if r["counted"] else '<span class="no">no</span>'
            if r.get("guided"):
                counted += " (guided)"
            cells = [
                f'<td class="num">{escape(str(r["index"]))}</td>',
                f'<td class="num">{_s(r.get("start_s"))}–{_s(r.get("end_s"))}</td>',
                f"<td>{escape(r.get('side') or '–')}</td>",
                f'<td class="num hold">{escape(hold)}</td>',
                f"<td>{counted}</td>",
                f"<td>{escape(', '.join(r.get('faults') or []) or '–')}</td>",
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
        tl = report.get("timeline") or {}
        out.append(f"<figure>{_img(timeline_png, 'the key signal over time')}")
        out.append(
            "<figcaption>"
            + escape(
                f"{tl.get('signal', 'key signal')} ({tl.get('unit', '')}) over time. Shading: the position (phase); "
                "green bar: hold timer running; orange: faults; dotted lines: start and end of each rep."
            )
            + "</figcaption></figure>"
        )
    else:
        out.append("<p>No timeline in this report (it was written by an older posecheck).</p>")

    # stills
    out.append("<h2>Where faults began</h2>")
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
            png = frames.get(f["start_s"])
            rep = f" (rep {f['rep']})" if f.get("rep") is not None else ""
            cap = f"{f['id']} at {f['start_s']:.1f} s{rep}: {f.get('message', '')}"
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


def build(
    report: dict[str, Any],
    *,
    video: Path | None,
    video_named: str | None = None,
    session: dict[str, Any] | None = None,
) -> str:
    """The page with its images: the timeline plot and the stills."""
    from posecheck.records import plots

    if _is_live(report, session):
        video = None  # its times are the session's, not a video's

    phases: list[str] = []
    try:
        from posecheck.exercise.definition import load

        exercise = load(report["exercise"])
        phases = [p.id for p in exercise.phases]
        report = {**report, "name": report.get("name") or exercise.name}
    except PosecheckError:
        pass  # a therapist's own definition file, not at hand: phases as the timeline shows them
    tl = report.get("timeline")
    timeline = plots.timeline_png(report, phases) if tl and tl.get("t_s") else None
    frames = (
        stills(video, [f["start_s"] for f in report["faults"][:MAX_STILLS]])
        if video is not None and report["faults"]
        else {}
    )
    return render(
        report,
        video=video,
        video_named=video_named,
        session=session,
        phases=phases,
        timeline_png=timeline,
        frames=frames,
    )


def _is_live(report: dict[str, Any], session: dict[str, Any] | None) -> bool:
    return bool(report.get("live")) or (session or {}).get("kind") == "live"
