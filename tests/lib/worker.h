/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A worker thread that runs one function at a time on request, so a test can
 * drive two threads step by step and read both from /proc between steps; and
 * a sibling, a worker that is never given anything to run, so its
 * credentials can be checked from outside.
 *
 * A thread inherits the calling thread's kernel credentials: start it before
 * impersonating unless that is what the test is about.  A CHECK failing on
 * the worker ends the whole test process, as on the main thread.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

typedef long (*worker_fn)(void *arg);

struct worker;
struct worker *worker_start(void);
pid_t worker_tid(const struct worker *w);
/* Start @fn(@arg) on the worker and return at once. */
void worker_post(struct worker *w, worker_fn fn, void *arg);
/* Wait for the posted call, at most @ms milliseconds (-1: no limit).
 * true and *@result set if it finished. */
bool worker_wait(struct worker *w, int ms, long *result);
/* Run @fn(@arg) on the worker and return its result. */
long worker_run(struct worker *w, worker_fn fn, void *arg);
void worker_stop(struct worker *w);

struct sibling;
struct sibling *sibling_start(void);
pid_t sibling_tid(const struct sibling *s);
void sibling_stop(struct sibling *s);
