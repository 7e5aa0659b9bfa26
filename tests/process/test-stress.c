/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stress (SPEC T1-T6, T9, F1-F5, X1, X2): 32 threads switching at random --
 * impersonate, re-impersonate, revert, nested call frames, calls shared
 * across threads, threads exiting while impersonating, fork while
 * impersonating -- in both modes, every step checked against what the
 * kernel reports for the thread (/proc/thread-self/status) and against a
 * model of what the library must have done.  Any difference ends the test.
 *
 *   IMP_STRESS_SEED=n     the seed (default: from the clock; always printed)
 *   IMP_STRESS_SECONDS=n  how long (default 3; the suite's run)
 *   IMP_STRESS_THREADS=n  threads (default 32)
 */
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xtest.h"

#define MAX_THREADS 64
#define MAX_DEPTH 3
#define NTOKENS 6
#define NSHARED 8

enum op { OP_IMPERSONATE, OP_REVERT, OP_BEGIN, OP_CALL_IMPERSONATE, OP_SHARED_IMPERSONATE, OP_END,
          OP_FORK, OP_EXIT, OP_N };
static const char *const op_names[] = {"impersonate", "revert", "call_begin", "call_impersonate",
                                       "shared_call_impersonate", "call_end", "fork", "exit"};

static imp_token *tokens[NTOKENS];
static struct kcreds own;
static atomic_long counts[OP_N], reimpersonations, stale, steps;
static atomic_bool stop;
static unsigned base_seed;

/* Calls published for other threads (F4); a test-side lock, not the
 * library's. */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static imp_call *shared[NSHARED];

struct model {
	int depth;
	imp_token *tok[MAX_DEPTH + 1]; /* per frame: impersonated token or NULL */
	imp_call *call[MAX_DEPTH + 1];
};

static void check_kernel(const struct model *m, const char *after)
{
	struct kcreds want, now;
	imp_token *tok = m->tok[m->depth];
	if (tok)
		kc_expected(&own, tok, &want);
	else
		want = own;
	kc_read(0, &now);
	if (!kc_equal(&want, &now)) {
		kc_print("expected", &want);
		kc_print("kernel", &now);
		harness_fail(__FILE__, __LINE__, "after %s (depth %d, seed %u): wrong identity", after, m->depth,
		             base_seed);
	}
	CHECK_EQ(imp_is_impersonating(), tok != NULL);
	atomic_fetch_add(&steps, 1);
}

static void publish(imp_call *c, unsigned *seed)
{
	pthread_mutex_lock(&shared_lock);
	int i = (int)(rand_r(seed) % NSHARED);
	if (shared[i])
		imp_call_unref(shared[i]);
	shared[i] = imp_call_ref(c);
	pthread_mutex_unlock(&shared_lock);
}

static imp_call *take_shared(unsigned *seed)
{
	pthread_mutex_lock(&shared_lock);
	imp_call *c = shared[rand_r(seed) % NSHARED];
	if (c)
		imp_call_ref(c);
	pthread_mutex_unlock(&shared_lock);
	return c;
}

static void do_fork(const struct model *m)
{
	/* The thread's library state exists before fork(): a thread's first
	 * call allocates it, and the child must allocate nothing (kc_read). */
	CHECK(imp_is_impersonating() >= 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) { /* X2: the child runs as the process's own identity */
		struct kcreds k;
		kc_read(0, &k); /* allocates nothing for a status this size */
		_exit(kc_equal(&k, &own) && imp_is_impersonating() == 0 ? 0 : 1);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		harness_fail(__FILE__, __LINE__, "fork child at depth %d (seed %u): status %#x", m->depth, base_seed,
		             st);
}

/* One random step; false to end the thread (possibly impersonating). */
static bool step(struct model *m, unsigned *seed)
{
	int r, op = (int)(rand_r(seed) % 100);
	imp_token *tok = tokens[rand_r(seed) % NTOKENS];
	enum op which;

	if (op < 30) {
		which = OP_IMPERSONATE;
		if (m->tok[m->depth])
			atomic_fetch_add(&reimpersonations, 1);
		CHECK_EQ(imp_impersonate(tok), 0);
		m->tok[m->depth] = tok;
	} else if (op < 52) {
		which = OP_REVERT;
		CHECK_EQ(imp_revert(), 0);
		m->tok[m->depth] = NULL;
	} else if (op < 64 && m->depth < MAX_DEPTH) {
		which = OP_BEGIN;
		imp_call *c;
		CHECK_EQ(imp_call_begin(tok, &c), 0);
		m->depth++;
		m->tok[m->depth] = NULL;
		m->call[m->depth] = c;
		if (rand_r(seed) % 2)
			publish(c, seed);
	} else if (op < 72 && m->depth > 0) {
		which = OP_CALL_IMPERSONATE;
		CHECK_EQ(imp_call_impersonate(m->call[m->depth]), 0);
		m->tok[m->depth] = imp_call_token(m->call[m->depth]);
	} else if (op < 80) {
		which = OP_SHARED_IMPERSONATE;
		imp_call *c = take_shared(seed);
		if (!c)
			return true;
		r = imp_call_impersonate(c);
		if (r == -ESTALE) {
			atomic_fetch_add(&stale, 1); /* its call ended meanwhile (F4) */
		} else {
			CHECK_EQ(r, 0);
			m->tok[m->depth] = imp_call_token(c);
		}
		imp_call_unref(c);
	} else if (op < 94 && m->depth > 0) {
		which = OP_END;
		CHECK_EQ(imp_call_end(m->call[m->depth]), 0);
		imp_call_unref(m->call[m->depth]);
		m->depth--;
	} else if (op < 96) {
		which = OP_FORK;
		do_fork(m);
	} else if (op < 98) {
		atomic_fetch_add(&counts[OP_EXIT], 1);
		return false;
	} else {
		return true;
	}
	atomic_fetch_add(&counts[which], 1);
	check_kernel(m, op_names[which]);
	return true;
}

static void *stress_thread(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	struct model m = {0};
	while (!atomic_load(&stop) && step(&m, &seed))
		;
	/* Ending with frames open and impersonating is part of the test (X1):
	 * the library frees all of it; the caller's references are ours. */
	for (int d = 1; d <= m.depth; d++)
		imp_call_unref(m.call[d]);
	return NULL;
}

/* Each slot restarts its thread when it exits; slots never impersonate, so
 * no thread is created by an impersonating one. */
static void *slot(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	while (!atomic_load(&stop)) {
		pthread_t th;
		CHECK_EQ(pthread_create(&th, NULL, stress_thread, (void *)(uintptr_t)rand_r(&seed)), 0);
		CHECK_EQ(pthread_join(th, NULL), 0);
	}
	return NULL;
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 0) : def;
}

TEST(stress_random_switching_checked_against_the_kernel)
{
	own_identity_setup();
	long seconds = env_long("IMP_STRESS_SECONDS", 3);
	long nthreads = env_long("IMP_STRESS_THREADS", 32);
	if (nthreads < 1 || nthreads > MAX_THREADS)
		nthreads = 32;
	base_seed = (unsigned)env_long("IMP_STRESS_SEED", (long)(time(NULL) ^ getpid()));
	printf("# seed %u, %ld threads, %ld s (IMP_STRESS_SEED, IMP_STRESS_THREADS, IMP_STRESS_SECONDS)\n", base_seed,
	       nthreads, seconds);
	fflush(stdout);

	static const char *const users[] = {"alice", "bob", "carol"};
	for (int i = 0; i < NTOKENS; i++)
		CHECK_EQ(imp_token_for_user(users[i % 3], i < 3 ? IMP_MODE_FS : IMP_MODE_FULL, &tokens[i]), 0);
	CHECK_EQ(imp_revert(), 0);
	kc_read(0, &own);

	pthread_t th[MAX_THREADS];
	unsigned seed = base_seed;
	for (long i = 0; i < nthreads; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, slot, (void *)(uintptr_t)rand_r(&seed)), 0);
	sleep((unsigned)seconds);
	atomic_store(&stop, true);
	for (long i = 0; i < nthreads; i++)
		CHECK_EQ(pthread_join(th[i], NULL), 0);

	CHECK_THREAD_IS(0, &own);
	for (int i = 0; i < NSHARED; i++)
		if (shared[i])
			imp_call_unref(shared[i]);
	long total = 0;
	for (int i = 0; i < OP_N; i++) {
		printf("# %-24s %ld\n", op_names[i], atomic_load(&counts[i]));
		total += atomic_load(&counts[i]);
	}
	printf("# re-impersonations %ld, shared calls found complete %ld, kernel checks %ld, steps %ld\n",
	       atomic_load(&reimpersonations), atomic_load(&stale), atomic_load(&steps), total);
	CHECK(atomic_load(&steps) > 0);
	for (int i = 0; i < NTOKENS; i++)
		imp_token_unref(tokens[i]);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
