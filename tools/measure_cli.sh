#!/usr/bin/env bash
# Times `vmbsim run` on a 20-step scenario from process start to exit, the way CI pays for it
# (issue 4's target: under 50 ms). Prints every run and the medians (wall and CPU), in ms.
#   tools/measure_cli.sh [SCENARIO]    default: a 20-step echo scenario written to a temp file
#   RUNS=20                            how many timed runs (after one untimed warm-up)
#   VMBSIM_BUILD_DIR=build/release     the Release build to use (configured as tools/demo.sh does)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${VMBSIM_BUILD_DIR:-$root/build/release}"
runs="${RUNS:-20}"
export LC_ALL=C  # `time` and awk must agree on the decimal point
"$root/tools/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVMBSIM_BUILD_TESTS=OFF -DVMBSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target vmbsim >/dev/null
vmbsim="$build/cli/vmbsim"

scenario="${1:-}"
if [ -z "$scenario" ]; then
  scenario="$(mktemp --suffix=.yaml)"
  scenario_tmp="$scenario"
  # 2 negotiation steps + 6 x (driver send, expect, complete) = 20 steps.
  cat >"$scenario" <<'EOF'
scenario: cli timing, 20 steps
channels:
  - id: echo
    interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11
steps:
  - expect: {length: 16, fields: [{offset: 0, type: u32, equals: 1}], as: version}
  - complete: {packet: version, bytes: "02000000 00000000 00000200 00000000"}
  - repeat:
      times: 6
      steps:
        - driver: send 1 8
        - expect: {bytes: "03000000 00000000", fields: [{offset: 8, type: u32, capture: seq}], as: echo}
        - complete: {packet: echo, bytes: "04000000 00000000 ${seq:u32} 08000000 0001020304050607"}
EOF
fi

# The warm-up also proves the scenario passes: timing a failing run would measure nothing useful.
"$vmbsim" run "$scenario" | grep -E "pass: [0-9]+ steps" || { echo "measure_cli: the scenario does not pass" >&2; exit 1; }

# Nothing but vmbsim is forked while timing: EPOCHREALTIME gives the wall time (start to exit,
# microseconds) and bash's `time` keyword the CPU time (user + sys, milliseconds), the latter
# being what counts on a loaded machine.
TIMEFORMAT='%3U %3S'
cpu_log="$(mktemp)"
trap 'rm -f "$cpu_log" ${scenario_tmp:-}' EXIT
wall=()
for ((i = 0; i < runs; i++)); do
  start=$EPOCHREALTIME
  { time "$vmbsim" run "$scenario" >/dev/null 2>&1; } 2>>"$cpu_log"
  end=$EPOCHREALTIME
  wall+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", (e - s) * 1000 }')")
done
mapfile -t cpu < <(awk '{ printf "%.0f\n", ($1 + $2) * 1000 }' "$cpu_log")
median() { printf '%s\n' "$@" | sort -n | awk '{ t[NR] = $1 } END { printf "%.2f", NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }'; }
echo "wall ms: ${wall[*]}"
echo "cpu ms:  ${cpu[*]}"
echo "median over $runs runs: $(median "${wall[@]}") ms wall, $(median "${cpu[@]}") ms cpu (target: < 50 ms wall)"
