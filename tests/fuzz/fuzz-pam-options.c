/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: pam_impersonate.so's option parser and imp_caps_parse().
 * Input: NUL-separated option words, as a pam.d line gives them.  The
 * module is one .c file with static functions (Linux-PAM's convention); it
 * is compiled in here, with pam_syslog() formatting into a buffer, so its
 * parser is fuzzed exactly as built, with no entry point added to it.
 *
 * What must hold (SPEC P3): a list with any bad word is refused; an
 * accepted list sets only known flag bits and names only valid capabilities.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <security/pam_ext.h>

static void fuzz_vsyslog(const void *pamh, int prio, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void fuzz_vsyslog(const void *pamh, int prio, const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
}

static void fuzz_syslog(const void *pamh, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fuzz_syslog(const void *pamh, int prio, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fuzz_vsyslog(pamh, prio, fmt, ap);
	va_end(ap);
}

#define pam_syslog fuzz_syslog
#define pam_vsyslog fuzz_vsyslog
#include "pam_impersonate.c"
#undef pam_syslog
#undef pam_vsyslog

#define MAX_WORDS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	const char *argv[MAX_WORDS];
	int argc = 0;
	for (char *p = text; argc < MAX_WORDS && p <= text + size; p += strlen(p) + 1)
		argv[argc++] = p;

	uint64_t mask;
	if (imp_caps_parse(text, &mask) == 0)
		assert(mask != 0); /* at least one valid name */

	struct control ctl;
	int flags = (size && data[0] & 1) ? PAM_SILENT : 0;
	if (parse_options(NULL, flags, argc, argv, &ctl) == PAM_SUCCESS) {
		assert((ctl.flags & ~(unsigned)(IMP_MODE_FULL | IMP_LEVEL_IDENTIFY | IMP_GROUPS_PRIMARY_ONLY)) == 0);
		assert(!ctl.keep_caps || imp_caps_parse(ctl.keep_caps, &mask) == 0);
	}
	free(text);
	return 0;
}
