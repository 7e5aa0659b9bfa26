#!/bin/bash
# libimpersonate.so exports exactly the imp_* functions declared in
# impersonate.h: nothing internal leaks, nothing declared is missing.
set -euo pipefail
lib=$1 header=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" {sub(/@.*/, "", $3); print $3}' | sort)
declared=$(grep -oE '\bimp_[a-z_]+\(' "$header" | tr -d '(' | sort -u)
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
[ -z "$extra" ] || { echo "exported but not declared: $extra"; exit 1; }
[ -z "$missing" ] || { echo "declared but not exported: $missing"; exit 1; }
echo "ok: $(echo "$exported" | wc -l) symbols, all imp_* and declared"
