#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the bundled sample drivers against
# simulated peers, printing what happened and the verifier's verdict.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/install-deps.sh"
build="$root/build/release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVMBSIM_BUILD_TESTS=OFF -DVMBSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target vmbsim_demo
exec "$build/examples/demo/vmbsim_demo" "$@"
