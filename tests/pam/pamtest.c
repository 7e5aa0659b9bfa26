/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for driving pam_impersonate.so through the real libpam. */
#undef _FORTIFY_SOURCE /* this file defines syslog() and friends itself */
#include "pamtest.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "harness.h"
#include "kcreds.h"

/* ---- Service directories ----------------------------------------------- */

/* libpam reads "other" from the confdir too and logs an error when it is
 * missing; a private one that denies everything keeps the logs clean. */
char *pt_confdir(void)
{
	char *dir = tmpdir_make();
	pt_service(dir, "other",
	           "auth required pam_deny.so\naccount required pam_deny.so\n"
	           "password required pam_deny.so\nsession required pam_deny.so\n");
	return dir;
}

void pt_service(const char *dir, const char *service, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, service);
	FILE *f = fopen(path, "we");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		harness_fail(__FILE__, __LINE__, "write %s", path);
}

/* Append @line to @out with the module word replaced, as an administrator
 * (or the demo) would with sed: comments are copied unchanged.  Linux-PAM
 * 1.5.2 reads "@include name" from /etc/pam.d even under
 * pam_start_confdir(), so includes are made absolute paths into @dir. */
static void substitute(FILE *out, const char *line, const char *dir, const char *module,
                       const char *options)
{
	const char *p = line + strspn(line, " \t");
	if (strncmp(p, "@include", 8) == 0) {
		const char *name = p + 8 + strspn(p + 8, " \t");
		fprintf(out, "@include %s/%s", dir, name);
		return;
	}
	if (*p == '#' || *p == '\n' || *p == '\0') {
		fputs(line, out);
		return;
	}
	const char *m = strstr(line, "pam_matrix.so");
	const char *i = strstr(line, "pam_impersonate.so");
	if (m) {
		fprintf(out, "%.*s%s%s", (int)(m - line), line, PAM_MATRIX, m + strlen("pam_matrix.so"));
	} else if (i) {
		const char *rest = i + strlen("pam_impersonate.so");
		size_t n = strcspn(rest, "\n");
		fprintf(out, "%.*s%s%.*s%s%s\n", (int)(i - line), line, module, (int)n, rest,
		        options ? " " : "", options ? options : "");
	} else {
		fputs(line, out);
	}
}

void pt_service_from(const char *dir, const char *service, const char *src, const char *module,
                     const char *options)
{
	char path[4096], line[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, service);
	FILE *in = fopen(src, "re"), *out = fopen(path, "we");
	if (!in || !out)
		harness_fail(__FILE__, __LINE__, "open %s or %s", src, path);
	while (fgets(line, sizeof(line), in))
		substitute(out, line, dir, module, options);
	fclose(in);
	if (fclose(out) != 0)
		harness_fail(__FILE__, __LINE__, "write %s", path);
}

/* ---- Handles ------------------------------------------------------------ */

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pt_conv *c = data;
	c->calls++;
	c->messages += n;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		int style = msg[i]->msg_style;
		if ((style == PAM_PROMPT_ECHO_OFF || style == PAM_PROMPT_ECHO_ON) && c->password)
			r[i].resp = strdup(c->password);
	}
	*resp = r;
	return PAM_SUCCESS;
}

pam_handle_t *pt_start(const char *dir, const char *service, const char *user, struct pt_conv *c)
{
	static struct pt_conv none;
	struct pam_conv pc = {conv, c ? c : &none};
	pam_handle_t *pamh = NULL;
	int r = pam_start_confdir(service, user, &pc, dir, &pamh);
	if (r != PAM_SUCCESS)
		harness_fail(__FILE__, __LINE__, "pam_start_confdir: %s", pam_strerror(NULL, r));
	return pamh;
}

static int run_type(pam_handle_t *pamh, const char *type)
{
	if (strcmp(type, "auth") == 0)
		return pam_authenticate(pamh, 0);
	if (strcmp(type, "setcred") == 0)
		return pam_setcred(pamh, PAM_ESTABLISH_CRED);
	if (strcmp(type, "account") == 0)
		return pam_acct_mgmt(pamh, 0);
	if (strcmp(type, "open_session") == 0)
		return pam_open_session(pamh, 0);
	if (strcmp(type, "close_session") == 0)
		return pam_close_session(pamh, 0);
	harness_fail(__FILE__, __LINE__, "unknown type %s", type);
}

int pt_one(const char *module, const char *type, const char *options, const char *user)
{
	char text[1024];
	const char *t = strcmp(type, "setcred") == 0 ? "auth" : strstr(type, "session") ? "session" : type;
	snprintf(text, sizeof(text), "%s required %s %s\n", t, module, options ? options : "");
	char *dir = pt_confdir();
	pt_service(dir, "one", text);
	pam_handle_t *pamh = pt_start(dir, "one", user, NULL);
	int r = run_type(pamh, type);
	pam_end(pamh, r);
	tmpdir_remove(dir);
	return r;
}

/* ---- Logs ----------------------------------------------------------------- */

#define LOG_LINES 512
#define LOG_WIDTH 512

static struct {
	int prio;
	char text[LOG_WIDTH];
} lines[LOG_LINES];
static int nlines;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void record(int pri, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&log_lock);
	if (nlines < LOG_LINES) {
		lines[nlines].prio = LOG_PRI(pri);
		vsnprintf(lines[nlines].text, LOG_WIDTH, fmt, ap);
		nlines++;
	}
	pthread_mutex_unlock(&log_lock);
}

void log_reset(void)
{
	pthread_mutex_lock(&log_lock);
	nlines = 0;
	pthread_mutex_unlock(&log_lock);
}

int log_count(int prio, const char *needle)
{
	int n = 0;
	pthread_mutex_lock(&log_lock);
	for (int i = 0; i < nlines; i++)
		if ((prio < 0 || lines[i].prio == prio) && strstr(lines[i].text, needle))
			n++;
	pthread_mutex_unlock(&log_lock);
	return n;
}

void log_dump(void)
{
	pthread_mutex_lock(&log_lock);
	for (int i = 0; i < nlines; i++)
		fprintf(stderr, "# log <%d> %s\n", lines[i].prio, lines[i].text);
	pthread_mutex_unlock(&log_lock);
}

/* The interposed syslog entry points: libpam calls __syslog_chk (it is built
 * with _FORTIFY_SOURCE); the others catch any other caller.  Exported from
 * the executable with --export-dynamic-symbol, so they win over glibc's. */
void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap);

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	record(pri, fmt, ap);
	va_end(ap);
}

void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	record(pri, fmt, ap);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(pri, fmt, ap);
	va_end(ap);
}

void vsyslog(int pri, const char *fmt, va_list ap)
{
	record(pri, fmt, ap);
}

/* ---- NSS failures ------------------------------------------------------- */

/* getpwnam_r as libimpersonate sees it: the fixture users from nss_wrapper,
 * plus names for which NSS itself fails. */
int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **ret)
{
	static int (*next)(const char *, struct passwd *, char *, size_t, struct passwd **);
	if (strcmp(name, NSS_EIO_USER) == 0 || strcmp(name, NSS_ENOMEM_USER) == 0 ||
	    strcmp(name, NSS_ERANGE_USER) == 0) {
		*ret = NULL;
		return strcmp(name, NSS_EIO_USER) == 0 ? EIO : strcmp(name, NSS_ENOMEM_USER) == 0 ? ENOMEM : ERANGE;
	}
	if (!next)
		next = (int (*)(const char *, struct passwd *, char *, size_t, struct passwd **))dlsym(
			RTLD_NEXT, "getpwnam_r");
	if (!next)
		return ENOSYS;
	return next(name, pw, buf, size, ret);
}
