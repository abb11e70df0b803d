#!/usr/bin/env bash
# Installs a build of vmbsim into a scratch prefix and builds examples/consumer against it, the
# way a driver team's own repository would use the package: find_package(vmbsim), the exported
# targets, the GoogleTest fixture, a driver plugin and vmbsim_add_scenario_tests, then ctest.
#   tools/test-install.sh [BUILD_DIR]    default: build/test (what tools/test.sh builds)
# The build must be configured with the tests on (the consumer needs the GoogleTest fixture).
# On failure the scratch directory is kept, and its path printed, for a look at what went wrong.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/test}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "test-install: $build is not a configured build directory (run tools/test.sh first)" >&2
  exit 2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/vmbsim-install-test.XXXXXX")"
prefix="$tmp/prefix"
consumer="$tmp/consumer"
ok=0
cleanup() {
  if [ "$ok" = 1 ]; then
    rm -rf "$tmp"
  else
    echo "test-install: FAILED; scratch directory kept: $tmp" >&2
  fi
}
trap cleanup EXIT

# The install lists every file; keep that out of the CI log unless it fails.
if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  exit 1
fi

cmake -S "$root/examples/consumer" -B "$consumer" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; exit 1; }
# A stray vmbsim elsewhere (/usr/local, the package registry) would make this test prove nothing.
found="$(sed -n 's/^vmbsim_DIR:PATH=//p' "$consumer/CMakeCache.txt")"
case "$found" in
  "$prefix"/*) ;;
  *) echo "test-install: the consumer found vmbsim in '$found', not in $prefix" >&2; exit 1 ;;
esac

cmake --build "$consumer"
ctest --test-dir "$consumer" --output-on-failure -j "$(nproc)"
ok=1
echo "test-install: examples/consumer built and passed against vmbsim installed from $build"
