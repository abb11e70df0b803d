#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the bundled sample drivers against
# simulated peers, printing what happened and the verifier's verdict; then replays bundled
# scenario files with the vmbsim command (the echo sample against a scripted host, the storage
# VSP against a scripted guest). Exits non-zero if anything failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/install-deps.sh"
build="$root/build/release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVMBSIM_BUILD_TESTS=OFF -DVMBSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target vmbsim_demo vmbsim vmbsim_storage_server_plugin
"$build/examples/demo/vmbsim_demo" "$@"

echo
echo "== scenario files: vmbsim run replays what a host (or guest) does and expects =="
"$build/cli/vmbsim" run --verbose "$root/scenarios/echo_happy_path.yaml"
"$build/cli/vmbsim" run --verbose "$root/scenarios/storage_server_io.yaml" \
  --driver "$build/examples/storage_server/libvmbsim_storage_server_plugin.so"
echo
echo "== every echo scenario (${root#$PWD/}/scenarios/echo_*.yaml) =="
"$build/cli/vmbsim" run "$root"/scenarios/echo_*.yaml
