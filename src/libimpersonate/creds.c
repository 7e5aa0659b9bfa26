/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "creds.h"

#include <errno.h>
#include <string.h>
#include <linux/capability.h>

#include "internal.h"

/* ---- Reading -------------------------------------------------------------- */

static int read_ids_caps(struct imp_creds *c)
{
	int r = sys_getresuid(&c->uid[ID_REAL], &c->uid[ID_EFF], &c->uid[ID_SAVED]);
	if (r == 0)
		r = sys_getresgid(&c->gid[ID_REAL], &c->gid[ID_EFF], &c->gid[ID_SAVED]);
	if (r == 0)
		r = sys_capget(&c->caps);
	c->uid[ID_FS] = ID_UNKNOWN;
	c->gid[ID_FS] = ID_UNKNOWN;
	return r;
}

static int read_groups(struct imp_creds *c, gid_t *buf, size_t cap)
{
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

int creds_capture(struct imp_creds *c, gid_t *buf, size_t cap)
{
	int r = read_ids_caps(c);
	return r < 0 ? r : read_groups(c, buf, cap);
}

int creds_read(struct imp_creds *c, gid_t *buf, size_t cap)
{
	int r = creds_capture(c, buf, cap);
	long fsuid = r < 0 ? r : sys_setfsuid(ID_UNKNOWN);
	long fsgid = fsuid < 0 ? fsuid : sys_setfsgid(ID_UNKNOWN);
	if (fsgid < 0) /* SPEC T7: a failed query is an error, never an id */
		return (int)fsgid;
	c->uid[ID_FS] = (uid_t)fsuid;
	c->gid[ID_FS] = (gid_t)fsgid;
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

int creds_glance(struct imp_creds *c, const struct imp_creds *expected, bool read_ids, bool *groups_differ,
                 gid_t *buf, size_t cap)
{
	int r;
	if (read_ids) {
		r = read_ids_caps(c);
	} else {
		memcpy(c->uid, expected->uid, sizeof(c->uid));
		memcpy(c->gid, expected->gid, sizeof(c->gid));
		c->uid[ID_FS] = ID_UNKNOWN;
		c->gid[ID_FS] = ID_UNKNOWN;
		r = sys_capget(&c->caps);
	}
	if (r < 0)
		return r;
	*groups_differ = false;
	if (expected->caps.eff & CAP_BIT(CAP_SETGID)) {
		r = read_groups(c, buf, cap);
		*groups_differ = r == 0 && !groups_equal(c, expected);
	} else {
		long n = creds_count_groups();
		r = n < 0 ? (int)n : 0;
		c->ngroups = (size_t)n;
	}
	c->groups = NULL; /* the list is not kept: only its length */
	return r;
}

static bool caps_equal(const struct sys_caps *a, const struct sys_caps *b)
{
	return a->eff == b->eff && a->prm == b->prm && a->inh == b->inh;
}

bool creds_equal(const struct imp_creds *a, const struct imp_creds *b)
{
	return memcmp(a->uid, b->uid, sizeof(a->uid)) == 0 && memcmp(a->gid, b->gid, sizeof(a->gid)) == 0 &&
	       caps_equal(&a->caps, &b->caps) && groups_equal(a, b);
}

bool creds_differ(const struct imp_creds *found, const struct imp_creds *expected)
{
	for (int i = 0; i < ID_SLOTS; i++)
		if ((found->uid[i] != ID_UNKNOWN && found->uid[i] != expected->uid[i]) ||
		    (found->gid[i] != ID_UNKNOWN && found->gid[i] != expected->gid[i]))
			return true;
	if (!caps_equal(&found->caps, &expected->caps) || found->ngroups != expected->ngroups)
		return true;
	return found->groups && !groups_equal(found, expected);
}

/* ---- The steps ------------------------------------------------------------- */

/* One kind of id (uid or gid): its three syscalls, so the step is written
 * once for both. */
struct id_ops {
	int (*setres)(uint32_t r, uint32_t e, uint32_t s);
	int (*getres)(uint32_t *r, uint32_t *e, uint32_t *s);
	long (*setfs)(uint32_t fs);
};
static const struct id_ops uid_ops = {sys_setresuid, sys_getresuid, sys_setfsuid};
static const struct id_ops gid_ops = {sys_setresgid, sys_getresgid, sys_setfsgid};

/*
 * Real/effective/saved with one setres*id() when they differ, read back;
 * then the fs id, which setres*id() has just reset to the effective one
 * (trusted: the read-back confirmed the effective id).  setfs*id() returns
 * the fs id it found: that is how an unknown @cur fs id is learned (the own
 * one when impersonating, the tamper check when leaving); the one read-back
 * after it confirms the change (T7: setfs*id reports no errors).
 */
static int step_id(const struct id_ops *ops, uint32_t cur[ID_SLOTS], const uint32_t want[ID_SLOTS])
{
	bool res = memcmp(cur, want, sizeof(uint32_t) * ID_FS) != 0;
	if (res && cur[ID_FS] == ID_UNKNOWN) { /* learn it before setres*id() resets it */
		long q = ops->setfs(ID_UNKNOWN);
		if (q < 0)
			return (int)q;
		cur[ID_FS] = (uint32_t)q;
	}
	if (res) {
		uint32_t now[3];
		int r = ops->setres(want[ID_REAL], want[ID_EFF], want[ID_SAVED]);
		if (r == 0)
			r = ops->getres(&now[0], &now[1], &now[2]);
		if (r < 0)
			return r;
		if (memcmp(now, want, sizeof(now)) != 0)
			return -EIO;
	}
	uint32_t before = res ? want[ID_EFF] : cur[ID_FS];
	if (before == want[ID_FS])
		return 0;
	long prev = ops->setfs(want[ID_FS]);
	if (prev < 0)
		return (int)prev;
	if (before == ID_UNKNOWN)
		cur[ID_FS] = (uint32_t)prev;
	else if ((uint32_t)prev != before)
		return -EIO; /* not where the kernel had it a moment ago */
	long now = ops->setfs(ID_UNKNOWN);
	if (now < 0)
		return (int)now;
	return (uint32_t)now == want[ID_FS] ? 0 : -EPERM;
}

static int step_groups(const struct imp_creds *cur, const struct imp_creds *want, gid_t *scratch, size_t cap)
{
	if ((cur->groups || cur->ngroups == 0) && groups_equal(cur, want))
		return 0;
	int r = sys_setgroups(want->ngroups, want->groups);
	if (r < 0)
		return r;
	struct imp_creds now = {.ngroups = 0};
	r = read_groups(&now, scratch, cap);
	if (r < 0)
		return r;
	return groups_equal(&now, want) ? 0 : -EIO;
}

/* The last step: capabilities as wanted, read back once.  The kernel
 * rewrites the effective set when a uid changes (capabilities(7)), so a set
 * made before an id step is checked and made again if it moved. */
static int step_caps(const struct sys_caps *now_believed, const struct sys_caps *want, bool ids_moved)
{
	struct sys_caps now;
	int r = 0;
	bool set = !caps_equal(now_believed, want);
	if (!set && !ids_moved)
		return 0;
	for (int round = 0; round < 2; round++) {
		if (set && (r = sys_capset(want)) < 0)
			return r;
		if ((r = sys_capget(&now)) < 0)
			return r;
		if (caps_equal(&now, want))
			return 0;
		set = true; /* the kernel's fixup moved them after our set */
	}
	return -EIO;
}

/* ---- Moves ----------------------------------------------------------------- */

int creds_move(struct imp_creds *cur, const struct imp_creds *want, const struct sys_caps *priv,
               bool leaving, gid_t *scratch, size_t cap)
{
	bool ids = memcmp(cur->uid, want->uid, sizeof(cur->uid)) != 0 ||
	           memcmp(cur->gid, want->gid, sizeof(cur->gid)) != 0;
	bool grp = !cur->groups || !groups_equal(cur, want);
	struct sys_caps caps = cur->caps;
	int r = 0;

	/* SPEC T12: the capabilities that allow the changes come first (if
	 * they cannot be raised the steps that need them fail and say so) ... */
	if ((ids || grp) && !caps_equal(&caps, priv) && sys_capset(priv) == 0)
		caps = *priv;
	if (leaving) { /* ... then uid, gid, groups out of an impersonation */
		if (r == 0)
			r = step_id(&uid_ops, cur->uid, want->uid);
		if (r == 0)
			r = step_id(&gid_ops, cur->gid, want->gid);
		if (r == 0)
			r = step_groups(cur, want, scratch, cap);
	} else { /* ... or groups, gid, uid into one */
		if (r == 0)
			r = step_groups(cur, want, scratch, cap);
		if (r == 0)
			r = step_id(&gid_ops, cur->gid, want->gid);
		if (r == 0)
			r = step_id(&uid_ops, cur->uid, want->uid);
	}
	/* ... and the wanted capabilities last (T11). */
	return r < 0 ? r : step_caps(&caps, &want->caps, ids);
}

int creds_recover(const struct imp_creds *want, const struct sys_caps *priv, bool leaving, gid_t *scratch,
                  size_t cap)
{
	int r = -EIO;
	for (int attempt = 0; attempt < 2; attempt++) {
		struct imp_creds now, w = *want;
		r = creds_read(&now, scratch, cap);
		/* an fs id @want does not know was never changed: keep it */
		if (w.uid[ID_FS] == ID_UNKNOWN)
			w.uid[ID_FS] = now.uid[ID_FS];
		if (w.gid[ID_FS] == ID_UNKNOWN)
			w.gid[ID_FS] = now.gid[ID_FS];
		if (r == 0)
			r = creds_move(&now, &w, priv, leaving, scratch, cap);
		if (r == 0)
			return 0;
	}
	return r;
}
