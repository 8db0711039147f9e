"""The anny body: shape from a few phenotype numbers, posing by segment rotations.

Posing. Every anny bone belongs to one *segment* (pelvis, five spine bones, neck, head,
shoulder girdles, upper arms, forearms, hands, thighs, shins, feet). A pose gives each
segment a world rotation away from its *neutral* orientation: standing upright, facing
-Y, arms hanging straight at the sides with the elbow hinges across the body, legs
straight. The rest pose of the mesh (an A-pose with bent elbows) differs from neutral by a
fixed correction per segment, measured once per body from the rest joints. Bones are then
driven with anny's "world-orient" parameterisation (each bone's world orientation, its head
following its parent), which keeps the posing a plain product G = R_segment . C_segment.

Body frame (anny's): metres, +X the person's own left, -Y the face's direction, +Z up.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import numpy as np

from posecheck.synth._deps import require
from posecheck.synth.rotations import I3, X, Z, aim, unit

require()

import torch  # noqa: E402  (after the one-line check for the extra)

# anny's "morphological age" calibration (data/shape_calibration): anny age <-> years.
_AGE_ANCHORS_ANNY = (0.0, 0.05, 0.215, 0.415, 0.67, 0.77, 0.83, 1.0)
_AGE_ANCHORS_YEARS = (0.0, 1.0, 4.0, 11.0, 16.0, 18.0, 64.0, 110.0)

COCO_LABELS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee",
    "left_ankle", "right_ankle", "left_big_toe", "right_big_toe",
    "left_small_toe", "right_small_toe", "left_heel", "right_heel",
)  # fmt: skip

SPINE = ("spine5", "spine4", "spine3", "spine2", "spine1")  # pelvis -> chest
NECK = ("neck1", "neck2", "neck3")


def _segment_of(bone: str) -> str:
    """The segment an anny bone belongs to."""
    side = bone[-1] if bone.endswith((".L", ".R")) else ""
    if bone in ("root", "pelvis.L", "pelvis.R"):
        return "pelvis"
    if bone.startswith("spine0"):
        return "spine" + bone[-1]
    if bone.startswith("neck0"):
        return "neck" + bone[-1]
    if bone in ("head", "eye.L", "eye.R"):
        return "head"
    if bone.startswith(("clavicle", "shoulder01")):
        return "girdle_" + side
    if bone.startswith("upperarm"):
        return "upperarm_" + side
    if bone.startswith("lowerarm"):
        return "forearm_" + side
    if bone.startswith(("wrist", "finger", "metacarpal")):
        return "hand_" + side
    if bone.startswith("upperleg"):
        return "thigh_" + side
    if bone.startswith("lowerleg"):
        return "shin_" + side
    if bone.startswith(("foot", "toe")):
        return "foot_" + side
    raise ValueError(f"anny bone {bone!r} has no segment")


@functools.lru_cache(maxsize=1)
def _model():
    """The anny model, built once per process (the first build fills anny's cache, ~40-60 s)."""
    torch.set_num_threads(int(os.environ.get("POSECHECK_SYNTH_THREADS", "1")))
    try:  # anny skins with NVIDIA Warp (on the CPU here); keep its start-up banner quiet
        import warp

        warp.config.log_level = warp.LOG_ERROR
    except ImportError:
        pass
    import anny

    model = anny.Anny()
    regressor = anny.KeypointsRegressor.coco(model)
    assert tuple(regressor.labels) == COCO_LABELS
    return model, regressor.regression_weights.detach().cpu().numpy()


def years_to_anny_age(years: float) -> float:
    return float(np.interp(years, _AGE_ANCHORS_YEARS, _AGE_ANCHORS_ANNY))


@dataclass(frozen=True)
class Shape:
    """What varies between bodies, in people's terms."""

    gender: float = 0.0  # 0 male .. 1 female (anny's slider)
    age_years: float = 40.0
    stature_m: float = 1.76
    weight: float = 0.5  # anny sliders in [0, 1]
    muscle: float = 0.5
    proportions: float = 0.5

    def describe(self) -> str:
        sex = "M" if self.gender < 0.5 else "F"
        return f"{sex} {self.age_years:.0f} y, {self.stature_m:.2f} m, weight {self.weight:.2f}"


@dataclass
class Posed:
    """One posed body: mesh vertices, bone heads and COCO keypoints, world metres."""

    vertices: np.ndarray  # (V, 3)
    heads: np.ndarray  # (B, 3)
    keypoints: np.ndarray  # (23, 3)


class Body:
    """One body shape, ready to pose."""

    def __init__(self, shape: Shape = Shape()):
        self.shape = shape
        model, self._kp_weights = _model()
        self._model = model
        self.labels: list[str] = list(model.bone_labels)
        self.index = {name: i for i, name in enumerate(self.labels)}
        self.parents = np.array([int(p) for p in model.bone_parents])
        self.faces = model.get_triangular_faces().cpu().numpy().astype(np.int32)
        self.phenotype = self._phenotype_for(shape)
        with torch.no_grad():
            self._rest = self._rest_model(self.phenotype)
        self.rest_R = self._rest["rest_bone_poses"][0, :, :3, :3].cpu().numpy()
        self.rest_heads = self._rest["rest_bone_poses"][0, :, :3, 3].cpu().numpy()
        self.rest_vertices = self._rest["rest_vertices"][0].cpu().numpy()
        self.segment_of_bone = [_segment_of(b) for b in self.labels]
        self.segments = sorted(set(self.segment_of_bone))
        weights = model.vertex_bone_weights.cpu().numpy()
        indices = model.vertex_bone_indices.cpu().numpy()
        self.vertex_bone = indices[np.arange(len(indices)), weights.argmax(1)]
        seg_index = {s: i for i, s in enumerate(self.segments)}
        self.vertex_segment = np.array([seg_index[self.segment_of_bone[b]] for b in self.vertex_bone])
        self._order = self._parent_first_order()
        self._levels = self._depth_levels()
        self._measure_rest()

    # -- shape ---------------------------------------------------------------------------
    def _rest_model(self, phenotype: dict):
        m = self._model
        _, phen, lc, fa = m.get_tensor_inputs(None, phenotype, None, None)
        coeffs = m._get_phenotype_blendshape_coefficients(phen, lc, fa)
        return m.get_rest_model(coeffs)

    def _phenotype_for(self, shape: Shape) -> dict:
        """anny sliders for the shape; the height slider is searched to reach the stature."""
        base = {
            "gender": shape.gender,
            "age": years_to_anny_age(shape.age_years),
            "weight": shape.weight,
            "muscle": shape.muscle,
            "proportions": shape.proportions,
        }
        lo, hi = 0.0, 1.0
        for _ in range(18):
            mid = 0.5 * (lo + hi)
            with torch.no_grad():
                verts = self._rest_model({**base, "height": mid})["rest_vertices"][0, :, 2]
            if float(verts.max() - verts.min()) < shape.stature_m:
                lo = mid
            else:
                hi = mid
        return {**base, "height": round(0.5 * (lo + hi), 4)}

    @property
    def stature(self) -> float:
        z = self.rest_vertices[:, 2]
        return float(z.max() - z.min())

    # -- rest measurements ---------------------------------------------------------------
    def head_of(self, bone: str) -> np.ndarray:
        return self.rest_heads[self.index[bone]]

    def _measure_rest(self) -> None:
        h = self.head_of
        self.corrections: dict[str, np.ndarray] = dict.fromkeys(self.segments, I3)
        self.length: dict[str, float] = {}
        self.hand_axes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.foot_neutral: dict[str, np.ndarray] = {}
        for s in "LR":
            hip, knee, ankle = h(f"upperleg01.{s}"), h(f"lowerleg01.{s}"), h(f"foot.{s}")
            toe = h(f"toe2-1.{s}")
            shoulder, elbow, wrist = h(f"upperarm01.{s}"), h(f"lowerarm01.{s}"), h(f"wrist.{s}")
            knuckle = h(f"finger3-1.{s}")
            thigh, shin, foot = knee - hip, ankle - knee, toe - ankle
            upper, fore = elbow - shoulder, wrist - elbow
            self.length[f"thigh_{s}"] = float(np.linalg.norm(thigh))
            self.length[f"shin_{s}"] = float(np.linalg.norm(shin))
            self.length[f"foot_{s}"] = float(np.linalg.norm(foot))
            self.length[f"upperarm_{s}"] = float(np.linalg.norm(upper))
            self.length[f"forearm_{s}"] = float(np.linalg.norm(fore))
            self.length[f"hand_{s}"] = float(np.linalg.norm(knuckle - wrist))
            down = -Z
            self.corrections[f"thigh_{s}"] = aim(thigh, X, down, X)
            self.corrections[f"shin_{s}"] = aim(shin, X, down, X)
            foot_neutral = unit(foot * np.array([0.0, 1.0, 1.0]))
            self.corrections[f"foot_{s}"] = aim(foot, X, foot_neutral, X)
            self.foot_neutral[s] = foot_neutral
            # The elbow hinge, across the arm; neutral: the arm hangs, the hinge along -X,
            # so that flexing the elbow brings the forearm forward (-Y).
            hinge = unit(np.cross(upper, fore))
            self.corrections[f"upperarm_{s}"] = aim(upper, hinge, down, -X)
            self.corrections[f"forearm_{s}"] = aim(fore, hinge, down, -X)
            self.corrections[f"hand_{s}"] = self.corrections[f"forearm_{s}"]
            # The hand in the neutral frame: toward the middle knuckle, and index -> little finger.
            across = h(f"finger5-1.{s}") - h(f"finger2-1.{s}")
            C = self.corrections[f"hand_{s}"]
            self.hand_axes[s] = (unit(C @ (knuckle - wrist)), unit(C @ across))
        # Heights of joints above the sole when standing: ankle (for planted feet).
        sole = self.rest_vertices[:, 2].min()
        self.ankle_height = float(0.5 * (h("foot.L")[2] + h("foot.R")[2]) - sole)

    def _parent_first_order(self) -> list[int]:
        order, seen = [], set()

        def visit(i: int) -> None:
            if i in seen:
                return
            p = self.parents[i]
            if p >= 0:
                visit(int(p))
            seen.add(i)
            order.append(i)

        for i in range(len(self.labels)):
            visit(i)
        return order

    # -- posing --------------------------------------------------------------------------
    def bone_rotations(self, seg_rot: dict[str, np.ndarray]) -> np.ndarray:
        """World rotation G (rest geometry -> posed) of every bone; segments not given keep
        their parent's rotation."""
        G = np.empty((len(self.labels), 3, 3))
        for i in self._order:
            seg = self.segment_of_bone[i]
            if seg in seg_rot:
                G[i] = seg_rot[seg] @ self.corrections[seg]
            elif self.parents[i] >= 0:
                G[i] = G[self.parents[i]]
            else:
                G[i] = I3
        return G

    def joints(self, seg_rot: dict[str, np.ndarray], root=(0.0, 0.0, 0.0)) -> dict[str, np.ndarray]:
        """Bone heads by name for a pose, without the mesh (anny's world-orient chain)."""
        return dict(zip(self.labels, self._heads(self.bone_rotations(seg_rot), root), strict=True))

    def _depth_levels(self) -> list[tuple[np.ndarray, np.ndarray]]:
        depth = np.zeros(len(self.labels), int)
        for i in self._order:
            if self.parents[i] >= 0:
                depth[i] = depth[self.parents[i]] + 1
        return [(np.nonzero(depth == d)[0], self.parents[depth == d]) for d in range(1, depth.max() + 1)]

    def _heads(self, G: np.ndarray, root) -> np.ndarray:
        heads = np.empty_like(self.rest_heads)
        heads[0] = root
        offsets = self.rest_heads - self.rest_heads[np.maximum(self.parents, 0)]
        for bones, parents in self._levels:
            heads[bones] = np.einsum("bij,bj->bi", G[parents], offsets[bones]) + heads[parents]
        return heads

    def pose(self, seg_rot: dict[str, np.ndarray], root=(0.0, 0.0, 0.0)) -> Posed:
        """Skin the mesh for segment rotations, the root bone's head placed at root."""
        G = self.bone_rotations(seg_rot)
        D = np.zeros((1, len(self.labels), 4, 4))
        D[0, :, :3, :3] = G @ self.rest_R
        D[0, :, 3, 3] = 1.0
        D[0, 0, :3, 3] = root
        m = self._model
        with torch.no_grad():
            transforms, poses = m.get_bone_transforms(
                torch.from_numpy(D), self._rest["rest_bone_poses"], pose_parameterization="world-orient"
            )
            verts = m.get_skinned_vertices(self._rest["rest_vertices"], transforms)[0].numpy()
        heads = poses[0, :, :3, 3].numpy()
        return Posed(vertices=verts, heads=heads, keypoints=self._kp_weights @ verts)

    def segment_mask(self, *segments: str) -> np.ndarray:
        """Vertices whose dominant bone lies in one of the segments (prefix match)."""
        wanted = [i for i, s in enumerate(self.segments) if s.startswith(segments)]
        return np.isin(self.vertex_segment, wanted)
