"""The One Euro filter (Casiez, Roussel and Vogel, CHI 2012), vectorised over landmarks.

Time-based: each call passes the sample's timestamp, so the same motion is smoothed
the same way at 15 or 60 fps. Parameter names follow the paper.
"""

from __future__ import annotations

import math

import numpy as np


def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Filters an array of any shape; NaN entries pass through and restart their filter."""

    def __init__(self, min_cutoff: float, beta: float, d_cutoff: float) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._t: float | None = None
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def reset(self) -> None:
        self._t = self._x = self._dx = None

    def __call__(self, t_s: float, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._t is None or self._x is None or self._x.shape != x.shape or t_s <= self._t:
            self._t, self._x, self._dx = t_s, x.copy(), np.zeros_like(x)
            return x.copy()
        dt = t_s - self._t
        fresh = np.isnan(self._x) & ~np.isnan(x)
        dx = (x - self._x) / dt
        dx_hat = self._dx + _alpha(self.d_cutoff, dt) * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
        x_hat = self._x + _alpha(cutoff, dt) * (x - self._x)
        x_hat = np.where(fresh, x, x_hat)
        dx_hat = np.where(fresh | np.isnan(dx_hat), 0.0, dx_hat)
        self._t, self._x, self._dx = t_s, x_hat, dx_hat
        return x_hat.copy()
