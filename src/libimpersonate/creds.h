/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The credential engine: capture, apply, verify, restore.
 *
 * The only code in the library that changes credentials.  It works on
 * complete snapshots of one thread's kernel credentials (struct imp_creds)
 * and moves the thread from one snapshot to another with raw syscalls, in
 * the fixed order of SPEC T12, reading the result back (T7).  It never
 * allocates, locks or logs: callers provide every buffer.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys.h"

enum { ID_REAL, ID_EFF, ID_SAVED, ID_FS, ID_SLOTS };

struct imp_creds {
	uid_t uid[ID_SLOTS];
	gid_t gid[ID_SLOTS];
	struct sys_caps caps;
	/* Sorted as the kernel keeps them.  The array belongs to whoever filled
	 * the snapshot; SIZE_MAX means "more than the buffer could hold". */
	size_t ngroups;
	const gid_t *groups;
};

/* Read the calling thread's credentials into @c, groups into @buf (room for
 * @cap entries).  Returns 0 or -errno; more than @cap groups is not an error
 * (c->ngroups = SIZE_MAX) so that a comparison simply fails. */
int creds_read(struct imp_creds *c, gid_t *buf, size_t cap);

/* Number of supplementary groups the calling thread has now. */
long creds_count_groups(void);

bool creds_equal(const struct imp_creds *a, const struct imp_creds *b);

/*
 * Move the thread from @own (its current state, just read) to @want:
 * groups, gid, uid, capabilities; then read back and compare.  On any
 * failure the thread is moved back to @own and verified; if that fails too
 * the panic handler runs.  @scratch (room for @cap groups, at least
 * max(own, want) groups) receives read-backs.
 * Returns 0, -EIO (read-back differs) or the failing syscall's -errno.
 */
int creds_apply(const struct imp_creds *own, const struct imp_creds *want, gid_t *scratch,
                size_t cap);

/*
 * Move the thread back to @own from whatever it is now: capabilities, uid,
 * gid, groups; then read back and compare.  If @expected is given and the
 * state found before restoring differs from it, *@tampered is set (T9).
 * Does not return if @own cannot be restored and verified (T8).
 */
void creds_restore(const struct imp_creds *own, const struct imp_creds *expected, bool *tampered,
                   gid_t *scratch, size_t cap);
