/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-spawn: what it costs to get a client's identity and to run a
 * program as the client.
 *
 *   spawn  imp_spawn(), fork + imp_become_client + execve, and posix_spawn
 *          (which does not change identity: the floor), each starting
 *          /bin/true and reaping it; x = idle threads in the process
 *   peer   imp_token_from_peer() on a socketpair, next to
 *          imp_token_for_user() (NSS) for the same user
 *   logon  imp_session_from_password() + imp_session_end() (the work of
 *          LogonUser + CloseHandle) through pam_matrix and
 *          pam_impersonate.so, when the build gave their paths
 *
 * Run as root under nss_wrapper (meson test --benchmark does both).  Prints
 * a table; with BENCH_TSV=<path> also appends rows
 * "section\tvariant\tx\tmin_us\tmedian_us\tmax_us".
 */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "impersonate.h"

#define CLIENT 60001
#define MAX_ITERS 400


static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(const char *section, const char *variant, int x, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	printf("| %-6s | %-50s | %3d | %9.2f | %9.2f | %9.2f |\n", section, variant, x, t[0], t[n / 2],
	       t[n - 1]);
	const char *tsv = getenv("BENCH_TSV");
	FILE *f = tsv && *tsv ? fopen(tsv, "ae") : NULL;
	if (f) {
		fprintf(f, "%s\t%s\t%d\t%.2f\t%.2f\t%.2f\n", section, variant, x, t[0], t[n / 2], t[n - 1]);
		fclose(f);
	}
}

static char *true_argv[] = {(char *)"true", NULL};
/* The children get a minimal environment: no preloaded wrappers to load. */
static char *child_env[] = {(char *)"PATH=/usr/bin:/bin", NULL};

static int reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Microseconds the calling thread was held: until the call returned. */
static double held;

static int run_imp_spawn(imp_token *tok)
{
	pid_t pid;
	double t0 = now_us();
	int r = imp_spawn(tok, "/bin/true", true_argv, child_env, NULL, 0, &pid);
	held = now_us() - t0;
	return r < 0 ? -1 : reap(pid);
}

static int run_fork_become(imp_token *tok)
{
	double t0 = now_us();
	pid_t pid = fork();
	held = now_us() - t0;
	if (pid == 0) {
		if (imp_become_client(tok) < 0)
			_exit(126);
		execve("/bin/true", true_argv, child_env);
		_exit(127);
	}
	return pid < 0 ? -1 : reap(pid);
}

static int run_posix_spawn(imp_token *tok)
{
	pid_t pid;
	double t0 = now_us();
	int r = posix_spawn(&pid, "/bin/true", NULL, NULL, true_argv, child_env);
	held = now_us() - t0;
	return r != 0 ? -1 : reap(pid);
}

static void *idle(void *arg)
{
	pause();
	return NULL;
}

static void bench_spawn(imp_token *tok, int threads, int iters)
{
	static const struct {
		const char *name;
		int (*fn)(imp_token *);
	} v[] = {
		{"imp_spawn", run_imp_spawn},
		{"fork+imp_become_client+exec", run_fork_become},
		{"posix_spawn (no identity change)", run_posix_spawn},
	};
	double t[MAX_ITERS], h[MAX_ITERS];
	char name[80];
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (int k = 0; k < iters; k++) {
			double t0 = now_us();
			if (v[i].fn(tok) < 0) {
				fprintf(stderr, "%s failed\n", v[i].name);
				exit(1);
			}
			t[k] = now_us() - t0;
			h[k] = held;
		}
		snprintf(name, sizeof(name), "%s: caller held", v[i].name);
		report("spawn", name, threads, h, iters);
		snprintf(name, sizeof(name), "%s: to child exit", v[i].name);
		report("spawn", name, threads, t, iters);
	}
}

static void bench_peer(int iters)
{
	double t[MAX_ITERS], u[MAX_ITERS];
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		exit(1);
	for (int k = 0; k < iters; k++) {
		imp_token *tok;
		double t0 = now_us();
		if (imp_token_from_peer(sp[0], IMP_PEER_ALLOW_ROOT, &tok) < 0)
			exit(1);
		t[k] = now_us() - t0;
		imp_token_unref(tok);
		t0 = now_us();
		if (imp_token_for_user("alice", 0, &tok) < 0)
			exit(1);
		u[k] = now_us() - t0;
		imp_token_unref(tok);
	}
	report("peer", "imp_token_from_peer", 1, t, iters);
	report("peer", "imp_token_for_user (NSS)", 1, u, iters);
	close(sp[0]);
	close(sp[1]);
}

#if defined(BENCH_PAM_MATRIX) && defined(BENCH_PAM_MODULE) && defined(BENCH_PASSDB)
static void bench_logon(int iters)
{
	char dir[] = "/tmp/bench-spawn.XXXXXX", path[4200];
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/impersonate-logon", dir);
	FILE *f = fopen(path, "we");
	if (!f)
		exit(1);
	fprintf(f,
	        "auth required %1$s passdb=%2$s\nauth required %3$s\n"
	        "account required %1$s passdb=%2$s\naccount required %3$s\nsession required %3$s\n",
	        BENCH_PAM_MATRIX, BENCH_PASSDB, BENCH_PAM_MODULE);
	fclose(f);
	double t[MAX_ITERS];
	int ok = 1;
	for (int k = 0; k < iters && ok; k++) {
		imp_session *s;
		double t0 = now_us();
		ok = imp_session_from_password("impersonate-logon", dir, "alice", "alice-secret", &s) == 0;
		if (ok)
			imp_session_end(s);
		t[k] = now_us() - t0;
	}
	unlink(path);
	rmdir(dir);
	if (!ok) {
		fprintf(stderr, "logon failed (run under nss_wrapper with the logon fixtures)\n");
		exit(1);
	}
	report("logon", "imp_session_from_password+end", 1, t, iters);
}
#else
static void bench_logon(int iters)
{
}
#endif

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 100;
	if (iters < 1 || iters > MAX_ITERS)
		iters = 100;
	if (geteuid() != 0) {
		fprintf(stderr, "bench-spawn: needs root\n");
		return 77;
	}
	gid_t groups[] = {CLIENT, 60100};
	imp_token *tok;
	if (imp_token_new(CLIENT, CLIENT, groups, 2, 0, &tok) < 0)
		return 1;
	printf("| %-6s | %-50s | %3s | %9s | %9s | %9s |\n", "what", "variant", "x", "min us", "median", "max us");
	bench_spawn(tok, 0, iters);
	pthread_t th[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, idle, NULL);
	bench_spawn(tok, 8, iters);
	bench_peer(iters);
	bench_logon(iters);
	imp_token_unref(tok);
	return 0; /* the idle threads end with the process */
}
