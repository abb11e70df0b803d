#!/usr/bin/env bash
# Builds and runs every test. Installs what is missing first.
#   tools/test.sh              RelWithDebInfo build, all tests
#   tools/test.sh --sanitize   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   tools/test.sh --tsan       the same under ThreadSanitizer (the ring is the threaded code)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/install-deps.sh"

mode=default
case "${1:-}" in
  --sanitize) mode=sanitize ;;
  --tsan) mode=tsan ;;
  "") ;;
  *) echo "usage: tools/test.sh [--sanitize|--tsan]" >&2; exit 2 ;;
esac

if [ "$mode" = sanitize ]; then
  build="$root/build/asan"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVMBSIM_SANITIZE=ON \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
elif [ "$mode" = tsan ]; then
  build="$root/build/tsan"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMBSIM_SANITIZE_THREAD=ON \
    -DVMBSIM_BUILD_BENCH=OFF -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
else
  build="$root/build/test"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
# The package as a driver team's repository consumes it. Once is enough: the sanitizer builds
# would prove nothing more about the install.
if [ "$mode" = default ]; then
  "$root/tools/test-install.sh" "$build"
fi
