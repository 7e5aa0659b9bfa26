/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tiny test harness.  Each TEST() runs in its own forked child, so a case
 * that changes credentials (or crashes) cannot affect the next one.  Output
 * is one "ok N - name" / "not ok N - name" line per case; the executable
 * exits 0 when every case passed or skipped, 1 on any failure, and 77 (skip)
 * when it needs root and is not root.
 *
 *     TEST(t4_one_revert_undoes_all) { CHECK(imp_revert() == 0); }
 *     int main(int argc, char **argv) { return harness_main(argc, argv, HARNESS_ROOT); }
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*harness_fn)(void);
void harness_register(const char *name, harness_fn fn);

#define HARNESS_ROOT 0x1u /* the whole executable needs root */
int harness_main(int argc, char **argv, unsigned flags);

#define TEST(name)                                                          \
	static void test_##name(void);                                      \
	__attribute__((constructor)) static void register_##name(void)     \
	{                                                                   \
		harness_register(#name, test_##name);                       \
	}                                                                   \
	static void test_##name(void)

__attribute__((noreturn, format(printf, 3, 4))) void harness_fail(const char *file, int line,
                                                                  const char *fmt, ...);
__attribute__((noreturn)) void harness_skip(const char *why);

/* Run @fn(@arg) in a forked child and fail the test unless it exits 0 (the
 * CHECK macros inside make it exit 1).  For steps that must not touch the
 * test's own process, e.g. giving up root before cleanup. */
void harness_in_child(void (*fn)(void *), void *arg);

#define CHECK(expr)                                                          \
	do {                                                                 \
		if (!(expr))                                                 \
			harness_fail(__FILE__, __LINE__, "CHECK(%s)", #expr); \
	} while (0)

#define CHECK_EQ(a, b)                                                                           \
	do {                                                                                     \
		long long a_ = (long long)(a), b_ = (long long)(b);                              \
		if (a_ != b_)                                                                    \
			harness_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); \
	} while (0)

#define CHECK_STREQ(a, b)                                                                     \
	do {                                                                                  \
		const char *a_ = (a), *b_ = (b);                                              \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                        \
			harness_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
			             a_ ? a_ : "(null)", b_ ? b_ : "(null)");                  \
	} while (0)
