#!/bin/sh
# Builds lib/meta-flow's packet-extraction fuzzer with clang++, libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs it.
#   test/fuzz/meta-flow/run-fuzz.sh [SECONDS] [WORKDIR]
# SECONDS defaults to 600.  The growing corpus is kept in WORKDIR/corpus
# (default /tmp/metaflow-fuzz); crashes land in WORKDIR as crash-*.
set -eu
top=$(cd "$(dirname "$0")/../../.." && pwd)
secs=${1:-600}
work=${2:-/tmp/metaflow-fuzz}
mkdir -p "$work/corpus"
cp -n "$top/test/fuzz/meta-flow/corpus/extract/"* "$work/corpus/" 2>/dev/null || true
flags="-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
clang++ $flags -I"$top/lib" -I"$top" \
    "$top/test/fuzz/meta-flow/extract_fuzz.cpp" \
    "$top/lib/meta-flow/net_types.cpp" "$top/lib/meta-flow/flow.cpp" \
    "$top/lib/meta-flow/field.cpp" "$top/lib/meta-flow/match.cpp" \
    "$top/lib/meta-flow/datapath_key.cpp" "$top/lib/meta-flow/extract.cpp" \
    "$top/lib/dpif/nl_attr.cpp" "$top/lib/dpif/error.cpp" \
    -o "$work/extract_fuzz"
cd "$work"
exec ./extract_fuzz -max_total_time="$secs" -max_len=2048 -print_final_stats=1 corpus
