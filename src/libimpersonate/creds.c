/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "creds.h"

#include <errno.h>
#include <string.h>

#include "internal.h"

int creds_read(struct imp_creds *c, gid_t *buf, size_t cap)
{
	int r = sys_getresuid(&c->uid[ID_REAL], &c->uid[ID_EFF], &c->uid[ID_SAVED]);
	if (r == 0)
		r = sys_getresgid(&c->gid[ID_REAL], &c->gid[ID_EFF], &c->gid[ID_SAVED]);
	if (r == 0)
		r = sys_capget(&c->caps);
	if (r < 0)
		return r;
	c->uid[ID_FS] = sys_setfsuid((uid_t)-1);
	c->gid[ID_FS] = sys_setfsgid((gid_t)-1);

	long n = sys_getgroups(cap, buf);
	if (n == -EINVAL)
		c->ngroups = SIZE_MAX;
	else if (n < 0)
		return (int)n;
	else
		c->ngroups = (size_t)n;
	c->groups = buf;
	return 0;
}

long creds_count_groups(void)
{
	return sys_getgroups(0, NULL);
}

static bool groups_equal(const struct imp_creds *a, const struct imp_creds *b)
{
	return a->ngroups == b->ngroups && a->ngroups != SIZE_MAX &&
	       (a->ngroups == 0 || memcmp(a->groups, b->groups, a->ngroups * sizeof(gid_t)) == 0);
}

static bool caps_equal(const struct imp_creds *a, const struct imp_creds *b)
{
	return a->caps.eff == b->caps.eff && a->caps.prm == b->caps.prm && a->caps.inh == b->caps.inh;
}

bool creds_equal(const struct imp_creds *a, const struct imp_creds *b)
{
	return memcmp(a->uid, b->uid, sizeof(a->uid)) == 0 && memcmp(a->gid, b->gid, sizeof(a->gid)) == 0 &&
	       caps_equal(a, b) && groups_equal(a, b);
}

/* ---- The four steps ------------------------------------------------------ */

enum step { STEP_GROUPS, STEP_GID, STEP_UID, STEP_CAPS };

/* SPEC T12: in, groups before gid before uid before capabilities (the caps
 * step last also overrides what the kernel did to the effective set when the
 * uid changed); out, capabilities first (CAP_SETUID/CAP_SETGID are needed for
 * the other steps), then the reverse. */
static const enum step apply_order[] = {STEP_GROUPS, STEP_GID, STEP_UID, STEP_CAPS};
static const enum step restore_order[] = {STEP_CAPS, STEP_UID, STEP_GID, STEP_GROUPS};

/* Set real/effective/saved with one setres*id() when they differ, then the fs
 * id, which setres*id() has just reset to the effective one. */
static int step_uid(const struct imp_creds *cur, const struct imp_creds *want)
{
	uid_t fs_now = cur->uid[ID_FS];
	if (memcmp(cur->uid, want->uid, sizeof(uid_t) * ID_FS) != 0) {
		int r = sys_setresuid(want->uid[ID_REAL], want->uid[ID_EFF], want->uid[ID_SAVED]);
		if (r < 0)
			return r;
		fs_now = want->uid[ID_EFF];
	}
	if (fs_now != want->uid[ID_FS]) {
		sys_setfsuid(want->uid[ID_FS]);
		if (sys_setfsuid((uid_t)-1) != want->uid[ID_FS])
			return -EPERM; /* setfsuid() reports nothing: read back */
	}
	return 0;
}

static int step_gid(const struct imp_creds *cur, const struct imp_creds *want)
{
	gid_t fs_now = cur->gid[ID_FS];
	if (memcmp(cur->gid, want->gid, sizeof(gid_t) * ID_FS) != 0) {
		int r = sys_setresgid(want->gid[ID_REAL], want->gid[ID_EFF], want->gid[ID_SAVED]);
		if (r < 0)
			return r;
		fs_now = want->gid[ID_EFF];
	}
	if (fs_now != want->gid[ID_FS]) {
		sys_setfsgid(want->gid[ID_FS]);
		if (sys_setfsgid((gid_t)-1) != want->gid[ID_FS])
			return -EPERM;
	}
	return 0;
}

static bool uid_changes(const struct imp_creds *cur, const struct imp_creds *want)
{
	return memcmp(cur->uid, want->uid, sizeof(cur->uid)) != 0;
}

/*
 * Run the steps in @order from @cur to @want.  A step runs only when its part
 * differs; the caps step also runs whenever the uid step ran before it,
 * because the kernel rewrites the effective set on uid changes
 * (capabilities(7)), and once more at the end if the uid step ran after it
 * and the kernel's adjustment left the sets different from @want.  @keep_going: carry on after a failed step (restore is best effort and
 * judged by the read-back); otherwise stop at the first failure.
 */
static int transition(const struct imp_creds *cur, const struct imp_creds *want, const enum step *order,
                      bool keep_going)
{
	bool uid_done = false, caps_done = false, caps_stale = false;
	int first_err = 0;

	for (size_t i = 0; i < 4; i++) {
		int r = 0;
		switch (order[i]) {
		case STEP_GROUPS:
			if (!groups_equal(cur, want))
				r = sys_setgroups(want->ngroups, want->groups);
			break;
		case STEP_GID:
			r = step_gid(cur, want);
			break;
		case STEP_UID:
			if (uid_changes(cur, want)) {
				r = step_uid(cur, want);
				uid_done = true;
				caps_stale = caps_done;
			}
			break;
		case STEP_CAPS:
			if (uid_done || !caps_equal(cur, want))
				r = sys_capset(&want->caps);
			caps_done = true;
			break;
		default:
			r = -EINVAL;
		}
		if (r < 0 && first_err == 0)
			first_err = r;
		if (r < 0 && !keep_going)
			return r;
	}
	if (caps_stale) { /* only when the kernel's fixup really changed them */
		struct sys_caps now;
		int r = sys_capget(&now);
		if (r == 0 && (now.eff != want->caps.eff || now.prm != want->caps.prm || now.inh != want->caps.inh))
			r = sys_capset(&want->caps);
		if (r < 0 && first_err == 0)
			first_err = r;
	}
	return first_err;
}

static bool verify(const struct imp_creds *want, gid_t *scratch, size_t cap)
{
	struct imp_creds now;
	return creds_read(&now, scratch, cap) == 0 && creds_equal(&now, want);
}

void creds_restore(const struct imp_creds *own, const struct imp_creds *expected, bool *tampered,
                   gid_t *scratch, size_t cap)
{
	struct imp_creds cur;

	if (creds_read(&cur, scratch, cap) < 0)
		imp_panic("impersonate: cannot read the thread's credentials to revert");
	if (expected && !creds_equal(&cur, expected) && tampered)
		*tampered = true;
	(void)transition(&cur, own, restore_order, true);
	if (!verify(own, scratch, cap))
		imp_panic("impersonate: cannot restore the thread's own credentials");
}

int creds_apply(const struct imp_creds *own, const struct imp_creds *want, gid_t *scratch, size_t cap)
{
	int r = transition(own, want, apply_order, false);
	if (r == 0 && !verify(want, scratch, cap))
		r = -EIO;
	if (r < 0)
		creds_restore(own, NULL, NULL, scratch, cap); /* SPEC T6 */
	return r;
}
