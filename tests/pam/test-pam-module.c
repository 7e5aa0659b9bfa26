/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pam_impersonate.so through the real libpam (SPEC P1-P5, K2-K4): every
 * module type, every option and every return value of pam_impersonate(8),
 * with private service files (pam_start_confdir) naming the built module by
 * absolute path and private users (nss_wrapper).  Needs no root: nothing
 * here impersonates (see test-pam-e2e.c for that).
 */
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "harness.h"
#include "kcreds.h"
#include "pamtest.h"

#define ALICE 60001
#define BOB 60002
#define CAROL 60003
#define MANY 60004
#define SHARED 60100
#define FINANCE 60101
#define IMPUSERS 60200

#define MOD PAM_MODULE

/* ---- Helpers -------------------------------------------------------------- */

/* A service "svc" with the module on every type, the same options on each
 * line, as pam_impersonate(8) asks. */
static pam_handle_t *start_all(char **dir, const char *options, const char *user)
{
	char text[2048];
	const char *o = options ? options : "";
	snprintf(text, sizeof(text),
	         "auth required %s %s\naccount required %s %s\nsession required %s %s\n", MOD, o, MOD, o,
	         MOD, o);
	*dir = pt_confdir();
	pt_service(*dir, "svc", text);
	return pt_start(*dir, "svc", user, NULL);
}

/* As start_all, with pam_permit deciding authentication, as a real stack
 * has some module that authenticates. */
static pam_handle_t *start_auth_stack(char **dir, const char *options, const char *user,
                                      struct pt_conv *c)
{
	char text[2048];
	const char *o = options ? options : "";
	snprintf(text, sizeof(text),
	         "auth required pam_permit.so\nauth required %s %s\n"
	         "account required %s %s\nsession required %s %s\n",
	         MOD, o, MOD, o, MOD, o);
	*dir = pt_confdir();
	pt_service(*dir, "svc", text);
	return pt_start(*dir, "svc", user, c);
}

static void end_all(pam_handle_t *pamh, char *dir, int status)
{
	pam_end(pamh, status);
	tmpdir_remove(dir);
}

/* The token registered for @pamh, or NULL (with a new reference). */
static imp_token *registered(pam_handle_t *pamh)
{
	imp_token *t = NULL;
	int r = imp_token_from_pam(pamh, &t);
	CHECK(r == 0 || r == -ENOENT);
	return r == 0 ? t : NULL;
}

/* setcred ESTABLISH with @options for @user; returns the token (or fails). */
static imp_token *token_for(const char *options, const char *user)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, options, user);
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK(t != NULL);
	end_all(pamh, dir, PAM_SUCCESS);
	return t;
}

static bool has_group(const imp_token *t, gid_t g)
{
	size_t n;
	const gid_t *groups = imp_token_groups(t, &n);
	for (size_t i = 0; i < n; i++)
		if (groups[i] == g)
			return true;
	return false;
}

static size_t ngroups_of(const imp_token *t)
{
	size_t n;
	(void)imp_token_groups(t, &n);
	return n;
}

/* Every type a stack can run, with the return value expected from each for
 * @user under @options (setcred and open_session share @make). */
static void check_types(const char *options, const char *user, int account, int make)
{
	CHECK_PAM(pt_one(MOD, "account", options, user), account);
	CHECK_PAM(pt_one(MOD, "setcred", options, user), make);
	CHECK_PAM(pt_one(MOD, "open_session", options, user), make);
}

/* ---- auth (SPEC P2) -------------------------------------------------------- */

/* SPEC P2: pam_sm_authenticate authenticates no one: PAM_IGNORE.  The stack
 * reaches pam_permit only if the module ignored; any other answer dies. */
TEST(auth_returns_ignore)
{
	char *dir = pt_confdir();
	pt_service(dir, "svc",
	           "auth [ignore=ignore default=die] " MOD "\n"
	           "auth required pam_permit.so\n");
	pam_handle_t *pamh = pt_start(dir, "svc", "alice", NULL);
	CHECK_PAM(pam_authenticate(pamh, 0), PAM_SUCCESS);
	pam_end(pamh, PAM_SUCCESS);
	/* Alone in the stack it decides nothing, so libpam fails the stack. */
	CHECK_PAM(pt_one(MOD, "auth", NULL, "alice"), PAM_PERM_DENIED);
	tmpdir_remove(dir);
}

/* SPEC P2: it ignores even a user it would refuse or NSS does not know;
 * that is account's job. */
TEST(auth_ignores_any_user)
{
	char *dir = pt_confdir();
	pt_service(dir, "svc",
	           "auth [ignore=ignore default=die] " MOD "\n"
	           "auth required pam_permit.so\n");
	const char *users[] = {"root", "ghost", "sysuser", NULL};
	for (const char **u = users; *u; u++) {
		pam_handle_t *pamh = pt_start(dir, "svc", *u, NULL);
		CHECK_PAM(pam_authenticate(pamh, 0), PAM_SUCCESS);
		CHECK(registered(pamh) == NULL);
		pam_end(pamh, PAM_SUCCESS);
	}
	tmpdir_remove(dir);
}

/* ---- setcred and the hand-over (SPEC P1 P2 K2) ------------------------ */

/* SPEC P1 P2 K2: setcred ESTABLISH registers a token the application gets
 * with imp_token_from_pam(), matching alice's NSS identity. */
TEST(setcred_establish_hands_over_nss_identity)
{
	imp_token *t = token_for(NULL, "alice");
	CHECK_STREQ(imp_token_user_name(t), "alice");
	CHECK_EQ(imp_token_uid(t), ALICE);
	CHECK_EQ(imp_token_gid(t), ALICE);
	CHECK_EQ(ngroups_of(t), 4);
	CHECK(has_group(t, ALICE));
	CHECK(has_group(t, SHARED));
	CHECK(has_group(t, FINANCE));
	CHECK(has_group(t, IMPUSERS));
	CHECK_EQ(imp_token_flags(t), IMP_MODE_FS | IMP_LEVEL_IMPERSONATE);
	CHECK_EQ(imp_token_kept_caps(t), 0);
	CHECK(!imp_token_is_revoked(t));
	imp_token_unref(t);
}

/* SPEC K2: the full supplementary list, as getgrouplist() reports it through
 * NSS, for a user in 301 groups (beyond any small fixed buffer). */
TEST(token_has_full_group_list)
{
	struct passwd *pw = getpwnam("many");
	CHECK(pw != NULL);
	gid_t nss[1024];
	int n = 1024;
	CHECK(getgrouplist("many", pw->pw_gid, nss, &n) >= 0);
	CHECK_EQ(n, 301);

	imp_token *t = token_for(NULL, "many");
	CHECK_EQ(imp_token_uid(t), MANY);
	CHECK_EQ(imp_token_gid(t), MANY);
	CHECK_EQ(ngroups_of(t), 301);
	for (int i = 0; i < n; i++)
		CHECK(has_group(t, nss[i]));
	CHECK(has_group(t, 70000));
	CHECK(has_group(t, 70299));
	imp_token_unref(t);
}

/* SPEC K2: a user in no supplementary group gets exactly its primary group. */
TEST(token_user_without_supplementary_groups)
{
	imp_token *t = token_for(NULL, "carol");
	CHECK_EQ(imp_token_uid(t), CAROL);
	CHECK_EQ(ngroups_of(t), 1);
	CHECK(has_group(t, CAROL));
	imp_token_unref(t);
}

/* SPEC P1: the registration ends with pam_end, while the reference the
 * application took stays valid and unrevoked. */
TEST(token_outlives_pam_end)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK(t != NULL);
	pam_handle_t *gone = pamh;
	pam_end(pamh, PAM_SUCCESS);
	imp_token *again = NULL;
	CHECK_EQ(imp_token_from_pam(gone, &again), -ENOENT);
	CHECK(!imp_token_is_revoked(t));
	CHECK_EQ(imp_token_uid(t), ALICE);
	CHECK_STREQ(imp_token_user_name(t), "alice");
	imp_token_unref(t);
	tmpdir_remove(dir);
}

/* SPEC P1: two handles, two users, two registrations. */
TEST(handles_are_independent)
{
	char *dir_a, *dir_b;
	pam_handle_t *a = start_all(&dir_a, NULL, "alice");
	pam_handle_t *b = start_all(&dir_b, NULL, "bob");
	CHECK_PAM(pam_setcred(a, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	CHECK(registered(b) == NULL);
	CHECK_PAM(pam_open_session(b, 0), PAM_SUCCESS);
	imp_token *ta = registered(a), *tb = registered(b);
	CHECK_EQ(imp_token_uid(ta), ALICE);
	CHECK_EQ(imp_token_uid(tb), BOB);
	CHECK_PAM(pam_close_session(b, 0), PAM_SUCCESS);
	CHECK(imp_token_is_revoked(tb));
	CHECK(!imp_token_is_revoked(ta));
	CHECK(registered(a) != NULL);
	imp_token_unref(ta);
	imp_token_unref(tb);
	end_all(a, dir_a, PAM_SUCCESS);
	end_all(b, dir_b, PAM_SUCCESS);
}

/* SPEC P2: the first of setcred and open_session makes the token; the other
 * keeps it (the same object). */
TEST(open_session_keeps_setcred_token)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *first = registered(pamh);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_SUCCESS);
	imp_token *second = registered(pamh);
	CHECK(first == second);
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	CHECK(registered(pamh) == first);
	imp_token_unref(first);
	imp_token_unref(first);
	imp_token_unref(second);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P2: open_session makes the token when setcred did not run. */
TEST(open_session_makes_token)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "bob");
	CHECK(registered(pamh) == NULL);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK(t != NULL);
	CHECK_EQ(imp_token_uid(t), BOB);
	imp_token_unref(t);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* ---- Revocation (SPEC K4) ---------------------------------------------- */

/* SPEC K4: close_session revokes the token the application holds and ends
 * the registration. */
TEST(close_session_revokes)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_open_session(pamh, 0), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK(!imp_token_is_revoked(t));
	CHECK_PAM(pam_close_session(pamh, 0), PAM_SUCCESS);
	CHECK(imp_token_is_revoked(t));
	CHECK(registered(pamh) == NULL);
	/* Closing again has nothing left to revoke and still succeeds. */
	CHECK_PAM(pam_close_session(pamh, 0), PAM_SUCCESS);
	imp_token_unref(t);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC K4: setcred PAM_DELETE_CRED revokes it too. */
TEST(setcred_delete_revokes)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK_PAM(pam_setcred(pamh, PAM_DELETE_CRED), PAM_SUCCESS);
	CHECK(imp_token_is_revoked(t));
	CHECK(registered(pamh) == NULL);
	CHECK_PAM(pam_setcred(pamh, PAM_DELETE_CRED), PAM_SUCCESS);
	/* A new ESTABLISH makes a new, live token. */
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *fresh = registered(pamh);
	CHECK(fresh != NULL && fresh != t);
	CHECK(!imp_token_is_revoked(fresh));
	imp_token_unref(t);
	imp_token_unref(fresh);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC K4: PAM_DELETE_CRED wins when combined with another flag. */
TEST(setcred_delete_wins_over_other_flags)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK_PAM(pam_setcred(pamh, PAM_DELETE_CRED | PAM_ESTABLISH_CRED), PAM_SUCCESS);
	CHECK(imp_token_is_revoked(t));
	CHECK(registered(pamh) == NULL);
	imp_token_unref(t);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC K4: PAM_REINITIALIZE_CRED revokes the old token and makes a new one. */
TEST(setcred_reinitialize_replaces)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *old = registered(pamh);
	CHECK_PAM(pam_setcred(pamh, PAM_REINITIALIZE_CRED), PAM_SUCCESS);
	imp_token *fresh = registered(pamh);
	CHECK(fresh != NULL && fresh != old);
	CHECK(imp_token_is_revoked(old));
	CHECK(!imp_token_is_revoked(fresh));
	CHECK_EQ(imp_token_uid(fresh), ALICE);
	imp_token_unref(old);
	imp_token_unref(fresh);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P2: PAM_REFRESH_CRED keeps a live token (tokens do not expire) and
 * makes one when there is none. */
TEST(setcred_refresh)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_setcred(pamh, PAM_REFRESH_CRED), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK(t != NULL);
	CHECK_PAM(pam_setcred(pamh, PAM_REFRESH_CRED), PAM_SUCCESS);
	CHECK(registered(pamh) == t);
	CHECK(!imp_token_is_revoked(t));
	imp_token_unref(t);
	imp_token_unref(t);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC K4: a token the application revoked itself is replaced by the next
 * setcred ESTABLISH rather than handed out again. */
TEST(revoked_token_is_remade)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	imp_token_revoke(t);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_SUCCESS);
	imp_token *fresh = registered(pamh);
	CHECK(fresh != t && !imp_token_is_revoked(fresh));
	imp_token_unref(t);
	imp_token_unref(fresh);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* ---- account and the safe defaults (SPEC P2 P3) ------------------------- */

/* SPEC P2: account allows a regular user and registers nothing. */
TEST(account_allows_regular_user)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_acct_mgmt(pamh, 0), PAM_SUCCESS);
	CHECK(registered(pamh) == NULL);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P3: root is refused by default, in every type that makes a token,
 * logged at LOG_NOTICE, and no token is registered. */
TEST(root_refused_by_default)
{
	log_reset();
	check_types(NULL, "root", PAM_PERM_DENIED, PAM_PERM_DENIED);
	CHECK_LOGGED(LOG_NOTICE, "refusing user root: uid 0 without allow_root");
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "root");
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_PERM_DENIED);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_PERM_DENIED);
	CHECK(registered(pamh) == NULL);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P3: uids below the first user uid are refused by default (uid 200 is
 * below any system's UID_MIN). */
TEST(low_uid_refused_by_default)
{
	log_reset();
	check_types(NULL, "sysuser", PAM_PERM_DENIED, PAM_PERM_DENIED);
	CHECK_LOGGED(LOG_NOTICE, "refusing user sysuser: uid 200 is below min_uid");
}

/* SPEC P3: the installed module reads UID_MIN from /etc/login.defs (1000
 * when absent): 999 refused, 1000 allowed. */
TEST(default_min_uid_from_etc_login_defs)
{
	unsigned long uid_min = 1000;
	FILE *f = fopen("/etc/login.defs", "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " UID_MIN %lu", &uid_min) == 1)
			break;
	if (f)
		fclose(f);
	if (uid_min != 1000)
		harness_skip("this machine's UID_MIN is not 1000; the fixtures assume it");
	log_reset();
	check_types(NULL, "below", PAM_PERM_DENIED, PAM_PERM_DENIED);
	CHECK_LOGGED(LOG_NOTICE, "uid 999 is below min_uid 1000");
	check_types(NULL, "edge", PAM_SUCCESS, PAM_SUCCESS);
}

/* SPEC P3: allow_root lets root through, and only root. */
TEST(option_allow_root)
{
	check_types("allow_root", "root", PAM_SUCCESS, PAM_SUCCESS);
	imp_token *t = token_for("allow_root", "root");
	CHECK_EQ(imp_token_uid(t), 0);
	CHECK_EQ(imp_token_gid(t), 0);
	imp_token_unref(t);
	check_types("allow_root", "sysuser", PAM_PERM_DENIED, PAM_PERM_DENIED);
}

/* SPEC P3: min_uid=N moves the boundary: N allowed, N-1 refused. */
TEST(option_min_uid)
{
	check_types("min_uid=60002", "alice", PAM_PERM_DENIED, PAM_PERM_DENIED);
	check_types("min_uid=60002", "bob", PAM_SUCCESS, PAM_SUCCESS);
	check_types("min_uid=200", "sysuser", PAM_SUCCESS, PAM_SUCCESS);
	check_types("min_uid=201", "sysuser", PAM_PERM_DENIED, PAM_PERM_DENIED);
}

/* SPEC P3: min_uid=0 still does not let root in without allow_root. */
TEST(option_min_uid_zero_keeps_root_out)
{
	check_types("min_uid=0", "sysuser", PAM_SUCCESS, PAM_SUCCESS);
	check_types("min_uid=0", "root", PAM_PERM_DENIED, PAM_PERM_DENIED);
	check_types("min_uid=0 allow_root", "root", PAM_SUCCESS, PAM_SUCCESS);
}

/* ---- Token options ------------------------------------------------------ */

/* SPEC P1 T10: mode=full and mode=fs pick the token's mode. */
TEST(option_mode)
{
	imp_token *full = token_for("mode=full", "alice");
	CHECK_EQ(imp_token_flags(full) & IMP_MODE_MASK, IMP_MODE_FULL);
	imp_token *fs = token_for("mode=fs", "alice");
	CHECK_EQ(imp_token_flags(fs) & IMP_MODE_MASK, IMP_MODE_FS);
	/* The last of repeated options wins. */
	imp_token *last = token_for("mode=full mode=fs", "alice");
	CHECK_EQ(imp_token_flags(last) & IMP_MODE_MASK, IMP_MODE_FS);
	imp_token_unref(full);
	imp_token_unref(fs);
	imp_token_unref(last);
}

/* SPEC K3 through PAM: level=identify makes an identify-level token;
 * level=impersonate (the default) does not. */
TEST(option_level)
{
	imp_token *id = token_for("level=identify", "alice");
	CHECK(imp_token_flags(id) & IMP_LEVEL_IDENTIFY);
	CHECK_EQ(imp_token_uid(id), ALICE);
	imp_token *imp = token_for("level=impersonate", "alice");
	CHECK(!(imp_token_flags(imp) & IMP_LEVEL_IDENTIFY));
	imp_token_unref(id);
	imp_token_unref(imp);
}

/* SPEC K2: groups=primary keeps the primary group alone; groups=all (the
 * default) the full list. */
TEST(option_groups)
{
	imp_token *primary = token_for("groups=primary", "alice");
	CHECK_EQ(ngroups_of(primary), 1);
	CHECK(has_group(primary, ALICE));
	CHECK_EQ(imp_token_gid(primary), ALICE);
	imp_token *all = token_for("groups=all", "alice");
	CHECK_EQ(ngroups_of(all), 4);
	imp_token *many = token_for("groups=primary", "many");
	CHECK_EQ(ngroups_of(many), 1);
	imp_token_unref(primary);
	imp_token_unref(all);
	imp_token_unref(many);
}

/* SPEC P1 T11: keep_caps names the capabilities the token keeps. */
TEST(option_keep_caps)
{
	imp_token *t = token_for("keep_caps=cap_net_bind_service,cap_sys_nice", "alice");
	CHECK_EQ(imp_token_kept_caps(t),
	         (1ull << CAP_NET_BIND_SERVICE) | (1ull << CAP_SYS_NICE));
	CHECK_EQ(imp_token_uid(t), ALICE);
	CHECK_EQ(ngroups_of(t), 4);
	imp_token *one = token_for("keep_caps=cap_chown", "alice");
	CHECK_EQ(imp_token_kept_caps(one), 1ull << CAP_CHOWN);
	/* The kernel's spelling, as systemd's AmbientCapabilities= uses it. */
	imp_token *upper = token_for("keep_caps=CAP_KILL", "alice");
	CHECK_EQ(imp_token_kept_caps(upper), 1ull << CAP_KILL);
	imp_token_unref(upper);
	imp_token_unref(t);
	imp_token_unref(one);
}

/* SPEC P1 K2 K3: all token options at once. */
TEST(options_combined)
{
	imp_token *t = token_for("mode=full level=identify groups=primary keep_caps=cap_kill min_uid=60001",
	                         "alice");
	CHECK_EQ(imp_token_flags(t), IMP_MODE_FULL | IMP_LEVEL_IDENTIFY);
	CHECK_EQ(ngroups_of(t), 1);
	CHECK_EQ(imp_token_kept_caps(t), 1ull << CAP_KILL);
	imp_token_unref(t);
}

/* ---- Logging (SPEC P4) ---------------------------------------------------- */

/* SPEC P4: a token is logged at LOG_INFO through pam_syslog, with the
 * module and service in the prefix, with user, uid, mode and level, and
 * the PAM function named once (the prefix has it); no LOG_DEBUG without
 * debug. */
TEST(logs_token_at_info)
{
	log_reset();
	imp_token *t = token_for("mode=full level=identify", "alice");
	CHECK_LOGGED(LOG_INFO, "pam_impersonate(svc:setcred): token for user alice (uid 60001, gid 60001, "
	                       "4 groups, mode full, level identify)");
	CHECK_EQ(log_count(LOG_INFO, ""), 1);
	CHECK_EQ(log_count(-1, "setcred)"), 1);
	CHECK_NOT_LOGGED(-1, "(setcred)");
	CHECK_EQ(log_count(LOG_DEBUG, ""), 0);
	CHECK_EQ(log_count(LOG_ERR, ""), 0);
	imp_token_unref(t);
}

/* The calls sshd makes for one login, then the close with PAM_SILENT as
 * sshd does (and su's acct_mgmt, setcred, open_session, close): a stack
 * with the module on every type under @control (required, optional). */
static void login_like_sshd(const char *control, const char *options, const char *user)
{
	char text[2048], *dir = pt_confdir();
	const char *o = options ? options : "";
	snprintf(text, sizeof(text),
	         "auth required pam_permit.so\nauth %s %s %s\naccount %s %s %s\nsession %s %s %s\n", control,
	         MOD, o, control, MOD, o, control, MOD, o);
	pt_service(dir, "sshd", text);
	pam_handle_t *pamh = pt_start(dir, "sshd", user, NULL);
	(void)pam_authenticate(pamh, PAM_SILENT);
	(void)pam_acct_mgmt(pamh, PAM_SILENT);
	(void)pam_setcred(pamh, PAM_ESTABLISH_CRED | PAM_SILENT);
	(void)pam_open_session(pamh, PAM_SILENT);
	(void)pam_close_session(pamh, PAM_SILENT);
	(void)pam_setcred(pamh, PAM_DELETE_CRED | PAM_SILENT);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P4: one line per decision, whatever PAM_SILENT says (it silences
 * messages to the user, not the log): the token made and its revocation
 * (sshd closes the session with PAM_SILENT), each once. */
TEST(logs_each_decision_once_despite_pam_silent)
{
	log_reset();
	login_like_sshd("required", NULL, "alice");
	CHECK_EQ(log_count(LOG_INFO, "token for user alice (uid 60001"), 1);
	CHECK_EQ(log_count(LOG_INFO, "pam_impersonate(sshd:session): revoked the token of user alice "
	                             "(uid 60001): session closed"),
	         1);
	CHECK_EQ(log_count(-1, ""), 2);
}

/* SPEC P4: a refused user is logged once per PAM handle, although account,
 * setcred and open_session each refuse (an optional line in sshd's stack
 * runs all three): at LOG_NOTICE, PAM_SILENT or not. */
TEST(refusal_logged_once_per_handle)
{
	log_reset();
	login_like_sshd("optional", NULL, "root");
	CHECK_EQ(log_count(LOG_NOTICE, "refusing user root: uid 0 without allow_root"), 1);
	CHECK_EQ(log_count(-1, ""), 1);
	log_reset();
	login_like_sshd("optional", NULL, "ghost");
	CHECK_EQ(log_count(LOG_NOTICE, "user ghost is not known to NSS"), 1);
	CHECK_EQ(log_count(-1, ""), 1);
	/* A second handle is a second decision. */
	log_reset();
	login_like_sshd("required", NULL, "sysuser");
	login_like_sshd("required", NULL, "sysuser");
	CHECK_EQ(log_count(LOG_NOTICE, "refusing user sysuser"), 2);
	/* Repeats are still there for debug. */
	log_reset();
	login_like_sshd("optional", "debug", "root");
	CHECK_EQ(log_count(LOG_NOTICE, "refusing user root"), 1);
	CHECK(log_count(LOG_DEBUG, "refusing user root") >= 1);
}

/* SPEC P4: debug adds LOG_DEBUG lines (options, decisions). */
TEST(option_debug)
{
	log_reset();
	CHECK_PAM(pt_one(MOD, "account", "debug", "alice"), PAM_SUCCESS);
	CHECK_LOGGED(LOG_DEBUG, "options: mode=fs level=impersonate groups=all");
	CHECK_LOGGED(LOG_DEBUG, "user alice may be impersonated");
	log_reset();
	CHECK_PAM(pt_one(MOD, "account", NULL, "alice"), PAM_SUCCESS);
	CHECK_EQ(log_count(-1, ""), 0);
}

/* SPEC P4: quiet silences the refusals of users the service does not serve
 * (an optional line in a shared stack), never tokens, revocations or
 * errors. */
TEST(option_quiet)
{
	log_reset();
	login_like_sshd("optional", "quiet", "root");
	login_like_sshd("optional", "quiet", "sysuser");
	login_like_sshd("optional", "quiet", "ghost");
	login_like_sshd("optional", "quiet", "shadowy");
	CHECK_EQ(log_count(-1, ""), 0);
	login_like_sshd("optional", "quiet", "alice");
	CHECK_LOGGED(LOG_INFO, "token for user alice");
	CHECK_LOGGED(LOG_INFO, "revoked the token of user alice");
	CHECK_PAM(pt_one(MOD, "account", "quiet bogus", "alice"), PAM_SERVICE_ERR);
	CHECK_LOGGED(LOG_ERR, "unknown option \"bogus\"");
	CHECK_PAM(pt_one(MOD, "account", "quiet", "nss-eio"), PAM_AUTHINFO_UNAVAIL);
	CHECK_LOGGED(LOG_ERR, "cannot make a token for nss-eio");
}

/* SPEC P4: PAM_SILENT changes no answer and silences no log line. */
TEST(pam_silent_does_not_silence_the_log)
{
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	log_reset();
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED | PAM_SILENT), PAM_SUCCESS);
	CHECK(registered(pamh) != NULL);
	CHECK_LOGGED(LOG_INFO, "pam_impersonate(svc:setcred): token for user alice");
	CHECK_PAM(pam_close_session(pamh, PAM_SILENT), PAM_SUCCESS);
	CHECK_LOGGED(LOG_INFO, "pam_impersonate(svc:session): revoked the token of user alice (uid 60001): "
	                       "session closed");
	CHECK_EQ(log_count(-1, ""), 2);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* ---- Group policy (SPEC P3) --------------------------------------------- */

/* SPEC P3: primary group 0 is refused as uid 0 is, unless allow_root. */
TEST(primary_group_zero_refused)
{
	log_reset();
	check_types(NULL, "gzero", PAM_PERM_DENIED, PAM_PERM_DENIED);
	CHECK_LOGGED(LOG_NOTICE, "refusing user gzero: group 0 without allow_root");
	check_types("min_uid=0", "gzero", PAM_PERM_DENIED, PAM_PERM_DENIED);
	check_types("allow_root", "gzero", PAM_SUCCESS, PAM_SUCCESS);
}

/* SPEC P3: so is group 0 among the supplementary groups; with
 * groups=primary the token does not carry it and the user is served. */
TEST(supplementary_group_zero_refused)
{
	log_reset();
	check_types(NULL, "suppzero", PAM_PERM_DENIED, PAM_PERM_DENIED);
	CHECK_LOGGED(LOG_NOTICE, "refusing user suppzero: group 0 without allow_root");
	check_types("groups=primary", "suppzero", PAM_SUCCESS, PAM_SUCCESS);
	check_types("allow_root", "suppzero", PAM_SUCCESS, PAM_SUCCESS);
}

/* SPEC P3: the default never_groups (shadow, disk, kmem, docker) refuses
 * members of shadow and disk; groups the system lacks (kmem, docker here)
 * are skipped. */
TEST(default_never_groups)
{
	log_reset();
	check_types(NULL, "shadowy", PAM_PERM_DENIED, PAM_PERM_DENIED);
	CHECK_LOGGED(LOG_NOTICE, "refusing user shadowy: member of group shadow (gid 42) of never_groups");
	check_types(NULL, "disky", PAM_PERM_DENIED, PAM_PERM_DENIED);
	CHECK_LOGGED(LOG_NOTICE, "refusing user disky: member of group disk (gid 6) of never_groups");
	CHECK_EQ(log_count(LOG_ERR, ""), 0);
	check_types("groups=primary", "shadowy", PAM_SUCCESS, PAM_SUCCESS);
	check_types(NULL, "alice", PAM_SUCCESS, PAM_SUCCESS);
}

/* SPEC P3: never_groups= replaces the default list: names and gids;
 * "none" empties it (group 0 stays refused). */
TEST(option_never_groups)
{
	log_reset();
	check_types("never_groups=finance", "alice", PAM_PERM_DENIED, PAM_PERM_DENIED);
	CHECK_LOGGED(LOG_NOTICE, "refusing user alice: member of group finance (gid 60101) of never_groups");
	check_types("never_groups=60100", "bob", PAM_PERM_DENIED, PAM_PERM_DENIED);
	check_types("never_groups=finance", "bob", PAM_SUCCESS, PAM_SUCCESS);
	check_types("never_groups=finance", "shadowy", PAM_SUCCESS, PAM_SUCCESS);
	check_types("never_groups=disk,finance", "disky", PAM_PERM_DENIED, PAM_PERM_DENIED);
	check_types("never_groups=none", "shadowy", PAM_SUCCESS, PAM_SUCCESS);
	check_types("never_groups=none", "suppzero", PAM_PERM_DENIED, PAM_PERM_DENIED);
	/* A primary group counts too. */
	check_types("never_groups=carol", "carol", PAM_PERM_DENIED, PAM_PERM_DENIED);
}

/* SPEC P3: a group name NSS does not know, given by the administrator, fails
 * closed (a typo must not protect nothing). */
TEST(never_groups_unknown_name_fails_closed)
{
	log_reset();
	check_types("never_groups=finanse", "bob", PAM_SERVICE_ERR, PAM_SERVICE_ERR);
	CHECK_LOGGED(LOG_ERR, "never_groups names group \"finanse\", which NSS does not know");
}

/* SPEC P4: the module never talks to the user: no conversation at all. */
TEST(no_conversation)
{
	char *dir;
	struct pt_conv c = {.password = "x"};
	pam_handle_t *pamh = start_auth_stack(&dir, "debug", "root", &c);
	CHECK_PAM(pam_acct_mgmt(pamh, 0), PAM_PERM_DENIED);
	CHECK_PAM(pam_set_item(pamh, PAM_USER, "alice"), PAM_SUCCESS);
	CHECK_PAM(pam_authenticate(pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_acct_mgmt(pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_close_session(pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_setcred(pamh, PAM_DELETE_CRED), PAM_SUCCESS);
	CHECK_EQ(c.calls, 0);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P3: libpam replays pam_authenticate's chain for pam_setcred, and this
 * module ignored authentication, so libpam ignores its setcred answer too:
 * a refused user makes pam_setcred succeed, yet no token exists, so the
 * application gets -ENOENT from imp_token_from_pam() (fail closed), and
 * account and open_session report the refusal. */
TEST(setcred_refusal_masked_after_authenticate)
{
	char *dir;
	pam_handle_t *pamh = start_auth_stack(&dir, NULL, "root", NULL);
	log_reset();
	CHECK_PAM(pam_authenticate(pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	CHECK_LOGGED(LOG_NOTICE, "refusing user root");
	CHECK(registered(pamh) == NULL);
	CHECK_PAM(pam_acct_mgmt(pamh, 0), PAM_PERM_DENIED);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_PERM_DENIED);
	CHECK(registered(pamh) == NULL);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* ---- Return values (pam_impersonate(8) RETURN VALUES) ------------------ */

/* SPEC P2 P4: PAM_USER_UNKNOWN for a user NSS does not know, logged. */
TEST(unknown_user)
{
	log_reset();
	check_types(NULL, "ghost", PAM_USER_UNKNOWN, PAM_USER_UNKNOWN);
	CHECK_LOGGED(LOG_NOTICE, "user ghost is not known to NSS");
}

/* SPEC P2 P3: PAM_USER_UNKNOWN for a NULL PAM_USER; the module never
 * prompts for one. */
TEST(null_user)
{
	log_reset();
	struct pt_conv c = {.password = "alice"};
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, NULL);
	pam_end(pamh, PAM_SUCCESS);
	pamh = pt_start(dir, "svc", NULL, &c);
	CHECK_PAM(pam_acct_mgmt(pamh, 0), PAM_USER_UNKNOWN);
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_USER_UNKNOWN);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_USER_UNKNOWN);
	CHECK(registered(pamh) == NULL);
	CHECK_EQ(c.calls, 0);
	CHECK_LOGGED(LOG_ERR, "no user name (PAM_USER is unset or empty)");
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P2 P3: PAM_USER_UNKNOWN for an empty PAM_USER. */
TEST(empty_user)
{
	log_reset();
	check_types(NULL, "", PAM_USER_UNKNOWN, PAM_USER_UNKNOWN);
	CHECK_LOGGED(LOG_ERR, "no user name");
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "alice");
	CHECK_PAM(pam_set_item(pamh, PAM_USER, ""), PAM_SUCCESS);
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_USER_UNKNOWN);
	CHECK(registered(pamh) == NULL);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P3 K2 A4: PAM_AUTHINFO_UNAVAIL when NSS itself fails (a directory server
 * down): not mistaken for an unknown user, and no token. */
TEST(nss_failure_is_authinfo_unavail)
{
	log_reset();
	check_types(NULL, NSS_EIO_USER, PAM_AUTHINFO_UNAVAIL, PAM_AUTHINFO_UNAVAIL);
	CHECK_LOGGED(LOG_ERR, "cannot make a token for nss-eio: a user or group source (directory) is unavailable");
}

/* SPEC P3: PAM_SYSTEM_ERR for an NSS failure that is not an outage (here: a
 * passwd entry larger than 1 MiB). */
TEST(oversized_entry_is_system_error)
{
	log_reset();
	check_types(NULL, NSS_ERANGE_USER, PAM_SYSTEM_ERR, PAM_SYSTEM_ERR);
	CHECK_LOGGED(LOG_ERR, "cannot make a token for nss-erange: Numerical result out of range");
}

/* SPEC P3: PAM_BUF_ERR when memory runs out (here: NSS reports ENOMEM). */
TEST(out_of_memory_is_buf_error)
{
	log_reset();
	check_types(NULL, NSS_ENOMEM_USER, PAM_BUF_ERR, PAM_BUF_ERR);
	CHECK_LOGGED(LOG_ERR, "out of memory making a token for nss-enomem");
}

/* SPEC P2 K4: PAM_SUCCESS from close_session and setcred DELETE with
 * nothing to revoke. */
TEST(close_without_token_succeeds)
{
	CHECK_PAM(pt_one(MOD, "close_session", NULL, "alice"), PAM_SUCCESS);
	CHECK_PAM(pt_one(MOD, "close_session", NULL, NULL), PAM_SUCCESS);
	char *dir;
	pam_handle_t *pamh = start_all(&dir, NULL, "ghost");
	CHECK_PAM(pam_setcred(pamh, PAM_DELETE_CRED), PAM_SUCCESS);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* ---- Bad options fail closed (SPEC P3) --------------------------------- */

/* Every type returns PAM_SERVICE_ERR for @options, logs @what at LOG_ERR and
 * registers no token; close_session and DELETE revoke all the same. */
static void check_fails_closed(const char *options, const char *what)
{
	log_reset();
	CHECK_PAM(pt_one(MOD, "auth", options, "alice"), PAM_SERVICE_ERR);
	CHECK_PAM(pt_one(MOD, "account", options, "alice"), PAM_SERVICE_ERR);
	CHECK_PAM(pt_one(MOD, "setcred", options, "alice"), PAM_SERVICE_ERR);
	CHECK_PAM(pt_one(MOD, "open_session", options, "alice"), PAM_SERVICE_ERR);
	CHECK_PAM(pt_one(MOD, "close_session", options, "alice"), PAM_SERVICE_ERR);
	CHECK_EQ(log_count(LOG_ERR, what), 5);
	CHECK_EQ(log_count(LOG_ERR, "refusing to run with a bad option list"), 5);
	CHECK_EQ(log_count(LOG_INFO, ""), 0);

	char *dir;
	pam_handle_t *pamh = start_all(&dir, options, "alice");
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SERVICE_ERR);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_SERVICE_ERR);
	CHECK(registered(pamh) == NULL);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* SPEC P3 */
TEST(bad_min_uid_abc)
{
	check_fails_closed("min_uid=abc", "malformed option \"min_uid=abc\"");
}

/* SPEC P3 */
TEST(bad_mode_bogus)
{
	check_fails_closed("mode=bogus", "malformed option \"mode=bogus\"");
}

/* SPEC P3 */
TEST(bad_unknown_word)
{
	check_fails_closed("frobnicate", "unknown option \"frobnicate\"");
}

/* SPEC P3: an empty value is malformed, for every option that takes one. */
TEST(bad_empty_values)
{
	check_fails_closed("min_uid=", "malformed option \"min_uid=\"");
	check_fails_closed("mode=", "malformed option \"mode=\"");
	check_fails_closed("level=", "malformed option \"level=\"");
	check_fails_closed("groups=", "malformed option \"groups=\"");
	check_fails_closed("keep_caps=", "malformed option \"keep_caps=\"");
	check_fails_closed("never_groups=", "malformed option \"never_groups=\"");
}

/* SPEC P3: the other malformed forms. */
TEST(bad_other_forms)
{
	const char *bad[][2] = {
		{"min_uid=-1", "malformed option \"min_uid=-1\""},
		{"min_uid=+5", "malformed option \"min_uid=+5\""},
		{"min_uid=12x", "malformed option \"min_uid=12x\""},
		{"min_uid=4294967295", "malformed option \"min_uid=4294967295\""},
		{"min_uid=99999999999999999999999", "malformed option \"min_uid=9999"},
		{"level=bogus", "malformed option \"level=bogus\""},
		{"groups=some", "malformed option \"groups=some\""},
		{"mode=FULL", "malformed option \"mode=FULL\""},
		{"keep_caps=cap_bogus", "malformed option \"keep_caps=cap_bogus\""},
		{"keep_caps=cap_chown,,cap_kill", "malformed option \"keep_caps=cap_chown,,cap_kill\""},
		{"keep_caps=cap_chown,", "malformed option \"keep_caps=cap_chown,\""},
		/* libcap's cap_from_name() takes all of these as a capability. */
		{"keep_caps=cap_chown;cap_kill", "malformed option \"keep_caps=cap_chown;cap_kill\""},
		{"keep_caps=cap_chown=ep", "malformed option \"keep_caps=cap_chown=ep\""},
		{"keep_caps=cap_chown+cap_kill", "malformed option \"keep_caps=cap_chown+cap_kill\""},
		{"keep_caps=cap_net_bind_service.cap_kill", "malformed option \"keep_caps=cap_net_bind"},
		{"keep_caps=12", "malformed option \"keep_caps=12\""},
		{"keep_caps=63", "malformed option \"keep_caps=63\""},
		{"keep_caps=all", "malformed option \"keep_caps=all\""},
		{"never_groups=a,,b", "malformed option \"never_groups=a,,b\""},
		{"never_groups=,a", "malformed option \"never_groups=,a\""},
		{"never_groups=a,", "malformed option \"never_groups=a,\""},
		{"never_groups=a:b", "malformed option \"never_groups=a:b\""},
		{"debug=1", "unknown option \"debug=1\""},
		{"allow_root=yes", "unknown option \"allow_root=yes\""},
		{"MODE=full", "unknown option \"MODE=full\""},
		{"min_uid", "unknown option \"min_uid\""},
		{"mode", "unknown option \"mode\""},
		{"", "unknown option \"\""},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char opt[256];
		/* libpam splits on blanks; brackets pass an empty or odd word. */
		snprintf(opt, sizeof(opt), "[%s]", bad[i][0]);
		check_fails_closed(*bad[i][0] ? bad[i][0] : opt, bad[i][1]);
	}
}

/* SPEC P3: one bad word spoils good ones, and every bad word is logged. */
TEST(bad_option_among_good_ones)
{
	log_reset();
	CHECK_PAM(pt_one(MOD, "account", "debug allow_root min_uid=0 mode=bogus frob", "root"),
	          PAM_SERVICE_ERR);
	CHECK_LOGGED(LOG_ERR, "malformed option \"mode=bogus\"");
	CHECK_LOGGED(LOG_ERR, "unknown option \"frob\"");
}

/* SPEC P3 K4: with bad options close_session and DELETE still revoke the
 * token (a good auth line made it), and report the error. */
TEST(bad_options_still_revoke)
{
	char *dir = pt_confdir();
	pt_service(dir, "svc",
	           "auth required " MOD "\n"
	           "session required " MOD " mode=bogus\n");
	pam_handle_t *pamh = pt_start(dir, "svc", "alice", NULL);
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK_PAM(pam_close_session(pamh, 0), PAM_SERVICE_ERR);
	CHECK(imp_token_is_revoked(t));
	CHECK(registered(pamh) == NULL);
	imp_token_unref(t);
	pam_end(pamh, PAM_SUCCESS);

	pt_service(dir, "svc2",
	           "auth required " MOD " frob\n"
	           "session required " MOD "\n");
	pamh = pt_start(dir, "svc2", "alice", NULL);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_SUCCESS);
	t = registered(pamh);
	CHECK_PAM(pam_setcred(pamh, PAM_DELETE_CRED), PAM_SERVICE_ERR);
	CHECK(imp_token_is_revoked(t));
	imp_token_unref(t);
	end_all(pamh, dir, PAM_SUCCESS);
}

/* ---- login.defs (SPEC P3), with the test build of the module ------------- */

static void login_defs(const char *dir, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/login.defs", dir);
	if (text)
		pt_service(dir, "login.defs", text);
	CHECK(setenv("IMP_TEST_LOGIN_DEFS", path, 1) == 0);
}

/* SPEC P3: the default min_uid is UID_MIN from login.defs. */
TEST(login_defs_uid_min)
{
	char *dir = pt_confdir();
	login_defs(dir, "# the first user\nUID_MAX 60000\nUID_MIN 5000\n");
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "lo"), PAM_PERM_DENIED);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "hi"), PAM_SUCCESS);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "setcred", NULL, "lo"), PAM_PERM_DENIED);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "open_session", NULL, "hi"), PAM_SUCCESS);
	log_reset();
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", "debug", "hi"), PAM_SUCCESS);
	CHECK_LOGGED(LOG_DEBUG, "UID_MIN 5000 from");
	tmpdir_remove(dir);
}

/* SPEC P3: blanks, tabs, comments and case as login.defs(5) allows. */
TEST(login_defs_syntax)
{
	char *dir = pt_confdir();
	login_defs(dir, "#UID_MIN 1\n\n   uid_min\t\t 5000   # trailing comment\n");
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "lo"), PAM_PERM_DENIED);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "hi"), PAM_SUCCESS);
	tmpdir_remove(dir);
}

/* SPEC P3: no file, or no UID_MIN in it: 1000. */
TEST(login_defs_absent_means_1000)
{
	char *dir = pt_confdir();
	login_defs(dir, NULL);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "below"), PAM_PERM_DENIED);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "edge"), PAM_SUCCESS);
	login_defs(dir, "GID_MIN 5000\n");
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "below"), PAM_PERM_DENIED);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "edge"), PAM_SUCCESS);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "lo"), PAM_SUCCESS);
	tmpdir_remove(dir);
}

/* SPEC P3: a UID_MIN that is not a number fails closed, logged. */
TEST(login_defs_malformed_fails_closed)
{
	const char *bad[] = {"UID_MIN abc\n", "UID_MIN -5\n", "UID_MIN\n", "UID_MIN 10 00\n"};
	char *dir = pt_confdir();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		login_defs(dir, bad[i]);
		log_reset();
		CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "hi"), PAM_SERVICE_ERR);
		CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "setcred", NULL, "hi"), PAM_SERVICE_ERR);
		CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "open_session", NULL, "hi"), PAM_SERVICE_ERR);
		CHECK_EQ(log_count(LOG_ERR, "malformed UID_MIN"), 3);
		/* Root is refused before login.defs matters. */
		CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", NULL, "root"), PAM_PERM_DENIED);
	}
	tmpdir_remove(dir);
}

/* SPEC P3: min_uid= wins; login.defs is then not read at all. */
TEST(login_defs_min_uid_option_wins)
{
	char *dir = pt_confdir();
	login_defs(dir, "UID_MIN abc\n");
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", "min_uid=4000", "lo"), PAM_SUCCESS);
	CHECK_PAM(pt_one(PAM_MODULE_LOGINDEFS, "account", "min_uid=4000", "sysuser"), PAM_PERM_DENIED);
	tmpdir_remove(dir);
}

/* ---- The Debian-style example (pam.d/example-daemon) ------------------- */

/* SPEC P1-P3: the example file works as documented: @include of the system stacks
 * (private stand-ins here), pam_succeed_if restricting to the group
 * impersonate-users, then this module. */
TEST(example_daemon_service)
{
	char *dir = pt_confdir();
	char text[1024];
	snprintf(text, sizeof(text), "auth required %s passdb=%s/passdb\n", PAM_MATRIX, PAM_FIXTURES);
	pt_service(dir, "common-auth", text);
	pt_service(dir, "common-account", "account required pam_permit.so\n");
	pt_service(dir, "common-session-noninteractive", "session required pam_permit.so\n");
	pt_service_from(dir, "example-daemon", PAM_EXAMPLE_SERVICE, MOD, NULL);

	struct pt_conv c = {.password = "alice-secret"};
	pam_handle_t *pamh = pt_start(dir, "example-daemon", "alice", &c);
	CHECK_PAM(pam_authenticate(pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_acct_mgmt(pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	CHECK_PAM(pam_open_session(pamh, 0), PAM_SUCCESS);
	imp_token *t = registered(pamh);
	CHECK(t != NULL);
	CHECK_EQ(imp_token_uid(t), ALICE);
	CHECK_PAM(pam_close_session(pamh, 0), PAM_SUCCESS);
	CHECK(imp_token_is_revoked(t));
	CHECK_PAM(pam_setcred(pamh, PAM_DELETE_CRED), PAM_SUCCESS);
	imp_token_unref(t);
	pam_end(pamh, PAM_SUCCESS);

	/* bob authenticates but is not in impersonate-users. */
	c.password = "bob-secret";
	pamh = pt_start(dir, "example-daemon", "bob", &c);
	CHECK_PAM(pam_authenticate(pamh, 0), PAM_SUCCESS);
	CHECK(pam_acct_mgmt(pamh, 0) != PAM_SUCCESS);
	pam_end(pamh, PAM_SUCCESS);

	/* A wrong password stops at common-auth. */
	c.password = "wrong";
	pamh = pt_start(dir, "example-daemon", "alice", &c);
	CHECK_PAM(pam_authenticate(pamh, 0), PAM_AUTH_ERR);
	pam_end(pamh, PAM_SUCCESS);
	tmpdir_remove(dir);
}

/* ---- SPEC P5: no credential change, checked by the kernel --------------- */

/* Kill the process on any credential-changing syscall of this thread (and
 * threads it creates), including the setfsuid(-1) query form. */
static void forbid_credential_syscalls(void)
{
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	CHECK(ctx != NULL);
	const int calls[] = {
		SCMP_SYS(setuid),   SCMP_SYS(setgid),   SCMP_SYS(setreuid), SCMP_SYS(setregid),
		SCMP_SYS(setresuid), SCMP_SYS(setresgid), SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),
		SCMP_SYS(setgroups), SCMP_SYS(capset),   SCMP_SYS(unshare),  SCMP_SYS(setns),
	};
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		CHECK(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, calls[i], 0) == 0);
	CHECK(seccomp_load(ctx) == 0);
	seccomp_release(ctx);
}

/* SPEC P5 (control): the filter really kills, so the next test can fail. */
TEST(p5_filter_catches_credential_syscalls)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		forbid_credential_syscalls();
		syscall(SYS_setfsuid, -1);
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
}

/* SPEC P5: the whole life of a handle, every type and every option, makes
 * no credential syscall at all, and the thread's credentials are as before. */
TEST(p5_no_credential_change)
{
	struct kcreds before, after;
	kc_read(0, &before);
	forbid_credential_syscalls();
	const char *opts[] = {NULL, "mode=full level=identify groups=primary keep_caps=cap_kill debug",
	                      "allow_root min_uid=0"};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char *dir;
		pam_handle_t *pamh = start_auth_stack(&dir, opts[i], "alice", NULL);
		CHECK_PAM(pam_authenticate(pamh, 0), PAM_SUCCESS);
		CHECK_PAM(pam_acct_mgmt(pamh, 0), PAM_SUCCESS);
		CHECK_PAM(pam_setcred(pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
		CHECK_PAM(pam_open_session(pamh, 0), PAM_SUCCESS);
		CHECK_PAM(pam_setcred(pamh, PAM_REINITIALIZE_CRED), PAM_SUCCESS);
		imp_token *t = registered(pamh);
		CHECK(t != NULL);
		CHECK_PAM(pam_close_session(pamh, 0), PAM_SUCCESS);
		CHECK_PAM(pam_setcred(pamh, PAM_DELETE_CRED), PAM_SUCCESS);
		CHECK(imp_token_is_revoked(t));
		end_all(pamh, dir, PAM_SUCCESS);
		imp_token_unref(t);
	}
	kc_read(0, &after);
	CHECK(kc_equal(&before, &after));
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, 0);
}
