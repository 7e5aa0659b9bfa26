/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "kcreds.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pid_t tid;
	worker_fn fn;
	void *arg;
	long result;
	enum { W_IDLE, W_PENDING, W_DONE, W_QUIT } state;
};

struct sibling {
	struct worker w;
};

static void *worker_main(void *p)
{
	struct worker *w = p;

	pthread_mutex_lock(&w->lock);
	w->tid = kc_gettid();
	pthread_cond_broadcast(&w->cond);
	for (;;) {
		while (w->state != W_PENDING && w->state != W_QUIT)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->state == W_QUIT)
			break;
		worker_fn fn = w->fn;
		void *arg = w->arg;
		pthread_mutex_unlock(&w->lock);
		long r = fn(arg);
		pthread_mutex_lock(&w->lock);
		w->result = r;
		w->state = W_DONE;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Start the thread of zeroed @w and wait until it has its tid. */
static void worker_init(struct worker *w)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_mutex_lock(&w->lock);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		harness_fail(__FILE__, __LINE__, "pthread_create");
	while (!w->tid)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

/* Let the thread of @w end and join it. */
static void worker_fini(struct worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->state = W_QUIT;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

struct worker *worker_start(void)
{
	struct worker *w = calloc(1, sizeof(*w));
	if (!w)
		harness_fail(__FILE__, __LINE__, "calloc");
	worker_init(w);
	return w;
}

pid_t worker_tid(const struct worker *w)
{
	return w->tid;
}

void worker_post(struct worker *w, worker_fn fn, void *arg)
{
	pthread_mutex_lock(&w->lock);
	w->fn = fn;
	w->arg = arg;
	w->state = W_PENDING;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

bool worker_wait(struct worker *w, int ms, long *result)
{
	struct timespec until;
	bool done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (w->state != W_DONE) {
		if (ms < 0)
			pthread_cond_wait(&w->cond, &w->lock);
		else if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
			break;
	}
	done = w->state == W_DONE;
	if (done) {
		w->state = W_IDLE;
		*result = w->result;
	}
	pthread_mutex_unlock(&w->lock);
	return done;
}

long worker_run(struct worker *w, worker_fn fn, void *arg)
{
	long r = 0;
	worker_post(w, fn, arg);
	worker_wait(w, -1, &r);
	return r;
}

void worker_stop(struct worker *w)
{
	worker_fini(w);
	free(w);
}

struct sibling *sibling_start(void)
{
	struct sibling *s = calloc(1, sizeof(*s));
	if (!s)
		harness_fail(__FILE__, __LINE__, "sibling");
	worker_init(&s->w);
	return s;
}

pid_t sibling_tid(const struct sibling *s)
{
	return worker_tid(&s->w);
}

void sibling_stop(struct sibling *s)
{
	worker_fini(&s->w);
	free(s);
}
