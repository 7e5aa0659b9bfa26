/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "own.h"

#include <errno.h>
#include <string.h>

#include "internal.h"

#define ID_WORDS (2 * ID_SLOTS + 6)

static atomic_uint seq; /* odd while a writer is busy */
static atomic_bool known;
static atomic_uint id_words[ID_WORDS];
static atomic_size_t ngroups;
static atomic_uint groups[OWN_MAX_GROUPS];

struct snapshot {
	unsigned ids[ID_WORDS];
	size_t ngroups;
	gid_t groups[OWN_MAX_GROUPS];
};

static void pack_ids(const struct imp_creds *c, unsigned out[ID_WORDS])
{
	const uint64_t caps[3] = {c->caps.eff, c->caps.prm, c->caps.inh};
	for (int i = 0; i < ID_SLOTS; i++) {
		out[i] = c->uid[i];
		out[ID_SLOTS + i] = c->gid[i];
	}
	for (int i = 0; i < 3; i++) {
		out[2 * ID_SLOTS + 2 * i] = (unsigned)caps[i];
		out[2 * ID_SLOTS + 2 * i + 1] = (unsigned)(caps[i] >> 32);
	}
}

/* A consistent copy; false if none is known or a writer kept us out. */
static bool snapshot_read(struct snapshot *s)
{
	if (!atomic_load(&known))
		return false;
	for (int tries = 0; tries < 100; tries++) {
		unsigned before = atomic_load(&seq);
		if (before & 1)
			continue;
		for (int i = 0; i < ID_WORDS; i++)
			s->ids[i] = atomic_load_explicit(&id_words[i], memory_order_relaxed);
		s->ngroups = atomic_load_explicit(&ngroups, memory_order_relaxed);
		size_t n = s->ngroups < OWN_MAX_GROUPS ? s->ngroups : OWN_MAX_GROUPS;
		for (size_t i = 0; i < n; i++)
			s->groups[i] = atomic_load_explicit(&groups[i], memory_order_relaxed);
		if (atomic_load(&seq) == before)
			return true;
	}
	return false;
}

/* Compare, groups included as far as they are remembered. */
static bool snapshot_equals(const struct snapshot *s, const struct imp_creds *c)
{
	unsigned ids[ID_WORDS];
	pack_ids(c, ids);
	if (memcmp(ids, s->ids, sizeof(ids)) != 0 || s->ngroups != c->ngroups)
		return false;
	size_t n = s->ngroups < OWN_MAX_GROUPS ? s->ngroups : OWN_MAX_GROUPS;
	return n == 0 || memcmp(s->groups, c->groups, n * sizeof(gid_t)) == 0;
}

void own_note(const struct imp_creds *own)
{
	struct snapshot s;
	if (own->ngroups == SIZE_MAX || (snapshot_read(&s) && snapshot_equals(&s, own)))
		return; /* the usual case: nothing changed, nothing written */

	unsigned cur = atomic_load(&seq), ids[ID_WORDS];
	/* One writer at a time; a concurrent one writes the same process
	 * identity, so giving way is fine. */
	if ((cur & 1) || !atomic_compare_exchange_strong(&seq, &cur, cur + 1))
		return;
	pack_ids(own, ids);
	for (int i = 0; i < ID_WORDS; i++)
		atomic_store_explicit(&id_words[i], ids[i], memory_order_relaxed);
	atomic_store_explicit(&ngroups, own->ngroups, memory_order_relaxed);
	for (size_t i = 0; i < own->ngroups && i < OWN_MAX_GROUPS; i++)
		atomic_store_explicit(&groups[i], own->groups[i], memory_order_relaxed);
	atomic_store(&known, true);
	atomic_store(&seq, cur + 2);
}

bool own_suspect(const struct imp_creds *cur)
{
	struct snapshot s;
	return snapshot_read(&s) && !snapshot_equals(&s, cur);
}

int own_load(struct imp_creds *c, gid_t *buf)
{
	struct snapshot s;
	if (!snapshot_read(&s))
		return -ENOENT;
	if (s.ngroups > OWN_MAX_GROUPS)
		return -E2BIG;
	for (int i = 0; i < ID_SLOTS; i++) {
		c->uid[i] = s.ids[i];
		c->gid[i] = s.ids[ID_SLOTS + i];
	}
	c->caps.eff = (uint64_t)s.ids[2 * ID_SLOTS + 1] << 32 | s.ids[2 * ID_SLOTS];
	c->caps.prm = (uint64_t)s.ids[2 * ID_SLOTS + 3] << 32 | s.ids[2 * ID_SLOTS + 2];
	c->caps.inh = (uint64_t)s.ids[2 * ID_SLOTS + 5] << 32 | s.ids[2 * ID_SLOTS + 4];
	memcpy(buf, s.groups, s.ngroups * sizeof(gid_t));
	c->groups = buf;
	c->ngroups = s.ngroups;
	return 0;
}
