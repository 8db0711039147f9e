"""What the person looks like: clothing regions on the mesh, and seeded variation of body
shape, colours, light and noise."""

from __future__ import annotations

import functools

import cv2
import numpy as np

from posecheck.synth.body import Body, Shape, _model
from posecheck.synth.render import Look

# Regions of the rest mesh, relative to the body's own joints (metres).
HAIRLINE_ABOVE_EYES_M = 0.045
HAIR_BACK_BEHIND_HEAD_M = 0.005
HAIR_BACK_BELOW_EYES_M = 0.07
BROW_BAND_M = (0.014, 0.026)  # above the eye bones
BROW_HALF_WIDTH_M = (0.008, 0.062)
SHORT_SLEEVE_FRACTION = 0.45  # of the upper arm, from the shoulder
SHORTS_HEM_ABOVE_KNEE_M = 0.10
SOCK_ABOVE_ANKLE_M = 0.06
WAIST_ABOVE_ROOT_M = 0.075

IRIS_RGB = (52, 40, 32)
LIPS_RGB = (172, 96, 92)

SKIN_TONES = [(241, 204, 178), (226, 178, 146), (198, 146, 110), (160, 108, 76), (112, 74, 52), (84, 56, 40)]
HAIR_COLORS = [(30, 24, 20), (55, 38, 28), (95, 66, 42), (168, 136, 90), (150, 150, 150)]
SHIRT_COLORS = [
    (40, 90, 170),
    (190, 50, 50),
    (60, 140, 80),
    (230, 230, 225),
    (240, 160, 40),
    (120, 60, 140),
    (35, 35, 38),
    (200, 120, 150),
]
BOTTOM_COLORS = [(45, 45, 52), (30, 40, 80), (90, 90, 95), (150, 130, 100), (20, 20, 22)]
SOCK_COLORS = [(235, 235, 235), (60, 60, 65), (150, 150, 155)]
FLOOR_COLORS = [(150, 100, 62), (176, 134, 92), (120, 82, 55), (168, 160, 150)]
WALL_COLORS = [(214, 208, 196), (200, 210, 214), (226, 220, 204), (190, 186, 176)]
MAT_COLORS = [(78, 70, 150), (60, 130, 120), (150, 60, 90), (70, 70, 75)]


@functools.lru_cache(maxsize=1)
def _uv_labels() -> tuple[np.ndarray, np.ndarray]:
    """Per triangle: anny's body-part segmentation colour and whether it is on the lips."""
    import anny.paths

    model, _ = _model()
    uv = model.texture_coordinates.cpu().numpy()[model.face_texture_coordinate_indices.cpu().numpy()].mean(1)
    root = anny.paths.get_anny_root_dir() / "data"
    seg = cv2.imread(str(root / "segmentation" / "body_parts_segmentation.png"))[..., ::-1]
    lips = cv2.imread(str(root / "mpfb2" / "textures" / "mpfb_lips.jpg"), cv2.IMREAD_GRAYSCALE)

    def sample(img):
        H, W = img.shape[:2]
        u = np.clip((uv[:, 0] * W).astype(int), 0, W - 1)
        v = np.clip(((1 - uv[:, 1]) * H).astype(int), 0, H - 1)
        return img[v, u]

    return sample(seg), sample(lips) > 128


def face_colors(body: Body, look: Look) -> np.ndarray:
    """(F, 3) RGB in 0..1 per triangle of the body's mesh."""
    rv = body.rest_vertices
    h = body.head_of
    rgb = np.tile(np.asarray(look.skin, float), (len(rv), 1))
    seg = body.segment_mask
    z = rv[:, 2]
    eye = 0.5 * (h("eye.L") + h("eye.R"))

    trunk = seg("spine", "girdle", "pelvis")
    waist = h("root")[2] + WAIST_ABOVE_ROOT_M
    upper = np.zeros(len(rv), bool)
    for s in "LR":
        shoulder = h(f"upperarm01.{s}")
        axis = h(f"lowerarm01.{s}") - shoulder
        along = (rv - shoulder) @ axis / float(axis @ axis)
        arm = seg(f"upperarm_{s}")
        upper |= arm & (along < SHORT_SLEEVE_FRACTION) if look.sleeves == "short" else arm
        if look.sleeves == "long":
            upper |= seg(f"forearm_{s}")
    rgb[(trunk & (z > waist)) | upper] = look.shirt

    knee_z = 0.5 * (h("lowerleg01.L")[2] + h("lowerleg01.R")[2])
    ankle_z = 0.5 * (h("foot.L")[2] + h("foot.R")[2])
    legs = seg("thigh", "shin")
    hem = ankle_z + SOCK_ABOVE_ANKLE_M if look.pants == "long" else knee_z + SHORTS_HEM_ABOVE_KNEE_M
    rgb[(trunk & (z <= waist)) | (legs & (z > hem))] = look.bottoms
    rgb[seg("foot") | (seg("shin") & (z < ankle_z + SOCK_ABOVE_ANKLE_M))] = look.feet

    head = seg("head")
    top = head & (z > eye[2] + HAIRLINE_ABOVE_EYES_M)
    back = head & (rv[:, 1] > h("head")[1] + HAIR_BACK_BEHIND_HEAD_M) & (z > eye[2] - HAIR_BACK_BELOW_EYES_M)
    brow = (
        head
        & (z > eye[2] + BROW_BAND_M[0])
        & (z < eye[2] + BROW_BAND_M[1])
        & (np.abs(rv[:, 0]) > BROW_HALF_WIDTH_M[0])
        & (np.abs(rv[:, 0]) < BROW_HALF_WIDTH_M[1])
        & (rv[:, 1] < eye[1] + 0.02)
    )
    rgb[top | back | brow] = look.hair

    faces = body.faces
    face_rgb = rgb[faces].mean(axis=1)  # blends along region borders
    face_rgb = np.where((rgb[faces] == rgb[faces][:, :1]).all(axis=(1, 2))[:, None], rgb[faces][:, 0], face_rgb)
    part, lips = _uv_labels()
    iris = (part == (16, 231, 186)).all(1) | (part == (16, 115, 231)).all(1)
    face_rgb[iris] = IRIS_RGB
    face_rgb[lips] = 0.5 * face_rgb[lips] + 0.5 * np.asarray(LIPS_RGB)
    return face_rgb / 255.0


# -- seeded variation ------------------------------------------------------------------------
def random_shape(rng: np.random.Generator) -> Shape:
    gender = float(rng.choice([0.0, 1.0, rng.uniform(0.2, 0.8)], p=[0.45, 0.45, 0.1]))
    female = gender >= 0.5
    stature = float(np.clip(rng.normal(1.64 if female else 1.77, 0.07), 1.50, 1.95))
    return Shape(
        gender=round(gender, 2),
        age_years=float(rng.integers(22, 72)),
        stature_m=round(stature, 2),
        weight=round(float(rng.uniform(0.25, 0.8)), 2),
        muscle=round(float(rng.uniform(0.3, 0.7)), 2),
        proportions=round(float(rng.uniform(0.3, 0.7)), 2),
    )


def random_look(rng: np.random.Generator) -> Look:
    def pick(options):
        return tuple(int(c) for c in options[int(rng.integers(len(options)))])

    skin = pick(SKIN_TONES)
    bare = rng.random() < 0.25
    light = np.array([rng.uniform(-0.7, 0.7), rng.uniform(-0.7, 0.2), rng.uniform(0.6, 1.0)])
    return Look(
        skin=skin,
        shirt=pick(SHIRT_COLORS),
        bottoms=pick(BOTTOM_COLORS),
        hair=pick(HAIR_COLORS),
        feet=skin if bare else pick(SOCK_COLORS),
        sleeves=str(rng.choice(["short", "long"], p=[0.65, 0.35])),
        pants=str(rng.choice(["short", "long"], p=[0.5, 0.5])),
        floor=pick(FLOOR_COLORS),
        wall=pick(WALL_COLORS),
        mat=pick(MAT_COLORS),
        light_dir=tuple(round(float(v), 3) for v in light / np.linalg.norm(light)),
        ambient=round(float(rng.uniform(0.35, 0.5)), 2),
        diffuse=round(float(rng.uniform(0.5, 0.7)), 2),
        brightness=round(float(rng.uniform(0.8, 1.1)), 2),
        noise_sigma=round(float(rng.uniform(0.5, 2.0)), 1),
        blur_px=round(float(rng.uniform(0.5, 0.9)), 2),
    )
