"""The body in a frame: the pose model wrapped once (`model`, the only module that imports
MediaPipe, and only when a model is made), the value types it hands on (`types`: numpy
only), the landmarks' names and skeleton, One Euro smoothing, and following one person.

Importing this package imports neither MediaPipe nor OpenCV.
"""
