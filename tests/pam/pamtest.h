/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for driving pam_impersonate.so through the real libpam: private
 * service directories (pam_start_confdir), a recording conversation, the
 * syslog lines libpam produced, and NSS failures on demand.
 *
 * Paths come from meson as string macros: PAM_MODULE (the built module),
 * PAM_MODULE_LOGINDEFS (the same source built to read login.defs from
 * $IMP_TEST_LOGIN_DEFS), PAM_MATRIX, PAM_DEMO_SERVICE (pam.d/impersonate-demo)
 * and PAM_EXAMPLE_SERVICE (pam.d/example-daemon).
 */
#pragma once

#include <security/pam_appl.h>
#include <stdbool.h>

#include "impersonate.h"

/* User names that make getpwnam_r() fail, as an unreachable directory
 * server would (the test executable interposes getpwnam_r). */
#define NSS_EIO_USER "nss-eio"
#define NSS_ENOMEM_USER "nss-enomem"
#define NSS_ERANGE_USER "nss-erange" /* an entry larger than any buffer */

/* ---- Service directories ----------------------------------------------- */

/* A private directory holding service files; remove with tmpdir_remove(). */
char *pt_confdir(void);
/* Write @dir/@service with @text. */
void pt_service(const char *dir, const char *service, const char *text);
/* Write @dir/@service from the pam.d file @src with the module basenames
 * replaced by absolute paths (PAM_MATRIX, @module) and @options appended
 * to every pam_impersonate line (NULL: none). */
void pt_service_from(const char *dir, const char *service, const char *src, const char *module,
                     const char *options);

/* ---- Handles ------------------------------------------------------------ */

struct pt_conv {
	const char *password; /* answer to every prompt; NULL answers nothing */
	int calls;            /* conversation calls seen */
	int messages;         /* messages in them */
};

/* pam_start_confdir(); @user may be NULL.  Fails the test on error. */
pam_handle_t *pt_start(const char *dir, const char *service, const char *user, struct pt_conv *conv);

/* One module type on a fresh handle with a one-line stack
 * "@type required <module> @options", then pam_end: the stack's result. */
int pt_one(const char *module, const char *type, const char *options, const char *user);

/* ---- Logs ----------------------------------------------------------------- */

/* Every syslog line since the last reset (libpam's pam_syslog ends in glibc
 * syslog, which this test executable interposes). */
void log_reset(void);
/* Lines at priority @prio (LOG_ERR...; -1: any) containing @needle. */
int log_count(int prio, const char *needle);
void log_dump(void);

#define CHECK_LOGGED(prio, needle)                                                          \
	do {                                                                                \
		if (log_count((prio), (needle)) == 0) {                                     \
			log_dump();                                                         \
			harness_fail(__FILE__, __LINE__, "no log line at %s with \"%s\"", #prio, \
			             (needle));                                             \
		}                                                                           \
	} while (0)

#define CHECK_NOT_LOGGED(prio, needle)                                                         \
	do {                                                                                   \
		if (log_count((prio), (needle)) != 0) {                                        \
			log_dump();                                                            \
			harness_fail(__FILE__, __LINE__, "unexpected log line at %s with \"%s\"", \
			             #prio, (needle));                                         \
		}                                                                              \
	} while (0)

#define CHECK_PAM(call, expected)                                                           \
	do {                                                                                \
		int r_ = (call), e_ = (expected);                                           \
		if (r_ != e_) {                                                             \
			log_dump();                                                         \
			harness_fail(__FILE__, __LINE__, "%s: %s (%d), expected %s (%d)", #call, \
			             pam_strerror(NULL, r_), r_, pam_strerror(NULL, e_), e_); \
		}                                                                           \
	} while (0)
