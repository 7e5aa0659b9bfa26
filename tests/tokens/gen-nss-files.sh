#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Private user files for the K2 tests: the shared fixtures (copied, not
# edited) plus users in very many groups, and an nsswitch.conf that reads
# only them.  The test bind-mounts them over /etc in its own mount namespace
# (tests/lib/privusers.h says why not nss_wrapper).
#   many      (61000) is in 3000 groups, gids 70000-72999
#   maxgroups (61001) is in 65535 groups, gids 100000-165534: with its
#             primary group that is 65536 = NGROUPS_MAX, the kernel's limit
#   toomany   (61002) is in 65536 groups, gids 100000-165535: one over
# usage: gen-nss-files.sh FIXTURES_DIR OUT_PASSWD OUT_GROUP OUT_NSSWITCH
set -eu
fixtures=$1 passwd=$2 group=$3 nsswitch=$4

{
	cat "$fixtures/passwd"
	echo "many:x:61000:61000:In 3000 groups:/nonexistent:/bin/false"
	echo "maxgroups:x:61001:61001:In NGROUPS_MAX groups:/nonexistent:/bin/false"
	echo "toomany:x:61002:61002:In NGROUPS_MAX+1 groups:/nonexistent:/bin/false"
} >"$passwd.tmp"

{
	cat "$fixtures/group"
	echo "many:x:61000:"
	echo "maxgroups:x:61001:"
	echo "toomany:x:61002:"
	awk 'BEGIN {
		for (g = 70000; g < 73000; g++)
			printf "m%d:x:%d:many\n", g, g
		for (g = 100000; g < 165535; g++)
			printf "x%d:x:%d:maxgroups,toomany\n", g, g
		printf "x165535:x:165535:toomany\n"
	}'
} >"$group.tmp"

printf 'passwd: files\ngroup: files\n' >"$nsswitch"
mv "$passwd.tmp" "$passwd"
mv "$group.tmp" "$group"
