/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A private impersonate-fsd for one test case: a sandbox under /tmp (served
 * tree, PAM service from the project's pam.d/impersonate-demo with absolute
 * module paths, socket), the daemon started from the build tree and always
 * stopped (SIGTERM, then SIGKILL after a bound; PR_SET_PDEATHSIG as a last
 * resort), and a small client speaking the protocol directly so tests can
 * also send what impersonate-fs never would.
 *
 * Users come from nss_wrapper (tests/daemon/fixtures); passwords are
 * "<user>-secret" (fixtures/passdb, PAM_MATRIX_PASSWD).
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kstatus.h"
#include "proto.h"

#define FX_NUSERS 8
struct fx_user {
	const char *name;
	uid_t uid;
};
extern const struct fx_user fx_users[FX_NUSERS]; /* alice .. heidi */
#define FX_SHARED 60100                          /* alice, bob */
#define FX_FINANCE 60101                         /* alice */
#define FX_TEAM 60102                            /* dave, erin, grace */
#define FX_SVC_UID 60050                         /* impsvc, for the non-root daemon */

struct fsd_fixture {
	char *dir;
	char root[PATH_MAX], sock[PATH_MAX], confdir[PATH_MAX], log[PATH_MAX];
	pid_t pid;
	unsigned threads;
};

/* main() of a test using the fixture: harness_main() (root only), with
 * every sandbox of the run removed at the end, even those of failed cases. */
int fx_main(int argc, char **argv);

/* For programs that are not tests (benchmarks): run @body in a child with
 * the run's directory made, and remove it afterwards whatever happened.
 * Returns the child's exit status.  FSD_TEST_BINARY, if set, is the daemon
 * fx_start() runs instead of the one of this build. */
int fx_run(void (*body)(void));

/*
 * The sandbox.  Served tree:
 *   public.txt               0644 root          "public\n"
 *   home/<u>/                0700 u             (every fixture user)
 *   home/<u>/private.txt     0600 u             "private of <u>\n"
 *   shared/                  2770 alice:shared
 *   shared/plan.txt          0640 alice:shared  "plan of shared\n"
 *   team/                    2770 dave:team
 *   team/notes.txt           0660 dave:team     "notes of team\n"
 *   escape -> /etc, up -> ..  symlinks out of the tree
 *   fifo                     0666 FIFO
 * @pam_options: appended to every pam_impersonate.so line (NULL: none);
 * @drop_module: pam_matrix.so in place of every pam_impersonate.so line, a
 * stack that accepts the user but makes no token.
 */
void fx_setup(struct fsd_fixture *fx, const char *pam_options, bool drop_module);

/* Append @line to the sandbox's PAM service (after fx_setup, before
 * fx_start); "PAM_ASK" in it becomes the path of the test module
 * pam_ask.so, which prompts "one-time code: " in account and session. */
void fx_add_pam_line(struct fsd_fixture *fx, const char *line);

/* Start the daemon with @threads pool threads and extra arguments (NULL
 * terminated, may be NULL).  @svc_uid != 0: run it as that uid holding only
 * CAP_SETUID and CAP_SETGID (ambient), as systemd's AmbientCapabilities=.
 * Returns when the socket accepts connections. */
void fx_start(struct fsd_fixture *fx, unsigned threads, const char *const *args, uid_t svc_uid);

/* True when this run forces the daemon's fallback: FSD_TEST_NO_IO_URING is
 * set and fx_start() runs the daemon under a seccomp filter that fails every
 * io_uring syscall with ENOSYS (SPEC U3). */
bool fx_io_uring_refused(void);

/* SIGTERM, wait (bounded), and return the daemon's exit status (-1 when it
 * had to be killed or died of a signal). */
int fx_stop(struct fsd_fixture *fx);

/* @out (PATH_MAX) = the served root / @rel. */
void fx_path(const struct fsd_fixture *fx, char *out, const char *rel);

/* Stop if running, remove the sandbox. */
void fx_cleanup(struct fsd_fixture *fx);

/* Every thread of the daemon has exactly the main thread's credentials
 * (ids, groups, capability sets), read from /proc.  Returns the number of
 * fsd-worker-* threads seen; fails the test on any difference. */
unsigned fx_check_threads(const struct fsd_fixture *fx);

/* True if the daemon's log holds @needle. */
bool fx_log_has(const struct fsd_fixture *fx, const char *needle);
/* The daemon's log to stderr, as "# " lines. */
void fx_print_log(const struct fsd_fixture *fx);

/* ---- A client ---------------------------------------------------------------- */

struct fx_client {
	int fd;
	struct impfs_identity id;
	struct impfs_frame f; /* the last frame received */
	uint8_t in[IMPFS_BUF_SIZE];
	uint8_t out[IMPFS_BUF_SIZE];
};

/* Connect (fails the test if it cannot). */
void fxc_connect(const struct fsd_fixture *fx, struct fx_client *c);
void fxc_close(struct fx_client *c);
/* Connect as @uid: the socket is made and connected by a child that has
 * become @uid, and handed over, so the daemon's SO_PEERCRED says @uid. */
void fxc_connect_as(const struct fsd_fixture *fx, struct fx_client *c, uid_t uid);

/* AUTH as @user answering every prompt with @password.  Returns 0 on
 * AUTH_OK, the PAM status of an AUTH_FAIL (> 0), or -errno (ERROR frame or
 * a closed connection). */
int fxc_auth(struct fx_client *c, const char *user, const char *password);
/* fxc_auth() with "<user>-secret", failing the test unless it works. */
void fxc_login(struct fx_client *c, const char *user);

/* Send raw bytes (possibly a broken frame). */
void fxc_send_raw(struct fx_client *c, const void *p, size_t n);

/* Send @r, read the reply.  Returns IMPFS_RESULT (decoded into @res) or
 * IMPFS_ERROR (code in *@err), or -errno when the connection ended. */
int fxc_call(struct fx_client *c, const struct impfs_request *r, struct impfs_result *res, uint32_t *err);

/* Read the next frame: 1, 0 at the end of the stream, or -errno. */
int fxc_recv(struct fx_client *c);

/* Convenience requests: return the RESULT's err (0 = allowed), or -1000 -
 * ERROR code when the daemon refused the request itself. */
int fxc_read(struct fx_client *c, const char *path, char *data, size_t cap, unsigned *worker);
int fxc_write(struct fx_client *c, const char *path, const char *data, unsigned *worker);
int fxc_whoami(struct fx_client *c, struct impfs_ids *ids, unsigned *worker);
#define FX_REFUSED(code) (-1000 - (int)(code))
