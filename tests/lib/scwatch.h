/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scwatch: see, count and fail the calling thread's syscalls on the real
 * kernel, with a seccomp user-notification filter and a supervisor thread.
 *
 * scwatch_start() starts the supervisor (a sibling, not filtered), then
 * loads a filter on the calling thread only (no TSYNC; threads it creates
 * later inherit it) that hands each listed syscall (or every syscall) to
 * the supervisor.  The supervisor counts them while counting is on and can
 * make the Nth one fail with an errno, or "succeed" without running (a
 * silent no-op, returning 0).  The filter cannot be removed: use it in a
 * forked child.  Sets no_new_privs (needed without CAP_SYS_ADMIN).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SCWATCH_LOG 512

struct scwatch;

/* @nrs: the syscall numbers to watch, @n of them; NULL: every syscall. */
struct scwatch *scwatch_start(const int *nrs, size_t n);
/* Zero the counts and start counting; no fault planned. */
void scwatch_reset(struct scwatch *w);
/* Stop counting (syscalls still pass through). */
void scwatch_stop(struct scwatch *w);
/* Make the @nth (1-based, counted since reset) watched syscall fail with
 * @err, or with @err 0 return 0 without running it.  Also resets. */
void scwatch_fail_at(struct scwatch *w, long nth, int err);
/* Watched syscalls counted since reset; of number @nr only, or all (-1). */
long scwatch_count(const struct scwatch *w, int nr);
/* The syscall number and first argument of the @nth counted one. */
int scwatch_nr(const struct scwatch *w, long nth);
long scwatch_arg0(const struct scwatch *w, long nth);
/* true once the planned fault was injected. */
bool scwatch_fired(const struct scwatch *w);
