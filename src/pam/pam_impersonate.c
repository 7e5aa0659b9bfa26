/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pam_impersonate - turn the PAM user into an impersonation token.
 *
 * The module is the policy point (SPEC P1): it decides, from the options the
 * administrator gave, whether this service may impersonate the PAM user and
 * with what token (mode, level, groups, kept capabilities).  Applications
 * cannot read module data, so the token is registered with libimpersonate
 * under the PAM handle and the daemon collects it with imp_token_from_pam().
 * The registration ends at pam_end() (pam_set_data cleanup); the daemon's own
 * references stay valid until it drops them or the token is revoked by
 * close_session or setcred PAM_DELETE_CRED (SPEC K4).
 *
 * The module never changes the process's credentials (SPEC P5): it only
 * resolves users through NSS and hands a token over.  It never talks to the
 * user (no conversation); it logs through pam_syslog (SPEC P4).
 *
 * See pam_impersonate(8) for the options and return values.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "impersonate.h"

#define LOGIN_DEFS "/etc/login.defs"
#define DEFAULT_MIN_UID 1000
#define DATA_NAME "pam_impersonate:registration"
#define REFUSED_NAME "pam_impersonate:refused"
/* Groups whose members' rights reach root or every user's secrets through
 * files and sockets alone (raw disks, kernel memory, password hashes, the
 * Docker socket): a token carrying one is refused unless never_groups=
 * says otherwise.  Names absent from the system are skipped. */
#define DEFAULT_NEVER_GROUPS "shadow,disk,kmem,docker"

/* What the options say, filled once per call (SPEC P3: nothing is assumed
 * from an option that did not parse). */
struct control {
	unsigned flags;        /* IMP_MODE_*, IMP_LEVEL_*, IMP_GROUPS_PRIMARY_ONLY */
	uid_t min_uid;         /* meaningful when min_uid_given */
	bool min_uid_given;
	bool allow_root;
	bool debug;
	bool quiet;               /* no refusal lines for users not served */
	const char *keep_caps;    /* borrowed from argv; NULL keeps none */
	const char *never_groups; /* borrowed from argv; NULL: the default */
};

/* ---- Logging (SPEC P4) ------------------------------------------------ */

/* One line per decision: a token made or revoked at LOG_INFO, a refusal at
 * LOG_NOTICE, an error at LOG_ERR, details at LOG_DEBUG with debug only.
 * PAM_SILENT silences messages to the user (this module sends none), not
 * the log: an audit trail must not depend on the caller's flags. */
__attribute__((format(printf, 4, 5))) static void say(pam_handle_t *pamh, const struct control *ctl,
                                                      int prio, const char *fmt, ...)
{
	if (prio == LOG_DEBUG && !ctl->debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	pam_vsyslog(pamh, prio, fmt, ap);
	va_end(ap);
}

static void free_data(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

/* A refusal of a user this service does not serve, logged once per PAM
 * handle and user (account, setcred and open_session each refuse; su and
 * sshd call two or three of them), at LOG_NOTICE; not at all with quiet, so
 * an optional line in a stack shared with users it does not serve stays
 * silent.  Repeats and quiet refusals go to LOG_DEBUG. */
__attribute__((format(printf, 4, 5))) static void refused(pam_handle_t *pamh, const struct control *ctl,
                                                          const char *user, const char *fmt, ...)
{
	const void *seen = NULL;
	bool repeat = pam_get_data(pamh, REFUSED_NAME, &seen) == PAM_SUCCESS && seen &&
	              strcmp(seen, user) == 0;
	int prio = repeat || ctl->quiet ? LOG_DEBUG : LOG_NOTICE;
	if (!repeat) {
		char *copy = strdup(user);
		if (copy && pam_set_data(pamh, REFUSED_NAME, copy, free_data) != PAM_SUCCESS)
			free(copy);
	}
	if (prio == LOG_DEBUG && !ctl->debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	pam_vsyslog(pamh, prio, fmt, ap);
	va_end(ap);
}

/* ---- Options ------------------------------------------------------------ */

struct choice {
	const char *word;
	unsigned bits;
};

/* Options that pick one of a few words; each owns the flag bits in mask. */
static const struct {
	const char *key;
	unsigned mask;
	struct choice choices[3];
} word_options[] = {
	{"mode", IMP_MODE_MASK, {{"fs", IMP_MODE_FS}, {"full", IMP_MODE_FULL}, {NULL, 0}}},
	{"level",
	 IMP_LEVEL_IDENTIFY,
	 {{"impersonate", IMP_LEVEL_IMPERSONATE}, {"identify", IMP_LEVEL_IDENTIFY}, {NULL, 0}}},
	{"groups", IMP_GROUPS_PRIMARY_ONLY, {{"all", 0}, {"primary", IMP_GROUPS_PRIMARY_ONLY}, {NULL, 0}}},
};

/* The value of "key=value" when @arg has that key, else NULL. */
static const char *value_of(const char *arg, const char *key)
{
	size_t n = strlen(key);
	return strncmp(arg, key, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

/* A uid written in decimal: no sign, no blanks, no (uid_t)-1. */
static bool parse_uid(const char *s, uid_t *ret)
{
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v >= (uid_t)-1)
		return false;
	*ret = (uid_t)v;
	return true;
}

/* keep_caps=a,b,c: every name known to libcap, no empty element.  Checked
 * here so that a typo fails every call, not only the first impersonation. */
static bool valid_caps(const char *list)
{
	uint64_t mask;
	return imp_caps_parse(list, &mask) == 0;
}

/* never_groups=a,b,c: names or decimal gids, no empty element, no blank;
 * or the single word "none". */
static bool valid_group_list(const char *list)
{
	if (!*list)
		return false;
	for (const char *p = list; *p; p++) {
		bool sep = *p == ',';
		if (sep && (p == list || p[1] == '\0' || p[1] == ','))
			return false;
		if (!sep && (isspace((unsigned char)*p) || *p == ':' || !isprint((unsigned char)*p)))
			return false;
	}
	return true;
}

/* One word of the option list; false when it is unknown or malformed. */
static bool parse_one(pam_handle_t *pamh, struct control *ctl, const char *arg)
{
	const char *v;
	if (strcmp(arg, "debug") == 0)
		ctl->debug = true;
	else if (strcmp(arg, "quiet") == 0)
		ctl->quiet = true;
	else if (strcmp(arg, "allow_root") == 0)
		ctl->allow_root = true;
	else if ((v = value_of(arg, "never_groups"))) {
		if (!valid_group_list(v)) {
			pam_syslog(pamh, LOG_ERR,
			           "malformed option \"%s\": never_groups needs group names or gids separated by commas, or none",
			           arg);
			return false;
		}
		ctl->never_groups = v;
	}
	else if ((v = value_of(arg, "min_uid"))) {
		if (!parse_uid(v, &ctl->min_uid)) {
			pam_syslog(pamh, LOG_ERR, "malformed option \"%s\": min_uid needs a decimal uid", arg);
			return false;
		}
		ctl->min_uid_given = true;
	} else if ((v = value_of(arg, "keep_caps"))) {
		if (!valid_caps(v)) {
			pam_syslog(pamh, LOG_ERR,
			           "malformed option \"%s\": keep_caps needs capability names separated by commas",
			           arg);
			return false;
		}
		ctl->keep_caps = v;
	} else {
		for (size_t i = 0; i < sizeof(word_options) / sizeof(word_options[0]); i++) {
			if (!(v = value_of(arg, word_options[i].key)))
				continue;
			for (const struct choice *c = word_options[i].choices; c->word; c++)
				if (strcmp(v, c->word) == 0) {
					ctl->flags = (ctl->flags & ~word_options[i].mask) | c->bits;
					return true;
				}
			pam_syslog(pamh, LOG_ERR, "malformed option \"%s\"", arg);
			return false;
		}
		pam_syslog(pamh, LOG_ERR, "unknown option \"%s\"", arg);
		return false;
	}
	return true;
}

/* Parse every option, logging each bad one at LOG_ERR.  Any bad option makes
 * the whole call fail (SPEC P3): a typo must never widen the policy. */
static int parse_options(pam_handle_t *pamh, int flags, int argc, const char **argv, struct control *ctl)
{
	*ctl = (struct control){.flags = IMP_MODE_FS | IMP_LEVEL_IMPERSONATE};
	bool ok = true;
	for (int i = 0; i < argc; i++)
		ok &= parse_one(pamh, ctl, argv[i]);
	if (!ok) {
		pam_syslog(pamh, LOG_ERR, "refusing to run with a bad option list");
		return PAM_SERVICE_ERR;
	}
	char min[16] = "UID_MIN";
	if (ctl->min_uid_given)
		snprintf(min, sizeof(min), "%u", (unsigned)ctl->min_uid);
	say(pamh, ctl, LOG_DEBUG,
	    "options: mode=%s level=%s groups=%s min_uid=%s allow_root=%d keep_caps=%s never_groups=%s",
	    ctl->flags & IMP_MODE_FULL ? "full" : "fs",
	    ctl->flags & IMP_LEVEL_IDENTIFY ? "identify" : "impersonate",
	    ctl->flags & IMP_GROUPS_PRIMARY_ONLY ? "primary" : "all", min, ctl->allow_root,
	    ctl->keep_caps ? ctl->keep_caps : "(none)",
	    ctl->never_groups ? ctl->never_groups : DEFAULT_NEVER_GROUPS);
	return PAM_SUCCESS;
}

/* ---- Policy (SPEC P3) --------------------------------------------------- */

static const char *login_defs_path(void)
{
#ifdef IMP_TEST_LOGIN_DEFS_ENV
	/* Test builds only; the installed module always reads LOGIN_DEFS. */
	const char *p = secure_getenv(IMP_TEST_LOGIN_DEFS_ENV);
	if (p && *p)
		return p;
#endif
	return LOGIN_DEFS;
}

/* min_uid=, else UID_MIN from login.defs, else DEFAULT_MIN_UID.  A UID_MIN
 * that is present but not a number fails closed: guessing could let system
 * accounts through. */
static int min_uid(pam_handle_t *pamh, const struct control *ctl, uid_t *ret)
{
	if (ctl->min_uid_given) {
		*ret = ctl->min_uid;
		return PAM_SUCCESS;
	}
	const char *path = login_defs_path();
	char *value = pam_modutil_search_key(pamh, path, "UID_MIN");
	if (!value) {
		*ret = DEFAULT_MIN_UID;
		say(pamh, ctl, LOG_DEBUG, "no UID_MIN in %s: min_uid %u", path, (unsigned)*ret);
		return PAM_SUCCESS;
	}
	size_t n = strlen(value);
	while (n > 0 && isspace((unsigned char)value[n - 1]))
		value[--n] = '\0';
	bool ok = parse_uid(value, ret);
	if (ok)
		say(pamh, ctl, LOG_DEBUG, "UID_MIN %u from %s", (unsigned)*ret, path);
	else
		pam_syslog(pamh, LOG_ERR, "malformed UID_MIN \"%s\" in %s; give min_uid=", value, path);
	free(value);
	return ok ? PAM_SUCCESS : PAM_SERVICE_ERR;
}

/* Does @tok carry @gid, as primary or supplementary group? */
static bool token_has_gid(const imp_token *tok, gid_t gid)
{
	size_t n;
	const gid_t *groups = imp_token_groups(tok, &n);
	if (imp_token_gid(tok) == gid)
		return true;
	for (size_t i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* The gid of group @name through NSS: PAM_SUCCESS, PAM_USER_UNKNOWN when
 * no source knows it, PAM_AUTHINFO_UNAVAIL when a source failed (an
 * unreachable directory must not read as "no such group": fail closed). */
static int group_gid(const char *name, gid_t *ret)
{
	size_t size = 1024;
	for (;;) {
		struct group gr, *res = NULL;
		char *buf = malloc(size);
		if (!buf)
			return PAM_BUF_ERR;
		int e = getgrnam_r(name, &gr, buf, size, &res);
		if (res)
			*ret = gr.gr_gid;
		free(buf);
		if (e == ERANGE && size < ((size_t)1 << 26)) {
			size *= 2;
			continue;
		}
		if (res)
			return PAM_SUCCESS;
		/* "Not found" is 0 (or ENOENT, ESRCH... on some stacks, as
		 * getgrnam_r(3) says); any other error is an outage. */
		return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM ? PAM_USER_UNKNOWN
		                                                                       : PAM_AUTHINFO_UNAVAIL;
	}
}

/* One element of never_groups: a decimal gid or a group name.  An unknown
 * name given by the administrator is an error (a typo must not silently
 * protect nothing); one of the default list is skipped (not every system
 * has docker). */
static int never_group_gid(pam_handle_t *pamh, const char *word, bool given, gid_t *gid, bool *known)
{
	uid_t id;
	*known = true;
	if (parse_uid(word, &id)) {
		*gid = (gid_t)id;
		return PAM_SUCCESS;
	}
	int r = group_gid(word, gid);
	if (r == PAM_USER_UNKNOWN) {
		*known = false;
		if (!given)
			return PAM_SUCCESS;
		pam_syslog(pamh, LOG_ERR, "never_groups names group \"%s\", which NSS does not know", word);
		return PAM_SERVICE_ERR;
	}
	if (r != PAM_SUCCESS)
		pam_syslog(pamh, LOG_ERR, "cannot look up group \"%s\" of never_groups", word);
	return r;
}

/* Refuse a token carrying a group of never_groups (SPEC P3). */
static int check_groups(pam_handle_t *pamh, const struct control *ctl, const imp_token *tok)
{
	const char *list = ctl->never_groups ? ctl->never_groups : DEFAULT_NEVER_GROUPS;
	if (strcmp(list, "none") == 0)
		return PAM_SUCCESS;
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		return PAM_BUF_ERR;
	int r = PAM_SUCCESS;
	for (char *w = strtok_r(copy, ",", &save); w && r == PAM_SUCCESS; w = strtok_r(NULL, ",", &save)) {
		gid_t gid;
		bool known;
		r = never_group_gid(pamh, w, ctl->never_groups != NULL, &gid, &known);
		if (r == PAM_SUCCESS && known && token_has_gid(tok, gid)) {
			const char *name = imp_token_user_name(tok);
			refused(pamh, ctl, name, "refusing user %s: member of group %s (gid %u) of never_groups",
			        name, w, (unsigned)gid);
			r = PAM_PERM_DENIED;
		}
	}
	free(copy);
	return r;
}

/* May this service impersonate @tok's user?  Root (uid 0, or group 0 as
 * primary or supplementary group) only with allow_root; anyone else from
 * min_uid up and outside never_groups. */
static int check_policy(pam_handle_t *pamh, const struct control *ctl, const imp_token *tok)
{
	uid_t uid = imp_token_uid(tok), min;
	const char *name = imp_token_user_name(tok);
	if (uid == 0 && !ctl->allow_root) {
		refused(pamh, ctl, name, "refusing user %s: uid 0 without allow_root", name);
		return PAM_PERM_DENIED;
	}
	if (token_has_gid(tok, 0) && !ctl->allow_root) {
		refused(pamh, ctl, name, "refusing user %s: group 0 without allow_root", name);
		return PAM_PERM_DENIED;
	}
	if (uid != 0) {
		int r = min_uid(pamh, ctl, &min);
		if (r != PAM_SUCCESS)
			return r;
		if (uid < min) {
			refused(pamh, ctl, name, "refusing user %s: uid %u is below min_uid %u", name,
			        (unsigned)uid, (unsigned)min);
			return PAM_PERM_DENIED;
		}
	}
	return check_groups(pamh, ctl, tok);
}

/* ---- Tokens -------------------------------------------------------------- */

/* PAM_USER as the application or an auth module set it.  Never prompts:
 * in account, setcred and session the user must already be known. */
static int get_user(pam_handle_t *pamh, const char **ret)
{
	const void *item = NULL;
	if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || !item || !*(const char *)item) {
		pam_syslog(pamh, LOG_ERR, "no user name (PAM_USER is unset or empty)");
		return PAM_USER_UNKNOWN;
	}
	*ret = item;
	return PAM_SUCCESS;
}

/* Map a libimpersonate error for @user to a PAM return value, logged.
 * "No such user" and "NSS failed" are different answers: an unreachable
 * directory must not read as an unknown user. */
static int token_error(pam_handle_t *pamh, const struct control *ctl, const char *user, int e)
{
	switch (e) {
	case -ENOENT:
		refused(pamh, ctl, user, "user %s is not known to NSS", user);
		return PAM_USER_UNKNOWN;
	case -ENOMEM:
		pam_syslog(pamh, LOG_ERR, "out of memory making a token for %s", user);
		return PAM_BUF_ERR;
	case -EHOSTDOWN: /* SPEC A4: no token rather than one with missing groups */
		pam_syslog(pamh, LOG_ERR, "cannot make a token for %s: a user or group source "
		           "(directory) is unavailable", user);
		return PAM_AUTHINFO_UNAVAIL;
	default:
		errno = -e; /* %m: strerror() is not thread-safe for every value */
		pam_syslog(pamh, LOG_ERR, "cannot make a token for %s: %m", user);
		return PAM_SYSTEM_ERR;
	}
}

/* The token this service may have for the PAM user, after the policy check:
 * what account checks and what setcred/open_session register. */
static int resolve(pam_handle_t *pamh, const struct control *ctl, imp_token **ret)
{
	const char *user;
	imp_token *base, *tok;
	int r = get_user(pamh, &user);
	if (r != PAM_SUCCESS)
		return r;
	int e = imp_token_for_user(user, ctl->flags, &base);
	if (e < 0)
		return token_error(pamh, ctl, user, e);
	r = check_policy(pamh, ctl, base);
	if (r != PAM_SUCCESS) {
		imp_token_unref(base);
		return r;
	}
	if (!ctl->keep_caps) {
		*ret = base;
		return PAM_SUCCESS;
	}
	e = imp_token_with_caps(base, ctl->keep_caps, &tok);
	imp_token_unref(base);
	if (e < 0)
		return token_error(pamh, ctl, user, e);
	*ret = tok;
	return PAM_SUCCESS;
}

/* pam_set_data cleanup: the handle is ending (pam_end), so its registration
 * ends too.  A replacement of our own marker changes nothing.  Tokens the
 * application took references to are not revoked here. */
static void end_registration(pam_handle_t *pamh, void *data, int error_status)
{
	(void)data;
	if (error_status & PAM_DATA_REPLACE)
		return;
	(void)imp_pam_unregister(pamh);
}

static int register_token(pam_handle_t *pamh, const struct control *ctl, imp_token *tok)
{
	static char marker; /* the data itself is unused; only its cleanup matters */
	int e = imp_pam_register(pamh, tok);
	if (e < 0)
		return token_error(pamh, ctl, imp_token_user_name(tok), e);
	int r = pam_set_data(pamh, DATA_NAME, &marker, end_registration);
	if (r != PAM_SUCCESS) {
		/* Without the cleanup the registration would outlive the handle. */
		(void)imp_pam_unregister(pamh);
		pam_syslog(pamh, LOG_ERR, "pam_set_data: %s", pam_strerror(pamh, r));
	}
	return r;
}

/* Revoke and unregister the handle's token, if any (SPEC K4).  Threads
 * already impersonating it keep running until they revert.  pam_syslog's
 * prefix names the module type ("setcred", "session"); @why says which
 * event of it. */
static void revoke_token(pam_handle_t *pamh, const struct control *ctl, const char *why)
{
	imp_token *tok;
	if (imp_token_from_pam(pamh, &tok) < 0) {
		say(pamh, ctl, LOG_DEBUG, "no token to revoke");
		return;
	}
	bool live = !imp_token_is_revoked(tok);
	imp_token_revoke(tok);
	(void)imp_pam_unregister(pamh);
	if (live)
		say(pamh, ctl, LOG_INFO, "revoked the token of user %s (uid %u): %s", imp_token_user_name(tok),
		    (unsigned)imp_token_uid(tok), why);
	imp_token_unref(tok);
}

/* Make and register the token unless a live one is registered already (the
 * first of setcred and open_session makes it).  @renew replaces it. */
static int establish(pam_handle_t *pamh, const struct control *ctl, bool renew)
{
	imp_token *tok;
	if (imp_token_from_pam(pamh, &tok) == 0) {
		bool live = !imp_token_is_revoked(tok);
		imp_token_unref(tok);
		if (live && !renew) {
			say(pamh, ctl, LOG_DEBUG, "keeping the token made earlier");
			return PAM_SUCCESS;
		}
		revoke_token(pamh, ctl, "renewed");
	}
	int r = resolve(pamh, ctl, &tok);
	if (r != PAM_SUCCESS)
		return r;
	r = register_token(pamh, ctl, tok);
	if (r == PAM_SUCCESS) {
		size_t ngroups;
		(void)imp_token_groups(tok, &ngroups);
		say(pamh, ctl, LOG_INFO, "token for user %s (uid %u, gid %u, %zu groups, mode %s, level %s)",
		    imp_token_user_name(tok), (unsigned)imp_token_uid(tok), (unsigned)imp_token_gid(tok),
		    ngroups, ctl->flags & IMP_MODE_FULL ? "full" : "fs",
		    ctl->flags & IMP_LEVEL_IDENTIFY ? "identify" : "impersonate");
	}
	imp_token_unref(tok);
	return r;
}

/* ---- Entry points (SPEC P2) --------------------------------------------- */

/* auth: this module authenticates no one. */
int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct control ctl;
	int r = parse_options(pamh, flags, argc, argv, &ctl);
	return r == PAM_SUCCESS ? PAM_IGNORE : r;
}

/* PAM_DELETE_CRED wins over any other flag (revoking is always safe), then
 * PAM_REINITIALIZE_CRED (a fresh token from NSS, the old one revoked); else
 * PAM_ESTABLISH_CRED or PAM_REFRESH_CRED (tokens do not expire). */
int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct control ctl;
	int r = parse_options(pamh, flags, argc, argv, &ctl);
	if (flags & PAM_DELETE_CRED) {
		/* Even with bad options: failing closed means the token goes. */
		revoke_token(pamh, &ctl, "credentials deleted");
		return r;
	}
	if (r != PAM_SUCCESS)
		return r;
	return establish(pamh, &ctl, (flags & PAM_REINITIALIZE_CRED) != 0);
}

/* account: may this service impersonate the user at all? */
int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct control ctl;
	imp_token *tok;
	int r = parse_options(pamh, flags, argc, argv, &ctl);
	if (r == PAM_SUCCESS)
		r = resolve(pamh, &ctl, &tok);
	if (r != PAM_SUCCESS)
		return r;
	say(pamh, &ctl, LOG_DEBUG, "user %s may be impersonated", imp_token_user_name(tok));
	imp_token_unref(tok);
	return PAM_SUCCESS;
}

int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct control ctl;
	int r = parse_options(pamh, flags, argc, argv, &ctl);
	if (r != PAM_SUCCESS)
		return r;
	return establish(pamh, &ctl, false);
}

int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct control ctl;
	int r = parse_options(pamh, flags, argc, argv, &ctl);
	revoke_token(pamh, &ctl, "session closed");
	return r;
}
