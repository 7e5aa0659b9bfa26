/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-switch: what an impersonate/revert round trip costs on this machine,
 * next to the same credential syscalls issued bare (the floor), the floor
 * with one read-back of each change, call frames, and glibc's process-wide
 * setresuid() with idle threads.  Run as root.
 *
 * Every variant runs in small batches, interleaved: round after round, each
 * variant gets one batch, so a busy neighbour slows all of them alike.  For
 * each variant the table gives min, median and max over the rounds of the
 * per-operation time, and for the library the median of the per-round
 * ratios to the floor at the same group count.  Then, counted in a forked
 * child, the syscalls (seccomp user notification: every syscall the thread
 * makes), allocations and locks (malloc and pthread lock wrappers) per
 * round trip and per call frame.
 *
 *   meson test -C build --benchmark   (or run build/bench/bench-switch)
 *   BENCH_TSV=file  append "section variant x min_us median_us max_us" rows
 *   BENCH_ROUNDS=n  rounds (default 101)
 */
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "allocount.h"
#include "impersonate.h"
#include "scwatch.h"

#define CLIENT 60001
#define MAX_GROUPS 1024
#define MAX_VARIANTS 64
#define MAX_ROUNDS 401

static gid_t groups[MAX_GROUPS];
static struct __user_cap_header_struct cap_hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
static struct __user_cap_data_struct caps_own[2], caps_none[2];

struct variant {
	const char *section, *name;
	long x;              /* group count or thread count */
	int per_batch;       /* operations per batch */
	void (*run)(struct variant *v, int n);
	unsigned mode;
	imp_token *token;
	int floor;           /* index of the variant to compare with, or -1 */
	double us[MAX_ROUNDS];
};

static struct variant vars[MAX_VARIANTS];
static int nvars;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-switch: %s failed\n", what);
	exit(1);
}

/* ---- The variants ----------------------------------------------------------- */

/* The set-calls of an fs-mode round trip and nothing else. */
static void floor_fs(struct variant *v, int n)
{
	for (int i = 0; i < n; i++) {
		syscall(SYS_setgroups, v->x, groups);
		syscall(SYS_setfsgid, CLIENT);
		syscall(SYS_setfsuid, CLIENT);
		syscall(SYS_capset, &cap_hdr, caps_none);
		syscall(SYS_capset, &cap_hdr, caps_own);
		syscall(SYS_setfsuid, 0);
		syscall(SYS_setfsgid, 0);
		syscall(SYS_setgroups, 0, groups);
	}
}

/* The same, each change read back once. */
static void floor_fs_read_back(struct variant *v, int n)
{
	static gid_t back[MAX_GROUPS];
	struct __user_cap_data_struct c[2];
	for (int i = 0; i < n; i++) {
		syscall(SYS_setgroups, v->x, groups);
		syscall(SYS_getgroups, MAX_GROUPS, back);
		syscall(SYS_setfsgid, CLIENT);
		syscall(SYS_setfsgid, -1);
		syscall(SYS_setfsuid, CLIENT);
		syscall(SYS_setfsuid, -1);
		syscall(SYS_capset, &cap_hdr, caps_none);
		syscall(SYS_capget, &cap_hdr, c);
		syscall(SYS_capset, &cap_hdr, caps_own);
		syscall(SYS_capget, &cap_hdr, c);
		syscall(SYS_setfsuid, 0);
		syscall(SYS_setfsuid, -1);
		syscall(SYS_setfsgid, 0);
		syscall(SYS_setfsgid, -1);
		syscall(SYS_setgroups, 0, groups);
		syscall(SYS_getgroups, MAX_GROUPS, back);
	}
}

/* Full mode's set-calls: effective ids instead of fs ids. */
static void floor_full(struct variant *v, int n)
{
	for (int i = 0; i < n; i++) {
		syscall(SYS_setgroups, v->x, groups);
		syscall(SYS_setresgid, -1, CLIENT, -1);
		syscall(SYS_setresuid, -1, CLIENT, -1);
		syscall(SYS_capset, &cap_hdr, caps_none);
		syscall(SYS_capset, &cap_hdr, caps_own);
		syscall(SYS_setresuid, -1, 0, -1);
		syscall(SYS_setresgid, -1, 0, -1);
		syscall(SYS_setgroups, 0, groups);
	}
}

static void floor_full_read_back(struct variant *v, int n)
{
	static gid_t back[MAX_GROUPS];
	struct __user_cap_data_struct c[2];
	uid_t r, e, s;
	for (int i = 0; i < n; i++) {
		syscall(SYS_setgroups, v->x, groups);
		syscall(SYS_getgroups, MAX_GROUPS, back);
		syscall(SYS_setresgid, -1, CLIENT, -1);
		syscall(SYS_getresgid, &r, &e, &s);
		syscall(SYS_setresuid, -1, CLIENT, -1);
		syscall(SYS_getresuid, &r, &e, &s);
		syscall(SYS_capset, &cap_hdr, caps_none);
		syscall(SYS_capget, &cap_hdr, c);
		syscall(SYS_capset, &cap_hdr, caps_own);
		syscall(SYS_capget, &cap_hdr, c);
		syscall(SYS_setresuid, -1, 0, -1);
		syscall(SYS_getresuid, &r, &e, &s);
		syscall(SYS_setresgid, -1, 0, -1);
		syscall(SYS_getresgid, &r, &e, &s);
		syscall(SYS_setgroups, 0, groups);
		syscall(SYS_getgroups, MAX_GROUPS, back);
	}
}

/* What entering the kernel costs here: every read-back pays it. */
static void getpid_calls(struct variant *v, int n)
{
	for (int i = 0; i < n; i++)
		syscall(SYS_getpid);
}

static void lib_round_trip(struct variant *v, int n)
{
	for (int i = 0; i < n; i++)
		if (imp_impersonate(v->token) < 0 || imp_revert() < 0)
			die("imp_impersonate/imp_revert");
}

/* imp_call_begin, imp_call_impersonate (x = 1) or not (x = 0), imp_call_end */
static void call_frame(struct variant *v, int n)
{
	for (int i = 0; i < n; i++) {
		imp_call *c;
		if (imp_call_begin(v->token, &c) < 0 || (v->x && imp_call_impersonate(c) < 0) || imp_call_end(c) < 0)
			die("call frame");
		imp_call_unref(c);
	}
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
	return unused;
}

/* glibc's setresuid() signals every thread to change it too (nptl(7)).
 * The idle threads are made before and ended after the timed part. */
static pthread_t idlers[256];
static void idle_start(long n)
{
	idle_stop = 0;
	for (long i = 0; i < n; i++)
		if (pthread_create(&idlers[i], NULL, idle, NULL) != 0)
			die("pthread_create");
}

static void idle_end(long n)
{
	pthread_mutex_lock(&idle_lock);
	idle_stop = 1;
	pthread_cond_broadcast(&idle_cond);
	pthread_mutex_unlock(&idle_lock);
	for (long i = 0; i < n; i++)
		pthread_join(idlers[i], NULL);
}

static void glibc_setresuid(struct variant *v, int n)
{
	for (int i = 0; i < n; i++)
		if (setresuid((uid_t)-1, CLIENT, (uid_t)-1) < 0 || setresuid((uid_t)-1, 0, (uid_t)-1) < 0)
			die("setresuid");
}

/* ---- The table -------------------------------------------------------------- */

static int add(const char *section, const char *name, long x, int per_batch,
               void (*run)(struct variant *, int), unsigned mode, int floor)
{
	if (nvars == MAX_VARIANTS)
		die("too many variants");
	struct variant *v = &vars[nvars];
	*v = (struct variant){section, name, x, per_batch, run, mode, NULL, floor, {0}};
	if (run == lib_round_trip || run == call_frame) {
		size_t ng = run == call_frame ? 16 : (size_t)x;
		if (imp_token_new(CLIENT, CLIENT, groups, ng, mode, &v->token) < 0)
			die("imp_token_new");
		run(v, 1); /* warm-up: buffers sized, call objects pooled */
	}
	return nvars++;
}

/* Operations per batch: a few hundred microseconds of work, so that a
 * neighbour's burst hits few batches and the variants next to each other
 * alike. */
static int batch_for(long ngroups)
{
	return ngroups >= 1024 ? 2 : ngroups >= 256 ? 4 : 10;
}

static void setup_variants(void)
{
	static const long gs[] = {0, 1, 16, 256, 1024};
	static const long threads[] = {0, 8, 64, 256};
	add("base", "getpid (a syscall doing nothing)", 1, 100, getpid_calls, 0, -1);
	for (size_t i = 0; i < 5; i++) {
		int b = batch_for(gs[i]);
		int ffs = add("fs", "floor", gs[i], b, floor_fs, 0, -1);
		add("fs", "floor+read-back", gs[i], b, floor_fs_read_back, 0, ffs);
		add("fs", "library", gs[i], b, lib_round_trip, IMP_MODE_FS, ffs);
		int ffull = add("full", "floor", gs[i], b, floor_full, 0, -1);
		add("full", "floor+read-back", gs[i], b, floor_full_read_back, 0, ffull);
		add("full", "library", gs[i], b, lib_round_trip, IMP_MODE_FULL, ffull);
	}
	int ffs16 = 1 + 2 * 6; /* fs floor at 16 groups */
	add("call", "begin+end", 0, 100, call_frame, IMP_MODE_FS, -1);
	add("call", "begin+impersonate+end fs 16 groups", 1, 10, call_frame, IMP_MODE_FS, ffs16);
	for (size_t i = 0; i < 4; i++)
		add("glibc", "setresuid round trip", threads[i], threads[i] >= 64 ? 1 : 10, glibc_setresuid, 0, -1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void stats(const double *in, int n, double *min, double *med, double *max)
{
	double s[MAX_ROUNDS];
	memcpy(s, in, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	*min = s[0];
	*med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	*max = s[n - 1];
}

static void run_rounds(int rounds)
{
	for (int r = 0; r < rounds; r++) {
		/* a different starting variant each round: no fixed neighbour */
		for (int k = 0; k < nvars; k++) {
			struct variant *v = &vars[(k + r) % nvars];
			bool threads = v->run == glibc_setresuid;
			if (threads)
				idle_start(v->x);
			double t0 = now_us();
			v->run(v, v->per_batch);
			v->us[r] = (now_us() - t0) / v->per_batch;
			if (threads)
				idle_end(v->x);
		}
	}
}

static void print_table(int rounds, FILE *tsv)
{
	printf("| %-5s | %-36s | %5s | %9s | %9s | %9s | %-17s |\n", "", "variant", "x", "min us", "median us",
	       "max us", "ratio to floor");
	printf("|-------|--------------------------------------|-------|-----------|-----------|-----------|-------------------|\n");
	for (int i = 0; i < nvars; i++) {
		struct variant *v = &vars[i];
		double mn, md, mx, ratios[MAX_ROUNDS] = {0};
		char ratio[40] = "";
		stats(v->us, rounds, &mn, &md, &mx);
		if (v->floor >= 0) {
			double rmn, rmd, rmx;
			for (int r = 0; r < rounds; r++)
				ratios[r] = v->us[r] / vars[v->floor].us[r];
			stats(ratios, rounds, &rmn, &rmd, &rmx);
			snprintf(ratio, sizeof(ratio), "%.2fx (%.2f-%.2f)", rmd, rmn, rmx);
			if (tsv)
				fprintf(tsv, "%s-ratio\t%s\t%ld\t%.4f\t%.4f\t%.4f\n", v->section, v->name, v->x, rmn, rmd,
				        rmx);
		}
		printf("| %-5s | %-36s | %5ld | %9.2f | %9.2f | %9.2f | %-17s |\n", v->section, v->name, v->x, mn, md,
		       mx, ratio);
		if (tsv)
			fprintf(tsv, "%s\t%s\t%ld\t%.3f\t%.3f\t%.3f\n", v->section, v->name, v->x, mn, md, mx);
	}
}

/* ---- Counts ------------------------------------------------------------------ */

/* In a child (the seccomp filter cannot be removed): syscalls, futexes,
 * allocations and locks per operation of @v. */
static void count_one(struct variant *v, FILE *tsv)
{
	enum { N = 10 };
	fflush(stdout);
	if (tsv)
		fflush(tsv);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct allocount a;
		allocount_begin();
		v->run(v, N);
		allocount_end(&a);
		struct scwatch *w = scwatch_start(NULL, 0);
		scwatch_reset(w);
		v->run(v, N);
		scwatch_stop(w);
		double sc = scwatch_count(w, -1) / (double)N, fx = scwatch_count(w, SCMP_SYS(futex)) / (double)N;
		printf("| %-5s %-30s | %5ld | %8.1f | %5.1f | %11.1f | %5.1f |\n", v->section, v->name, v->x, sc, fx,
		       a.allocs / (double)N, a.locks / (double)N);
		if (tsv)
			fprintf(tsv, "counts\t%s %s syscalls\t%ld\t%.1f\t%.1f\t%.1f\n"
			             "counts\t%s %s allocations\t%ld\t%.1f\t%.1f\t%.1f\n"
			             "counts\t%s %s locks\t%ld\t%.1f\t%.1f\t%.1f\n",
			        v->section, v->name, v->x, sc, sc, sc, v->section, v->name, v->x, a.allocs / (double)N,
			        a.allocs / (double)N, a.allocs / (double)N, v->section, v->name, v->x,
			        a.locks / (double)N, a.locks / (double)N, a.locks / (double)N);
		exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
}

static void print_counts(FILE *tsv)
{
	printf("\n| %-36s | %5s | %8s | %5s | %11s | %5s |\n", "per operation", "x", "syscalls", "futex",
	       "allocations", "locks");
	printf("|--------------------------------------|-------|----------|-------|-------------|-------|\n");
	for (int i = 0; i < nvars; i++) {
		struct variant *v = &vars[i];
		if ((v->x == 16 && v->section[0] == 'f') || v->run == call_frame)
			count_one(v, tsv);
	}
}

int main(void)
{
	if (geteuid() != 0) {
		printf("bench-switch: needs root\n");
		return 77;
	}
	const char *e = getenv("BENCH_ROUNDS");
	int rounds = e ? atoi(e) : 101;
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 101;
	for (int i = 0; i < MAX_GROUPS; i++)
		groups[i] = CLIENT + (gid_t)i;
	syscall(SYS_capget, &cap_hdr, caps_own);
	memcpy(caps_none, caps_own, sizeof(caps_none));
	caps_none[0].effective = caps_none[1].effective = 0;

	const char *path = getenv("BENCH_TSV");
	FILE *tsv = path && *path ? fopen(path, "a") : NULL;
	if (path && *path && !tsv)
		die("fopen BENCH_TSV");
	setup_variants();
	run_rounds(rounds);
	printf("bench-switch: %d rounds, variants interleaved in batches; us per round trip\n\n", rounds);
	print_table(rounds, tsv);
	print_counts(tsv);
	if (tsv)
		fclose(tsv);
	return 0;
}
