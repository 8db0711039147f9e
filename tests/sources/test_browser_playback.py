"""The annotated video plays in a real browser: headless Chromium, served from a local page.

Chromium refuses MPEG-4 Part 2 (mp4v, what posecheck wrote before) with "no supported
source"; the H.264 copy must load, play to the end and show the input's length and frames.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from helpers import SAMPLES, posecheck

av = pytest.importorskip("av")  # after cv2 (helpers): see test_video_writer.py

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)"),
]

SAMPLE = SAMPLES / "negative_walk_through.mp4"

PAGE = """<!doctype html>
<video id=v muted playsinline></video>
<script>
const v = document.getElementById('v');
const send = (r) => fetch('/result', {method: 'POST', body: JSON.stringify(r)});
v.onerror = () => send({error: 'media error ' + (v.error ? v.error.code : '?')});
v.onended = () => {
  const q = v.getVideoPlaybackQuality();
  send({duration: v.duration, frames: q.totalVideoFrames, width: v.videoWidth, height: v.videoHeight});
};
v.src = new URLSearchParams(location.search).get('src');
v.play().catch((e) => send({error: String(e)}));
</script>
"""


def play_in_chromium(folder: Path, name: str, timeout_s: float = 90.0) -> dict:
    """Serve `folder` on 127.0.0.1, open a page that plays `name` to its end, return what it saw."""
    (folder / "page.html").write_text(PAGE)
    results: list[dict] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_POST(self):
            results.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/page.html?src={name}"
    browser = subprocess.Popen(
        [
            str(CHROMIUM),
            "--headless=new",
            "--no-sandbox",  # tests may run as root
            "--disable-gpu",
            "--mute-audio",
            "--no-first-run",
            "--disable-background-networking",
            "--autoplay-policy=no-user-gesture-required",
            f"--user-data-dir={folder / 'chromium-profile'}",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its helper processes in one group, ended together below
    )
    try:
        end = time.monotonic() + timeout_s
        while not results and time.monotonic() < end and browser.poll() is None:
            time.sleep(0.1)
    finally:
        if browser.poll() is None:
            os.killpg(browser.pid, signal.SIGTERM)
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait()
        server.shutdown()
        server.server_close()
    assert results, f"Chromium gave no result within {timeout_s:.0f} s"
    return results[0]


def test_annotated_video_plays_in_chromium_with_the_inputs_length_and_frames(tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    run = posecheck("review", SAMPLE, "-e", "bridge", "--output", out, "--no-progress", "--no-history")
    assert run.returncode == 0, run.stderr
    with av.open(str(SAMPLE)) as c:
        frames = sum(1 for _ in c.decode(video=0))
        duration = c.duration / av.time_base
        fps = float(c.streams.video[0].average_rate)
    seen = play_in_chromium(tmp_path, out.name)
    assert "error" not in seen, seen
    assert seen["duration"] == pytest.approx(duration, abs=1 / fps)
    assert seen["frames"] == frames
    assert (seen["width"], seen["height"]) == (640, 480)
