/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * End to end, as root: a test user authenticates through the demo stack
 * (pam.d/impersonate-demo: pam_matrix checks the password, then
 * pam_impersonate), the application takes the token from its PAM handle and
 * impersonates on a worker thread, opens a file only that user may read,
 * reverts, and every thread's credentials are checked against what the
 * kernel reports.  SPEC P1 P2 P5 K2-K4, with T1 T4 seen through PAM.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "kcreds.h"
#include "pamtest.h"
#include "worker.h"

#define ALICE 60001
#define BOB 60002
#define FINANCE 60101
#define SERVICE "impersonate-demo"

/* ---- Work done on the worker (tests/lib/worker.h) ------------------------ */

/* A CHECK failing on the worker ends the whole test process, as on the main
 * thread. */
struct job {
	imp_token *tok;
	struct kcreds k;   /* the worker's credentials after the step */
};

/* imp_impersonate()'s result */
static long do_impersonate(void *p)
{
	struct job *j = p;
	long r = imp_impersonate(j->tok);
	kc_read(0, &j->k);
	return r;
}

/* imp_revert()'s result */
static long do_revert(void *p)
{
	struct job *j = p;
	long r = imp_revert();
	kc_read(0, &j->k);
	return r;
}

static long do_read_creds(void *p)
{
	struct job *j = p;
	kc_read(0, &j->k);
	return 0;
}

struct open_job {
	const char *dir, *name;
};

static long do_open(void *p)
{
	struct open_job *o = p;
	return try_open(o->dir, o->name, O_RDONLY);
}

static int worker_open(struct worker *w, const char *dir, const char *name)
{
	struct open_job o = {.dir = dir, .name = name};
	return (int)worker_run(w, do_open, &o);
}

/* ---- The test's world ---------------------------------------------------- */

struct world {
	char *confdir, *files;
	struct pt_conv conv;
	pam_handle_t *pamh;
	struct kcreds main_before;   /* the thread that runs PAM */
	struct worker *wk;           /* the thread that impersonates */
	struct kcreds worker_before;
};

static struct kcreds worker_creds(struct worker *wk)
{
	struct job j = {0};
	worker_run(wk, do_read_creds, &j);
	return j.k;
}

/* The demo service with @options on its pam_impersonate lines, the files
 * the users may or may not read, a worker thread, and a handle for @user. */
static void world_begin(struct world *w, const char *options, const char *user, const char *password)
{
	w->confdir = pt_confdir();
	pt_service_from(w->confdir, SERVICE, PAM_DEMO_SERVICE, PAM_MODULE, options);
	w->files = tmpdir_make();
	file_make(w->files, "alice-only", ALICE, ALICE, 0400);
	file_make(w->files, "finance-only", 0, FINANCE, 0040);
	file_make(w->files, "root-only", 0, 0, 0400);
	w->conv = (struct pt_conv){.password = password};
	w->wk = worker_start();
	w->worker_before = worker_creds(w->wk);
	kc_read(0, &w->main_before);
	w->pamh = pt_start(w->confdir, SERVICE, user, &w->conv);
}

/* SPEC P5: the thread that runs PAM keeps its credentials exactly. */
static void check_main_unchanged(const struct world *w)
{
	struct kcreds now;
	kc_read(0, &now);
	if (!kc_equal(&w->main_before, &now)) {
		kc_print("before", &w->main_before);
		kc_print("now", &now);
		CHECK(!"the PAM thread's credentials changed");
	}
}

/* authenticate, account, setcred ESTABLISH, open_session; the token. */
static imp_token *world_login(struct world *w)
{
	CHECK_PAM(pam_authenticate(w->pamh, 0), PAM_SUCCESS);
	check_main_unchanged(w);
	CHECK_PAM(pam_acct_mgmt(w->pamh, 0), PAM_SUCCESS);
	check_main_unchanged(w);
	CHECK_PAM(pam_setcred(w->pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS);
	check_main_unchanged(w);
	CHECK_PAM(pam_open_session(w->pamh, 0), PAM_SUCCESS);
	check_main_unchanged(w);
	imp_token *tok = NULL;
	CHECK_EQ(imp_token_from_pam(w->pamh, &tok), 0);
	return tok;
}

/* imp_impersonate(@tok) on @wk: its result; the worker's credentials after
 * it in *@k. */
static int impersonate_on(struct worker *wk, imp_token *tok, struct kcreds *k)
{
	struct job j = {.tok = tok};
	int r = (int)worker_run(wk, do_impersonate, &j);
	*k = j.k;
	return r;
}

/* imp_revert() on the world's worker, which must then be exactly as it was
 * before the test (SPEC T4). */
static void revert_worker(struct world *w)
{
	struct job j = {0};
	CHECK_EQ(worker_run(w->wk, do_revert, &j), 0);
	if (!kc_equal(&w->worker_before, &j.k)) {
		kc_print("before", &w->worker_before);
		kc_print("after revert", &j.k);
		CHECK(!"the worker did not get its own credentials back");
	}
}

static void world_end(struct world *w)
{
	if (w->pamh)
		pam_end(w->pamh, PAM_SUCCESS);
	check_main_unchanged(w);
	worker_stop(w->wk);
	tmpdir_remove(w->confdir);
	tmpdir_remove(w->files);
}

/* ---- Tests ------------------------------------------------------------------ */

/* SPEC P1 P2 P5 K2 (T1 T4): the whole path.  alice logs in through the demo
 * stack; a worker thread impersonates her token, opens her file and the
 * finance group's file but not root's, reverts, and is exactly as before;
 * the PAM thread never changes. */
TEST(e2e_login_impersonate_on_worker_and_revert)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, NULL, "alice", "alice-secret");
	CHECK_EQ(worker_open(w.wk, w.files, "alice-only"), 0); /* as root, it reads anything */

	imp_token *tok = world_login(&w);
	CHECK_STREQ(imp_token_user_name(tok), "alice");
	CHECK_EQ(impersonate_on(w.wk, tok, &k), 0);
	CHECK_EQ(k.uid[3], ALICE);
	CHECK_EQ(k.gid[3], ALICE);
	CHECK_EQ(k.uid[0], 0);
	CHECK_EQ(k.uid[1], 0);
	CHECK_EQ(k.ngroups, 4);
	CHECK(kc_has_group(&k, FINANCE));
	CHECK_EQ(k.cap_eff, 0);
	check_main_unchanged(&w);

	CHECK_EQ(worker_open(w.wk, w.files, "alice-only"), 0);
	CHECK_EQ(worker_open(w.wk, w.files, "finance-only"), 0);
	CHECK_EQ(worker_open(w.wk, w.files, "root-only"), EACCES);
	/* The PAM thread is still root and still reads root's file. */
	CHECK_EQ(try_open(w.files, "root-only", O_RDONLY), 0);

	revert_worker(&w);
	CHECK_EQ(worker_open(w.wk, w.files, "root-only"), 0);

	CHECK_PAM(pam_close_session(w.pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_setcred(w.pamh, PAM_DELETE_CRED), PAM_SUCCESS);
	CHECK(imp_token_is_revoked(tok));
	imp_token_unref(tok);
	world_end(&w);
}

/* SPEC P1 K2 (control): the file check is real, bob's token does not open
 * alice's file. */
TEST(e2e_other_user_cannot_read)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, NULL, "bob", "bob-secret");
	imp_token *tok = world_login(&w);
	CHECK_EQ(impersonate_on(w.wk, tok, &k), 0);
	CHECK_EQ(k.uid[3], BOB);
	CHECK_EQ(worker_open(w.wk, w.files, "alice-only"), EACCES);
	CHECK_EQ(worker_open(w.wk, w.files, "finance-only"), EACCES);
	revert_worker(&w);
	imp_token_unref(tok);
	world_end(&w);
}

/* SPEC P1: a wrong password stops at pam_matrix; no token is ever made. */
TEST(e2e_wrong_password_no_token)
{
	struct world w;
	world_begin(&w, NULL, "alice", "wrong");
	CHECK_PAM(pam_authenticate(w.pamh, 0), PAM_AUTH_ERR);
	imp_token *tok;
	CHECK_EQ(imp_token_from_pam(w.pamh, &tok), -ENOENT);
	world_end(&w);
}

/* SPEC P3: root with the right password passes pam_matrix but not this
 * module's account check, and gets no token. */
TEST(e2e_root_refused)
{
	struct world w;
	world_begin(&w, NULL, "root", "root-secret");
	CHECK_PAM(pam_authenticate(w.pamh, 0), PAM_SUCCESS);
	CHECK_PAM(pam_acct_mgmt(w.pamh, 0), PAM_PERM_DENIED);
	CHECK_PAM(pam_open_session(w.pamh, 0), PAM_PERM_DENIED);
	imp_token *tok;
	CHECK_EQ(imp_token_from_pam(w.pamh, &tok), -ENOENT);
	world_end(&w);
}

/* SPEC K4: close_session revokes the token.  A thread already impersonating
 * it keeps running as alice until it reverts; no thread can start a new
 * impersonation with it. */
TEST(e2e_close_session_revokes_while_impersonating)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, NULL, "alice", "alice-secret");
	struct worker *other = worker_start();
	struct kcreds other_before = worker_creds(other);

	imp_token *tok = world_login(&w);
	CHECK_EQ(impersonate_on(w.wk, tok, &k), 0);

	CHECK_PAM(pam_close_session(w.pamh, 0), PAM_SUCCESS);
	CHECK(imp_token_is_revoked(tok));
	CHECK_EQ(worker_creds(w.wk).uid[3], ALICE);
	CHECK_EQ(worker_open(w.wk, w.files, "alice-only"), 0);
	CHECK_EQ(worker_open(w.wk, w.files, "root-only"), EACCES);

	CHECK_EQ(impersonate_on(other, tok, &k), -EKEYREVOKED);
	CHECK(kc_equal(&other_before, &k));

	revert_worker(&w);
	CHECK_EQ(impersonate_on(w.wk, tok, &k), -EKEYREVOKED);
	CHECK(kc_equal(&w.worker_before, &k));

	imp_token_unref(tok);
	worker_stop(other);
	world_end(&w);
}

/* SPEC K4: setcred PAM_DELETE_CRED revokes it the same way. */
TEST(e2e_setcred_delete_revokes)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, NULL, "alice", "alice-secret");
	imp_token *tok = world_login(&w);
	CHECK_EQ(impersonate_on(w.wk, tok, &k), 0);
	CHECK_PAM(pam_setcred(w.pamh, PAM_DELETE_CRED), PAM_SUCCESS);
	CHECK_EQ(worker_creds(w.wk).uid[3], ALICE);
	revert_worker(&w);
	CHECK_EQ(impersonate_on(w.wk, tok, &k), -EKEYREVOKED);
	CHECK(kc_equal(&w.worker_before, &k));
	imp_token_unref(tok);
	world_end(&w);
}

/* SPEC P1: the token stays usable after pam_end while referenced (the
 * session was never closed, so nothing revoked it). */
TEST(e2e_token_usable_after_pam_end)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, NULL, "alice", "alice-secret");
	imp_token *tok = world_login(&w);
	pam_end(w.pamh, PAM_SUCCESS);
	w.pamh = NULL;
	check_main_unchanged(&w);

	CHECK_EQ(impersonate_on(w.wk, tok, &k), 0);
	CHECK_EQ(k.uid[3], ALICE);
	CHECK_EQ(worker_open(w.wk, w.files, "alice-only"), 0);
	revert_worker(&w);
	imp_token_unref(tok);
	world_end(&w);
}

/* SPEC K3: with level=identify the token can be queried but impersonating it
 * fails with -EACCES and changes nothing. */
TEST(e2e_level_identify)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, "level=identify", "alice", "alice-secret");
	imp_token *tok = world_login(&w);
	CHECK_EQ(imp_token_uid(tok), ALICE);
	CHECK_STREQ(imp_token_user_name(tok), "alice");
	CHECK_EQ(impersonate_on(w.wk, tok, &k), -EACCES);
	CHECK(kc_equal(&w.worker_before, &k));
	imp_token_unref(tok);
	world_end(&w);
}

/* mode=full (SPEC T10 through the option): the effective uid and gid are
 * alice's, the real and saved ids stay root's, and revert restores all. */
TEST(e2e_mode_full)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, "mode=full", "alice", "alice-secret");
	imp_token *tok = world_login(&w);
	CHECK_EQ(impersonate_on(w.wk, tok, &k), 0);
	CHECK_EQ(k.uid[1], ALICE);
	CHECK_EQ(k.gid[1], ALICE);
	CHECK_EQ(k.uid[0], 0);
	CHECK_EQ(k.uid[2], 0);
	CHECK_EQ(worker_open(w.wk, w.files, "alice-only"), 0);
	CHECK_EQ(worker_open(w.wk, w.files, "root-only"), EACCES);
	revert_worker(&w);
	imp_token_unref(tok);
	world_end(&w);
}

/* SPEC K2: groups=primary leaves out alice's supplementary groups, so the
 * finance group's file is closed to her. */
TEST(e2e_groups_primary)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, "groups=primary", "alice", "alice-secret");
	imp_token *tok = world_login(&w);
	CHECK_EQ(impersonate_on(w.wk, tok, &k), 0);
	CHECK_EQ(k.ngroups, 1);
	CHECK_EQ(k.groups[0], ALICE);
	CHECK_EQ(worker_open(w.wk, w.files, "alice-only"), 0);
	CHECK_EQ(worker_open(w.wk, w.files, "finance-only"), EACCES);
	revert_worker(&w);
	imp_token_unref(tok);
	world_end(&w);
}

/* keep_caps (SPEC T11 through the option): the named capability, and only
 * it, stays effective while impersonating. */
TEST(e2e_keep_caps)
{
	struct world w;
	struct kcreds k;
	world_begin(&w, "keep_caps=cap_net_bind_service", "alice", "alice-secret");
	imp_token *tok = world_login(&w);
	CHECK_EQ(impersonate_on(w.wk, tok, &k), 0);
	CHECK_EQ(k.cap_eff, 1ull << CAP_NET_BIND_SERVICE);
	CHECK_EQ(k.cap_prm, w.worker_before.cap_prm);
	revert_worker(&w);
	imp_token_unref(tok);
	world_end(&w);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
