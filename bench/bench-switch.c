/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-switch: what an impersonate/revert round trip costs on this machine,
 * next to the same credential syscalls issued bare and to glibc's
 * process-wide set*id.  Run as root; prints a table.
 *
 *   meson test -C build --benchmark   (or run build/bench/bench-switch)
 */
#include <errno.h>
#include <linux/capability.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "impersonate.h"

#define CLIENT 60001

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void row(const char *what, double ns, const char *note)
{
	printf("| %-44s | %10.2f | %-38s |\n", what, ns / 1000.0, note);
}

static void fill_groups(gid_t *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g[i] = CLIENT + (gid_t)i;
}

/* The syscalls an fs-mode round trip needs, with no read-back, no state. */
static double bare_fs_round_trip(size_t ngroups, int iters)
{
	gid_t g[1024];
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct own[2], none[2];
	fill_groups(g, ngroups);
	syscall(SYS_capget, &h, own);
	memcpy(none, own, sizeof(none));
	none[0].effective = none[1].effective = 0;

	double t0 = now_ns();
	for (int i = 0; i < iters; i++) {
		syscall(SYS_setgroups, ngroups, g);
		syscall(SYS_setfsgid, CLIENT);
		syscall(SYS_setfsuid, CLIENT);
		syscall(SYS_capset, &h, none);
		syscall(SYS_capset, &h, own);
		syscall(SYS_setfsuid, 0);
		syscall(SYS_setfsgid, 0);
		syscall(SYS_setgroups, 0, g);
	}
	return (now_ns() - t0) / iters;
}

static double lib_round_trip(unsigned mode, size_t ngroups, int iters)
{
	gid_t g[1024];
	imp_token *t;
	fill_groups(g, ngroups);
	if (imp_token_new(CLIENT, CLIENT, g, ngroups, mode, &t) < 0)
		exit(1);
	if (imp_impersonate(t) < 0 || imp_revert() < 0) /* warm-up sizes buffers */
		exit(1);
	double t0 = now_ns();
	for (int i = 0; i < iters; i++) {
		if (imp_impersonate(t) < 0 || imp_revert() < 0)
			exit(1);
	}
	double ns = (now_ns() - t0) / iters;
	imp_token_unref(t);
	return ns;
}

static double getpid_cost(int iters)
{
	double t0 = now_ns();
	for (int i = 0; i < iters; i++)
		syscall(SYS_getpid);
	return (now_ns() - t0) / iters;
}

static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static int idle_stop;

static void *idle(void *unused)
{
	pthread_mutex_lock(&idle_lock);
	while (!idle_stop)
		pthread_cond_wait(&idle_cond, &idle_lock);
	pthread_mutex_unlock(&idle_lock);
	return NULL;
}

/* glibc's setresuid() signals every thread to change it too (nptl(7)). */
static double glibc_round_trip(int nthreads, int iters)
{
	pthread_t th[256];
	idle_stop = 0;
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, idle, NULL);
	double t0 = now_ns();
	for (int i = 0; i < iters; i++) {
		if (setresuid((uid_t)-1, CLIENT, (uid_t)-1) < 0 || setresuid((uid_t)-1, 0, (uid_t)-1) < 0)
			exit(1);
	}
	double ns = (now_ns() - t0) / iters;
	pthread_mutex_lock(&idle_lock);
	idle_stop = 1;
	pthread_cond_broadcast(&idle_cond);
	pthread_mutex_unlock(&idle_lock);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	return ns;
}

static void *one_switch(void *tok)
{
	if (imp_impersonate(tok) == 0)
		imp_revert();
	return NULL;
}

/* Heap held per thread that has used the library: measured while 64 threads
 * sit after one round trip each (state is freed at thread exit). */
static pthread_barrier_t hold;
static void *switch_and_hold(void *tok)
{
	one_switch(tok);
	pthread_barrier_wait(&hold);
	pthread_barrier_wait(&hold);
	return NULL;
}

static double per_thread_bytes(void)
{
	enum { N = 64 };
	pthread_t th[N];
	imp_token *t;
	gid_t g = CLIENT;
	if (imp_token_new(CLIENT, CLIENT, &g, 1, 0, &t) < 0)
		exit(1);
	pthread_barrier_init(&hold, NULL, N + 1);
	/* Baseline: the same threads without the library. */
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, one_switch, NULL);
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	size_t before = mallinfo2().uordblks;
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, switch_and_hold, t);
	pthread_barrier_wait(&hold);
	size_t during = mallinfo2().uordblks;
	pthread_barrier_wait(&hold);
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	imp_token_unref(t);
	return (double)(during - before) / N;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("bench-switch: needs root\n");
		return 77;
	}
	const int iters = 20000;
	printf("| %-44s | %10s | %-38s |\n", "operation (one thread, 2 vCPU)", "us/op", "note");
	printf("|----------------------------------------------|------------|----------------------------------------|\n");
	row("getpid() (a syscall that does nothing)", getpid_cost(iters), "baseline");
	size_t sizes[] = {1, 16, 256};
	for (size_t i = 0; i < 3; i++) {
		char what[64], note[64];
		snprintf(what, sizeof(what), "bare fs syscalls, %zu groups", sizes[i]);
		row(what, bare_fs_round_trip(sizes[i], iters), "8 set calls, no read-back");
		snprintf(what, sizeof(what), "imp_impersonate+imp_revert fs, %zu groups", sizes[i]);
		snprintf(note, sizeof(note), "capture, apply, verify, restore");
		row(what, lib_round_trip(IMP_MODE_FS, sizes[i], iters), note);
		snprintf(what, sizeof(what), "imp_impersonate+imp_revert full, %zu groups", sizes[i]);
		row(what, lib_round_trip(IMP_MODE_FULL, sizes[i], iters), note);
	}
	int threads[] = {0, 8, 64};
	for (size_t i = 0; i < 3; i++) {
		char what[64];
		snprintf(what, sizeof(what), "glibc setresuid round trip, %d idle threads", threads[i]);
		row(what, glibc_round_trip(threads[i], threads[i] > 8 ? 500 : 5000),
		    "process-wide: every thread switches");
	}
	printf("\nper-thread library state: %.0f bytes of heap per thread that used it\n", per_thread_bytes());
	return 0;
}
