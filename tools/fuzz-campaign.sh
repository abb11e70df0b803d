#!/usr/bin/env bash
# A fuzzing campaign against the correct sample drivers (not part of CI): the echo client driver,
# the storage client driver and the storage VSP, each for MINUTES from its seed corpus, with ASan + UBSan and
# the verifier in fail-fast mode. The samples must survive: any finding fails the campaign, and
# its input is kept for `<fuzzer>_replay --print` / `--scenario`.
#
#   tools/fuzz-campaign.sh [--minutes N] [--build DIR]     default: 10 minutes, build/fuzz
#
# The fuzzers run at the same time (sharing the cores); exit 0 if none found anything.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=10
build=build/fuzz
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: $0 [--minutes N] [--build DIR]" >&2; exit 2 ;;
  esac
done
tools/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DVMBSIM_BUILD_FUZZERS=ON -DVMBSIM_BUILD_TESTS=OFF -DVMBSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target echo_fuzzer storage_client_fuzzer storage_server_fuzzer >/dev/null

out=$(mktemp -d "${TMPDIR:-/tmp}/vmbsim-campaign.XXXXXX")
run() {  # name, binary, seeds, dict
  mkdir -p "$out/$1/corpus" "$out/$1/findings"
  "$2" "$out/$1/corpus" "$3" -dict="$4" -max_total_time=$((minutes * 60)) -timeout=10 \
    -artifact_prefix="$out/$1/findings/" -print_final_stats=1 >"$out/$1/log" 2>&1 || true
}
echo "campaign: $minutes min per fuzzer, output in $out"
run echo "$build/examples/echo_driver/echo_fuzzer" examples/echo_driver/fuzz_corpus examples/echo_driver/echo_fuzzer.dict &
run storage-client "$build/examples/storage_driver/storage_client_fuzzer" examples/storage_driver/fuzz_corpus \
  examples/storage_server/storage_server_fuzzer.dict &
run storage-vsp "$build/examples/storage_server/storage_server_fuzzer" examples/storage_server/fuzz_corpus \
  examples/storage_server/storage_server_fuzzer.dict &
wait
status=0
for f in echo storage-client storage-vsp; do
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$f/log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$f/log")
  cov=$(grep -oE 'cov: [0-9]+' "$out/$f/log" | tail -1)
  found=$(find "$out/$f/findings" -type f | wc -l)
  printf '%-15s %12s runs %8s exec/s  %-10s findings: %s\n' "$f" "${runs:-?}" "${rate:-?}" "$cov" "$found"
  if [ "$found" -ne 0 ]; then
    status=1
    find "$out/$f/findings" -type f -printf '  %p\n'
  fi
done
[ $status -eq 0 ] && echo "campaign: no findings" || echo "campaign: FINDINGS (inputs kept in $out)"
exit $status
