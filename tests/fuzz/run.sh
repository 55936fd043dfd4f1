#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer + UndefinedBehaviorSanitizer) against
# the core's parser sources and runs each for a bounded time.  Fails on any crash, sanitizer
# report, reference mismatch, timeout or out-of-memory; the offending inputs are copied to
# tests/fuzz/regressions/<target>/ (commit them: tests/test_fuzz_regressions.py replays them).
#
#   tests/fuzz/run.sh [seconds-per-target]      (default 60; FUZZ_JOBS targets run at once,
#                                                default: the number of cores)
# Installs clang + libFuzzer from Debian when missing (needs root, as in CI).
set -euo pipefail
SECS=${1:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/fuzz
OUT=${FUZZ_BUILD_DIR:-$ROOT/build/fuzz}
JOBS=${FUZZ_JOBS:-$(nproc)}

# --- toolchain ---------------------------------------------------------------------------
CXX=${FUZZ_CXX:-}
if [ -z "$CXX" ]; then
  for c in clang++ clang++-14 clang++-15 clang++-16; do
    if command -v "$c" >/dev/null; then CXX=$c; break; fi
  done
fi
have_libfuzzer() {
  [ -n "$CXX" ] && echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long){return 0;}' |
    "$CXX" -x c++ -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1
}
if ! have_libfuzzer; then
  echo "fuzz: installing clang and libFuzzer (Debian packages clang, libclang-rt-14-dev)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
  CXX=clang++
  have_libfuzzer || { echo "fuzz: clang cannot link -fsanitize=fuzzer" >&2; exit 1; }
fi

# --- build -------------------------------------------------------------------------------
# The parsers under test and what they need; no trainer, kernels or Python.
CORE_SOURCES="text.cpp vocab.cpp corpus_count.cpp file_chunks.cpp"
[ -f "$ROOT/cpp/w2v_format.cpp" ] && CORE_SOURCES="$CORE_SOURCES w2v_format.cpp"
TARGETS=""
for f in "$HERE"/fuzz_*.cpp; do TARGETS="$TARGETS $(basename "$f" .cpp)"; done

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
FLAGS="-std=c++17 -O1 -g $SAN -I$ROOT/cpp -I$HERE"
mkdir -p "$OUT/obj" "$OUT/bin"
rm -f "$OUT"/bin/fuzz_*
echo "fuzz: building with $($CXX --version | head -1)"
objs=""
for s in $CORE_SOURCES; do
  o=$OUT/obj/${s%.cpp}.o
  "$CXX" $FLAGS -fsanitize=fuzzer-no-link -c "$ROOT/cpp/$s" -o "$o" &
  objs="$objs $o"
done
wait
for t in $TARGETS; do
  "$CXX" $FLAGS -fsanitize=fuzzer "$HERE/$t.cpp" $objs -o "$OUT/bin/$t" &
done
wait
for t in $TARGETS; do [ -x "$OUT/bin/$t" ] || { echo "fuzz: build of $t failed" >&2; exit 1; }; done

# --- run ---------------------------------------------------------------------------------
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
run_one() {
  local t=$1
  local corpus=$OUT/corpus/$t art=$OUT/artifacts/$t/
  rm -rf "$art"
  mkdir -p "$corpus" "$art"
  # The first folder collects new inputs; seeds and regressions are replayed first.
  "$OUT/bin/$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 -dict="$HERE/fuzz.dict" -artifact_prefix="$art" \
    "$corpus" "$HERE/seeds/$t" "$HERE/regressions/$t" >"$OUT/$t.log" 2>&1
}
status=0
# Batches of JOBS targets at a time, each target alone on a core.
set -- $TARGETS
while [ $# -gt 0 ]; do
  for _ in $(seq "$JOBS"); do
    [ $# -gt 0 ] || break
    t=$1
    shift
    mkdir -p "$HERE/seeds/$t" "$HERE/regressions/$t"
    ( run_one "$t" && echo ok >"$OUT/$t.status" || echo failed >"$OUT/$t.status" ) &
  done
  wait
done

for t in $TARGETS; do
  done_line=$(grep -o '^Done [0-9]* runs in [0-9]* second' "$OUT/$t.log" | tail -1 || true)
  execs=$(echo "$done_line" | awk '{print $2}')
  secs=$(echo "$done_line" | awk '{print $5}')
  cov=$(grep -o 'cov: [0-9]*' "$OUT/$t.log" | tail -1 || true)
  if [ "$(cat "$OUT/$t.status")" = ok ]; then
    echo "fuzz: $t: ${execs:-?} executions in ${secs:-?}s, $cov, no failure"
  else
    status=1
    echo "fuzz: $t FAILED; log tail:"
    tail -n 40 "$OUT/$t.log"
    for a in "$OUT/artifacts/$t"/*; do
      [ -f "$a" ] || continue
      cp "$a" "$HERE/regressions/$t/$(basename "$a")"
      echo "fuzz: $t: input saved as tests/fuzz/regressions/$t/$(basename "$a"); hex:"
      od -An -tx1 -v "$a" | tr -d ' \n' | head -c 8192
      echo
    done
  fi
done
# --- the native formats' readers (Python: KeyedVectors file, .npy headers, model zip) ---------
PY=${FUZZ_PYTHON:-python3}
if "$PY" -c "import fastembed._core" 2>/dev/null; then
  "$PY" "$HERE/fuzz_native.py" "$SECS" || status=1
else
  echo "fuzz: fastembed is not installed for $PY (set FUZZ_PYTHON): native-format targets not run" >&2
  status=1
fi
exit $status
