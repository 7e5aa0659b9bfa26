/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * allocount: count the calling thread's heap allocations and lock
 * acquisitions between allocount_begin() and allocount_end().
 *
 * allocount.c defines malloc, calloc, realloc, free, posix_memalign,
 * aligned_alloc and the pthread mutex/rwlock/spin lock calls in the
 * executable itself (compile it in, do not link it from an archive), so
 * every call the library makes goes through them; they forward to glibc.
 * Calls glibc makes internally are not seen (nor needed).
 */
#pragma once

#include <stdbool.h>

struct allocount {
	long allocs; /* malloc, calloc, realloc, posix_memalign, aligned_alloc */
	long frees;
	long locks; /* mutex lock/trylock, rwlock rd/wr, spin lock */
};

/* false when built with a sanitizer, whose runtime owns malloc: then
 * nothing is counted and callers should skip. */
bool allocount_available(void);
void allocount_begin(void);
void allocount_end(struct allocount *out);
