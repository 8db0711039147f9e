"""posecheck: coaches the Mayo Clinic back-pain exercises from a camera or a video.

The flow reads left to right, one value type per arrow:
video/camera (Frame) -> pose (Pose) -> smoothing (Pose) -> signals (dict) ->
exercise engine (EngineState, events) -> overlay / voice / report / history.
"""

__version__ = "0.1.0"
