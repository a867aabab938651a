#!/bin/sh
# Builds one of lib/meta-flow's fuzz targets with clang++, libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs it.
#   test/fuzz/meta-flow/run-fuzz.sh [extract|decoders] [SECONDS] [WORKDIR]
# The target defaults to extract (packet -> flow), SECONDS to 600.  The
# growing corpus is kept in WORKDIR/corpus (default /tmp/metaflow-fuzz-TARGET),
# seeded from the checked-in corpus; crashes land in WORKDIR as crash-*.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
target=extract
case "${1:-}" in extract|decoders) target=$1; shift ;; esac
secs=${1:-600}
work=${2:-/tmp/metaflow-fuzz-$target}
mkdir -p "$work/corpus"
cp -n "$top/test/fuzz/meta-flow/corpus/$target/"* "$work/corpus/" 2>/dev/null || true
flags="-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
# shellcheck disable=SC2086
clang++ $flags -I"$top/lib" -I"$top" \
    "$top/test/fuzz/meta-flow/${target}_fuzz.cpp" \
    $(ls "$top"/lib/meta-flow/*.cpp) \
    "$top/lib/dpif/nl_attr.cpp" "$top/lib/dpif/error.cpp" \
    -o "$work/${target}_fuzz"
cd "$work"
exec "./${target}_fuzz" -max_total_time="$secs" -max_len=2048 -print_final_stats=1 corpus
