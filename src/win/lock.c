/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one lock of libimpersonate-win, guarding the context handle table and
 * the COM call registry (short sections, never nested, never held across a
 * credential change).  A fork() while another thread holds it would leave the
 * child's tables locked forever, so fork handlers take and release it.
 */
#include <pthread.h>

#include "win.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_release(void)
{
	pthread_mutex_unlock(&lock);
}

static void atfork_register(void)
{
	pthread_atfork(fork_prepare, fork_release, fork_release);
}

void win_lock(void)
{
	pthread_once(&atfork_once, atfork_register);
	pthread_mutex_lock(&lock);
}

void win_unlock(void)
{
	pthread_mutex_unlock(&lock);
}
