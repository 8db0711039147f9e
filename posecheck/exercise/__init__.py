"""The exercise, pure: definitions (the data in exercises/*.toml), signals measured on a
pose, the engine (timestamps and signals in, state and events out), progression, and the
View a frame hands to the coach. No OpenCV, no MediaPipe, no clock, no file written.
"""
