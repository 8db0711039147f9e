"""posecheck: coaches the Mayo Clinic back-pain exercises from a camera or a video.

The flow reads left to right, one value type per arrow:
video/camera (Frame) -> pose (Pose) -> smoothing (Pose) -> signals (dict) ->
exercise engine (EngineState, events) -> overlay / voice / report / history.
"""

import os

__version__ = "0.1.0"

# OpenCV reads its log levels when cv2 is first imported. Every posecheck module is imported
# after this package, so a damaged or truncated video is one line from posecheck, not
# FFmpeg's chatter on stderr.
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
