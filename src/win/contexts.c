/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SSPI context handle table (SPEC S2, S4).
 *
 * A CtxtHandle names a slot; nothing in it is ever used as a pointer:
 *
 *     dwLower = generation << INDEX_BITS | slot index
 *     dwUpper = a random check value drawn when the handle was issued
 *
 * A handle is valid only if its index is inside the table, the slot is live
 * and of the kind asked for (context or credentials), and both the
 * generation and the check value match the slot's.
 * Generations come from one process-wide counter, so no two handles ever
 * issued share one (until 2^44 contexts on 64-bit): a handle with any single
 * bit flipped, a deleted handle, or a handle to a reused slot can never
 * match, and a random value matches with probability about 2^-64.
 *
 * The table is guarded by a mutex.  It is consulted before the engine is
 * called, never on its switch path (the engine itself takes no lock).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "win.h"

#define INDEX_BITS 20u
#define MAX_SLOTS (1u << INDEX_BITS)
#define INDEX_MASK (MAX_SLOTS - 1u)
#define GEN_BITS (sizeof(ULONG_PTR) * 8u - INDEX_BITS)
#define GEN_MASK ((((ULONG_PTR)1) << GEN_BITS) - 1u)
#define NO_SLOT UINT32_MAX

struct slot {
	ULONG_PTR gen;   /* 0: free */
	ULONG_PTR check; /* dwUpper of the live handle */
	imp_token *token; /* NULL until a handshake's logon is done */
	struct win_object *obj; /* GSSAPI context or credentials, or NULL */
	unsigned kind;
	unsigned flags;
	uint32_t next_free;
};

static struct slot *slots;
static uint32_t capacity;
static uint32_t used; /* slots [0, used) have been handed out at least once */
static uint32_t free_head = NO_SLOT;
static ULONG_PTR next_gen = 1;
static uint64_t rng;
static bool rng_seeded;

/* splitmix64: the check values only have to be unguessable by accident (a
 * stale copy, a stray integer), not by an attacker already in the process. */
static uint64_t rng_next(void)
{
	if (!rng_seeded) {
		if (getrandom(&rng, sizeof(rng), GRND_NONBLOCK) != (ssize_t)sizeof(rng)) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			rng = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
		}
		rng_seeded = true;
	}
	uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Never 0 (a free slot) and never -1 (SecInvalidateHandle()). */
static ULONG_PTR new_check(void)
{
	ULONG_PTR c;
	do
		c = (ULONG_PTR)rng_next();
	while (c == 0 || c == (ULONG_PTR)-1);
	return c;
}

static ULONG_PTR new_gen(void)
{
	ULONG_PTR g;
	do
		g = next_gen++ & GEN_MASK;
	while (g == 0);
	return g;
}

/* Lock held.  Index of a free slot, growing the table if needed. */
static int slot_take(uint32_t *ret)
{
	if (free_head != NO_SLOT) {
		*ret = free_head;
		free_head = slots[free_head].next_free;
		return 0;
	}
	if (used == capacity) {
		if (capacity == MAX_SLOTS)
			return -ENOMEM;
		uint32_t n = capacity ? capacity * 2 : 64;
		struct slot *s = realloc(slots, n * sizeof(*s));
		if (!s)
			return -ENOMEM;
		slots = s;
		capacity = n;
	}
	*ret = used++;
	return 0;
}

/* Lock held.  The live slot @h names, or NULL.  Only the caller's two words
 * are read; the index is bounds-checked before the table is touched. */
static struct slot *slot_find(unsigned kind, const CtxtHandle *h)
{
	if (!h)
		return NULL;
	ULONG_PTR lower = h->dwLower, upper = h->dwUpper;
	uint32_t idx = (uint32_t)(lower & INDEX_MASK);
	ULONG_PTR gen = lower >> INDEX_BITS;
	if (idx >= used)
		return NULL;
	struct slot *s = &slots[idx];
	if (s->gen == 0 || s->gen != gen || s->check != upper || s->kind != kind)
		return NULL;
	return s;
}

void win_object_init(struct win_object *obj, void (*destroy)(struct win_object *))
{
	atomic_init(&obj->refs, 1);
	obj->destroy = destroy;
}

struct win_object *win_object_ref(struct win_object *obj)
{
	if (obj)
		atomic_fetch_add_explicit(&obj->refs, 1, memory_order_relaxed);
	return obj;
}

void win_object_unref(struct win_object *obj)
{
	if (obj && atomic_fetch_sub_explicit(&obj->refs, 1, memory_order_acq_rel) == 1)
		obj->destroy(obj);
}

SECURITY_STATUS handle_issue(enum handle_kind kind, struct win_object *obj, imp_token *tok, unsigned flags,
                             PSecHandle out)
{
	uint32_t idx;
	win_lock();
	if (slot_take(&idx) < 0) {
		win_unlock();
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	struct slot *s = &slots[idx];
	s->gen = new_gen();
	s->check = new_check();
	s->token = tok ? imp_token_ref(tok) : NULL;
	s->obj = win_object_ref(obj);
	s->kind = kind;
	s->flags = flags;
	s->next_free = NO_SLOT;
	out->dwLower = (s->gen << INDEX_BITS) | idx;
	out->dwUpper = s->check;
	win_unlock();
	return SEC_E_OK;
}

SECURITY_STATUS ctx_issue(imp_token *tok, unsigned flags, PCtxtHandle out)
{
	return handle_issue(HANDLE_CONTEXT, NULL, tok, flags, out);
}

SECURITY_STATUS ctx_get(const CtxtHandle *h, imp_token **tok, unsigned *flags)
{
	win_lock();
	struct slot *s = slot_find(HANDLE_CONTEXT, h);
	if (s) {
		*tok = s->token ? imp_token_ref(s->token) : NULL;
		*flags = s->flags;
	}
	win_unlock();
	return s ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

SECURITY_STATUS handle_get_object(enum handle_kind kind, const SecHandle *h, struct win_object **obj)
{
	win_lock();
	struct slot *s = slot_find(kind, h);
	if (s)
		*obj = win_object_ref(s->obj);
	win_unlock();
	return s ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

SECURITY_STATUS ctx_set_token(const CtxtHandle *h, imp_token *tok, unsigned flags)
{
	imp_token *old = NULL;
	win_lock();
	struct slot *s = slot_find(HANDLE_CONTEXT, h);
	if (s) {
		old = s->token;
		s->token = imp_token_ref(tok);
		s->flags = flags;
	}
	win_unlock();
	if (old)
		imp_token_unref(old);
	return s ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

SECURITY_STATUS handle_delete(enum handle_kind kind, const SecHandle *h)
{
	imp_token *tok = NULL;
	struct win_object *obj = NULL;
	win_lock();
	struct slot *s = slot_find(kind, h);
	if (s) {
		tok = s->token;
		obj = s->obj;
		*s = (struct slot){.gen = 0, .next_free = free_head};
		free_head = (uint32_t)(s - slots);
	}
	win_unlock();
	/* Threads impersonating the token hold their own reference (S4);
	 * other threads using the object hold theirs. */
	if (tok)
		imp_token_unref(tok);
	win_object_unref(obj);
	return s ? SEC_E_OK : SEC_E_INVALID_HANDLE;
}

SECURITY_STATUS ctx_delete(const CtxtHandle *h)
{
	return handle_delete(HANDLE_CONTEXT, h);
}

/* ---- Single-word handles (HANDLE) for the advapi family ----------------------
 *
 * The same slots, named by one word:
 *
 *     HANDLE = check bits << (INDEX_BITS + HGEN_BITS) | generation bits << INDEX_BITS | index
 *
 * with the low HGEN_BITS of the slot's generation and the low HCHECK_BITS
 * (never all zero or all one) of its check value.  A closed handle, a
 * neighbour's value or a random word matches a live slot only if both its
 * generation bits and its check bits match (about 2^-44 on 64-bit); the
 * check bits keep every issued handle above INT_MAX, out of the range of
 * file descriptors (see ImpersonateNamedPipeClient), and away from the
 * pseudo-handles.  Context and credential slots never match a HANDLE. */
#define HWORD_BITS (sizeof(ULONG_PTR) * 8u)
#define HGEN_BITS ((HWORD_BITS - INDEX_BITS) / 2u)
#define HCHECK_BITS (HWORD_BITS - INDEX_BITS - HGEN_BITS)
#define HGEN_MASK ((((ULONG_PTR)1) << HGEN_BITS) - 1u)
#define HCHECK_MASK ((((ULONG_PTR)1) << HCHECK_BITS) - 1u)

static ULONG_PTR handle_word(const struct slot *s, uint32_t idx)
{
	return ((s->check & HCHECK_MASK) << (INDEX_BITS + HGEN_BITS)) | ((s->gen & HGEN_MASK) << INDEX_BITS) | idx;
}

static bool word_kind(unsigned kind)
{
	return kind == HANDLE_TOKEN || kind == HANDLE_PROCESS;
}

/* Lock held.  The live single-word slot of @kind that @h names, or NULL. */
static struct slot *wslot_find(HANDLE h, enum handle_kind kind)
{
	ULONG_PTR w = (ULONG_PTR)h;
	uint32_t idx = (uint32_t)(w & INDEX_MASK);
	if (idx >= used)
		return NULL;
	struct slot *s = &slots[idx];
	if (s->gen == 0 || !word_kind(s->kind) || (kind != HANDLE_ANY_WORD && s->kind != kind) ||
	    handle_word(s, idx) != w)
		return NULL;
	return s;
}

int whandle_issue(enum handle_kind kind, struct win_object *obj, imp_token *tok, unsigned flags, HANDLE *out)
{
	uint32_t idx;
	if (!word_kind(kind))
		return -EINVAL;
	win_lock();
	if (slot_take(&idx) < 0) {
		win_unlock();
		return -ENOMEM;
	}
	struct slot *s = &slots[idx];
	s->gen = new_gen();
	do
		s->check = new_check();
	while ((s->check & HCHECK_MASK) == 0 || (s->check & HCHECK_MASK) == HCHECK_MASK);
	s->token = tok ? imp_token_ref(tok) : NULL;
	s->obj = win_object_ref(obj);
	s->kind = kind;
	s->flags = flags;
	s->next_free = NO_SLOT;
	*out = (HANDLE)handle_word(s, idx);
	win_unlock();
	return 0;
}

int whandle_get(HANDLE h, enum handle_kind kind, imp_token **tok, unsigned *flags, struct win_object **obj)
{
	win_lock();
	struct slot *s = wslot_find(h, kind);
	if (s) {
		if (tok)
			*tok = s->token ? imp_token_ref(s->token) : NULL;
		if (flags)
			*flags = s->flags;
		if (obj)
			*obj = win_object_ref(s->obj);
	}
	win_unlock();
	return s ? 0 : -EBADF;
}

int whandle_close(HANDLE h)
{
	imp_token *tok = NULL;
	struct win_object *obj = NULL;
	win_lock();
	struct slot *s = wslot_find(h, HANDLE_ANY_WORD);
	bool found = s != NULL;
	if (s) {
		tok = s->token;
		obj = s->obj;
		*s = (struct slot){.gen = 0, .next_free = free_head};
		free_head = (uint32_t)(s - slots);
	}
	win_unlock();
	/* Outside the lock: ending a logon session runs PAM. */
	if (tok)
		imp_token_unref(tok);
	win_object_unref(obj);
	return found ? 0 : -EBADF;
}
