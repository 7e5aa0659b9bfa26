/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fsd-fixture.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <seccomp.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "kcreds.h"

#ifndef PAM_ASK /* built for test-fsd only; elsewhere fx_add_pam_line() never names it */
#define PAM_ASK "pam_ask.so"
#endif

const struct fx_user fx_users[FX_NUSERS] = {
	{"alice", 60001}, {"bob", 60002},   {"carol", 60003}, {"dave", 60004},
	{"erin", 60005},  {"frank", 60006}, {"grace", 60007}, {"heidi", 60008},
};

/* ---- The sandbox ----------------------------------------------------------------- */

static void path_join(char *dst, const char *a, const char *b)
{
	if ((size_t)snprintf(dst, PATH_MAX, "%s/%s", a, b) >= PATH_MAX)
		harness_fail(__FILE__, __LINE__, "path too long");
}

static void make_dir(const char *dir, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	char p[PATH_MAX];
	path_join(p, dir, name);
	if (mkdir(p, 0700) < 0 || chown(p, uid, gid) < 0 || chmod(p, mode) < 0)
		harness_fail(__FILE__, __LINE__, "mkdir %s", p);
}

static void make_file(const char *dir, const char *name, const char *content, uid_t uid, gid_t gid, mode_t mode)
{
	char p[PATH_MAX];
	path_join(p, dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content) || fchown(fd, uid, gid) < 0 ||
	    fchmod(fd, mode) < 0)
		harness_fail(__FILE__, __LINE__, "create %s", p);
	close(fd);
}

static void make_tree(const char *root)
{
	char home[PATH_MAX], sub[PATH_MAX], text[64];
	make_file(root, "public.txt", "public\n", 0, 0, 0644);
	make_dir(root, "home", 0, 0, 0755);
	path_join(home, root, "home");
	for (int i = 0; i < FX_NUSERS; i++) {
		const struct fx_user *u = &fx_users[i];
		make_dir(home, u->name, u->uid, u->uid, 0700);
		path_join(sub, home, u->name);
		snprintf(text, sizeof(text), "private of %s\n", u->name);
		make_file(sub, "private.txt", text, u->uid, u->uid, 0600);
	}
	make_dir(root, "shared", 60001, FX_SHARED, 02770);
	path_join(sub, root, "shared");
	make_file(sub, "plan.txt", "plan of shared\n", 60001, FX_SHARED, 0640);
	make_dir(root, "team", 60004, FX_TEAM, 02770);
	path_join(sub, root, "team");
	make_file(sub, "notes.txt", "notes of team\n", 60004, FX_TEAM, 0660);
	path_join(sub, root, "escape");
	if (symlink("/etc", sub) < 0)
		harness_fail(__FILE__, __LINE__, "symlink");
	path_join(sub, root, "up");
	if (symlink("..", sub) < 0)
		harness_fail(__FILE__, __LINE__, "symlink");
	path_join(sub, root, "fifo");
	if (mkfifo(sub, 0666) < 0 || chmod(sub, 0666) < 0)
		harness_fail(__FILE__, __LINE__, "mkfifo");
}

/* The project's service file with absolute module paths, as its header
 * comment says to use it. */
static void write_service(const char *confdir, const char *options, bool drop_module)
{
	char out[PATH_MAX], line[4096];
	path_join(out, confdir, "impersonate-demo");
	FILE *in = fopen(PAM_DEMO_SERVICE, "re"), *o = fopen(out, "we");
	if (!in || !o)
		harness_fail(__FILE__, __LINE__, "service file %s", PAM_DEMO_SERVICE);
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, "\n")] = 0;
		const char *p = line + strspn(line, " \t");
		char *m;
		if (*p == '#' || *p == 0)
			fprintf(o, "%s\n", line);
		else if ((m = strstr(line, "pam_matrix.so")))
			fprintf(o, "%.*s%s%s\n", (int)(m - line), line, PAM_MATRIX, m + strlen("pam_matrix.so"));
		else if ((m = strstr(line, "pam_impersonate.so")))
			fprintf(o, "%.*s%s%s %s\n", (int)(m - line), line, drop_module ? PAM_MATRIX : PAM_MODULE,
			        m + strlen("pam_impersonate.so"), options ? options : "");
		else
			fprintf(o, "%s\n", line);
	}
	fclose(in);
	if (fclose(o) != 0)
		harness_fail(__FILE__, __LINE__, "write %s", out);
}

/* Every sandbox of a run lives under one directory that the harness's parent
 * process removes at the end: a case that fails exits at once (harness_fail
 * calls _exit), without cleaning up after itself. */
static char run_dir[] = "/tmp/impersonate-fsd-test.XXXXXX";

int fx_main(int argc, char **argv)
{
	if (geteuid() != 0) /* harness_main says why */
		return harness_main(argc, argv, HARNESS_ROOT);
	if (!mkdtemp(run_dir) || chmod(run_dir, 0755) < 0) {
		perror(run_dir);
		return 1;
	}
	int r = harness_main(argc, argv, HARNESS_ROOT);
	tmpdir_remove(strdup(run_dir));
	return r;
}

int fx_run(void (*body)(void))
{
	if (!mkdtemp(run_dir) || chmod(run_dir, 0755) < 0) {
		perror(run_dir);
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		body();
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		st = 1;
	tmpdir_remove(strdup(run_dir));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

void fx_setup(struct fsd_fixture *fx, const char *pam_options, bool drop_module)
{
	char dir[PATH_MAX];
	memset(fx, 0, sizeof(*fx));
	fx->pid = -1;
	path_join(dir, run_dir, "case.XXXXXX");
	if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
		harness_fail(__FILE__, __LINE__, "mkdtemp %s", dir);
	fx->dir = strdup(dir);
	path_join(fx->root, fx->dir, "root");
	path_join(fx->confdir, fx->dir, "pam.d");
	path_join(fx->log, fx->dir, "daemon.log");
	path_join(fx->sock, fx->dir, "run/socket");
	make_dir(fx->dir, "root", 0, 0, 0755);
	make_dir(fx->dir, "pam.d", 0, 0, 0755);
	make_dir(fx->dir, "run", FX_SVC_UID, FX_SVC_UID, 0755); /* the non-root daemon binds here */
	make_tree(fx->root);
	write_service(fx->confdir, pam_options, drop_module);
}

void fx_add_pam_line(struct fsd_fixture *fx, const char *line)
{
	char path[PATH_MAX];
	const char *mark = strstr(line, "PAM_ASK");
	path_join(path, fx->confdir, "impersonate-demo");
	FILE *f = fopen(path, "ae");
	if (!f)
		harness_fail(__FILE__, __LINE__, "open %s", path);
	if (mark)
		fprintf(f, "%.*s%s%s\n", (int)(mark - line), line, PAM_ASK, mark + strlen("PAM_ASK"));
	else
		fprintf(f, "%s\n", line);
	if (fclose(f) != 0)
		harness_fail(__FILE__, __LINE__, "write %s", path);
}

/* ---- The daemon ------------------------------------------------------------------- */

/* In the forked child: become @uid keeping only CAP_SETUID and CAP_SETGID,
 * ambient so that they survive exec (systemd's User= with
 * AmbientCapabilities=CAP_SETUID CAP_SETGID).  Single-threaded: glibc's
 * process-wide set*id is fine here. */
static void become_service_user(uid_t uid)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {{0}};
	uint32_t keep = 1u << CAP_SETUID | 1u << CAP_SETGID;
	d[0].effective = d[0].permitted = d[0].inheritable = keep;
	if (prctl(PR_SET_KEEPCAPS, 1) < 0 || setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 ||
	    setresuid(uid, uid, uid) < 0 || syscall(SYS_capset, &h, d) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SETUID, 0, 0) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SETGID, 0, 0) < 0) {
		perror("fixture: becoming the service user");
		_exit(126);
	}
}

/* SPEC U3: with FSD_TEST_NO_IO_URING set, the daemon runs under a seccomp
 * filter that fails every io_uring syscall with ENOSYS, as on a kernel
 * without io_uring: it must fall back to the pool's switch. */
static void refuse_io_uring(void)
{
	static const int calls[] = {SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register)};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	bool ok = ctx != NULL;
	for (size_t i = 0; ok && i < sizeof(calls) / sizeof(calls[0]); i++)
		ok = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), calls[i], 0) == 0;
	if (!ok || seccomp_load(ctx) < 0) {
		perror("fixture: seccomp filter against io_uring");
		_exit(126);
	}
	seccomp_release(ctx);
}

bool fx_io_uring_refused(void)
{
	return getenv("FSD_TEST_NO_IO_URING") != NULL;
}

static void exec_daemon(struct fsd_fixture *fx, const char *const *args, uid_t svc_uid, pid_t parent)
{
	char threads[16];
	const char *argv[64] = {FSD_BINARY, "--socket", fx->sock, "--root", fx->root, "--service",
	                        "impersonate-demo", "--pam-confdir", fx->confdir, "--threads", threads};
	int n = 11;
	snprintf(threads, sizeof(threads), "%u", fx->threads);
	for (; args && *args && n < 62; args++)
		argv[n++] = *args;
	argv[n] = NULL;

	int log = open(fx->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		_exit(126);
	if (svc_uid)
		become_service_user(svc_uid);
	if (fx_io_uring_refused())
		refuse_io_uring();
	/* Set after any uid change, which clears it: never outlive the test. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(126);
	const char *binary = getenv("FSD_TEST_BINARY"); /* benchmarks: another build */
	argv[0] = binary ? binary : FSD_BINARY;
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

/* Reaps the daemon if it has ended. */
static bool exited(struct fsd_fixture *fx, int *status)
{
	if (fx->pid <= 0)
		return true;
	if (waitpid(fx->pid, status, WNOHANG) != fx->pid)
		return false;
	fx->pid = -1;
	return true;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

void fx_start(struct fsd_fixture *fx, unsigned threads, const char *const *args, uid_t svc_uid)
{
	struct stat st;
	int status;
	pid_t parent = getpid();
	fx->threads = threads;
	fflush(NULL);
	fx->pid = fork();
	if (fx->pid < 0)
		harness_fail(__FILE__, __LINE__, "fork");
	if (fx->pid == 0)
		exec_daemon(fx, args, svc_uid, parent);
	/* The socket appears (renamed into place) only once it listens; the
	 * rename is seen at once (inotify), so a test looks at a daemon that
	 * has only just started. */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", fx->sock);
	*strrchr(dir, '/') = 0;
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, dir, IN_MOVED_TO | IN_CREATE) < 0)
		harness_fail(__FILE__, __LINE__, "inotify %s", dir);
	for (int i = 0; i < 1000; i++) {
		if (stat(fx->sock, &st) == 0) {
			close(in);
			return;
		}
		if (exited(fx, &status)) {
			fprintf(stderr, "# the daemon exited (status 0x%x) before listening; its log:\n", status);
			fx_print_log(fx);
			harness_fail(__FILE__, __LINE__, "daemon did not start");
		}
		struct pollfd p = {.fd = in, .events = POLLIN};
		char ev[4096];
		if (poll(&p, 1, 10) > 0)
			while (read(in, ev, sizeof(ev)) > 0)
				;
	}
	harness_fail(__FILE__, __LINE__, "daemon did not listen within 10 s");
}

int fx_stop(struct fsd_fixture *fx)
{
	int status = 0;
	if (fx->pid <= 0)
		return -1;
	kill(fx->pid, SIGTERM);
	for (int i = 0; i < 1500 && !exited(fx, &status); i++)
		sleep_ms(10);
	if (fx->pid > 0) {
		kill(fx->pid, SIGKILL);
		waitpid(fx->pid, &status, 0);
		fx->pid = -1;
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void fx_path(const struct fsd_fixture *fx, char *out, const char *rel)
{
	path_join(out, fx->root, rel);
}

void fx_cleanup(struct fsd_fixture *fx)
{
	fx_stop(fx);
	if (fx->dir)
		tmpdir_remove(fx->dir);
	fx->dir = NULL;
}

unsigned fx_check_threads(const struct fsd_fixture *fx)
{
	static struct kstatus main_k, k;
	char path[PATH_MAX], comm[64];
	unsigned workers = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", fx->pid);
	CHECK_EQ(kstatus_read(path, &main_k), 0);
	snprintf(path, sizeof(path), "/proc/%d/task", fx->pid);
	DIR *d = opendir(path);
	CHECK(d != NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", fx->pid, e->d_name);
		FILE *f = fopen(path, "re");
		if (!f || !fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		if (f)
			fclose(f);
		comm[strcspn(comm, "\n")] = 0;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", fx->pid, e->d_name);
		int r = kstatus_read(path, &k);
		if (r == -ENOENT || r == -ESRCH)
			continue; /* a connection thread that just ended */
		CHECK_EQ(r, 0);
		if (!kstatus_equal(&main_k, &k)) {
			fprintf(stderr, "# thread %s (%s): uid %u %u %u %u gid %u %u %u %u, %zu groups, eff %llx\n",
			        e->d_name, comm, k.uid[0], k.uid[1], k.uid[2], k.uid[3], k.gid[0], k.gid[1], k.gid[2],
			        k.gid[3], k.ngroups, (unsigned long long)k.cap_eff);
			harness_fail(__FILE__, __LINE__, "a daemon thread does not have its own credentials");
		}
		workers += strncmp(comm, "fsd-worker-", 11) == 0;
	}
	closedir(d);
	return workers;
}

bool fx_log_has(const struct fsd_fixture *fx, const char *needle)
{
	char line[2048];
	bool found = false;
	FILE *f = fopen(fx->log, "re");
	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

void fx_print_log(const struct fsd_fixture *fx)
{
	char line[2048];
	FILE *f = fopen(fx->log, "re");
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "#   %s", line);
	if (f)
		fclose(f);
}

/* ---- The client --------------------------------------------------------------------- */

static int connect_to(const struct fsd_fixture *fx)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(fx->sock) >= sizeof(a.sun_path))
		return -1;
	memcpy(a.sun_path, fx->sock, strlen(fx->sock));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	return fd;
}

/* A daemon that never answers fails the test instead of hanging it. */
static void client_timeout(struct fx_client *c)
{
	struct timeval tv = {.tv_sec = 30};
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

void fxc_connect(const struct fsd_fixture *fx, struct fx_client *c)
{
	c->fd = connect_to(fx);
	if (c->fd < 0)
		harness_fail(__FILE__, __LINE__, "connect %s", fx->sock);
	client_timeout(c);
}

/* In the child: become @uid, connect, send the socket through @via. */
static void connect_child(const struct fsd_fixture *fx, uid_t uid, int via)
{
	char byte = 0, ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	/* Single-threaded after fork: glibc's process-wide set*id is fine. */
	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(2);
	int fd = connect_to(fx);
	if (fd < 0)
		_exit(3);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	if (!cm)
		_exit(4);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	_exit(sendmsg(via, &m, 0) == 1 ? 0 : 4);
}

void fxc_connect_as(const struct fsd_fixture *fx, struct fx_client *c, uid_t uid)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	int sv[2], status;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		harness_fail(__FILE__, __LINE__, "socketpair");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		harness_fail(__FILE__, __LINE__, "fork");
	if (pid == 0)
		connect_child(fx, uid, sv[1]);
	close(sv[1]);
	ssize_t n = recvmsg(sv[0], &m, MSG_CMSG_CLOEXEC);
	close(sv[0]);
	waitpid(pid, &status, 0);
	struct cmsghdr *cm = n == 1 ? CMSG_FIRSTHDR(&m) : NULL;
	if (!cm || cm->cmsg_type != SCM_RIGHTS || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		harness_fail(__FILE__, __LINE__, "connect as uid %u (child status 0x%x)", (unsigned)uid, status);
	memcpy(&c->fd, CMSG_DATA(cm), sizeof(int));
	client_timeout(c);
}

void fxc_close(struct fx_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int fxc_recv(struct fx_client *c)
{
	return impfs_recv(c->fd, c->in, &c->f);
}

static void send_buf(struct fx_client *c, struct impfs_buf *b)
{
	if (impfs_finish(b) < 0 || impfs_send(c->fd, b) < 0)
		harness_fail(__FILE__, __LINE__, "send");
}

int fxc_auth(struct fx_client *c, const char *user, const char *password)
{
	struct impfs_buf b;
	struct impfs_notice n;
	impfs_start(&b, c->out, sizeof(c->out), IMPFS_AUTH);
	impfs_put_str(&b, user, IMPFS_MAX_TEXT);
	send_buf(c, &b);
	for (;;) {
		int r = fxc_recv(c);
		if (r <= 0)
			return r < 0 ? r : -ECONNRESET;
		if (c->f.type == IMPFS_AUTH_OK)
			return impfs_identity_decode(&c->f, &c->id) == 0 ? 0 : -EBADMSG;
		if (impfs_notice_decode(&c->f, &n) < 0)
			return -EBADMSG;
		if (c->f.type == IMPFS_AUTH_FAIL)
			return (int)n.code;
		if (c->f.type == IMPFS_ERROR)
			return -(int)n.code;
		if (n.style == 1 || n.style == 2) { /* PAM_PROMPT_ECHO_OFF / _ON */
			impfs_start(&b, c->out, sizeof(c->out), IMPFS_ANSWER);
			impfs_put_str(&b, password, IMPFS_MAX_TEXT);
			send_buf(c, &b);
		}
	}
}

void fxc_login(struct fx_client *c, const char *user)
{
	char pw[64];
	snprintf(pw, sizeof(pw), "%s-secret", user);
	int r = fxc_auth(c, user, pw);
	if (r != 0)
		harness_fail(__FILE__, __LINE__, "login %s: %d", user, r);
	CHECK_STREQ(c->id.user, user);
}

void fxc_send_raw(struct fx_client *c, const void *p, size_t n)
{
	if (send(c->fd, p, n, MSG_NOSIGNAL) != (ssize_t)n)
		harness_fail(__FILE__, __LINE__, "send raw");
}

int fxc_call(struct fx_client *c, const struct impfs_request *r, struct impfs_result *res, uint32_t *err)
{
	struct impfs_buf b;
	struct impfs_notice n;
	if (impfs_request_encode(&b, c->out, sizeof(c->out), r) < 0 || impfs_send(c->fd, &b) < 0)
		return -EPIPE;
	int rr = fxc_recv(c);
	if (rr <= 0)
		return rr < 0 ? rr : -ECONNRESET;
	if (c->f.type == IMPFS_RESULT) {
		CHECK_EQ(impfs_result_decode(&c->f, res), 0);
		CHECK_EQ(res->op, r->type);
		return IMPFS_RESULT;
	}
	CHECK_EQ(c->f.type, IMPFS_ERROR);
	CHECK_EQ(impfs_notice_decode(&c->f, &n), 0);
	*err = n.code;
	return IMPFS_ERROR;
}

static int outcome(int kind, const struct impfs_result *res, uint32_t err, unsigned *worker)
{
	if (kind < 0)
		harness_fail(__FILE__, __LINE__, "connection ended: %d", kind);
	if (worker)
		*worker = kind == IMPFS_RESULT ? res->worker : IMPFS_NO_WORKER;
	return kind == IMPFS_RESULT ? (int)res->err : FX_REFUSED(err);
}

int fxc_read(struct fx_client *c, const char *path, char *data, size_t cap, unsigned *worker)
{
	struct impfs_request r = {.type = IMPFS_READ};
	struct impfs_result res = {0};
	uint32_t err = 0;
	snprintf(r.path, sizeof(r.path), "%s", path);
	int kind = fxc_call(c, &r, &res, &err);
	int e = outcome(kind, &res, err, worker);
	if (data && cap) {
		size_t n = e == 0 && res.len < cap ? res.len : 0;
		memcpy(data, res.data, n);
		data[n] = 0;
	}
	return e;
}

int fxc_write(struct fx_client *c, const char *path, const char *data, unsigned *worker)
{
	struct impfs_request r = {.type = IMPFS_WRITE,
	                          .flags = IMPFS_WRITE_CREATE | IMPFS_WRITE_TRUNC,
	                          .mode = 0640,
	                          .data = (const uint8_t *)data,
	                          .len = strlen(data)};
	struct impfs_result res = {0};
	uint32_t err = 0;
	snprintf(r.path, sizeof(r.path), "%s", path);
	int kind = fxc_call(c, &r, &res, &err);
	int e = outcome(kind, &res, err, worker);
	if (e == 0)
		CHECK_EQ(res.value, strlen(data));
	return e;
}

int fxc_whoami(struct fx_client *c, struct impfs_ids *ids, unsigned *worker)
{
	struct impfs_request r = {.type = IMPFS_WHOAMI};
	struct impfs_result res = {0};
	uint32_t err = 0;
	int kind = fxc_call(c, &r, &res, &err);
	int e = outcome(kind, &res, err, worker);
	if (e == 0)
		CHECK_EQ(impfs_ids_decode(res.data, res.len, ids), 0);
	return e;
}
