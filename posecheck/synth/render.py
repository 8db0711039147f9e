"""CPU rasteriser: a room (floor, wall, mat, stool) and the body, painted back to front.

The room does not move during a clip, so it is rendered once (floor and wall by casting a
ray per pixel; the mat and the stool as boxes). Each frame copies it, darkens a soft
contact shadow under the body and paints the body's camera-facing triangles far to near
with ``cv2.fillConvexPoly`` at SUPERSAMPLE times the size, then scales down (anti-aliasing).
Shading is Lambert with one key light and an ambient term; the look (colours, light,
noise) comes from :class:`Look`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from posecheck.synth.camera import NEAR_M, Camera
from posecheck.synth.rotations import unit

SUPERSAMPLE = 2
SUBPIXEL_BITS = 2  # fixed-point bits for fillConvexPoly
PLANK_WIDTH_M = 0.14
PLANK_LENGTH_M = 1.3
BASEBOARD_M = 0.09
PLANK_TINT = (0.95, 1.04)
GRAIN = 0.015
SEAM_SHADE = 0.85
ROOM_SOFTEN_PX = 1.1
SHADOW_REACH_M = 0.12  # vertices this close to the floor cast the contact shadow
SHADOW_STRENGTH = 0.45
SHADOW_BLUR_M = 0.10
SHADOW_SCALE = 4  # the shadow mask is drawn at 1/SHADOW_SCALE of the supersampled size
NOISE_BANK = 6


@dataclass
class Look:
    """Colours (RGB 0-255), light and sensor noise of one clip."""

    skin: tuple = (226, 178, 146)
    shirt: tuple = (40, 90, 170)
    bottoms: tuple = (45, 45, 52)
    hair: tuple = (55, 38, 28)
    feet: tuple = (235, 235, 235)  # socks; skin colour for bare feet
    sleeves: str = "short"  # short | long
    pants: str = "short"  # short | long
    floor: tuple = (150, 100, 62)
    wall: tuple = (214, 208, 196)
    mat: tuple = (78, 70, 150)
    stool: tuple = (120, 84, 50)
    light_dir: tuple = (0.35, -0.45, 0.82)  # toward the light, world
    ambient: float = 0.42
    diffuse: float = 0.62
    brightness: float = 1.0
    noise_sigma: float = 1.5  # grey levels, per pixel per frame
    blur_px: float = 0.6  # lens softness (Gaussian sigma, output pixels)

    def as_json(self) -> dict:
        return {
            "skin": list(self.skin),
            "shirt": list(self.shirt),
            "bottoms": list(self.bottoms),
            "hair": list(self.hair),
            "feet": list(self.feet),
            "sleeves": self.sleeves,
            "pants": self.pants,
            "floor": list(self.floor),
            "wall": list(self.wall),
            "mat": list(self.mat),
            "light_dir": [round(float(v), 3) for v in unit(self.light_dir)],
            "ambient": self.ambient,
            "brightness": self.brightness,
            "noise_sigma": self.noise_sigma,
            "blur_px": self.blur_px,
        }


@dataclass
class Box:
    """An axis-aligned box prop (mat, stool seat, stool legs)."""

    lo: tuple
    hi: tuple
    color: tuple


@dataclass
class Room:
    wall_distance_m: float  # from the camera, along its horizontal view direction
    boxes: list[Box] = field(default_factory=list)
    seed: int = 0


_BOX_FACES = np.array(
    [[0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
     [1, 2, 6], [1, 6, 5], [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7]]
)  # fmt: skip


def _box_mesh(box: Box) -> tuple[np.ndarray, np.ndarray]:
    (x0, y0, z0), (x1, y1, z1) = box.lo, box.hi
    v = np.array(
        [[x0, y0, z0], [x1, y0, z0], [x1, y1, z0], [x0, y1, z0],
         [x0, y0, z1], [x1, y0, z1], [x1, y1, z1], [x0, y1, z1]], float
    )  # fmt: skip
    return v, _BOX_FACES


class Renderer:
    """Renders frames of one clip: fixed camera, room and look."""

    def __init__(self, camera: Camera, room: Room, look: Look, face_colors: np.ndarray, faces: np.ndarray):
        self.camera = camera
        self.look = look
        self.faces = faces
        self.face_colors = np.asarray(face_colors, float)  # (F, 3) RGB 0..1
        self.light = unit(look.light_dir)
        self.ss = SUPERSAMPLE
        self.size = (camera.width * self.ss, camera.height * self.ss)
        self.background = self._room(room)
        self._rng = np.random.default_rng(room.seed + 7)
        self._noise = None
        if look.noise_sigma > 0:  # a bank of noise frames, drawn from at random offsets
            bank = self._rng.normal(0.0, look.noise_sigma, (NOISE_BANK, camera.height, camera.width, 3))
            self._noise = np.clip(np.round(bank), -127, 127).astype(np.int16)

    # -- the room, once ------------------------------------------------------------------
    def _room(self, room: Room) -> np.ndarray:
        cam, ss = self.camera, self.ss
        W, H = self.size
        u, v = np.meshgrid((np.arange(W) + 0.5) / ss, (np.arange(H) + 0.5) / ss)
        rays = np.stack([(u - cam.K[0, 2]) / cam.K[0, 0], (v - cam.K[1, 2]) / cam.K[1, 1], np.ones_like(u)], -1)
        rays = rays @ cam.R  # camera -> world directions
        eye = cam.eye
        rng = np.random.default_rng(room.seed)
        look = self.look
        img = np.zeros((H, W, 3), float)

        fwd = unit(cam.R[2] * [1, 1, 0])
        wall_n = -fwd
        t_wall = np.where(rays @ fwd > 1e-6, room.wall_distance_m / np.maximum(rays @ fwd, 1e-6), np.inf)
        t_floor = np.where(rays[..., 2] < -1e-6, -eye[2] / np.minimum(rays[..., 2], -1e-6), np.inf)
        floor_hit = t_floor < t_wall
        # floor: planks along the wall direction
        p = eye + rays * np.where(floor_hit, t_floor, 0)[..., None]
        along = np.cross(wall_n, [0, 0, 1.0])
        a = p @ along
        b = p @ wall_n
        row = np.floor(b / PLANK_WIDTH_M)
        offset = (row * 0.37 % 1.0) * PLANK_LENGTH_M
        col = np.floor((a + offset) / PLANK_LENGTH_M)
        plank_id = (row * 7919 + col * 104729) % 997
        tint = rng.uniform(*PLANK_TINT, 997)[plank_id.astype(int)]
        grain = 1.0 + GRAIN * np.sin((a + offset) * 11.0 + row * 3.0) * np.sin(b * 45.0)
        seam_b = np.abs(b / PLANK_WIDTH_M - np.round(b / PLANK_WIDTH_M)) * PLANK_WIDTH_M
        seam_a = np.abs((a + offset) / PLANK_LENGTH_M - np.round((a + offset) / PLANK_LENGTH_M)) * PLANK_LENGTH_M
        seam = np.where((seam_b < 0.004) | (seam_a < 0.003), SEAM_SHADE, 1.0)
        dist = np.linalg.norm(p - eye, axis=-1)
        falloff = np.clip(1.08 - 0.04 * dist, 0.75, 1.1)
        floor_rgb = np.asarray(look.floor, float)[None, None] * (tint * grain * seam * falloff)[..., None]
        img[floor_hit] = floor_rgb[floor_hit]
        # wall: plain, a little darker low down, a baseboard
        wall_hit = ~floor_hit & np.isfinite(t_wall)
        pw = eye + rays * np.where(wall_hit, t_wall, 0)[..., None]
        shade = np.clip(0.92 + 0.03 * pw[..., 2], 0.85, 1.05)
        wall_rgb = np.asarray(look.wall, float)[None, None] * shade[..., None]
        base = pw[..., 2] < BASEBOARD_M
        wall_rgb[base] = np.array([238.0, 236.0, 230.0]) * 0.92
        img[wall_hit] = wall_rgb[wall_hit]
        img[~floor_hit & ~wall_hit] = np.asarray(look.wall, float)
        # soften the texture a little: mp4v spends most of its bits on the floor's detail
        img = cv2.GaussianBlur(img, (0, 0), ROOM_SOFTEN_PX * self.ss)
        img = np.clip(img * look.brightness, 0, 255).astype(np.uint8)[..., ::-1].copy()  # BGR
        for box in room.boxes:
            verts, faces = _box_mesh(box)
            colors = np.tile(np.asarray(box.color, float) / 255.0, (len(faces), 1))
            self._paint(img, verts, faces, colors)
        return img

    # -- per frame -----------------------------------------------------------------------
    def render(self, vertices: np.ndarray) -> np.ndarray:
        """One BGR frame of the body (world vertices) in the room."""
        img = self.background.copy()
        self._shadow(img, vertices)
        self._paint(img, vertices, self.faces, self.face_colors)
        out = cv2.resize(img, (self.camera.width, self.camera.height), interpolation=cv2.INTER_AREA)
        if self.look.blur_px > 0:  # lens softness; also halves what mp4v spends on the frame
            out = cv2.GaussianBlur(out, (0, 0), self.look.blur_px)
        if self._noise is not None:
            noise = self._noise[self._rng.integers(NOISE_BANK)]
            shift = (int(self._rng.integers(out.shape[0])), int(self._rng.integers(out.shape[1])))
            noise = np.roll(noise, shift, axis=(0, 1))
            out = np.clip(out.astype(np.int16) + noise, 0, 255).astype(np.uint8)
        return out

    def _shadow(self, img: np.ndarray, vertices: np.ndarray) -> None:
        low = vertices[vertices[:, 2] < SHADOW_REACH_M]
        if len(low) == 0:
            return
        weight = 1.0 - low[:, 2] / SHADOW_REACH_M
        on_floor = low * [1, 1, 0]
        px, z = self.camera.project(on_floor)
        ok = z > NEAR_M
        if not ok.any():
            return
        H, W = img.shape[:2]
        h, w = H // SHADOW_SCALE, W // SHADOW_SCALE
        scale = self.ss / SHADOW_SCALE
        mask = np.zeros((h, w), np.float32)
        pts = np.round(px[ok] * scale).astype(int)
        inside = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
        np.maximum.at(mask, (pts[inside, 1], pts[inside, 0]), weight[ok][inside].astype(np.float32))
        depth = float(np.median(z[ok]))
        k = max(3, int(SHADOW_BLUR_M * self.camera.K[0, 0] * scale / max(depth, 0.5))) | 1
        mask = cv2.dilate(mask, np.ones((k // 2 | 1, k // 2 | 1), np.uint8))
        mask = cv2.GaussianBlur(mask, (k, k), 0)
        mask = cv2.resize(np.clip(mask, 0, 1) * SHADOW_STRENGTH, (W, H), interpolation=cv2.INTER_LINEAR)
        img[:] = (img * (1.0 - mask[..., None])).astype(np.uint8)

    def _paint(self, img: np.ndarray, verts: np.ndarray, faces: np.ndarray, colors: np.ndarray) -> None:
        cam = self.camera
        tri = verts[faces]  # (F, 3, 3)
        normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
        centers = tri.mean(axis=1)
        facing = np.einsum("fi,fi->f", normals, cam.eye - centers) > 0
        px, z = cam.project(tri)
        visible = facing & (z > NEAR_M).all(axis=1)
        if not visible.any():
            return
        idx = np.nonzero(visible)[0]
        shade = self.look.ambient + self.look.diffuse * np.clip(normals[idx] @ self.light, 0.0, 1.0)
        rgb = np.clip(colors[idx] * shade[:, None] * self.look.brightness * 255.0, 0, 255)
        order = np.argsort(-z[idx].mean(axis=1))
        scale = self.ss * (1 << SUBPIXEL_BITS)
        pts = np.round(px[idx][order] * scale).astype(np.int32)
        bgr = rgb[order][:, ::-1].round().astype(int).tolist()
        H, W = img.shape[:2]
        lim = 4 * max(H, W) * (1 << SUBPIXEL_BITS)
        pts = np.clip(pts, -lim, lim)
        fill = cv2.fillConvexPoly
        for poly, color in zip(pts, bgr, strict=True):
            fill(img, poly, color, cv2.LINE_8, SUBPIXEL_BITS)
