#!/usr/bin/env bash
# Out-of-sample fault check: render fresh fault clips (new seeds: bodies, cameras, tempos
# the exercise data was not tuned on), a good rep then faulty ones, and run the accuracy
# benchmark on them. Needs the synth extra; about 1.5 min a clip on two cores.
#
#     scripts/fault_sweep.sh [OUT_DIR] [SEED_BASE]      # default: out/fault-sweep 301
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/fault-sweep}
s=${2:-301}
mkdir -p "$out"
mk() {
    local name=$1; shift
    [ -f "$out/$name.mp4" ] || python -m posecheck.synth clip "$@" --out "$out" --name "$name" >/dev/null || echo "failed: $name" >&2
}
mk "bridge_$s" bridge --rep - --rep :hips_low@7 --rep :hips_high@7 --seed "$s"
mk "bridge_$((s + 1))" bridge --rep - --rep :shoulders_lifted@7 --rep :head_lifted@7 --rep :feet_position@7 --seed $((s + 1))
mk "knee_to_chest_$((s + 2))" knee_to_chest --rep left --rep right:head_lifted --rep both:shoulders_lifted --seed $((s + 2))
mk "lower_back_rotation_$((s + 3))" lower_back_rotation --rep left --rep right:knees_apart@6 --rep left:shoulders_lifted@6 --seed $((s + 3))
mk "pelvic_tilt_$((s + 4))" pelvic_tilt --rep - --rep :hips_lifted --seed $((s + 4))
mk "cat_cow_$((s + 5))" cat_cow --rep - --rep :too_fast --rep :hands_not_under_shoulders --rep :knees_not_under_hips --seed $((s + 5))
mk "seated_rotation_$((s + 6))" seated_rotation --rep right --rep right:wrong_direction@6 --rep left:legs_not_crossed@6 --seed $((s + 6))
mk "seated_rotation_$((s + 7))" seated_rotation --rep left --rep left:slouching@6 --rep right:elbow_not_at_knee@6 --seed $((s + 7))
mk "shoulder_blade_squeeze_$((s + 8))" shoulder_blade_squeeze --rep - --rep :shrugging --rep :leaning_back --rep :slouching --seed $((s + 8))
python scripts/bench_accuracy.py --samples "$out"
