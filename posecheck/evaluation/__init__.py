"""Measuring posecheck against the truth of rendered clips (benchmarks and sample tests)."""
