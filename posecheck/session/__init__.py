"""One session, from frames to what happened: the per-frame flow (`pipeline`) and the
routine's course (`routine`), both pure; the review loop over a video file and the live
loop at a camera, which read frames, run the model and drive the coach.
"""
