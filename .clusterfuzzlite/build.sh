#!/bin/bash -eu
# OSS-Fuzz contract: $CC, $CXX, $CFLAGS, $CXXFLAGS carry the sanitizer and coverage flags,
# $LIB_FUZZING_ENGINE the engine (libFuzzer, AFL++, honggfuzz), $OUT receives the fuzzers, their
# seed corpora (<fuzzer>_seed_corpus.zip) and dictionaries (<fuzzer>.dict).
build="${WORK:-$PWD}/vmbsim-build"  # OSS-Fuzz gives $WORK for intermediate files
cmake -S "$SRC/vmbsim" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVMBSIM_BUILD_FUZZERS=ON -DVMBSIM_BUILD_TESTS=OFF -DVMBSIM_BUILD_BENCH=OFF
targets="echo_fuzzer storage_client_fuzzer storage_server_fuzzer scenario_loader_fuzzer ring_reader_fuzzer"
# shellcheck disable=SC2086
cmake --build "$build" --target $targets

seeds() {  # fuzzer, corpus directory...
  local name=$1
  shift
  local tmp
  tmp=$(mktemp -d)
  for d in "$@"; do find "$d" -type f -exec cp {} "$tmp" \; ; done
  (cd "$tmp" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
  rm -rf "$tmp"
}
cp "$build/examples/echo_driver/echo_fuzzer" "$build/examples/storage_driver/storage_client_fuzzer" \
   "$build/examples/storage_server/storage_server_fuzzer" \
   "$build/fuzz/scenario_loader_fuzzer" "$build/fuzz/ring_reader_fuzzer" "$OUT/"
cd "$SRC/vmbsim"
seeds echo_fuzzer examples/echo_driver/fuzz_corpus examples/echo_driver/fuzz_crashes
seeds storage_client_fuzzer examples/storage_driver/fuzz_corpus
seeds storage_server_fuzzer examples/storage_server/fuzz_corpus
seeds scenario_loader_fuzzer fuzz/corpus/scenario_loader
seeds ring_reader_fuzzer fuzz/corpus/ring_reader
cp examples/echo_driver/echo_fuzzer.dict "$OUT/echo_fuzzer.dict"
cp examples/storage_server/storage_server_fuzzer.dict "$OUT/storage_server_fuzzer.dict"
cp examples/storage_server/storage_server_fuzzer.dict "$OUT/storage_client_fuzzer.dict"
cp fuzz/scenario.dict "$OUT/scenario_loader_fuzzer.dict"
