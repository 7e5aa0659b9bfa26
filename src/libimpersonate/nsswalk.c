/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Users and groups from the NSS services themselves (SPEC K2, A4).
 *
 * glibc's getgrouplist() and initgroups() (what sshd, login and su use)
 * call each service's initgroups_dyn and throw its status away: with a
 * directory down they return the groups the other sources know, a smaller
 * list that reads as the truth.  getpwnam_r() keeps only the status of the
 * last service consulted, so "passwd: files ldap systemd" with LDAP down
 * answers "no such user".  A token must never be made from such an answer,
 * so this file walks the services of nsswitch.conf the way glibc does
 * (same order, same [STATUS=action] rules, same functions in the same
 * modules) and keeps what glibc drops: whether a source could not answer.
 *
 * When the process replaces getpwnam_r() or getgrouplist() (an LD_PRELOAD
 * interposer such as nss_wrapper, or its own definition), the replacement
 * is what the process declared as its user database and is used as is.
 */
#include <dlfcn.h>
#include <errno.h>
#include <gnu/lib-names.h>
#include <grp.h>
#include <nss.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nsswalk.h"

#define NSS_CONF "/etc/nsswitch.conf"
#define MAX_SERVICES 16

struct service {
	char name[32];
	bool ret[5]; /* by status + 2 (TRYAGAIN..RETURN): action is "return" */
};

/* ---- nsswitch.conf ------------------------------------------------------- */

static int status_index(const char *s, size_t n)
{
	static const char *const names[] = {"tryagain", "unavail", "notfound", "success"};
	for (int i = 0; i < 4; i++)
		if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
			return i;
	return -1;
}

/* One "[!STATUS=action ...]" block applied to @svc; returns the text after
 * it, or NULL when it is malformed (glibc then ignores the whole line). */
static const char *parse_actions(const char *p, struct service *svc)
{
	for (p++;;) {
		p += strspn(p, " \t");
		if (*p == ']')
			return p + 1;
		bool negate = *p == '!';
		p += negate;
		size_t n = strcspn(p, "= \t]");
		int st = status_index(p, n);
		if (st < 0 || p[n] != '=')
			return NULL;
		p += n + 1;
		n = strcspn(p, " \t]");
		bool ret;
		if (n == 6 && strncasecmp(p, "return", 6) == 0)
			ret = true;
		else if ((n == 8 && strncasecmp(p, "continue", 8) == 0) || (n == 5 && strncasecmp(p, "merge", 5) == 0))
			ret = false;
		else
			return NULL;
		for (int i = 0; i < 4; i++)
			if ((i == st) != negate)
				svc->ret[i] = ret;
		p += n;
	}
}

/* The services of one "db: ..." line. */
static int parse_services(const char *p, struct service *svc, size_t *count)
{
	size_t n = 0;
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0' || *p == '\n' || *p == '#')
			break;
		if (*p == '[') {
			if (n == 0 || !(p = parse_actions(p, &svc[n - 1])))
				return -EINVAL;
			continue;
		}
		size_t len = strcspn(p, " \t\n[#");
		if (n == MAX_SERVICES || len >= sizeof(svc->name) ||
		    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") < len)
			return -EINVAL;
		svc[n] = (struct service){.ret = {false, false, false, true, true}};
		memcpy(svc[n].name, p, len);
		n++;
		p += len;
	}
	*count = n;
	return n ? 0 : -EINVAL;
}

/* The services configured for @db; -ENOENT when the file or the line is
 * missing (glibc then uses built-in defaults: the caller falls back to the
 * glibc function), -EINVAL when the line is not understood. */
static int nss_config(const char *db, struct service *svc, size_t *count)
{
	FILE *f = fopen(NSS_CONF, "re");
	if (!f)
		return -ENOENT;
	char *line = NULL;
	size_t cap = 0, dblen = strlen(db);
	int r = -ENOENT;
	while (r == -ENOENT && getline(&line, &cap, f) > 0) {
		const char *p = line + strspn(line, " \t");
		if (strncmp(p, db, dblen) != 0)
			continue;
		p += dblen;
		p += strspn(p, " \t");
		if (*p == ':')
			r = parse_services(p + 1, svc, count);
	}
	free(line);
	fclose(f);
	return r;
}

/* _nss_<service>_<fn> from libnss_<service>.so.2, loaded as glibc loads it
 * (and, like glibc, never unloaded); NULL when the module or the function
 * does not exist. */
static void *nss_fn(const char *service, const char *fn)
{
	char lib[64], sym[96];
	snprintf(lib, sizeof(lib), "libnss_%s.so.2", service);
	void *h = dlopen(lib, RTLD_LAZY);
	if (!h)
		return NULL;
	snprintf(sym, sizeof(sym), "_nss_%s_%s", service, fn);
	return dlsym(h, sym);
}

/* Whether the process replaced the libc function @name. */
static bool interposed(const char *name)
{
	void *libc = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);
	void *real = libc ? dlsym(libc, name) : NULL;
	if (libc)
		dlclose(libc);
	/* A sanitizer's interceptor (ASan, TSan: __interceptor_<name>) only
	 * watches the call and forwards it to libc: not a user database. */
	char alias[64];
	snprintf(alias, sizeof(alias), "__interceptor_%s", name);
	void *found = dlsym(RTLD_DEFAULT, name);
	return !real || (found != real && found != dlsym(RTLD_DEFAULT, alias));
}

/* A source that was asked and could not answer.  TRYAGAIN with ERANGE
 * (buffer too small) is handled by the callers before this.  A status no
 * module may return (glibc aborts on one) is taken as no answer. */
static bool unavailable(enum nss_status st)
{
	return st == NSS_STATUS_UNAVAIL || st == NSS_STATUS_TRYAGAIN || st < NSS_STATUS_TRYAGAIN ||
	       st > NSS_STATUS_RETURN;
}

/* A module that says it has nothing to ask on this machine: no source
 * there, so nothing missing.  nss_systemd answers UNAVAIL with ESRCH when
 * no user database service is registered at all (no systemd as PID 1:
 * containers, chroots, early boot); a registered service that does not
 * answer is still an outage. */
static bool no_source(const char *service, enum nss_status st, int err)
{
	return st == NSS_STATUS_UNAVAIL && err == ESRCH && strcmp(service, "systemd") == 0;
}

/* ---- Users ------------------------------------------------------------------ */

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);

/* One service's answer for @name, the buffer grown on ERANGE. */
static enum nss_status user_from(getpwnam_fn fn, const char *name, struct passwd *pw, char **buf, int *err)
{
	for (size_t size = 1024;; size *= 2) {
		char *b = realloc(*buf, size);
		if (!b) {
			*err = ENOMEM;
			return NSS_STATUS_TRYAGAIN;
		}
		*buf = b;
		*err = 0;
		enum nss_status st = fn(name, pw, b, size, err);
		if (st != NSS_STATUS_TRYAGAIN || *err != ERANGE)
			return st;
		if (size >= (1u << 20))
			return st;
	}
}

/* getpwnam_r() as the process has it: an error is an unavailable source. */
static int user_from_libc(const char *name, struct passwd *pw, char **buf)
{
	for (size_t size = 1024;; size *= 2) {
		struct passwd *found = NULL;
		char *b = realloc(*buf, size);
		if (!b)
			return -ENOMEM;
		*buf = b;
		int e = getpwnam_r(name, pw, b, size, &found);
		if (e == ERANGE && size < (1u << 20))
			continue;
		if (e == ENOMEM || e == ERANGE)
			return -e;
		/* getpwnam_r(3) lets "not found" be 0 or one of these errors
		 * (nss_wrapper says ENOENT); glibc's own ENOENT after an
		 * unreachable nss_ldap never gets here: nss_user() asks the
		 * modules itself then. */
		if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM)
			return found ? 0 : -ENOENT;
		return -EHOSTDOWN;
	}
}

int nss_user(const char *name, struct passwd *pw, char **buf)
{
	struct service svc[MAX_SERVICES];
	size_t n;
	if (interposed("getpwnam_r") || nss_config("passwd", svc, &n) < 0)
		return user_from_libc(name, pw, buf);

	bool down = false;
	for (size_t i = 0; i < n; i++) {
		getpwnam_fn fn = (getpwnam_fn)nss_fn(svc[i].name, "getpwnam_r");
		enum nss_status st = NSS_STATUS_UNAVAIL;
		int err = 0;
		if (fn) {
			st = user_from(fn, name, pw, buf, &err);
			if (st == NSS_STATUS_SUCCESS)
				return 0;
			if (unavailable(st) && (err == ENOMEM || err == ERANGE))
				return -err;
			if (unavailable(st) && !no_source(svc[i].name, st, err))
				down = true, st = NSS_STATUS_UNAVAIL;
		}
		if (svc[i].ret[st + 2])
			break;
	}
	return down ? -EHOSTDOWN : -ENOENT;
}

/* ---- Groups ----------------------------------------------------------------- */

typedef enum nss_status (*initgroups_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);
typedef enum nss_status (*getgrent_fn)(struct group *, char *, size_t, int *);
typedef enum nss_status (*setend_fn)(void);

struct list {
	gid_t *gids;
	long n, size;
};

static bool list_add(struct list *l, gid_t g)
{
	if (l->n == l->size) {
		gid_t *p = realloc(l->gids, (size_t)l->size * 2 * sizeof(gid_t));
		if (!p)
			return false;
		l->gids = p;
		l->size *= 2;
	}
	l->gids[l->n++] = g;
	return true;
}

static bool is_member(const struct group *g, const char *user)
{
	for (char **m = g->gr_mem; m && *m; m++)
		if (strcmp(*m, user) == 0)
			return true;
	return false;
}

/* A module without initgroups_dyn: read all its groups, as glibc does. */
static enum nss_status groups_by_enumeration(const char *service, const char *user, gid_t gid, struct list *l,
                                             int *err, bool *absent)
{
	getgrent_fn get = (getgrent_fn)nss_fn(service, "getgrent_r");
	setend_fn set = (setend_fn)nss_fn(service, "setgrent");
	setend_fn end = (setend_fn)nss_fn(service, "endgrent");
	if (!get) {
		*absent = true; /* not a group source at all */
		return NSS_STATUS_UNAVAIL;
	}
	enum nss_status st = set ? set() : NSS_STATUS_SUCCESS;
	size_t size = 4096;
	char *buf = malloc(size);
	struct group g;
	while (st == NSS_STATUS_SUCCESS && buf) {
		*err = 0;
		st = get(&g, buf, size, err);
		if (st == NSS_STATUS_TRYAGAIN && *err == ERANGE) {
			char *b = size < (64u << 20) ? realloc(buf, size *= 2) : NULL;
			if (b)
				buf = b, st = NSS_STATUS_SUCCESS;
			continue;
		}
		if (st == NSS_STATUS_SUCCESS && g.gr_gid != gid && is_member(&g, user) && !list_add(l, g.gr_gid))
			*err = ENOMEM, st = NSS_STATUS_TRYAGAIN;
	}
	if (end)
		end();
	if (!buf)
		*err = ENOMEM, st = NSS_STATUS_TRYAGAIN;
	free(buf);
	return st == NSS_STATUS_NOTFOUND ? NSS_STATUS_SUCCESS : st; /* NOTFOUND: end of the list */
}

/* getgrouplist() as the process has it, asked once with room for @max. */
static int groups_from_libc(const char *user, gid_t gid, size_t max, struct list *l)
{
	gid_t *p = realloc(l->gids, max * sizeof(gid_t));
	if (!p)
		return -ENOMEM;
	l->gids = p;
	int n = (int)max;
	if (getgrouplist(user, gid, l->gids, &n) < 0)
		return -E2BIG;
	l->n = n;
	return 0;
}

static int groups_walk(const struct service *svc, size_t n, bool initgroups_line, const char *user, gid_t gid,
                       struct list *l)
{
	for (size_t i = 0; i < n; i++) {
		initgroups_fn fn = (initgroups_fn)nss_fn(svc[i].name, "initgroups_dyn");
		int err = 0;
		enum nss_status st;
		bool absent = false; /* no such module: nothing to ask (UNAVAIL for the rules, as glibc) */
		if (fn)
			st = fn(user, gid, &l->n, &l->size, &l->gids, -1, &err);
		else
			st = groups_by_enumeration(svc[i].name, user, gid, l, &err, &absent);
		if (absent)
			st = NSS_STATUS_UNAVAIL;
		else if (unavailable(st) && !no_source(svc[i].name, st, err))
			return err == ENOMEM ? -ENOMEM : -EHOSTDOWN;
		if ((initgroups_line || st != NSS_STATUS_SUCCESS) && svc[i].ret[st + 2])
			break;
	}
	return 0;
}

int nss_groups(const char *user, gid_t gid, size_t max, gid_t **list, size_t *count)
{
	struct service svc[MAX_SERVICES];
	size_t n;
	struct list l = {.gids = malloc(64 * sizeof(gid_t)), .n = 1, .size = 64};
	if (!l.gids)
		return -ENOMEM;
	l.gids[0] = gid;

	int r;
	if (interposed("getgrouplist"))
		r = groups_from_libc(user, gid, max, &l);
	else if (nss_config("initgroups", svc, &n) == 0)
		r = groups_walk(svc, n, true, user, gid, &l);
	else if (nss_config("group", svc, &n) == 0)
		r = groups_walk(svc, n, false, user, gid, &l);
	else /* no readable line: glibc's built-in default, which it alone knows */
		r = groups_from_libc(user, gid, max, &l);
	if (r == 0 && (size_t)l.n > max)
		r = -E2BIG;
	if (r < 0) {
		free(l.gids);
		return r;
	}
	*list = l.gids;
	*count = (size_t)l.n;
	return 0;
}
