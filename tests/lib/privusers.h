/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private users for a root test process: its own mount namespace with
 * given files bind-mounted over /etc/passwd, /etc/group and
 * /etc/nsswitch.conf, so glibc's own files backend answers every lookup.
 *
 * For fixtures too large for nss_wrapper: nss_wrapper grows its parsed
 * group list one entry per line with realloc(), which glibc does in place
 * but ASan, TSan and valgrind do by copying, so a 68,546-line group file
 * takes minutes per process under them (glibc's files backend: 0.04 s).
 * Nothing outside the process changes: the mounts vanish with it.
 */
#pragma once

/* Call from main() before any lookup and before any thread exists.  Fails
 * the test (harness_fail) on error; does nothing when not root (the
 * harness then skips the whole executable). */
void private_users(const char *passwd, const char *group, const char *nsswitch);
