#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build (google/oss-fuzz projects/*/build.sh): builds every fuzz
# target with the engine the environment names and copies them to $OUT with their dictionaries
# and seed corpora, by name pattern (STYLE.md §7.15):
#   $OUT/<name>_fuzzer, $OUT/<name>_fuzzer.dict, $OUT/<name>_fuzzer_seed_corpus.zip
# Uses $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $SRC $OUT; the source is $SRC/evh.
SRC_DIR=${SRC_DIR:-$SRC/evh}
BUILD=${WORK:-/tmp}/evh-fuzz-build

# The environment's flags rule (-O1, -gline-tables-only, the sanitizer): the build type adds only
# -DNDEBUG, not RelWithDebInfo's -O2 -g.
cmake -S "$SRC_DIR" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE=-DNDEBUG -DCMAKE_CXX_FLAGS_RELEASE=-DNDEBUG \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DEVH_BUILD_FUZZERS=ON -DEVH_FUZZ_LINKMAIN=OFF -DEVH_FUZZ_LDFLAGS="$LIB_FUZZING_ENGINE" \
  -DEVH_BUILD_TESTS=OFF -DEVH_BUILD_BENCH=OFF -DOPENSSL_USE_STATIC_LIBS=ON -DZLIB_USE_STATIC_LIBS=ON \
  "-DCMAKE_BUILD_RPATH=\$ORIGIN/lib" -DCMAKE_EXE_LINKER_FLAGS=-Wl,--disable-new-dtags
ninja -C "$BUILD" all_fuzzers

find "$BUILD" -type f -name '*_fuzzer' -perm -u+x -exec cp {} "$OUT/" \;
# In the ClusterFuzzLite image (.clusterfuzzlite/Dockerfile) cpp-httplib is its header and zlib and
# OpenSSL link statically. Built on Debian instead, cpp-httplib is a shared library (with OpenSSL,
# zlib and brotli): the runner image has none of them, so they travel in $OUT/lib, which the
# fuzzers' RPATH names ($ORIGIN/lib; DT_RPATH, so it also serves libcpp-httplib's own dependencies).
mkdir -p "$OUT/lib"
for f in "$OUT"/*_fuzzer; do
  ldd "$f" | awk '/=> \// { print $3 }' | grep -E 'lib(cpp-httplib|ssl|crypto|z|brotli[a-z]*)\.so' || true
done | sort -u | while read -r lib; do cp -L "$lib" "$OUT/lib/"; done
cp "$SRC_DIR"/corpus/*_fuzzer.dict "$SRC_DIR"/corpus/*_fuzzer.options "$OUT/" 2>/dev/null || true
for dir in "$SRC_DIR"/corpus/*_fuzzer/; do
  name=$(basename "$dir")
  (cd "$dir" && zip -q -r "$OUT/${name}_seed_corpus.zip" .)
done
