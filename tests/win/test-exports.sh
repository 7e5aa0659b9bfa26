#!/bin/bash
# Exported symbols (done-criterion of the Windows layer):
#  - libimpersonate.so still exports only imp_* (the Windows names live in
#    their own library);
#  - libimpersonate-win.so exports exactly the names declared in
#    impersonate/sspi.h and impersonate/com.h, which are exactly the names
#    of its version script.
set -euo pipefail
core=$1 win=$2 map=$3
shift 3
headers=("$@")

exports() {
	nm -D --defined-only "$1" | awk '$2 != "A" {sub(/@.*/, "", $3); print $3}' | sort
}

bad=$(exports "$core" | grep -v '^imp_' || true)
[ -z "$bad" ] || { echo "libimpersonate.so exports non-imp_* names: $bad"; exit 1; }
echo "ok: libimpersonate.so exports $(exports "$core" | wc -l) names, all imp_*"

# Declarations: "TYPE SEC_ENTRY Name(" / "HRESULT STDMETHODCALLTYPE Name(" /
# "TYPE WINAPI Name(" and
# "extern const IID Name;" (typedefs and vtable members have a '*').
declared=$(cat "${headers[@]}" |
	sed -nE 's/^[A-Za-z_]+ (SEC_ENTRY|STDMETHODCALLTYPE|WINAPI) ([A-Za-z_][A-Za-z0-9_]*)\(.*/\2/p;
	         s/^extern const IID ([A-Za-z_]+);/\1/p' | sort -u)
mapped=$(sed -nE 's/^\t([A-Za-z_][A-Za-z0-9_]*);$/\1/p' "$map" | sort -u)
exported=$(exports "$win")

[ -n "$declared" ] || { echo "no declarations found"; exit 1; }
if [ "$exported" != "$declared" ] || [ "$mapped" != "$declared" ]; then
	echo "exported vs declared:"; diff <(echo "$exported") <(echo "$declared") || true
	echo "version script vs declared:"; diff <(echo "$mapped") <(echo "$declared") || true
	exit 1
fi
echo "ok: libimpersonate-win.so exports exactly the $(echo "$declared" | wc -l) declared names:"
echo "$exported" | sed 's/^/  /'
