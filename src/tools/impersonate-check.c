/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate-check - run a PAM service's stack for a user the way an
 * impersonating daemon would, and show what came of it: the token
 * pam_impersonate(8) made, what the kernel let a thread impersonating it do
 * with the given paths, and whether the thread got its own credentials back.
 * Like pamtester(1), for impersonation.  See impersonate-check(8).
 *
 * Order: pam_start, pam_authenticate (unless --no-auth), pam_acct_mgmt,
 * pam_setcred(ESTABLISH), pam_open_session, imp_token_from_pam; then on a
 * worker thread imp_impersonate, one open(2) per path, imp_revert, and a
 * comparison of the thread's credentials with what they were before; then
 * pam_close_session, pam_setcred(DELETE), pam_end.  The thread's credentials
 * are read from /proc, not from the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <pthread.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ask.h"
#include "check.h"
#include "impersonate.h"
#include "kstatus.h"

static struct check_report R;

/* ---- PAM conversation ------------------------------------------------------------ */

static void keep_message(const char *text)
{
	if (R.nmessages < CHECK_MAX_MESSAGES)
		R.messages[R.nmessages++] = strdup(text);
}

/* Prompts on the terminal, or lines of standard input when it is not one;
 * messages to standard error (and the JSON report). */
static char *answer(const struct pam_message *m, void *unused)
{
	const char *text = m->msg ? m->msg : "";
	char *a;
	switch (m->msg_style) {
	case PAM_PROMPT_ECHO_OFF:
	case PAM_PROMPT_ECHO_ON:
		a = ask_answer(isatty(0) ? -1 : 0, text, m->msg_style == PAM_PROMPT_ECHO_ON);
		if (!a)
			fprintf(stderr, "impersonate-check: no answer to \"%s\": %s\n", text,
			        errno == ENODATA ? "end of standard input" : strerror(errno));
		return a;
	case PAM_ERROR_MSG:
	case PAM_TEXT_INFO:
		keep_message(text);
		if (!R.json)
			fprintf(stderr, "%s\n", text);
		return strdup("");
	default:
		return NULL; /* binary prompts */
	}
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	return ask_conversation(n, msg, resp, answer, data);
}

/* ---- PAM steps ---------------------------------------------------------------------- */

static bool step(pam_handle_t *pamh, const char *name, int status)
{
	if (R.nsteps < CHECK_MAX_STEPS)
		R.steps[R.nsteps++] = (struct check_step){name, status, pam_strerror(pamh, status)};
	return status == PAM_SUCCESS;
}

static bool pam_failed(void)
{
	for (size_t i = 0; i < R.nsteps; i++)
		if (R.steps[i].status != PAM_SUCCESS)
			return true;
	return false;
}

/* Up to the token.  Returns the handle (NULL when pam_start failed);
 * *@cred and *@session say what must be undone. */
static pam_handle_t *pam_open(bool *cred, bool *session)
{
	struct pam_conv c = {.conv = conv};
	pam_handle_t *pamh = NULL;
	int flags = R.silent ? PAM_SILENT : 0;
	if (!step(NULL, "start", pam_start_confdir(R.service, R.user, &c, R.confdir, &pamh)))
		return NULL;
	if (!R.no_auth && !step(pamh, "authenticate", pam_authenticate(pamh, flags)))
		return pamh;
	if (!step(pamh, "acct_mgmt", pam_acct_mgmt(pamh, flags)))
		return pamh;
	if (!(*cred = step(pamh, "setcred", pam_setcred(pamh, flags | PAM_ESTABLISH_CRED))))
		return pamh;
	if (!(*session = step(pamh, "open_session", pam_open_session(pamh, flags))))
		return pamh;
	if (imp_token_from_pam(pamh, &R.token) < 0)
		R.token = NULL;
	return pamh;
}

static void pam_close(pam_handle_t *pamh, bool cred, bool session)
{
	int flags = R.silent ? PAM_SILENT : 0;
	if (session)
		step(pamh, "close_session", pam_close_session(pamh, flags));
	if (cred)
		step(pamh, "setcred_delete", pam_setcred(pamh, flags | PAM_DELETE_CRED));
	/* The modules' cleanups get the status of the last call; there is at
	 * least pam_start's. */
	pam_end(pamh, R.steps[R.nsteps - 1].status);
	/* SPEC K4: closing the session should have revoked the token. */
	R.revoked = R.token && imp_token_is_revoked(R.token);
}

/* ---- The worker thread ------------------------------------------------------------- */

static const char *kind_of(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return "?";
	return S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "directory" : "special file";
}

/*
 * Inside the impersonation window: syscalls only.  A write to an existing
 * file opens it O_WRONLY without O_TRUNC and writes nothing; a write to a
 * file that does not exist opens an unnamed O_TMPFILE in its directory,
 * which needs the same permissions as creating it and leaves nothing behind.
 */
static void try_path(struct check_attempt *a)
{
	int fd = open(a->path, (a->write ? O_WRONLY : O_RDONLY) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && a->write) {
		fd = open(a->parent, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		a->kind = "new file";
	}
	if (fd < 0) {
		a->err = errno;
		return;
	}
	if (!a->kind)
		a->kind = kind_of(fd);
	a->err = 0;
	close(fd);
}

/* A revert that cannot restore the thread must not let the report claim
 * anything else (SPEC T8): say so and leave with the documented status. */
static void on_panic(const char *message)
{
	fprintf(stderr, "impersonate-check: revert failed: %s\n", message);
	fflush(stdout);
	_exit(EXIT_REVERT);
}

static void *worker(void *unused)
{
	if (kstatus_read("/proc/thread-self/status", &R.before) < 0)
		return NULL;
	R.ran_thread = true;
	R.imp_err = imp_impersonate(R.token);
	if (R.imp_err == 0) {
		ssize_t n = kstatus_read_raw("/proc/thread-self/status", R.during_raw, sizeof(R.during_raw));
		for (size_t i = 0; i < R.nattempts; i++)
			try_path(&R.attempts[i]);
		R.revert = imp_revert();
		R.have_during = n > 0 && kstatus_parse(R.during_raw, &R.during) == 0;
	}
	R.restored = kstatus_read("/proc/thread-self/status", &R.after) == 0 && kstatus_equal(&R.before, &R.after);
	return NULL;
}

static int run_worker(void)
{
	pthread_t th;
	imp_set_panic_handler(on_panic);
	int r = pthread_create(&th, NULL, worker, NULL);
	if (r != 0) {
		fprintf(stderr, "impersonate-check: cannot start a thread: %s\n", strerror(r));
		return -1;
	}
	pthread_join(th, NULL);
	if (!R.ran_thread) {
		fprintf(stderr, "impersonate-check: cannot read /proc/thread-self/status\n");
		return -1;
	}
	return 0;
}

/* ---- Exit status --------------------------------------------------------------------- */

static int exit_status(void)
{
	if (R.ran_thread && R.imp_err == 0 && (R.revert != 0 || !R.restored))
		return EXIT_REVERT;
	if (pam_failed())
		return EXIT_PAM;
	if (!R.token)
		return EXIT_TOKEN;
	if (R.imp_err)
		return EXIT_IMPERSONATE;
	for (size_t i = 0; i < R.nattempts; i++)
		if (R.attempts[i].err)
			return EXIT_ACCESS;
	return EXIT_OK;
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: impersonate-check [options] SERVICE USER [--open PATH]... [--write PATH]...\n"
	           "  -c, --confdir DIR   read SERVICE from DIR instead of /etc/pam.d\n"
	           "  -n, --no-auth       skip pam_authenticate (account, setcred and session still run)\n"
	           "  -o, --open PATH     try to open PATH for reading as the user\n"
	           "  -w, --write PATH    try to open PATH for writing as the user (nothing is written)\n"
	           "  -j, --json          print JSON instead of a table\n"
	           "  -s, --silent        pass PAM_SILENT to the modules\n"
	           "  -h, --help\n"
	           "Passwords are asked on the terminal, or read from standard input, one line per\n"
	           "prompt, when it is not a terminal.  Exit status: 0 all allowed, 1 a path refused,\n"
	           "2 usage, 3 PAM refused a step, 4 no token, 5 impersonation refused, 6 revert failed.\n");
}

static int add_attempt(const char *path, bool write)
{
	struct check_attempt *a = realloc(R.attempts, (R.nattempts + 1) * sizeof(*a));
	if (!a)
		return -1;
	R.attempts = a;
	a = &R.attempts[R.nattempts++];
	*a = (struct check_attempt){.path = path, .write = write};
	if (write) {
		char *copy = strdup(path);
		a->parent = copy ? strdup(dirname(copy)) : NULL;
		free(copy);
		if (!a->parent)
			return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{"confdir", required_argument, NULL, 'c'}, {"no-auth", no_argument, NULL, 'n'},
		{"open", required_argument, NULL, 'o'},    {"write", required_argument, NULL, 'w'},
		{"json", no_argument, NULL, 'j'},          {"silent", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int o;
	while ((o = getopt_long(argc, argv, "c:no:w:jsh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': R.confdir = optarg; break;
		case 'n': R.no_auth = true; break;
		case 'j': R.json = true; break;
		case 's': R.silent = true; break;
		case 'o':
		case 'w':
			if (add_attempt(optarg, o == 'w') < 0)
				return -1;
			break;
		case 'h': usage(stdout); exit(EXIT_OK);
		default: usage(stderr); return -1;
		}
	}
	if (argc - optind != 2 || !argv[optind][0] || !argv[optind + 1][0]) {
		usage(stderr);
		return -1;
	}
	R.service = argv[optind];
	R.user = argv[optind + 1];
	return 0;
}

int main(int argc, char **argv)
{
	bool cred = false, session = false;
	if (parse_args(argc, argv) < 0)
		return EXIT_USAGE;
	imp_query_support(&R.support);
	pam_handle_t *pamh = pam_open(&cred, &session);
	int worker = R.token ? run_worker() : 0;
	if (pamh)
		pam_close(pamh, cred, session);
	if (worker < 0)
		return EXIT_USAGE;
	int status = exit_status();
	if (R.json)
		check_print_json(&R, status);
	else
		check_print_table(&R, status);
	return status;
}
