/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fixed pool of threads serving requests from every connection.
 *
 * A worker takes the oldest queued request, whoever sent it, and serves it
 * inside a call frame for that request's client (SPEC F1): begin the call,
 * impersonate the client, run the file operation, revert, end the call.  The
 * thread is back to its own credentials before it takes the next request, so
 * requests of different clients interleave on the same threads.
 *
 * The queue is a list through the jobs themselves: each connection has at
 * most one job in flight, so queuing never allocates and never fills up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "fsd.h"

struct worker {
	struct pool *pool;
	unsigned index;
	pthread_t thread;
	unsigned long served;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct job *head, *tail;
	bool stopping;
	unsigned n;
	struct worker workers[];
};

/* The worker must be back to itself after every request; a thread that still
 * impersonates would serve the next client with the wrong identity. */
static void must_be_self(void)
{
	if (imp_is_impersonating() != 0) {
		fprintf(stderr, "impersonate-fsd: a pool thread still impersonates after a request\n");
		abort();
	}
}

/* SPEC F1, F2: one call frame per request. */
static void serve(struct worker *w, struct job *j)
{
	imp_call *call;
	j->worker = w->index;
	j->err = 0;
	j->revert = 0;
	j->imp_err = imp_call_begin(j->token, &call);
	if (j->imp_err < 0)
		return;
	j->imp_err = imp_call_impersonate(call);
	if (j->imp_err == 0) {
		ops_run(j, NULL);       /* as the client */
		j->revert = imp_revert(); /* 0, or -EUCLEAN after restoring */
	}
	imp_call_end(call); /* reverts too if we did not get there (F2) */
	imp_call_unref(call);
	must_be_self();
}

static struct job *take(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (!p->head && !p->stopping)
		pthread_cond_wait(&p->work, &p->lock);
	struct job *j = p->head;
	if (j) {
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	return j;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;
	while ((j = take(w->pool))) {
		serve(w, j);
		pthread_mutex_lock(&w->pool->lock);
		w->served++;
		j->done = true;
		pthread_cond_signal(&j->done_cond);
		pthread_mutex_unlock(&w->pool->lock);
	}
	return NULL;
}

int pool_start(unsigned n, struct pool **ret)
{
	struct pool *p = calloc(1, sizeof(*p) + n * sizeof(struct worker));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	for (unsigned i = 0; i < n; i++) {
		p->workers[i] = (struct worker){.pool = p, .index = i};
		int r = pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]);
		if (r != 0) {
			pool_stop(p);
			return -r;
		}
		p->n++;
		/* Named here, not by the thread itself: a new thread may not run
		 * for a while on a busy machine, and whoever looks at the daemon
		 * (its tests, scripts/demo) must see every worker by name as soon
		 * as the socket appears. */
		char name[32]; /* at most 15 bytes: --threads is at most 1024 */
		snprintf(name, sizeof(name), "fsd-worker-%u", i);
		pthread_setname_np(p->workers[i].thread, name);
	}
	*ret = p;
	return 0;
}

/* SPEC U1: with a ring, the connection thread serves the request itself as
 * the client's personality: no switch and no hand-off.  WHOAMI reports what
 * the kernel shows for an impersonating thread, so it takes the pool. */
static bool on_ring(const struct job *j)
{
	return j->ring && j->req->type != IMPFS_WHOAMI;
}

void pool_run(struct pool *p, struct job *j)
{
	if (on_ring(j)) {
		j->worker = IMPFS_RING_WORKER;
		j->imp_err = 0;
		j->revert = 0;
		ops_run(j, j->ring);
		return;
	}
	pthread_mutex_lock(&p->lock);
	j->done = false;
	j->next = NULL;
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	pthread_cond_signal(&p->work);
	while (!j->done)
		pthread_cond_wait(&j->done_cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

unsigned long pool_served(struct pool *p, unsigned i)
{
	pthread_mutex_lock(&p->lock);
	unsigned long n = i < p->n ? p->workers[i].served : 0;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void pool_stop(struct pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->n; i++)
		pthread_join(p->workers[i].thread, NULL);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
