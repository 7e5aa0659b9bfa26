/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process's own credentials, as last saved by any thread's first
 * impersonation: ids, capability sets and (up to OWN_MAX_GROUPS) groups.
 *
 * Used to recognise a thread created by an impersonating thread (SPEC X1)
 * and to give the fork() child of such a thread the process's own identity
 * (X2).  Lock-free: a sequence counter and atomic words.
 */
#pragma once

#include <stdbool.h>

#include "creds.h"

#define OWN_MAX_GROUPS 256

/* Remember @own (written only when it differs from what is remembered). */
void own_note(const struct imp_creds *own);

/* true if a thread seeing @cur on its first use of the library may have been
 * created by an impersonating thread: its credentials differ from the
 * remembered own ones.  Before any thread saved its own credentials no
 * thread can have impersonated, so nothing is suspect.  A thread whose own
 * credentials really differ from its siblings' is refused too: fail closed. */
bool own_suspect(const struct imp_creds *cur);

/* The remembered credentials into @c, groups into @buf (room for
 * OWN_MAX_GROUPS).  Returns 0, -ENOENT (nothing remembered) or -E2BIG (more
 * groups than remembered). */
int own_load(struct imp_creds *c, gid_t *buf);
