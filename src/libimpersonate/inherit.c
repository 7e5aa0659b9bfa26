/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recognising a thread that was created by an impersonating thread (SPEC X1).
 *
 * pthread_create() copies the creator's kernel credentials but a new thread
 * starts with empty library state.  Without care it would save the client's
 * credentials as its "own".  On its first use of the library a thread is
 * judged inherited when:
 *  - it has CAP_SETUID and CAP_SETGID permitted but neither effective: the
 *    shape an impersonation leaves (T11), in which it could not impersonate
 *    anyway; or
 *  - some thread is impersonating now, and its ids or capabilities differ
 *    from the own credentials last saved by any thread of the process.
 * The second test needs that snapshot: written at every capture, read
 * lock-free (a sequence counter; all fields are atomics).
 */
#include <linux/capability.h>

#include "inherit.h"
#include "internal.h"

#define WORDS (2 * ID_SLOTS + 6)

static atomic_uint words[WORDS];
static atomic_uint seq;     /* odd while a writer is busy */
static atomic_bool known;

static void pack(const struct imp_creds *c, unsigned out[WORDS])
{
	for (int i = 0; i < ID_SLOTS; i++) {
		out[i] = c->uid[i];
		out[ID_SLOTS + i] = c->gid[i];
	}
	const uint64_t caps[3] = {c->caps.eff, c->caps.prm, c->caps.inh};
	for (int i = 0; i < 3; i++) {
		out[2 * ID_SLOTS + 2 * i] = (unsigned)caps[i];
		out[2 * ID_SLOTS + 2 * i + 1] = (unsigned)(caps[i] >> 32);
	}
}

void inherit_note_own(const struct imp_creds *own)
{
	unsigned w[WORDS];
	unsigned s = atomic_load(&seq);

	/* One writer at a time; a busy one is writing the same process
	 * identity, so skipping is fine. */
	if ((s & 1) || !atomic_compare_exchange_strong(&seq, &s, s + 1))
		return;
	pack(own, w);
	for (int i = 0; i < WORDS; i++)
		atomic_store_explicit(&words[i], w[i], memory_order_relaxed);
	atomic_store(&known, true);
	atomic_store(&seq, s + 2);
}

static bool differs_from_own(const struct imp_creds *cur)
{
	unsigned w[WORDS];
	pack(cur, w);
	for (int tries = 0; tries < 100; tries++) {
		unsigned s = atomic_load(&seq);
		bool differ = false;
		if (s & 1)
			continue;
		for (int i = 0; i < WORDS; i++)
			differ |= atomic_load_explicit(&words[i], memory_order_relaxed) != w[i];
		if (atomic_load(&seq) == s)
			return differ;
	}
	return false;
}

bool inherit_suspect(const struct imp_creds *cur, bool someone_impersonating)
{
	const uint64_t setid = CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID);

	if ((cur->caps.prm & setid) == setid && !(cur->caps.eff & setid))
		return true;
	return someone_impersonating && atomic_load(&known) && differs_from_own(cur);
}
