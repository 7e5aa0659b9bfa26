/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tokens (SPEC K1-K4): immutable identities, reference counted, shared
 * between threads.  Everything slow (NSS, allocation, capability names)
 * happens here, when a token is made, never while switching (T13).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <unistd.h>

#include "internal.h"
#include "nsswalk.h"

static int gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
	return (x > y) - (x < y);
}

static size_t ngroups_max(void)
{
	long n = sysconf(_SC_NGROUPS_MAX);
	return n > 0 ? (size_t)n : 65536;
}

/* One allocation: header, sorted unique groups, then the name. */
int token_alloc(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, unsigned flags,
                       const char *name, imp_token **ret)
{
	size_t namelen = strlen(name) + 1;
	imp_token *t = malloc(sizeof(*t) + ngroups * sizeof(gid_t) + namelen);
	if (!t)
		return -ENOMEM;

	*t = (imp_token){.magic = IMP_TOKEN_MAGIC, .uid = uid, .gid = gid, .flags = flags};
	atomic_init(&t->refs, 1);
	atomic_init(&t->revoked, false);
	if (ngroups)
		memcpy(t->groups, groups, ngroups * sizeof(gid_t));
	qsort(t->groups, ngroups, sizeof(gid_t), gid_cmp);
	size_t n = 0;
	for (size_t i = 0; i < ngroups; i++)
		if (n == 0 || t->groups[n - 1] != t->groups[i])
			t->groups[n++] = t->groups[i];
	t->ngroups = n;
	char *namecopy = (char *)(t->groups + ngroups);
	memcpy(namecopy, name, namelen);
	t->name = namecopy;
	*ret = t;
	return 0;
}

static bool id_valid(uint32_t id)
{
	return id != (uint32_t)-1;
}

IMP_PUBLIC int imp_token_new(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, unsigned flags,
                             imp_token **ret)
{
	if (!id_valid(uid) || !id_valid(gid) || (flags & ~IMP_TOKEN_FLAGS_MASK) ||
	    (ngroups && !groups) || ngroups > ngroups_max())
		return -EINVAL;
	for (size_t i = 0; i < ngroups; i++)
		if (!id_valid(groups[i]))
			return -EINVAL;

	char name[32], buf[4096];
	struct passwd pw, *found = NULL;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found && strlen(found->pw_name) < 32)
		snprintf(name, sizeof(name), "%s", found->pw_name);
	else
		snprintf(name, sizeof(name), "%u", (unsigned)uid);
	return token_alloc(uid, gid, groups, ngroups, flags & ~IMP_GROUPS_PRIMARY_ONLY, name, ret);
}

IMP_PUBLIC int imp_token_for_user(const char *name, unsigned flags, imp_token **ret)
{
	if (!name || !*name || (flags & ~IMP_TOKEN_FLAGS_MASK))
		return -EINVAL;

	char *buf = NULL;
	gid_t *groups = NULL;
	size_t ngroups = 0;
	struct passwd pw;
	int r = nss_user(name, &pw, &buf); /* SPEC A4: an outage is -EHOSTDOWN, never -ENOENT */
	if (r == 0 && (flags & IMP_GROUPS_PRIMARY_ONLY)) {
		r = token_alloc(pw.pw_uid, pw.pw_gid, &pw.pw_gid, 1, flags & ~IMP_GROUPS_PRIMARY_ONLY,
		                pw.pw_name, ret);
	} else if (r == 0) {
		r = nss_groups(pw.pw_name, pw.pw_gid, ngroups_max(), &groups, &ngroups); /* K2, A4 */
		if (r == 0)
			r = token_alloc(pw.pw_uid, pw.pw_gid, groups, ngroups, flags, pw.pw_name, ret);
	}
	free(groups);
	free(buf);
	return r;
}

/* One name exactly as libcap spells it (any case).  cap_from_name() alone
 * is lenient: it reads "cap_chown;cap_kill" or "cap_chown=ep" as cap_chown
 * and "12" as a number; the name must also be all name characters and read
 * back the same from cap_to_name(). */
static bool cap_name_valid(const char *name, cap_value_t *v)
{
	if (strncasecmp(name, "cap_", 4) != 0 ||
	    name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] != '\0' ||
	    cap_from_name(name, v) < 0 || *v < 0 || *v > 63)
		return false;
	char *canonical = cap_to_name(*v);
	bool same = canonical && strcasecmp(canonical, name) == 0;
	cap_free(canonical);
	return same;
}

IMP_PUBLIC int imp_caps_parse(const char *names, uint64_t *mask)
{
	uint64_t m = 0;
	if (!names)
		return -EINVAL;
	for (const char *p = names;;) {
		char name[64];
		p += strspn(p, " \t");
		size_t n = strcspn(p, ",");
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		cap_value_t v;
		if (n == 0 || n >= sizeof(name))
			return -EINVAL; /* empty element or no name that long */
		memcpy(name, p, n);
		name[n] = '\0';
		if (!cap_name_valid(name, &v))
			return -EINVAL;
		m |= CAP_BIT(v);
		p += n;
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		p++; /* the comma */
	}
	*mask = m;
	return 0;
}

IMP_PUBLIC int imp_token_with_caps(const imp_token *base, const char *caps, imp_token **ret)
{
	uint64_t mask;
	imp_token *t;
	if (!token_valid(base) || !caps)
		return -EINVAL;
	int r = imp_caps_parse(caps, &mask);
	if (r == 0)
		r = token_alloc(base->uid, base->gid, base->groups, base->ngroups, base->flags, base->name, &t);
	if (r < 0)
		return r;
	t->kept_caps = mask;
	t->base = imp_token_ref((imp_token *)base); /* follows its revocation */
	*ret = t;
	return 0;
}

IMP_PUBLIC imp_token *imp_token_ref(imp_token *tok)
{
	if (token_valid(tok))
		atomic_fetch_add_explicit(&tok->refs, 1, memory_order_relaxed);
	return tok;
}

IMP_PUBLIC void imp_token_unref(imp_token *tok)
{
	if (!token_valid(tok))
		return;
	if (atomic_fetch_sub_explicit(&tok->refs, 1, memory_order_acq_rel) == 1) {
		imp_token *base = tok->base;
		uring_token_freed(tok); /* SPEC U2 */
		tok->magic = IMP_DEAD_MAGIC;
		free(tok);
		imp_token_unref(base);
	}
}

IMP_PUBLIC void imp_token_revoke(imp_token *tok)
{
	if (!token_valid(tok))
		return;
	atomic_store(&tok->revoked, true);
	uring_token_revoked(tok); /* SPEC U2 */
}

IMP_PUBLIC bool imp_token_is_revoked(const imp_token *tok)
{
	return !token_valid(tok) || token_revoked(tok);
}

IMP_PUBLIC uid_t imp_token_uid(const imp_token *tok)
{
	return token_valid(tok) ? tok->uid : (uid_t)-1;
}

IMP_PUBLIC gid_t imp_token_gid(const imp_token *tok)
{
	return token_valid(tok) ? tok->gid : (gid_t)-1;
}

IMP_PUBLIC const gid_t *imp_token_groups(const imp_token *tok, size_t *ngroups)
{
	*ngroups = token_valid(tok) ? tok->ngroups : 0;
	return token_valid(tok) ? tok->groups : NULL;
}

IMP_PUBLIC const char *imp_token_user_name(const imp_token *tok)
{
	return token_valid(tok) ? tok->name : NULL;
}

IMP_PUBLIC unsigned imp_token_flags(const imp_token *tok)
{
	return token_valid(tok) ? tok->flags : 0;
}

IMP_PUBLIC uint64_t imp_token_kept_caps(const imp_token *tok)
{
	return token_valid(tok) ? tok->kept_caps : 0;
}
