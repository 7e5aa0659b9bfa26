/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "scwatch.h"

#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#define MAX_NR 1024

struct scwatch {
	atomic_int fd;
	atomic_bool counting;
	atomic_long count;
	atomic_long fail_at;
	atomic_int fail_err;
	atomic_bool fired;
	atomic_long per_nr[MAX_NR];
	/* Atomic although the kernel orders them (the watched thread waits in
	 * its syscall for the answer): TSan cannot see that order. */
	atomic_int log_nr[SCWATCH_LOG];
	atomic_long log_arg0[SCWATCH_LOG];
};

static void die(const char *what)
{
	fprintf(stderr, "scwatch: %s\n", what);
	abort();
}

/* The supervisor: the watched thread is stopped in its syscall until we
 * answer, so everything written here is seen by it afterwards. */
static void *supervise(void *p)
{
	struct scwatch *w = p;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int fd;
	if (seccomp_notify_alloc(&req, &resp) < 0)
		die("seccomp_notify_alloc");
	while ((fd = atomic_load(&w->fd)) < 0)
		sched_yield();
	for (;;) {
		memset(req, 0, sizeof(*req));
		if (seccomp_notify_receive(fd, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		memset(resp, 0, sizeof(*resp));
		resp->id = req->id;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (atomic_load(&w->counting)) {
			long n = atomic_fetch_add(&w->count, 1) + 1;
			if (req->data.nr >= 0 && req->data.nr < MAX_NR)
				atomic_fetch_add(&w->per_nr[req->data.nr], 1);
			if (n <= SCWATCH_LOG) {
				atomic_store(&w->log_nr[n - 1], req->data.nr);
				atomic_store(&w->log_arg0[n - 1], (long)req->data.args[0]);
			}
			if (n == atomic_load(&w->fail_at)) {
				int err = atomic_load(&w->fail_err);
				resp->flags = 0;
				resp->error = -err;
				resp->val = 0;
				atomic_store(&w->fired, true);
			}
		}
		seccomp_notify_respond(fd, resp);
	}
	seccomp_notify_free(req, resp);
	return NULL;
}

struct scwatch *scwatch_start(const int *nrs, size_t n)
{
	struct scwatch *w = calloc(1, sizeof(*w));
	pthread_t th;
	if (!w)
		die("calloc");
	atomic_init(&w->fd, -1);
	if (pthread_create(&th, NULL, supervise, w) != 0)
		die("pthread_create");
	pthread_detach(th);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		die("seccomp_init");
	if (nrs) {
		for (size_t i = 0; i < n; i++)
			if (seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nrs[i], 0) < 0)
				die("seccomp_rule_add");
	} else {
		for (int nr = 0; nr < 500; nr++)
			(void)seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0); /* gaps fail */
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0)
		die("seccomp_load");
	atomic_store(&w->fd, seccomp_notify_fd(ctx));
	/* the context is kept: releasing it would close the listener */
	return w;
}

void scwatch_reset(struct scwatch *w)
{
	atomic_store(&w->counting, false);
	atomic_store(&w->count, 0);
	atomic_store(&w->fail_at, 0);
	atomic_store(&w->fired, false);
	for (int i = 0; i < MAX_NR; i++)
		atomic_store(&w->per_nr[i], 0);
	atomic_store(&w->counting, true);
}

void scwatch_stop(struct scwatch *w)
{
	atomic_store(&w->counting, false);
}

void scwatch_fail_at(struct scwatch *w, long nth, int err)
{
	scwatch_reset(w);
	atomic_store(&w->fail_err, err);
	atomic_store(&w->fail_at, nth);
}

long scwatch_count(const struct scwatch *w, int nr)
{
	if (nr < 0)
		return atomic_load(&w->count);
	return nr < MAX_NR ? atomic_load(&w->per_nr[nr]) : 0;
}

int scwatch_nr(const struct scwatch *w, long nth)
{
	return nth >= 1 && nth <= SCWATCH_LOG ? atomic_load(&w->log_nr[nth - 1]) : -1;
}

long scwatch_arg0(const struct scwatch *w, long nth)
{
	return nth >= 1 && nth <= SCWATCH_LOG ? atomic_load(&w->log_arg0[nth - 1]) : -1;
}

bool scwatch_fired(const struct scwatch *w)
{
	return atomic_load(&w->fired);
}
