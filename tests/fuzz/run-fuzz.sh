#!/bin/bash
# run-fuzz.sh FUZZER CORPUS SECONDS: replay the committed corpus, then fuzz
# for SECONDS with new inputs kept in a scratch directory (removed after).
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
scratch=$(mktemp -d /tmp/fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
"$fuzzer" -runs=0 "$corpus"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$scratch/" -print_final_stats=1 "$scratch" "$corpus"
