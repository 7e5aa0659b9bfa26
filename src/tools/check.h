/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* impersonate-check: what one run found, and how it is printed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "impersonate.h"
#include "kstatus.h"

/* Exit statuses (impersonate-check(8)).  When several apply, the first of
 * 6, 3, 4, 5, 1 wins: a thread left with the wrong identity matters most. */
enum {
	EXIT_OK = 0,
	EXIT_ACCESS = 1,      /* the kernel refused a path */
	EXIT_USAGE = 2,       /* bad arguments, or the tool itself failed */
	EXIT_PAM = 3,         /* a PAM step failed */
	EXIT_TOKEN = 4,       /* PAM succeeded but gave no token */
	EXIT_IMPERSONATE = 5, /* imp_impersonate() refused the token */
	EXIT_REVERT = 6,      /* the thread did not get its own credentials back */
};

#define CHECK_MAX_STEPS 8
#define CHECK_MAX_MESSAGES 32

struct check_step {
	const char *name; /* "start", "authenticate", ... */
	int status;       /* PAM return value */
	const char *text; /* pam_strerror() */
};

struct check_attempt {
	const char *path;
	bool write;
	char *parent; /* where an O_TMPFILE goes when the file does not exist */
	int err;      /* 0 or the errno open(2) gave */
	const char *kind;
};

struct check_report {
	/* arguments */
	const char *service, *user, *confdir;
	bool no_auth, json, silent;
	struct check_attempt *attempts;
	size_t nattempts;
	/* PAM */
	struct check_step steps[CHECK_MAX_STEPS];
	size_t nsteps;
	char *messages[CHECK_MAX_MESSAGES]; /* PAM_TEXT_INFO / PAM_ERROR_MSG */
	size_t nmessages;
	/* the token and the worker thread */
	struct imp_support support;
	imp_token *token;
	bool ran_thread;
	int imp_err;   /* imp_impersonate() */
	int revert;    /* imp_revert() */
	bool have_during, restored, revoked;
	struct kstatus before, during, after;
	char during_raw[1 << 16]; /* read while impersonating, parsed after */
};

void check_print_table(const struct check_report *r, int status);
void check_print_json(const struct check_report *r, int status);
/* One line on what @status means. */
const char *check_status_text(int status);
