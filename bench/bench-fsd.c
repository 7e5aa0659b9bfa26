/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate-fsd end to end: 1, 8 and 32 clients each reading a 4 KiB file
 * of their own as fast as they can, against three daemons running side by
 * side (the same sandbox as tests/daemon, real PAM, nss_wrapper users):
 *
 *   ring     the daemon as shipped: io_uring with the client's personality
 *   switch   the same binary under a seccomp filter refusing io_uring: the
 *            pool's verified switch (the fallback, and the path of every
 *            earlier version)
 *   noimp    impersonate-fsd-noimp, the same code with no personality
 *            (bench-only build): what serving costs with no impersonation
 *
 * Points are interleaved (every variant at every client count, then again)
 * so a busy machine shifts all of them alike.  Per point: requests per
 * second, p50 and p99 latency, and the daemon's CPU per request (its
 * threads' schedstat over the timed window).  Rows go to stdout
 * and, as `section variant x min median max` over the repeats, to the
 * file named by BENCH_TSV.
 *
 * BENCH_FSD_EXTRA=name:path adds a variant served by another daemon binary
 * (for example a build of an older commit, to measure a baseline).
 * BENCH_SECONDS (default 1.5) and BENCH_REPEATS (default 3) set the size;
 * BENCH_CLIENTS (e.g. "8") measures one client count only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsd-fixture.h"
#include "harness.h"

#define MAX_VARIANTS 4
#define MAX_REPEATS 9
#define MAX_SAMPLES (1u << 20)
#define NCOUNTS 3
static unsigned client_counts[NCOUNTS] = {1, 8, 32}, ncounts = NCOUNTS;

struct variant {
	const char *name;
	const char *binary; /* NULL: this build's impersonate-fsd */
	bool no_io_uring;
	struct fsd_fixture fx;
	double rps[NCOUNTS][MAX_REPEATS], p50[NCOUNTS][MAX_REPEATS], p99[NCOUNTS][MAX_REPEATS],
		cpu[NCOUNTS][MAX_REPEATS];
};

static struct variant variants[MAX_VARIANTS];
static unsigned nvariants, repeats = 3;
static double seconds = 1.5;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of every thread of the daemon alive now, in seconds: the sum
 * of /proc/<pid>/task/<tid>/schedstat (nanoseconds, unlike the 10 ms ticks
 * of /proc/<pid>/stat).  Every thread that serves the timed window (pool,
 * connections, any io-wq worker) is alive at both ends of it. */
static double cpu_seconds(pid_t pid)
{
	char path[96], buf[128];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	CHECK(d != NULL);
	unsigned long long total = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/schedstat", (int)pid, e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue; /* the thread just ended */
		buf[n] = '\0';
		total += strtoull(buf, NULL, 10);
	}
	closedir(d);
	return (double)total / 1e9;
}

/* ---- One point: C clients for a fixed time ---------------------------------------- */

struct client {
	struct fx_client c;
	pthread_t th;
	char path[64];
	float *lat; /* microseconds, the first @cap requests */
	size_t n, cap;
	unsigned long requests;
};

static pthread_barrier_t go;
static atomic_bool stop;

static void *client_main(void *arg)
{
	struct client *cl = arg;
	char data[8];
	pthread_barrier_wait(&go);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		double t0 = now();
		CHECK_EQ(fxc_read(&cl->c, cl->path, data, sizeof(data), NULL), 0);
		cl->requests++;
		if (cl->n < cl->cap)
			cl->lat[cl->n++] = (float)((now() - t0) * 1e6);
	}
	return NULL;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

static void run_point(struct variant *v, unsigned ci, unsigned rep)
{
	unsigned nc = client_counts[ci];
	struct client *cls = calloc(nc, sizeof(*cls));
	float *all = malloc(MAX_SAMPLES * sizeof(float));
	CHECK(cls && all);
	for (unsigned i = 0; i < nc; i++) {
		const char *user = fx_users[i % FX_NUSERS].name;
		cls[i].cap = MAX_SAMPLES / nc;
		cls[i].lat = all + (size_t)i * cls[i].cap;
		snprintf(cls[i].path, sizeof(cls[i].path), "home/%s/4k.bin", user);
		fxc_connect(&v->fx, &cls[i].c);
		fxc_login(&cls[i].c, user);
	}
	pthread_barrier_init(&go, NULL, nc + 1);
	atomic_store(&stop, false);
	for (unsigned i = 0; i < nc; i++)
		CHECK_EQ(pthread_create(&cls[i].th, NULL, client_main, &cls[i]), 0);
	pthread_barrier_wait(&go);
	double t0 = now(), c0 = cpu_seconds(v->fx.pid);
	struct timespec d = {.tv_sec = (time_t)seconds, .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
	nanosleep(&d, NULL);
	atomic_store(&stop, true);
	double t1 = now(), c1 = cpu_seconds(v->fx.pid);
	size_t total = 0;
	unsigned long requests = 0;
	for (unsigned i = 0; i < nc; i++) {
		pthread_join(cls[i].th, NULL);
		memmove(all + total, cls[i].lat, cls[i].n * sizeof(float));
		total += cls[i].n;
		requests += cls[i].requests;
		fxc_close(&cls[i].c);
	}
	pthread_barrier_destroy(&go);
	CHECK(total > 0);
	qsort(all, total, sizeof(float), cmp_float);
	/* Requests finished after t1 (at most one per client) are counted: the
	 * window is long enough for that not to matter. */
	v->rps[ci][rep] = (double)requests / (t1 - t0);
	v->p50[ci][rep] = all[total / 2];
	v->p99[ci][rep] = all[(size_t)((double)total * 0.99)];
	v->cpu[ci][rep] = (c1 - c0) * 1e6 / (double)requests;
	printf("# %-7s %2u clients, run %u: %8.0f req/s  p50 %7.1f us  p99 %7.1f us  daemon CPU %6.2f us/req\n",
	       v->name, nc, rep + 1, v->rps[ci][rep], v->p50[ci][rep], v->p99[ci][rep], v->cpu[ci][rep]);
	fflush(stdout);
	free(all);
	free(cls);
}

/* ---- Set-up and report ---------------------------------------------------------- */

/* Each user's 4 KiB file, readable by that user only. */
static void make_files(struct fsd_fixture *fx)
{
	char block[4096];
	memset(block, 'x', sizeof(block));
	for (unsigned u = 0; u < FX_NUSERS; u++) {
		char rel[64], path[PATH_MAX];
		snprintf(rel, sizeof(rel), "home/%s/4k.bin", fx_users[u].name);
		fx_path(fx, path, rel);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		CHECK(fd >= 0);
		CHECK_EQ(write(fd, block, sizeof(block)), (long)sizeof(block));
		CHECK_EQ(fchown(fd, fx_users[u].uid, fx_users[u].uid), 0);
		close(fd);
	}
}

static void start_variant(struct variant *v)
{
	/* Every client of the benchmark is the same peer uid (root): lift the
	 * per-uid limit (default 8) above the 32 clients of the last point.
	 * A daemon built from an older tree (BENCH_FSD_EXTRA) has no limit. */
	static const char *const args[] = {"--max-clients", "64", "--max-per-uid", "64", NULL};
	static const char *const old_args[] = {"--max-clients", "64", NULL};
	if (v->binary)
		setenv("FSD_TEST_BINARY", v->binary, 1);
	else
		unsetenv("FSD_TEST_BINARY");
	if (v->no_io_uring)
		setenv("FSD_TEST_NO_IO_URING", "1", 1);
	else
		unsetenv("FSD_TEST_NO_IO_URING");
	fx_setup(&v->fx, NULL, false);
	make_files(&v->fx);
	bool older = v->binary && v->binary != (const char *)FSD_NOIMP_BINARY;
	fx_start(&v->fx, 4, older ? old_args : args, 0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void tsv_row(FILE *f, const char *section, const char *variant, unsigned x, const double *v, unsigned n)
{
	double s[MAX_REPEATS];
	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	printf("%-22s %-8s %3u  min %10.2f  median %10.2f  max %10.2f\n", section, variant, x, s[0], s[n / 2],
	       s[n - 1]);
	if (f)
		fprintf(f, "%s\t%s\t%u\t%.2f\t%.2f\t%.2f\n", section, variant, x, s[0], s[n / 2], s[n - 1]);
}

static void report(void)
{
	const char *tsv = getenv("BENCH_TSV");
	FILE *f = tsv ? fopen(tsv, "ae") : NULL;
	printf("\nsection                variant    x  (x = clients; rps in requests/s, others in us)\n");
	for (unsigned v = 0; v < nvariants; v++)
		for (unsigned c = 0; c < ncounts; c++) {
			struct variant *w = &variants[v];
			tsv_row(f, "daemon-rps", w->name, client_counts[c], w->rps[c], repeats);
			tsv_row(f, "daemon-p50-us", w->name, client_counts[c], w->p50[c], repeats);
			tsv_row(f, "daemon-p99-us", w->name, client_counts[c], w->p99[c], repeats);
			tsv_row(f, "daemon-cpu-per-read-us", w->name, client_counts[c], w->cpu[c], repeats);
		}
	if (f)
		fclose(f);
}

static void body(void)
{
	for (unsigned v = 0; v < nvariants; v++)
		start_variant(&variants[v]);
	for (unsigned r = 0; r < repeats; r++)
		for (unsigned c = 0; c < ncounts; c++)
			for (unsigned k = 0; k < nvariants; k++)
				run_point(&variants[(k + r + c) % nvariants], c, r);
	for (unsigned v = 0; v < nvariants; v++) {
		struct variant *w = &variants[v];
		CHECK_EQ(fx_stop(&w->fx), 0);
		/* Each variant took the path it stands for. */
		if (w->no_io_uring)
			CHECK(fx_log_has(&w->fx, "io_uring unavailable"));
		else if (!w->binary || w->binary == (const char *)FSD_NOIMP_BINARY)
			CHECK(fx_log_has(&w->fx, "io_uring: "));
		fx_cleanup(&w->fx);
	}
	report();
}

int main(void)
{
	if (geteuid() != 0) {
		printf("# skip: needs root (the daemon impersonates)\n");
		return 77;
	}
	const char *s = getenv("BENCH_SECONDS"), *r = getenv("BENCH_REPEATS"), *extra = getenv("BENCH_FSD_EXTRA");
	if (s && atof(s) > 0)
		seconds = atof(s);
	if (r && atoi(r) > 0 && atoi(r) <= MAX_REPEATS)
		repeats = (unsigned)atoi(r);
	const char *only = getenv("BENCH_CLIENTS");
	if (only && atoi(only) > 0 && atoi(only) <= 64) {
		client_counts[0] = (unsigned)atoi(only);
		ncounts = 1;
	}
	variants[nvariants++] = (struct variant){.name = "ring"};
	variants[nvariants++] = (struct variant){.name = "switch", .no_io_uring = true};
	variants[nvariants++] = (struct variant){.name = "noimp", .binary = FSD_NOIMP_BINARY};
	if (extra && strchr(extra, ':')) {
		char *e = strdup(extra);
		*strchr(e, ':') = '\0';
		variants[nvariants++] = (struct variant){.name = e, .binary = e + strlen(e) + 1};
	}
	printf("# impersonate-fsd, 4 pool threads, READ of 4 KiB, %.1f s per point, %u repeats\n", seconds, repeats);
	return fx_run(body);
}
