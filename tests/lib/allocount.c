/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "allocount.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ALLOCOUNT_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ALLOCOUNT_OFF 1
#endif
#endif

static __thread int counting;
static __thread struct allocount counts;

bool allocount_available(void)
{
#ifdef ALLOCOUNT_OFF
	return false;
#else
	return true;
#endif
}

void allocount_begin(void)
{
	memset(&counts, 0, sizeof(counts));
	counting = 1;
}

void allocount_end(struct allocount *out)
{
	counting = 0;
	*out = counts;
}

#ifndef ALLOCOUNT_OFF
/* glibc's own entry points behind malloc and friends (exported for exactly
 * this kind of wrapper). */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n)
{
	counts.allocs += counting;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	counts.allocs += counting;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	counts.allocs += counting;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	counts.frees += counting && p;
	__libc_free(p);
}

int posix_memalign(void **ret, size_t align, size_t n)
{
	counts.allocs += counting;
	void *p = __libc_memalign(align, n);
	if (!p)
		return ENOMEM;
	*ret = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	counts.allocs += counting;
	return __libc_memalign(align, n);
}

/* The lock calls: forward to the next definition (glibc's). */
#define FORWARD_LOCK(name, type)                                              \
	int name(type *l)                                                     \
	{                                                                     \
		static int (*next)(type *);                                   \
		if (!next)                                                    \
			next = (int (*)(type *))dlsym(RTLD_NEXT, #name);      \
		counts.locks += counting;                                     \
		return next(l);                                               \
	}

FORWARD_LOCK(pthread_mutex_lock, pthread_mutex_t)
FORWARD_LOCK(pthread_mutex_trylock, pthread_mutex_t)
FORWARD_LOCK(pthread_rwlock_rdlock, pthread_rwlock_t)
FORWARD_LOCK(pthread_rwlock_wrlock, pthread_rwlock_t)
FORWARD_LOCK(pthread_spin_lock, pthread_spinlock_t)
#endif /* ALLOCOUNT_OFF */
