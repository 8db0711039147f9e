"""Nothing leaves the machine: review, live and a batch on a local Ray make no DNS lookup and
no outside connection.

Each runs the real command line under strace, which logs every connect(), sendto() and
sendmmsg() of the process and its threads and children. Any connection to an address
other than loopback, and anything sent to port 53 or to a local name-service socket
(nscd, systemd-resolved), fails the test. MediaPipe's usage logger (mediapipe issue
#6291) did both until posecheck/pose/model.py's block_network().
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, SAMPLES, read_frames, write_video

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (.ci/run installs it)"),
]

SAMPLE = SAMPLES / "negative_walk_through.mp4"  # the shortest bundled sample (7.8 s)
_CALL = re.compile(r"\b(connect|sendto|sendmmsg)\(")
_INET = re.compile(r'sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)')
_INET6 = re.compile(r'sa_family=AF_INET6, sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)"')
_NAME_SERVICE_SOCKETS = ("nscd", "resolve")
_STRACE = ("strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmmsg")
_UNFINISHED = " <unfinished ...>"
_RESUMED = re.compile(r"^(\d+)\s+<\.\.\. \w+ resumed>(.*)$")


def _whole_calls(trace: str) -> list[str]:
    """strace's lines with each call whole: with several threads, a call that blocks is logged
    as `connect(... <unfinished ...>` and later `<... connect resumed>) = -1 ENOENT`."""
    open_calls: dict[str, str] = {}
    lines = []
    for line in trace.splitlines():
        resumed = _RESUMED.match(line)
        if resumed and resumed.group(1) in open_calls:
            lines.append(open_calls.pop(resumed.group(1)) + resumed.group(2))
        elif line.endswith(_UNFINISHED):
            open_calls[line.split(maxsplit=1)[0]] = line.removesuffix(_UNFINISHED)
        else:
            lines.append(line)
    return lines + list(open_calls.values())  # a call never resumed (the process ended in it)


def outside_traffic(trace: str, *, absent_name_service_ok: bool = False) -> list[str]:
    """The strace lines that show a DNS lookup or a connection that leaves the machine.

    With `absent_name_service_ok`, a connect() to a name-service socket that does not exist
    (ENOENT, ECONNREFUSED: no such daemon here) is not counted: nothing was sent, and the
    process then resolves the name itself, where any DNS query shows as port 53 traffic."""
    bad = []
    for line in _whole_calls(trace):
        if not _CALL.search(line):
            continue
        if "htons(53)" in line:
            bad.append(line)
            continue
        if "AF_UNIX" in line and any(s in line for s in _NAME_SERVICE_SOCKETS):
            if not (absent_name_service_ok and ("ENOENT" in line or "ECONNREFUSED" in line)):
                bad.append(line)
            continue
        for m in [*_INET.finditer(line), *_INET6.finditer(line)]:
            addr = ipaddress.ip_address(m.group(2))
            if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
                addr = addr.ipv4_mapped
            if not addr.is_loopback and not addr.is_unspecified:
                bad.append(line)
                break
    return bad


def test_outside_traffic_is_recognised() -> None:
    dns = (
        '7 connect(7, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
        '7 sendmmsg(7, [{msg_hdr={msg_name=NULL, msg_iov=[{iov_base="\\4play\\ngoogleapis"}]}}], 2, 0) = 2',
    )
    outside = (
        '9 connect(9, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("142.250.1.1")}, 16) = -1',
        "9 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "2a00:1450::1", &sin6_addr), sin6_scope_id=0}, 28) = -1',
        '3 connect(3, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT',
    )
    local = (
        '5 connect(5, {sa_family=AF_INET, sin_port=htons(8000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        "5 connect(5, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '4 connect(4, {sa_family=AF_UNIX, sun_path="/run/user/0/pulse/native"}, 110) = 0',
    )
    assert outside_traffic("\n".join(dns)) == [dns[0]]
    assert outside_traffic("\n".join(outside)) == list(outside)
    assert outside_traffic("\n".join(local)) == []
    assert outside_traffic("\n".join(outside), absent_name_service_ok=True) == list(outside[:2])
    assert outside_traffic("\n".join(dns), absent_name_service_ok=True) == [dns[0]]
    # a call split across lines by another thread's is judged whole
    split = (
        '26193 connect(8, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110 <unfinished ...>',
        '26194 connect(9, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        "26193 <... connect resumed>) = -1 ENOENT (No such file or directory)",
    )
    assert outside_traffic("\n".join(split), absent_name_service_ok=True) == []
    whole = split[0].removesuffix(_UNFINISHED) + ") = -1 ENOENT (No such file or directory)"
    assert outside_traffic("\n".join(split)) == [whole]
    never_resumed = '7 connect(3, {sa_family=AF_UNIX, sun_path="/run/systemd/resolve/io.systemd.Resolve"}, 42'
    never_resumed += _UNFINISHED
    assert outside_traffic(never_resumed, absent_name_service_ok=True) != []


def _traced(tmp_path: Path, *args: str, timeout: float = 600) -> str:
    log = tmp_path / "strace.log"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # a user's own proxy settings must not be what keeps the test quiet
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(name, None)
    run = subprocess.run(
        [*_STRACE, "-o", str(log), sys.executable, "-m", "posecheck", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )
    assert log.exists(), f"strace could not trace posecheck: {run.stderr[-2000:]}"
    assert run.returncode == 0, run.stderr[-2000:]
    return log.read_text(errors="replace")


def test_review_makes_no_outside_connection(tmp_path: Path) -> None:
    trace = _traced(
        tmp_path,
        "review",
        str(SAMPLE),
        "--exercise",
        "bridge",
        "--output",
        str(tmp_path / "annotated.mp4"),
        "--report",
        str(tmp_path / "report.json"),
        "--no-progress",
        "--no-history",
    )
    assert outside_traffic(trace) == []


def test_live_makes_no_outside_connection(tmp_path: Path) -> None:
    frames, fps = read_frames(SAMPLE, seconds=3.0)
    camera = write_video(tmp_path / "camera.mp4", frames, fps)
    trace = _traced(
        tmp_path,
        "live",
        "--exercise",
        "bridge",
        "--camera",
        str(camera),
        "--headless",
        "--mute",
        "--no-history",
        "--report",
        str(tmp_path / "live.json"),
    )
    assert outside_traffic(trace) == []


def test_batch_on_a_local_ray_makes_no_outside_connection(tmp_path: Path) -> None:
    """Ray's processes (traced too) look up "localhost" as they start, through the name
    service: not counted while no name-service daemon exists, since any DNS query that
    followed would be traced (verified: the only names Ray resolves are localhost and
    127.0.0.1). Its cloud probes (169.254.169.254, metadata.google.internal) are what
    batch_ray keeps from leaving."""
    if importlib.util.find_spec("ray") is None:
        pytest.skip("Ray is not installed (CI installs the cluster extra)")
    trace = _traced(tmp_path, "batch", str(SAMPLE), "-e", "bridge", "-r", str(tmp_path / "reports"),
                    "--engine", "ray", "-j", "1", "--no-progress")  # fmt: skip
    assert (tmp_path / "reports" / "negative_walk_through.json").is_file()
    assert outside_traffic(trace, absent_name_service_ok=True) == []
