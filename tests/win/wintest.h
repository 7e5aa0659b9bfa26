/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the SSPI/COM conformance tests: tokens for the fixture users,
 * kernel-state expectations, and a real PAM handle carrying a token the way
 * pam_impersonate(8) registers it.  The worker thread that runs steps on
 * request (to act and be observed on a second thread) is tests/lib/worker.h.
 */
#pragma once

#include <security/pam_appl.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"
#include "worker.h" /* a worker thread that runs steps on request */

#define ALICE 60001
#define BOB 60002
#define SHARED 60100

/* A token with groups {gid, SHARED}. */
imp_token *wt_token(uid_t uid, gid_t gid, unsigned flags);

/* The kernel state of thread @tid (0: caller) is exactly @want. */
#define EXPECT_SAME(tid, want)                                                    \
	do {                                                                      \
		struct kcreds now_;                                               \
		kc_read((tid), &now_);                                            \
		if (!kc_equal(&now_, (want))) {                                   \
			kc_print("expected", (want));                             \
			kc_print("kernel  ", &now_);                              \
			harness_fail(__FILE__, __LINE__, "thread %d changed", (int)(tid)); \
		}                                                                 \
	} while (0)

/* Thread @tid runs fs-impersonating @uid/@gid on top of @own: fsuid/fsgid
 * are the client's, real/effective/saved ids are @own's, groups are
 * {gid, SHARED}, the effective capability set is empty and the permitted one
 * is @own's (SPEC T10, T11). */
void wt_expect_client(int line, pid_t tid, const struct kcreds *own, uid_t uid, gid_t gid);
#define EXPECT_CLIENT(tid, own, uid, gid) wt_expect_client(__LINE__, (tid), (own), (uid), (gid))

/* A PAM handle from pam_start_confdir() with a private service file
 * (pam_permit by absolute path) and @tok registered on it with
 * imp_pam_register(), as pam_impersonate does (NULL: none registered). */
pam_handle_t *wt_pam_start(const char *user, imp_token *tok);
/* Unregister (the module does it from its pam_end cleanup), pam_end, remove
 * the service directory. */
void wt_pam_end(pam_handle_t *pamh);

/* Tampering behind the library's back: a raw setfsuid(2) on this thread. */
void wt_tamper_fsuid(uid_t uid);
/* Give this thread distinctive own credentials with raw syscalls: groups
 * @groups, and CAP_NET_RAW dropped from the effective set. */
void wt_make_distinctive(const gid_t *groups, int n);
