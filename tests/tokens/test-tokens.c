/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tokens (SPEC K1-K4, and the kept capabilities of T11 that
 * imp_token_with_caps() adds to a token), checked against what the kernel
 * reports in /proc/self/task/<tid>/status and with real files and sockets.
 *
 * Users come from private files generated at build time (gen-nss-files.sh)
 * and bind-mounted over /etc in a private mount namespace (privusers.h): the
 * shared fixtures plus users in 3000, 65536 (NGROUPS_MAX) and 65537 groups.  Reference counts are read from the
 * library's internal struct (the test links the static internal library).
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "privusers.h"
#include "xtest.h"

#define MANY 61000      /* in 3000 groups, 70000-72999 */
#define MAXGROUPS 61001 /* in 65535 groups + its primary = NGROUPS_MAX */

/* getgrouplist() as the library sees it here (nss_wrapper's, preloaded),
 * counted: a user's groups are one query, also past 64 groups (issue 11:
 * the list was sized by a first call, a second full directory query). */
static atomic_int getgrouplist_calls;
int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	int (*next)(const char *, gid_t, gid_t *, int *) =
		(int (*)(const char *, gid_t, gid_t *, int *))dlsym(RTLD_NEXT, "getgrouplist");
	atomic_fetch_add(&getgrouplist_calls, 1);
	return next ? next(user, group, groups, ngroups) : -1;
}

static imp_token *user_token(const char *name, unsigned flags)
{
	imp_token *t;
	CHECK_EQ(imp_token_for_user(name, flags, &t), 0);
	return t;
}

static size_t token_refs(const imp_token *t)
{
	return atomic_load(&t->refs);
}

static void check_groups(const imp_token *t, const gid_t *want, size_t n)
{
	size_t got;
	const gid_t *g = imp_token_groups(t, &got);
	CHECK_EQ(got, n);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(g[i], want[i]);
}

/* ---- K1 -------------------------------------------------------------------- */

/* SPEC K1: a token is a copy made once: the caller's group array can change
 * afterwards, the list is sorted without duplicates, deriving a token with
 * capabilities or revoking the derived one leaves the base as it was. */
TEST(k1_token_is_an_immutable_copy)
{
	gid_t groups[] = {SHARED, ALICE, FINANCE, SHARED, ALICE};
	const gid_t sorted[] = {ALICE, SHARED, FINANCE};
	imp_token *t, *d;

	CHECK_EQ(imp_token_new(ALICE, ALICE, groups, 5, IMP_MODE_FULL, &t), 0);
	groups[0] = groups[1] = groups[2] = 0;
	CHECK_EQ(imp_token_uid(t), ALICE);
	CHECK_EQ(imp_token_gid(t), ALICE);
	CHECK_STREQ(imp_token_user_name(t), "alice");
	CHECK_EQ(imp_token_flags(t), IMP_MODE_FULL);
	CHECK_EQ(imp_token_kept_caps(t), 0);
	check_groups(t, sorted, 3);

	CHECK_EQ(imp_token_with_caps(t, "cap_chown", &d), 0);
	CHECK(d != t);
	CHECK_EQ(imp_token_kept_caps(d), UINT64_C(1) << CAP_CHOWN);
	CHECK_EQ(imp_token_kept_caps(t), 0);
	CHECK_EQ(imp_token_uid(d), ALICE);
	CHECK_EQ(imp_token_flags(d), IMP_MODE_FULL);
	check_groups(d, sorted, 3);
	imp_token_revoke(d);
	CHECK(imp_token_is_revoked(d));
	CHECK(!imp_token_is_revoked(t));

	/* Impersonating does not change it either. */
	CHECK_EQ(imp_impersonate(t), 0);
	CHECK_EQ(imp_revert(), 0);
	check_groups(t, sorted, 3);
	CHECK_EQ(token_refs(t), 2); /* the derived token holds its base (K4) */
	imp_token_unref(d);
	CHECK_EQ(token_refs(t), 1);
	imp_token_unref(t);
}

struct share_arg {
	imp_token *tok;
	pthread_barrier_t *start;
	int rounds;
};

/* One of many threads impersonating the same token at once: every round the
 * kernel shows exactly the token's identity on this thread, and exactly
 * this thread's own identity after the revert. */
static void *share_main(void *p)
{
	struct share_arg *a = p;
	struct kcreds own;
	imp_token *cur;

	kc_read(0, &own);
	pthread_barrier_wait(a->start);
	for (int i = 0; i < a->rounds; i++) {
		imp_token *mine = imp_token_ref(a->tok);
		CHECK_EQ(imp_impersonate(mine), 0);
		CHECK_IMPERSONATING(&own, 0, a->tok);
		CHECK_EQ(imp_current_token(&cur), 0);
		CHECK(cur == a->tok);
		imp_token_unref(cur);
		imp_token_unref(mine); /* the thread holds its own reference */
		CHECK_IMPERSONATING(&own, 0, a->tok);
		CHECK_EQ(imp_revert(), 0);
		CHECK_THREAD_IS(0, &own);
	}
	return NULL;
}

/* SPEC K1: one token shared by many threads impersonating it concurrently
 * (and a second token used by some of them at the same time): each thread
 * sees the right ids every time, the main thread never moves, and the
 * reference count is back to one at the end. */
TEST(k1_many_threads_share_one_token)
{
	enum { THREADS = 12, ROUNDS = 300 };
	own_identity_setup();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", IMP_MODE_FULL);
	pthread_t th[THREADS];
	struct share_arg arg[THREADS];
	pthread_barrier_t start;
	struct kcreds own;

	kc_read(0, &own);
	pthread_barrier_init(&start, NULL, THREADS + 1);
	for (int i = 0; i < THREADS; i++) {
		arg[i] = (struct share_arg){.tok = i % 3 ? alice : bob, .start = &start, .rounds = ROUNDS};
		CHECK_EQ(pthread_create(&th[i], NULL, share_main, &arg[i]), 0);
	}
	pthread_barrier_wait(&start);
	for (int i = 0; i < 50; i++)
		CHECK_THREAD_IS(0, &own);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(token_refs(alice), 1);
	CHECK_EQ(token_refs(bob), 1);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

static void *refs_main(void *p)
{
	struct share_arg *a = p;
	imp_token *held[8];

	pthread_barrier_wait(a->start);
	for (int i = 0; i < a->rounds; i++) {
		for (int j = 0; j < 8; j++)
			held[j] = imp_token_ref(a->tok);
		CHECK(token_refs(a->tok) >= 9);
		for (int j = 0; j < 8; j++)
			imp_token_unref(held[j]);
	}
	return NULL;
}

/* SPEC K1: references taken and dropped from many threads at once balance
 * exactly: the count is back to one (not freed early, not leaked). */
TEST(k1_references_from_many_threads_balance)
{
	enum { THREADS = 8, ROUNDS = 50000 };
	imp_token *alice = user_token("alice", 0);
	pthread_t th[THREADS];
	struct share_arg arg[THREADS];
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, THREADS + 1);
	for (int i = 0; i < THREADS; i++) {
		arg[i] = (struct share_arg){.tok = alice, .start = &start, .rounds = ROUNDS};
		CHECK_EQ(pthread_create(&th[i], NULL, refs_main, &arg[i]), 0);
	}
	pthread_barrier_wait(&start);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(token_refs(alice), 1);
	CHECK_EQ(alice->magic, IMP_TOKEN_MAGIC);
	CHECK_EQ(imp_token_ref(NULL), NULL);
	imp_token_unref(NULL);
	imp_token_unref(alice);
}

/* ---- K2 -------------------------------------------------------------------- */

/* SPEC K2: uid, primary gid and the full supplementary list from NSS, and the
 * kernel really gets that list (groups open the group-readable files). */
TEST(k2_for_user_resolves_uid_gid_and_every_group)
{
	own_identity_setup();
	char *dir = files_make();
	struct sibling *s = sibling_start();
	const gid_t ag[] = {ALICE, SHARED, FINANCE}, bg[] = {BOB, SHARED}, cg[] = {CAROL};
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0), *carol = user_token("carol", 0);
	struct kcreds own, sib;

	CHECK_EQ(imp_token_uid(alice), ALICE);
	CHECK_EQ(imp_token_gid(alice), ALICE);
	CHECK_STREQ(imp_token_user_name(alice), "alice");
	check_groups(alice, ag, 3);
	check_groups(bob, bg, 2);
	check_groups(carol, cg, 1);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_IMPERSONATING(&own, 0, alice);
	CHECK_ACCESS(dir, AS_ALICE);
	CHECK_EQ(imp_impersonate(bob), 0);
	CHECK_IMPERSONATING(&own, 0, bob);
	CHECK_ACCESS(dir, AS_BOB);
	CHECK_THREAD_IS(sibling_tid(s), &sib);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	imp_token_unref(alice);
	imp_token_unref(bob);
	imp_token_unref(carol);
	sibling_stop(s);
	tmpdir_remove(dir);
}

/* SPEC K2: the groups of a user in 3000 groups are asked for once. */
TEST(k2_groups_are_one_query)
{
	atomic_store(&getgrouplist_calls, 0);
	imp_token *many = user_token("many", 0);
	size_t n;
	imp_token_groups(many, &n);
	CHECK_EQ(n, 3001);
	CHECK_EQ(atomic_load(&getgrouplist_calls), 1);
	imp_token_unref(many);
}

/* SPEC K2: a user in 3000 groups gets a token with all 3001 (primary
 * included), and impersonating it gives the thread every one of them: the
 * kernel's Groups: line lists them all, and files readable by the first and
 * the last group open. */
TEST(k2_user_in_3000_groups_gets_all_of_them)
{
	own_identity_setup();
	char *dir = tmpdir_make();
	struct sibling *s = sibling_start();
	imp_token *many = user_token("many", 0);
	struct kcreds own, sib;
	size_t n;
	const gid_t *g = imp_token_groups(many, &n);

	CHECK_EQ(n, 3001);
	CHECK_EQ(g[0], MANY);
	for (size_t i = 1; i < n; i++)
		CHECK_EQ(g[i], 70000 + i - 1);
	file_make(dir, "first", 0, 70000, 0640);
	file_make(dir, "last", 0, 72999, 0640);
	file_make(dir, "other", 0, 73000, 0640);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(imp_impersonate(many), 0);
	CHECK_IMPERSONATING(&own, 0, many); /* all 3001, in order, nothing else */
	CHECK_EQ(try_open(dir, "first", O_RDONLY), 0);
	CHECK_EQ(try_open(dir, "last", O_RDONLY), 0);
	CHECK_EQ(try_open(dir, "other", O_RDONLY), EACCES);
	CHECK_THREAD_IS(sibling_tid(s), &sib);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(try_open(dir, "other", O_RDONLY), 0);
	imp_token_unref(many);
	sibling_stop(s);
	tmpdir_remove(dir);
}

/* SPEC K2: no fixed limit below NGROUPS_MAX: a user in exactly NGROUPS_MAX
 * (65536) groups works end to end (the kernel holds 65536 groups for the
 * thread; read with getgroups(2) because kcreds stops at 4096); one group
 * more cannot be given to the kernel, and the token is refused (-E2BIG). */
TEST(k2_no_limit_below_ngroups_max)
{
	imp_token *max, *over = (imp_token *)0x1;
	static gid_t got[65536 + 1];
	size_t n;

	long own_n = syscall(SYS_getgroups, 0, NULL);
	CHECK_EQ(sysconf(_SC_NGROUPS_MAX), 65536);
	CHECK_EQ(imp_token_for_user("maxgroups", 0, &max), 0);
	const gid_t *g = imp_token_groups(max, &n);
	CHECK_EQ(n, 65536);
	CHECK_EQ(imp_impersonate(max), 0);
	long k = syscall(SYS_getgroups, 65536 + 1, got);
	CHECK_EQ(k, 65536);
	CHECK(memcmp(got, g, sizeof(gid_t) * 65536) == 0);
	CHECK_EQ(setfsuid((uid_t)-1), MAXGROUPS);
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(syscall(SYS_getgroups, 0, NULL), own_n);

	CHECK_EQ(imp_token_for_user("toomany", 0, &over), -E2BIG);
	CHECK(over == (imp_token *)0x1);
	imp_token_unref(max);
}

/* SPEC K2: IMP_GROUPS_PRIMARY_ONLY gives the primary group alone, and the
 * kernel gets exactly that list (group files stay closed). */
TEST(k2_primary_group_only)
{
	own_identity_setup();
	char *dir = files_make();
	const gid_t only[] = {ALICE};
	imp_token *alice = user_token("alice", IMP_GROUPS_PRIMARY_ONLY);
	struct kcreds own;

	check_groups(alice, only, 1);
	CHECK_EQ(imp_token_uid(alice), ALICE);
	CHECK_EQ(imp_token_flags(alice) & IMP_GROUPS_PRIMARY_ONLY, 0);
	kc_read(0, &own);
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_IMPERSONATING(&own, 0, alice);
	check_access_at(__FILE__, __LINE__, dir, AS_ALICE, false);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	imp_token_unref(alice);

	imp_token *many = user_token("many", IMP_GROUPS_PRIMARY_ONLY);
	const gid_t many_only[] = {MANY};
	check_groups(many, many_only, 1);
	imp_token_unref(many);
	tmpdir_remove(dir);
}

/* SPEC K2: an unknown user is -ENOENT; empty names and unknown flags are
 * -EINVAL; the out-parameter is untouched. */
TEST(k2_unknown_user_and_bad_arguments)
{
	imp_token *t = (imp_token *)0x1;

	CHECK_EQ(imp_token_for_user("nosuchuser", 0, &t), -ENOENT);
	CHECK_EQ(imp_token_for_user("", 0, &t), -EINVAL);
	CHECK_EQ(imp_token_for_user("alice", 0x100, &t), -EINVAL);
	CHECK(t == (imp_token *)0x1);
	CHECK_EQ(imp_token_new((uid_t)-1, 0, NULL, 0, 0, &t), -EINVAL);
	CHECK_EQ(imp_token_new(ALICE, (gid_t)-1, NULL, 0, 0, &t), -EINVAL);
	CHECK_EQ(imp_token_new(ALICE, ALICE, NULL, 1, 0, &t), -EINVAL);
	CHECK(t == (imp_token *)0x1);
}

/* ---- K3 -------------------------------------------------------------------- */

/* SPEC K3: an identify-level token answers every query, but impersonating it
 * is -EACCES and changes nothing: not a thread that is its own, not a thread
 * impersonating someone else, not through a call, not through a token
 * derived from it. */
TEST(k3_identify_level_is_queryable_not_impersonable)
{
	own_identity_setup();
	char *dir = files_make();
	struct sibling *s = sibling_start();
	const gid_t ag[] = {ALICE, SHARED, FINANCE};
	imp_token *id = user_token("alice", IMP_LEVEL_IDENTIFY), *bob = user_token("bob", 0), *d, *cur;
	imp_call *call;
	struct kcreds own, sib;

	CHECK_EQ(imp_token_uid(id), ALICE);
	CHECK_EQ(imp_token_gid(id), ALICE);
	CHECK_STREQ(imp_token_user_name(id), "alice");
	CHECK(imp_token_flags(id) & IMP_LEVEL_IDENTIFY);
	check_groups(id, ag, 3);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(imp_impersonate(id), -EACCES);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_is_impersonating(), 0);
	CHECK_ACCESS(dir, AS_OWN);

	CHECK_EQ(imp_impersonate(bob), 0);
	CHECK_EQ(imp_impersonate(id), -EACCES);
	CHECK_IMPERSONATING(&own, 0, bob);
	CHECK_EQ(imp_current_token(&cur), 0);
	CHECK(cur == bob);
	imp_token_unref(cur);
	CHECK_EQ(imp_revert(), 0);

	CHECK_EQ(imp_call_begin(id, &call), 0);
	CHECK_EQ(imp_call_impersonate(call), -EACCES);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_call_end(call), 0);
	imp_call_unref(call);

	CHECK_EQ(imp_token_with_caps(id, "cap_chown", &d), 0);
	CHECK_EQ(imp_impersonate(d), -EACCES);
	CHECK_THREAD_IS(0, &own);
	CHECK_THREAD_IS(sibling_tid(s), &sib);
	imp_token_unref(d);

	imp_token *n;
	CHECK_EQ(imp_token_new(ALICE, ALICE, NULL, 0, IMP_LEVEL_IDENTIFY | IMP_MODE_FULL, &n), 0);
	CHECK_EQ(imp_impersonate(n), -EACCES);
	CHECK_THREAD_IS(0, &own);
	imp_token_unref(n);
	imp_token_unref(id);
	imp_token_unref(bob);
	sibling_stop(s);
	tmpdir_remove(dir);
}

/* ---- K4 -------------------------------------------------------------------- */

/*
 * SPEC K4: a thread impersonating a token when it is revoked keeps running
 * as the client (kernel and files) until it reverts; no new impersonation
 * can start with it (another thread, the same thread switching to it again,
 * a call, a token derived from it after the revoke), each -EKEYREVOKED with
 * nothing changed.
 */
TEST(k4_revoked_token_cannot_start_but_running_threads_keep_it)
{
	own_identity_setup();
	char *dir = files_make();
	struct worker *w = worker_start();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0), *d = (imp_token *)0x1;
	imp_call *call;
	struct kcreds own, w_own;

	kc_read(0, &own);
	kc_read(worker_tid(w), &w_own);
	CHECK_EQ(worker_run(w, w_impersonate, alice), 0);
	CHECK_EQ(imp_call_begin(alice, &call), 0);

	imp_token_revoke(alice);
	CHECK(imp_token_is_revoked(alice));
	imp_token_revoke(alice); /* idempotent */
	CHECK(imp_token_is_revoked(alice));
	CHECK(!imp_token_is_revoked(bob));

	/* The running impersonation goes on. */
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 1);
	CHECK_WORKER_ACCESS(w, dir, AS_ALICE);

	/* Nothing new starts with it. */
	CHECK_EQ(imp_impersonate(alice), -EKEYREVOKED);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_call_impersonate(call), -EKEYREVOKED);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(worker_run(w, w_impersonate, alice), -EKEYREVOKED);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK_EQ(imp_impersonate(bob), 0);
	CHECK_EQ(imp_impersonate(alice), -EKEYREVOKED);
	CHECK_IMPERSONATING(&own, 0, bob);
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(imp_token_with_caps(alice, "cap_chown", &d), 0);
	CHECK(imp_token_is_revoked(d));
	CHECK_EQ(imp_impersonate(d), -EKEYREVOKED);
	CHECK_THREAD_IS(0, &own);
	imp_token_unref(d);

	/* Until the thread reverts. */
	CHECK_EQ(worker_run(w, w_revert, NULL), 0);
	CHECK_THREAD_IS(worker_tid(w), &w_own);
	CHECK_WORKER_ACCESS(w, dir, AS_OWN);
	CHECK_EQ(worker_run(w, w_impersonate, alice), -EKEYREVOKED);
	CHECK_THREAD_IS(worker_tid(w), &w_own);

	CHECK_EQ(imp_call_end(call), 0);
	imp_call_unref(call);
	worker_stop(w);
	CHECK_EQ(token_refs(alice), 1);
	imp_token_unref(alice);
	imp_token_unref(bob);
	tmpdir_remove(dir);
}

/* SPEC K4: a token derived with imp_token_with_caps() BEFORE its base is
 * revoked follows the base: revoking the base (a PAM session closing)
 * stops new impersonations with the derived token too, while a thread
 * already impersonating it keeps running until it reverts.  Revoking the
 * derived token leaves the base alone. */
TEST(k4_derived_token_follows_its_base)
{
	imp_token *alice = user_token("alice", 0), *d, *d2;
	struct kcreds own, k;
	CHECK_EQ(imp_token_with_caps(alice, "cap_chown", &d), 0);
	CHECK_EQ(imp_token_with_caps(d, "cap_kill", &d2), 0); /* a chain */
	CHECK(!imp_token_is_revoked(d2));

	kc_read(0, &own);
	CHECK_EQ(imp_impersonate(d2), 0);
	imp_token_revoke(alice);
	CHECK(imp_token_is_revoked(d));
	CHECK(imp_token_is_revoked(d2));
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], ALICE); /* still running as alice */
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(imp_impersonate(d), -EKEYREVOKED);
	CHECK_EQ(imp_impersonate(d2), -EKEYREVOKED);
	kc_read(0, &k);
	CHECK(kc_equal(&own, &k));

	imp_token *bob = user_token("bob", 0), *bd;
	CHECK_EQ(imp_token_with_caps(bob, "cap_chown", &bd), 0);
	imp_token_revoke(bd);
	CHECK(!imp_token_is_revoked(bob));
	CHECK_EQ(imp_impersonate(bob), 0);
	CHECK_EQ(imp_revert(), 0);
	imp_token_unref(bd);
	CHECK_EQ(token_refs(bob), 1);
	imp_token_unref(bob);
	imp_token_unref(d2);
	CHECK_EQ(token_refs(d), 1);
	imp_token_unref(d);
	CHECK_EQ(token_refs(alice), 1);
	imp_token_unref(alice);
}

/* ---- Kept capabilities (T11 through imp_token_with_caps) ----------------- */

/* 0 if the calling thread can bind UDP @port on loopback, else errno. */
static int try_bind(int port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int r = bind(fd, (const struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : errno;
	close(fd);
	return r;
}

/* A privileged port this process can bind now (as its own identity). */
static int free_low_port(void)
{
	for (int p = 600; p < 1000; p++)
		if (try_bind(p) == 0)
			return p;
	harness_skip("no free port below 1024");
}

/* SPEC K1 T11: a token with cap_net_bind_service kept has exactly that
 * capability in CapEff while impersonating (in both modes), and it really
 * works: the thread binds a privileged port, which the plain token cannot. */
TEST(k_with_caps_keeps_the_named_capability_only)
{
	own_identity_setup();
	int port = free_low_port();
	struct kcreds own, now;

	kc_read(0, &own);
	CHECK(own.cap_prm & (UINT64_C(1) << CAP_NET_BIND_SERVICE));
	for (int m = 0; m < 2; m++) {
		imp_token *alice = user_token("alice", m ? IMP_MODE_FULL : IMP_MODE_FS), *keep;
		CHECK_EQ(imp_token_with_caps(alice, "cap_net_bind_service", &keep), 0);
		CHECK_EQ(imp_token_kept_caps(keep), UINT64_C(1) << CAP_NET_BIND_SERVICE);

		CHECK_EQ(imp_impersonate(alice), 0);
		CHECK_EQ(try_bind(port), EACCES);
		CHECK_EQ(imp_impersonate(keep), 0);
		kc_read(0, &now);
		CHECK_EQ(now.cap_eff, UINT64_C(1) << CAP_NET_BIND_SERVICE);
		CHECK_EQ(now.cap_prm, own.cap_prm);
		CHECK_EQ(now.cap_inh, own.cap_inh);
		CHECK_IMPERSONATING(&own, 0, keep);
		CHECK_EQ(try_bind(port), 0);
		CHECK_EQ(imp_revert(), 0);
		CHECK_THREAD_IS(0, &own);
		imp_token_unref(keep);
		imp_token_unref(alice);
	}
}

/* SPEC K1 T11: a kept file capability in fs mode works on real files
 * (cap_dac_override: alice opens bob's file) and nothing else is effective;
 * several names separated by commas and spaces. */
TEST(k_with_caps_several_names_and_real_file_access)
{
	own_identity_setup();
	char *dir = files_make();
	imp_token *alice = user_token("alice", 0), *keep;
	struct kcreds own;

	CHECK_EQ(imp_token_with_caps(alice, "cap_dac_override, cap_kill,cap_chown", &keep), 0);
	CHECK_EQ(imp_token_kept_caps(keep),
	         (UINT64_C(1) << CAP_DAC_OVERRIDE) | (UINT64_C(1) << CAP_KILL) | (UINT64_C(1) << CAP_CHOWN));
	kc_read(0, &own);
	CHECK_EQ(imp_impersonate(keep), 0);
	CHECK_IMPERSONATING(&own, 0, keep);
	CHECK_EQ(try_open(dir, "bob.txt", O_RDONLY), 0);
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_EQ(try_open(dir, "bob.txt", O_RDONLY), EACCES);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	imp_token_unref(keep);
	imp_token_unref(alice);
	tmpdir_remove(dir);
}

/*
 * SPEC K1 T11: unknown or empty capability names are -EINVAL, out-parameter
 * untouched.  A word is a name or it is not: libcap's cap_from_name() takes
 * any name followed by a character that cannot be part of a name as that
 * name ("cap_chown;cap_kill" -> cap_chown, "cap_chown=ep" -> cap_chown), so
 * a list with the wrong separator would silently keep fewer capabilities
 * than it names.
 */
TEST(k_with_caps_bad_names)
{
	imp_token *alice = user_token("alice", 0), *t = (imp_token *)0x1;
	static const char *const bad[] = {"cap_bogus",          "",
	                                  " , ",                "cap_chown,cap_bogus",
	                                  "chown",              "cap_chownx",
	                                  "cap_chown;cap_kill", "cap_chown=ep",
	                                  "cap_chown+cap_kill", "cap_net_bind_service.cap_sys_admin",
	                                  "12",                 "cap_chown,,cap_kill",
	                                  "cap_chown cap_kill", "cap_chown,"};
	int accepted = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = imp_token_with_caps(alice, bad[i], &t);
		if (r == -EINVAL)
			continue;
		fprintf(stderr, "# \"%s\" -> %d, kept caps %#llx\n", bad[i], r,
		        r == 0 ? (unsigned long long)imp_token_kept_caps(t) : 0ull);
		if (r == 0)
			imp_token_unref(t);
		t = (imp_token *)0x1;
		accepted++;
	}
	CHECK_EQ(accepted, 0);
	CHECK(t == (imp_token *)0x1);
	CHECK_EQ(imp_token_with_caps((imp_token *)"junk-not-a-token", "cap_chown", &t), -EINVAL);
	CHECK(t == (imp_token *)0x1);
	CHECK_EQ(token_refs(alice), 1);
	imp_token_unref(alice);
}

/* imp_caps_parse: the one parser behind imp_token_with_caps and the PAM
 * module's keep_caps: libcap names in any case, commas with optional spaces;
 * the mask is untouched on failure. */
TEST(k_caps_parse)
{
	uint64_t m = 42;
	CHECK_EQ(imp_caps_parse("CAP_CHOWN", &m), 0);
	CHECK_EQ(m, UINT64_C(1) << CAP_CHOWN);
	CHECK_EQ(imp_caps_parse(" cap_kill ,cap_setgid\t,  cap_sys_admin ", &m), 0);
	CHECK_EQ(m, (UINT64_C(1) << CAP_KILL) | (UINT64_C(1) << CAP_SETGID) | (UINT64_C(1) << CAP_SYS_ADMIN));
	m = 42;
	CHECK_EQ(imp_caps_parse("cap_kill,cap_bogus", &m), -EINVAL);
	CHECK_EQ(imp_caps_parse(NULL, &m), -EINVAL);
	CHECK_EQ(imp_caps_parse("cap_chown=ep", &m), -EINVAL);
	CHECK_EQ(m, 42);
}

/* SPEC T11 (documented for imp_token_with_caps): keeping a capability the
 * thread does not hold in its permitted set is -EPERM with nothing changed. */
TEST(k_with_caps_not_permitted_is_eperm)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	imp_token *alice = user_token("alice", 0), *keep;
	struct kcreds own;

	/* Drop CAP_NET_RAW from this thread's permitted set (raw: this thread). */
	CHECK_EQ(syscall(SYS_capget, &h, d), 0);
	d[0].permitted &= ~(1u << CAP_NET_RAW);
	d[0].effective &= ~(1u << CAP_NET_RAW);
	CHECK_EQ(syscall(SYS_capset, &h, d), 0);

	CHECK_EQ(imp_token_with_caps(alice, "cap_net_raw", &keep), 0);
	kc_read(0, &own);
	CHECK_EQ(imp_impersonate(keep), -EPERM);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_is_impersonating(), 0);
	imp_token_unref(keep);
	imp_token_unref(alice);
}

int main(int argc, char **argv)
{
	private_users(getenv("TOKENS_PASSWD"), getenv("TOKENS_GROUP"), getenv("TOKENS_NSSWITCH"));
	return harness_main(argc, argv, HARNESS_ROOT);
}
