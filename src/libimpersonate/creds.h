/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The credential engine: capture, move, verify, recover.
 *
 * The only code in the library that changes credentials.  It works on
 * snapshots of one thread's kernel credentials (struct imp_creds) and moves
 * the thread from one snapshot to another with raw syscalls, in the fixed
 * order of SPEC T12, reading each change back once (T7).  It never
 * allocates, locks or logs: callers provide every buffer.
 *
 * Nothing is read twice: a snapshot may leave the fs ids unknown (the
 * setfs*id() call that changes them returns them, T2/T9) and the group list
 * unknown (only its length read), and a move fills in what it learns.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys.h"

enum { ID_REAL, ID_EFF, ID_SAVED, ID_FS, ID_SLOTS };

/* An fs id not read yet; no real id has this value. */
#define ID_UNKNOWN ((uid_t)-1)

struct imp_creds {
	uid_t uid[ID_SLOTS]; /* uid[ID_FS], gid[ID_FS] may be ID_UNKNOWN */
	gid_t gid[ID_SLOTS];
	struct sys_caps caps;
	/* Sorted as the kernel keeps them.  The array belongs to whoever filled
	 * the snapshot; SIZE_MAX means "more than the buffer could hold"; NULL
	 * with a count means only the count was read. */
	size_t ngroups;
	const gid_t *groups;
};

/* Everything, fs ids included.  Returns 0 or -errno; more than @cap groups
 * is not an error (c->ngroups = SIZE_MAX) so that a comparison fails. */
int creds_read(struct imp_creds *c, gid_t *buf, size_t cap);

/* The thread's own credentials before a first impersonation (T2): as
 * creds_read(), but the fs ids are left unknown for creds_move() to learn
 * from the setfs*id() calls that change them. */
int creds_capture(struct imp_creds *c, gid_t *buf, size_t cap);

/* What leaving @expected must check for tampering (T9): capabilities and
 * the number of groups; the group list itself only when @expected holds
 * CAP_SETGID (without it nothing can change the list behind our back
 * without first changing the capabilities, which are read), compared at
 * once into *@groups_differ (c->groups is left NULL).  Real, effective and
 * saved ids only if @read_ids; else they are taken as @expected's: the
 * caller knows that any change of them would also reset the fs ids, which
 * the move finds.  fs ids are left unknown: the move learns them. */
int creds_glance(struct imp_creds *c, const struct imp_creds *expected, bool read_ids, bool *groups_differ,
                 gid_t *buf, size_t cap);

/* Number of supplementary groups the calling thread has now. */
long creds_count_groups(void);

bool creds_equal(const struct imp_creds *a, const struct imp_creds *b);

/* true if @found (a glance or capture, after the move filled in the fs ids)
 * differs from @expected in anything that was read. */
bool creds_differ(const struct imp_creds *found, const struct imp_creds *expected);

/*
 * Move the thread from @cur (what it has now, as read) to @want and read
 * each change back.  @priv: capabilities that allow the id changes, raised
 * first when @cur lacks them.  @leaving: @want is the thread's own identity
 * (order caps, uid, gid, groups) rather than an impersonation (groups, gid,
 * uid, caps).  Unknown fs ids of @cur are filled in with what was found.
 * @scratch (room for @cap groups, at least @want's) receives read-backs.
 * Returns 0, -EIO (a read-back differs) or the failing syscall's -errno;
 * on failure the thread is anywhere between @cur and @want: recover.
 */
int creds_move(struct imp_creds *cur, const struct imp_creds *want, const struct sys_caps *priv,
               bool leaving, gid_t *scratch, size_t cap);

/*
 * Bring the thread to @want from wherever it is, reading everything first
 * (the slow path after a failed move): 0 when @want is reached and
 * verified, else the last -errno.  Tries twice (a transient fault).
 */
int creds_recover(const struct imp_creds *want, const struct sys_caps *priv, bool leaving,
                  gid_t *scratch, size_t cap);
