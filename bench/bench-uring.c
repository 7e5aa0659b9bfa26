/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One 4 KiB file read as a client, four ways, for tokens with 1, 16 and 256
 * groups (issue 10 §3):
 *
 *   bare         openat2 + pread + close as the daemon itself: the floor,
 *                no client identity at all
 *   switch       imp_impersonate + openat2 + pread + close + imp_revert
 *   ring         one io_uring submission as the client's personality:
 *                OPENAT2 into a fixed slot, READ, CLOSE, linked
 *   ring-daemon  what impersonate-fsd does per READ: OPENAT2 through the
 *                ring, fstat, then READ + CLOSE linked (two submissions)
 *   fork         fork per request: the child becomes the client
 *                (imp_become_client), reads, exits; the parent waits
 *
 * Every variant runs in small batches, interleaved round by round in a
 * rotating order, so a busy machine shifts them alike; each batch gives one
 * per-request time, and min, median and max are over the rounds.  Rows go
 * to stdout and, as `section variant x min median max` (x = groups,
 * microseconds), to the file named by BENCH_TSV.  Every request is checked:
 * the client's file is read in full, another user's file is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "impersonate.h"

#define CLIENT 60001
#define OTHER 60002
#define ROUNDS 15
#define MAX_VARIANTS 5

static const unsigned group_counts[] = {1, 16, 256};
#define NGROUPS (sizeof(group_counts) / sizeof(group_counts[0]))

struct ctx {
	int dirfd;
	struct io_uring ring;
	imp_ring *ir;
	imp_token *tok;
	int pers;
	pid_t owner; /* the process that removes the tree */
	char buf[4096];
};

static char dir[] = "/tmp/bench-uring.XXXXXX";
static struct ctx the_ctx;
static void remove_tree(void);

static void die(const char *what, int e)
{
	fprintf(stderr, "bench-uring: %s: %s\n", what, strerror(e < 0 ? -e : e));
	if (getpid() == the_ctx.owner)
		remove_tree();
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int open_beneath(int dirfd, const char *path)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

static int read_file(struct ctx *c, const char *path)
{
	int fd = open_beneath(c->dirfd, path);
	if (fd < 0)
		return fd;
	ssize_t n = pread(fd, c->buf, sizeof(c->buf), 0);
	close(fd);
	return n == (ssize_t)sizeof(c->buf) ? 0 : -EIO;
}

/* ---- The variants: one request each, 0 when the file was read ------------------- */

static int v_bare(struct ctx *c)
{
	return read_file(c, "client/4k.bin");
}

static int v_switch(struct ctx *c)
{
	int r = imp_impersonate(c->tok);
	if (r < 0)
		return r;
	r = read_file(c, "client/4k.bin");
	int e = imp_revert();
	return r < 0 ? r : e;
}

/* Submit and reap @n, results by user_data. */
static void ring_run(struct ctx *c, unsigned n, int *res)
{
	if (io_uring_submit_and_wait(&c->ring, n) < 0)
		die("io_uring_submit_and_wait", errno);
	for (unsigned i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;
		if (io_uring_wait_cqe(&c->ring, &cqe) < 0)
			die("io_uring_wait_cqe", errno);
		res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(&c->ring, cqe);
	}
}

static struct io_uring_sqe *sqe_for(struct ctx *c, struct io_uring_sqe *sqe, unsigned idx, bool link)
{
	sqe->personality = (uint16_t)c->pers;
	sqe->user_data = idx;
	if (link)
		sqe->flags |= IOSQE_IO_HARDLINK;
	return sqe;
}

static int ring_read_as(struct ctx *c, const char *path)
{
	/* No O_CLOEXEC: a fixed slot is no descriptor (the kernel refuses it). */
	static struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_BENEATH};
	int res[3] = {-EIO, -EIO, -EIO};
	struct io_uring_sqe *s0 = io_uring_get_sqe(&c->ring), *s1 = io_uring_get_sqe(&c->ring),
			    *s2 = io_uring_get_sqe(&c->ring);
	if (!s0 || !s1 || !s2)
		die("io_uring_get_sqe", EBUSY);
	io_uring_prep_openat2_direct(s0, c->dirfd, path, &how, 0);
	sqe_for(c, s0, 0, true);
	io_uring_prep_read(s1, 0, c->buf, sizeof(c->buf), 0);
	s1->flags |= IOSQE_FIXED_FILE;
	sqe_for(c, s1, 1, true);
	io_uring_prep_close_direct(s2, 0);
	sqe_for(c, s2, 2, false);
	ring_run(c, 3, res);
	if (res[0] < 0)
		return res[0];
	return res[1] == (int)sizeof(c->buf) && res[2] == 0 ? 0 : -EIO;
}

static int v_ring(struct ctx *c)
{
	return ring_read_as(c, "client/4k.bin");
}

static int v_ring_daemon(struct ctx *c)
{
	struct open_how how = {.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, .resolve = RESOLVE_BENEATH};
	int res[2] = {-EIO, -EIO};
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	if (!sqe)
		die("io_uring_get_sqe", EBUSY);
	io_uring_prep_openat2(sqe, c->dirfd, "client/4k.bin", &how);
	sqe_for(c, sqe, 0, false);
	ring_run(c, 1, res);
	int fd = res[0];
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EIO;
	}
	struct io_uring_sqe *r = io_uring_get_sqe(&c->ring), *cl = io_uring_get_sqe(&c->ring);
	if (!r || !cl)
		die("io_uring_get_sqe", EBUSY);
	io_uring_prep_read(r, fd, c->buf, sizeof(c->buf), 0);
	sqe_for(c, r, 0, true);
	io_uring_prep_close(cl, fd);
	sqe_for(c, cl, 1, false);
	ring_run(c, 2, res);
	return res[0] == (int)sizeof(c->buf) && res[1] == 0 ? 0 : -EIO;
}

static int v_fork(struct ctx *c)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(imp_become_client(c->tok) == 0 && read_file(c, "client/4k.bin") == 0 ? 0 : 1);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

struct variant {
	const char *name;
	int (*fn)(struct ctx *);
	unsigned batch;
	double us[NGROUPS][ROUNDS];
};

static struct variant variants[MAX_VARIANTS] = {
	{"bare", v_bare, 200, {{0}}},
	{"switch", v_switch, 200, {{0}}},
	{"ring", v_ring, 200, {{0}}},
	{"ring-daemon", v_ring_daemon, 200, {{0}}},
	{"fork", v_fork, 10, {{0}}},
};

/* ---- Set-up, checks, report ------------------------------------------------------- */

static void make_tree(struct ctx *c)
{
	char block[4096];
	memset(block, 'x', sizeof(block));
	c->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0 || chmod(dir, 0755) < 0)
		die(dir, errno);
	static const struct {
		const char *d;
		uid_t uid;
	} homes[] = {{"client", CLIENT}, {"other", OTHER}};
	for (size_t i = 0; i < 2; i++) {
		char f[64];
		snprintf(f, sizeof(f), "%s/4k.bin", homes[i].d);
		if (mkdirat(c->dirfd, homes[i].d, 0700) < 0 || fchownat(c->dirfd, homes[i].d, homes[i].uid, homes[i].uid, 0) < 0)
			die("mkdir", errno);
		int fd = openat(c->dirfd, f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, block, sizeof(block)) != (ssize_t)sizeof(block) ||
		    fchown(fd, homes[i].uid, homes[i].uid) < 0)
			die(f, errno);
		close(fd);
	}
}

static void remove_tree(void)
{
	int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	unlinkat(d, "client/4k.bin", 0);
	unlinkat(d, "other/4k.bin", 0);
	unlinkat(d, "client", AT_REMOVEDIR);
	unlinkat(d, "other", AT_REMOVEDIR);
	close(d);
	rmdir(dir);
}

/* A token with @n groups: the client's own, then 60100, 60101, ... */
static void use_token(struct ctx *c, unsigned n)
{
	gid_t groups[256];
	for (unsigned i = 0; i < n; i++)
		groups[i] = i ? 60100 + i : CLIENT;
	imp_token_unref(c->tok);
	int r = imp_token_new(CLIENT, CLIENT, groups, n, IMP_MODE_FS, &c->tok);
	if (r < 0)
		die("imp_token_new", r);
	c->pers = imp_ring_register(c->ir, c->tok);
	if (c->pers < 0)
		die("imp_ring_register", c->pers);
	/* Not timed: each path reads the client's file and is refused the
	 * other user's (the personality really is the client). */
	int ring = ring_read_as(c, "other/4k.bin"), sw = imp_impersonate(c->tok);
	if (sw == 0) {
		sw = read_file(c, "other/4k.bin");
		if (imp_revert() != 0)
			die("imp_revert", EIO);
	}
	if (ring != -EACCES || sw != -EACCES) {
		fprintf(stderr, "bench-uring: ring %d, switch %d\n", ring, sw);
		die("the client was not refused another user's file", EPERM);
	}
	for (int v = 0; v < MAX_VARIANTS; v++)
		if (variants[v].fn(c) != 0)
			die(variants[v].name, EIO);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void report(void)
{
	const char *tsv = getenv("BENCH_TSV");
	FILE *f = tsv ? fopen(tsv, "ae") : NULL;
	printf("%-14s %-12s %6s %10s %10s %10s %8s\n", "section", "variant", "groups", "min_us", "median_us",
	       "max_us", "x switch");
	for (size_t g = 0; g < NGROUPS; g++) {
		double med_switch = 0;
		for (int v = 0; v < MAX_VARIANTS; v++) {
			double *us = variants[v].us[g];
			qsort(us, ROUNDS, sizeof(double), cmp_double);
			if (!strcmp(variants[v].name, "switch"))
				med_switch = us[ROUNDS / 2];
		}
		for (int v = 0; v < MAX_VARIANTS; v++) {
			double *us = variants[v].us[g];
			printf("%-14s %-12s %6u %10.2f %10.2f %10.2f %8.2f\n", "open-read", variants[v].name,
			       group_counts[g], us[0], us[ROUNDS / 2], us[ROUNDS - 1], us[ROUNDS / 2] / med_switch);
			if (f)
				fprintf(f, "open-read\t%s\t%u\t%.2f\t%.2f\t%.2f\n", variants[v].name, group_counts[g],
				        us[0], us[ROUNDS / 2], us[ROUNDS - 1]);
		}
	}
	if (f)
		fclose(f);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("# skip: needs root\n");
		return 77;
	}
	int r = io_uring_queue_init(8, &the_ctx.ring, 0);
	if (r < 0) {
		printf("# skip: io_uring unavailable: %s\n", strerror(-r));
		return 77;
	}
	if ((r = io_uring_register_files_sparse(&the_ctx.ring, 1)) < 0 || (r = imp_ring_new(the_ctx.ring.ring_fd, &the_ctx.ir)) < 0)
		die("ring set-up", r);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	the_ctx.owner = getpid();
	make_tree(&the_ctx);
	printf("# one 4 KiB file read as the client; per request, %d interleaved rounds\n", ROUNDS);
	for (size_t g = 0; g < NGROUPS; g++) {
		use_token(&the_ctx, group_counts[g]);
		for (int round = 0; round < ROUNDS; round++)
			for (int k = 0; k < MAX_VARIANTS; k++) {
				struct variant *v = &variants[(k + round) % MAX_VARIANTS];
				double t0 = now_us();
				for (unsigned i = 0; i < v->batch; i++)
					if (v->fn(&the_ctx) != 0)
						die(v->name, EIO);
				v->us[g][round] = (now_us() - t0) / v->batch;
			}
	}
	imp_ring_free(the_ctx.ir);
	imp_token_unref(the_ctx.tok);
	io_uring_queue_exit(&the_ctx.ring);
	close(the_ctx.dirfd);
	remove_tree();
	report();
	return 0;
}
