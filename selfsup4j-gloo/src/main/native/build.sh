#!/bin/sh
# Builds the JNI shim (called by Maven in process-classes).
# Usage: build.sh HEADER_DIR OUTPUT_DIR REQUIRED(true|false) JAVA_HOME [GLOO_PREFIX (/usr)]
# Without libgloo-dev: one warning line and exit 0 (the tests skip), or exit 1 when required.
set -e
header_dir="$1"; out_dir="$2"; required="$3"; java_home="$4"; prefix="${5:-/usr}"
src="$(dirname "$0")/gloo_jni.cc"
# gloo/common/memory.h, which Debian 12's libgloo-dev lacks; searched after the system's
compat="$(dirname "$0")/compat"
missing=""
[ -f "$prefix/include/gloo/rendezvous/context.h" ] || missing="$prefix/include/gloo (libgloo-dev)"
found=""
for f in "$prefix"/lib/libgloo.so "$prefix"/lib/*/libgloo.so; do [ -f "$f" ] && found="$f"; done
[ -n "$found" ] || missing="$missing libgloo.so (libgloo-dev)"
command -v g++ >/dev/null 2>&1 || missing="$missing g++"
lib="$out_dir/native/libselfsup4j_gloo.so"
if [ -n "$missing" ]; then
  rm -f "$lib" # a shim left from an earlier build must not be tested against a missing library
  if [ "$required" = "true" ]; then
    echo "[ERROR] selfsup4j-gloo: gloo.required=true but missing: $missing (apt-get install libgloo-dev g++)" >&2
    exit 1
  fi
  echo "[WARNING] selfsup4j-gloo: native shim not built, its tests will be skipped; missing: $missing (apt-get install libgloo-dev g++)"
  exit 0
fi
# The Redis rendezvous (Gloo's own RedisStore) needs a Gloo built with Redis and hiredis'
# headers (libgloo-dev depends on libhiredis-dev); without them the shim refuses redis://.
redis=1
grep -q 'define GLOO_USE_REDIS 1' "$prefix/include/gloo/config.h" || redis=0
[ -f "$prefix/include/hiredis/hiredis.h" ] || [ -f /usr/include/hiredis/hiredis.h ] || redis=0
if [ "$redis" = 0 ]; then
  echo "[WARNING] selfsup4j-gloo: built without the Redis rendezvous (--rdzv redis:// is refused);" \
    "needs a libgloo-dev built with Redis and libhiredis-dev"
fi
[ -f "$java_home/include/jni.h" ] || java_home="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
mkdir -p "$out_dir/native"
# rebuild only when the source, a generated header or the Redis choice changed
stamp="$header_dir/redis.stamp"
if [ -f "$lib" ] && [ "$lib" -nt "$src" ] && [ "$lib" -nt "$compat/gloo/common/memory.h" ] \
  && [ "$lib" -nt "$header_dir/io_github_selfsup4j_gloo_GlooCollective.h" ] \
  && [ "$lib" -nt "$header_dir/io_github_selfsup4j_gloo_RedisStore.h" ] \
  && [ "$(cat "$stamp" 2>/dev/null)" = "$redis" ]; then
  exit 0
fi
g++ -std=c++17 -O2 -fPIC -shared -Wall -Wextra -Werror \
  -DSELFSUP4J_REDIS="$redis" -DHIREDIS_NESTED_INCLUDE \
  -I"$header_dir" -I"$prefix/include" -I"$java_home/include" -I"$java_home/include/linux" \
  -idirafter "$compat" \
  "$src" -o "$lib" -L"$(dirname "$found")" -lgloo -Wl,--no-undefined
echo "$redis" > "$stamp"
