/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private declarations shared by the files of libimpersonate. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "impersonate.h"

#define IMP_PUBLIC __attribute__((visibility("default")))

/* Magic numbers checked on entry, as libcap does for cap_t. */
#define IMP_TOKEN_MAGIC 0x746f6b6eu /* "tokn" */
#define IMP_CALL_MAGIC 0x63616c6cu  /* "call" */
#define IMP_DEAD_MAGIC 0xdeadbeefu  /* written when freed */

#define CAP_BIT(c) (UINT64_C(1) << (c))

struct imp_token {
	uint32_t magic;
	atomic_size_t refs;
	atomic_bool revoked;
	uid_t uid;
	gid_t gid;
	unsigned flags;
	uint64_t kept_caps;
	struct imp_token *base; /* derived from (imp_token_with_caps), or NULL */
	const char *name;       /* points into the same allocation */
	size_t ngroups;
	gid_t groups[]; /* sorted, no duplicates; the name follows */
};

struct imp_thread;

struct imp_call {
	uint32_t magic;
	atomic_size_t refs;
	atomic_bool complete;
	imp_token *client;
	struct imp_thread *owner; /* the thread that began it */
	unsigned depth;           /* its frame in the owner's stack */
};

/* A token pointer the caller passed: NULL, freed or foreign memory with a
 * different magic is rejected (a wild pointer is the caller's bug). */
static inline bool token_valid(const imp_token *tok)
{
	return tok && tok->magic == IMP_TOKEN_MAGIC;
}

/* Revoked itself, or derived from a token that is now revoked (K4). */
static inline bool token_revoked(const imp_token *tok)
{
	for (; tok; tok = tok->base)
		if (atomic_load(&tok->revoked))
			return true;
	return false;
}

static inline bool call_valid(const imp_call *call)
{
	return call && call->magic == IMP_CALL_MAGIC;
}

/* One allocation holding the token (token.c): groups sorted, duplicates
 * removed, @name copied.  No NSS.  0 or -ENOMEM. */
int token_alloc(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, unsigned flags,
                const char *name, imp_token **ret);

/* Calls the panic handler, then abort(); never returns (SPEC T8). */
__attribute__((noreturn)) void imp_panic(const char *message);

/* The calling thread's state: impersonating through the library in its
 * current frame, or inherited from its creator (X1).  0 or -ENOMEM. */
int thread_view(bool *impersonating, bool *inherited);

/* SPEC X4: false when libpsx was active when this library was loaded,
 * which makes libcap's capability changes process-wide (support.c: why
 * once is enough). */
bool support_per_thread(void);

/* SPEC U2 (uring.c): unregister the io_uring personalities of a token that
 * is being revoked (and of tokens derived from it) / freed. */
void uring_token_revoked(const imp_token *tok);
void uring_token_freed(const imp_token *tok);
