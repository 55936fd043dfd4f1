#!/usr/bin/env bash
# Builds the C++ core and the extension with AddressSanitizer + UndefinedBehaviorSanitizer
# (g++, CMake option FASTEMBED_SANITIZE=ON) into a private venv under build/sanitize/, then
#  1. replays the fuzz seeds and regression inputs through the fuzz targets built with g++
#     and a plain main() (tests/fuzz/standalone_main.cpp: no clang needed), and
#  2. runs the C++-facing pytest files with the sanitizer runtimes preloaded into Python.
# Any sanitizer report fails the run: the code is built with -fno-sanitize-recover, ASan and
# UBSan halt on the first error, and reports land in build/sanitize/logs/ (from pytest's own
# process or any subprocess a test starts), which must stay empty.
#
#   tests/sanitize/run.sh [extra pytest args]
#
# The normal install is not touched.  Not run here (too slow under ASan, no extra C++ paths):
# test_train.py's rank-sanity tests on the 2M-word sample; test_sanitize_modes.py covers
# every mode x kernel x reading path on small data instead.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${SANITIZE_BUILD_DIR:-$ROOT/build/sanitize}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# --- build -------------------------------------------------------------------------------
# -O1 -g: the usual sanitizer trade-off (fast enough to run, clear stack traces).
if [ ! -x "$OUT/venv/bin/python" ]; then
  "$PYTHON" -m venv --system-site-packages "$OUT/venv"
fi
echo "sanitize: building the extension with -fsanitize=address,undefined"
# Build with the interpreter's own scikit-build-core and pybind11 when it has them (offline);
# otherwise let pip fetch them into an isolated build environment.
if "$OUT/venv/bin/python" -c "import scikit_build_core, pybind11" 2>/dev/null; then
  PIP_MODE="--no-build-isolation --no-index"
else
  PIP_MODE=""
fi
"$OUT/venv/bin/pip" install $PIP_MODE --no-deps -q \
  -C build-dir="$OUT/cmake" \
  -C cmake.build-type=RelWithDebInfo \
  -C cmake.define.CMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -C cmake.define.FASTEMBED_SANITIZE=ON \
  "$ROOT"
LIBASAN=$(g++ -print-file-name=libasan.so)
LIBUBSAN=$(g++ -print-file-name=libubsan.so)
# The sanitized module must be the one Python imports (not an editable or system install).
EXT=$(cd "$OUT" && LD_PRELOAD="$LIBASAN $LIBUBSAN" ASAN_OPTIONS=detect_leaks=0 \
  "$OUT/venv/bin/python" -c 'import fastembed._core as c; print(c.__file__)')
case "$EXT" in
  "$OUT"/venv/*) ;;
  *) echo "sanitize: fastembed._core resolves to $EXT, not the sanitized build" >&2; exit 1 ;;
esac
ldd "$EXT" | grep libasan >/dev/null || { echo "sanitize: $EXT is not linked with libasan" >&2; exit 1; }

LOGS=$OUT/logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
# Python itself leaks by design (interned objects at exit): leak checking would only see it.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=$LOGS/asan:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$LOGS/ubsan

fail() {
  echo "sanitize: FAILED: $1" >&2
  for f in "$LOGS"/*; do [ -f "$f" ] && { echo "---- $f" >&2; head -n 80 "$f" >&2; }; done
  exit 1
}

echo "sanitize: extension built (${SECONDS}s)"

# --- 1. fuzz inputs through the core, without libFuzzer ----------------------------------
FUZZ=$ROOT/tests/fuzz
CORE="text.cpp vocab.cpp corpus_count.cpp file_chunks.cpp"
[ -f "$ROOT/cpp/w2v_format.cpp" ] && CORE="$CORE w2v_format.cpp"
mkdir -p "$OUT/replay"
rm -f "$OUT"/replay/fuzz_*
GXX="g++ -std=c++17 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -I$ROOT/cpp -I$FUZZ"
objs=""
for s in $CORE standalone_main.cpp; do
  src=$ROOT/cpp/$s
  [ "$s" = standalone_main.cpp ] && src=$FUZZ/$s
  $GXX -c "$src" -o "$OUT/replay/${s%.cpp}.o" &
  objs="$objs $OUT/replay/${s%.cpp}.o"
done
wait
for f in "$FUZZ"/fuzz_*.cpp; do
  $GXX "$f" $objs -o "$OUT/replay/$(basename "$f" .cpp)" &
done
wait
for f in "$FUZZ"/fuzz_*.cpp; do
  t=$(basename "$f" .cpp)
  [ -x "$OUT/replay/$t" ] || fail "build of the replay driver $t"
  ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=1 "$OUT/replay/$t" "$FUZZ/seeds/$t" "$FUZZ/regressions/$t" ||
    fail "replaying the fuzz inputs of $t"
done

echo "sanitize: fuzz inputs replayed (${SECONDS}s)"

# --- 2. pytest under the sanitizers ------------------------------------------------------
cd "$ROOT"
set +e
LD_PRELOAD="$LIBASAN $LIBUBSAN" "$OUT/venv/bin/python" -m pytest -q -p no:cacheprovider \
  tests/test_tables.py tests/test_vocab.py tests/test_corpus.py tests/sanitize/test_sanitize_modes.py \
  tests/test_bad_inputs.py tests/test_fuzz_regressions.py tests/test_io.py tests/test_vectors.py tests/test_divergence.py tests/test_divergence_property.py \
  "tests/test_train.py" -k "not rank_sanity and not test_training_with_each_kernel and not matches_file_mode_quality and not loss_positive_and_falling" \
  "$@"
rc=$?
set -e
[ -z "$(ls -A "$LOGS")" ] || fail "sanitizer reports above"
[ $rc -eq 0 ] || fail "pytest exited with $rc"
echo "sanitize: no sanitizer report (${SECONDS}s in all)"
