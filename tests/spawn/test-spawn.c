/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * imp_spawn() (SPEC X2, W5): the child shows the client in every id slot of
 * /proc/<pid>/status, no capabilities, exactly the descriptors it was given;
 * the calling thread and its siblings are unchanged, impersonating or not;
 * eight threads spawn at once.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

#define ALICE 60001
#define BOB 60002
#define SHARED 60100

static imp_token *token(uid_t uid)
{
	gid_t g[] = {uid, SHARED};
	imp_token *t;
	CHECK_EQ(imp_token_new(uid, uid, g, 2, 0, &t), 0);
	return t;
}

static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	ssize_t n = read(fd, buf, size - 1);
	CHECK(n > 0);
	buf[n] = '\0';
	close(fd);
}

/* The descriptors a process that waits on its stdin has open, as a bit mask
 * of 0..63 (-1 if any is higher). */
static long long open_fds(pid_t pid)
{
	char path[64];
	long long m = 0;
	kc_wait_reading_stdin(pid);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	CHECK(d != NULL);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		m = fd < 63 && m >= 0 ? m | (1LL << fd) : -1;
	}
	closedir(d);
	return m;
}

/* A child that blocks reading its stdin (a pipe) until we close it. */
static pid_t spawn_waiting(imp_token *t, int *wr, const int *extra, size_t nextra)
{
	int p[2];
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	int fds[4] = {p[0], -1, -1, -1};
	for (size_t i = 0; i < nextra; i++)
		fds[1 + i] = extra[i];
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)"read x", NULL};
	pid_t pid = -1;
	CHECK_EQ(imp_spawn(t, "/bin/sh", argv, NULL, fds, 1 + nextra, &pid), 0);
	CHECK(pid > 0);
	close(p[0]);
	*wr = p[1];
	return pid;
}

static void finish(pid_t pid, int wr)
{
	close(wr);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
}

/* The child's status: @uid everywhere, groups {uid, SHARED}, no caps. */
static void expect_client_process(pid_t pid, uid_t uid)
{
	char path[64], text[8192];
	struct kcreds k;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	read_file(path, text, sizeof(text));
	kc_parse(text, &k);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(k.uid[i], uid);
		CHECK_EQ(k.gid[i], uid);
	}
	CHECK_EQ(k.ngroups, 2);
	CHECK_EQ(k.groups[0], uid);
	CHECK_EQ(k.groups[1], SHARED);
	CHECK_EQ(k.cap_eff, 0);
	CHECK_EQ(k.cap_prm, 0);
	CHECK_EQ(k.cap_inh, 0);
	CHECK_EQ(k.cap_amb, 0);
}

/* SPEC W5, X2: every id slot the client's, no capabilities, only the
 * descriptors asked for (a descriptor without FD_CLOEXEC is not leaked);
 * caller and sibling unchanged. */
TEST(w5_child_is_client_everywhere)
{
	struct sibling *s = sibling_start();
	struct kcreds own, sib;
	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC on purpose */
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(leak >= 0 && devnull >= 0);
	imp_token *alice = token(ALICE);
	int wr, extra[] = {devnull, -1, devnull};
	pid_t pid = spawn_waiting(alice, &wr, extra, 3);

	expect_client_process(pid, ALICE);
	CHECK_EQ(open_fds(pid), (1 << 0) | (1 << 1) | (1 << 3)); /* 2 asked closed */
	struct kcreds now;
	kc_read(0, &now);
	CHECK(kc_equal(&now, &own));
	kc_read(sibling_tid(s), &now);
	CHECK(kc_equal(&now, &sib));
	finish(pid, wr);
	close(leak);
	close(devnull);
	imp_token_unref(alice);
	sibling_stop(s);
}

/* SPEC X2, W5, X3: spawned from a thread that impersonates bob (fs mode,
 * effective capabilities empty): the child is alice, the thread is still
 * bob afterwards, and the dumpable flag is what it was. */
TEST(w5_from_impersonating_thread)
{
	imp_token *alice = token(ALICE), *bob = token(BOB);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	CHECK_EQ(imp_impersonate(bob), 0);
	struct kcreds before, now;
	kc_read(0, &before);
	int wr;
	pid_t pid = spawn_waiting(alice, &wr, NULL, 0);
	kc_read(0, &now);
	CHECK(kc_equal(&now, &before));
	CHECK_EQ(imp_revert(), 0); /* /proc/<pid>/fd is not bob's to read */
	expect_client_process(pid, ALICE);
	CHECK_EQ(open_fds(pid), 1 << 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	finish(pid, wr);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* A full-mode impersonation (euid the client) works as well. */
TEST(w5_from_full_mode_thread)
{
	imp_token *alice = token(ALICE), *bob;
	gid_t g[] = {BOB};
	CHECK_EQ(imp_token_new(BOB, BOB, g, 1, IMP_MODE_FULL, &bob), 0);
	CHECK_EQ(imp_impersonate(bob), 0);
	int wr;
	pid_t pid = spawn_waiting(alice, &wr, NULL, 0);
	expect_client_process(pid, ALICE);
	CHECK_EQ(imp_revert(), 0);
	finish(pid, wr);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* The child checks itself: ids as alice and groups exactly, exit 0. */
static long spawn_checked(void *arg)
{
	imp_token *t = arg;
	char *argv[] = {(char *)"sh", (char *)"-c",
	                (char *)"[ \"$(id -u):$(id -ru):$(id -g):$(id -G)\" = '60001:60001:60001:60001 60100' ]",
	                NULL};
	for (int i = 0; i < 10; i++) {
		pid_t pid;
		int st;
		if (imp_spawn(t, "/bin/sh", argv, NULL, NULL, 0, &pid) < 0)
			return 1;
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return 2;
	}
	return 0;
}

static void *spawn_thread(void *arg)
{
	return (void *)spawn_checked(arg);
}

/* SPEC W5, T1: eight threads spawn at once; every child is alice, the
 * spawning threads are unchanged. */
TEST(w5_eight_threads_at_once)
{
	imp_token *alice = token(ALICE);
	struct kcreds own, now;
	kc_read(0, &own);
	pthread_t th[8];
	for (int i = 0; i < 8; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, spawn_thread, alice), 0);
	for (int i = 0; i < 8; i++) {
		void *r;
		CHECK_EQ(pthread_join(th[i], &r), 0);
		CHECK_EQ((long)r, 0);
	}
	kc_read(0, &now);
	CHECK(kc_equal(&now, &own));
	imp_token_unref(alice);
}

/* Bad input: an error, no child left, *pid untouched. */
TEST(w5_errors_leave_no_child)
{
	imp_token *alice = token(ALICE), *ident;
	gid_t g[] = {ALICE};
	CHECK_EQ(imp_token_new(ALICE, ALICE, g, 1, IMP_LEVEL_IDENTIFY, &ident), 0);
	char *argv[] = {(char *)"true", NULL};
	pid_t pid = 4242;
	int bad[] = {1000};
	CHECK_EQ(imp_spawn(alice, "/nonexistent/program", argv, NULL, NULL, 0, &pid), -ENOENT);
	CHECK_EQ(imp_spawn(alice, "/etc/passwd", argv, NULL, NULL, 0, &pid), -EACCES);
	CHECK_EQ(imp_spawn(alice, "/bin/true", argv, NULL, bad, 1, &pid), -EBADF);
	CHECK_EQ(imp_spawn(ident, "/bin/true", argv, NULL, NULL, 0, &pid), -EACCES);
	CHECK_EQ(imp_spawn(NULL, "/bin/true", argv, NULL, NULL, 0, &pid), -EINVAL);
	CHECK_EQ(imp_spawn((imp_token *)argv, "/bin/true", argv, NULL, NULL, 0, &pid), -EINVAL);
	CHECK_EQ(imp_spawn(alice, NULL, argv, NULL, NULL, 0, &pid), -EINVAL);
	CHECK_EQ(imp_spawn(alice, "/bin/true", NULL, NULL, NULL, 0, &pid), -EINVAL);
	imp_token_revoke(alice);
	CHECK_EQ(imp_spawn(alice, "/bin/true", argv, NULL, NULL, 0, &pid), -EKEYREVOKED);
	CHECK_EQ(pid, 4242);
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
	imp_token_unref(alice);
	imp_token_unref(ident);
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	got_usr1 = 1;
}

/* Signal handlers are not inherited into the child (SIG_DFL there), the
 * caller's handler and mask are intact afterwards. */
TEST(w5_signal_handlers_reset)
{
	imp_token *alice = token(ALICE);
	struct sigaction sa = {.sa_handler = on_usr1};
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)"kill -USR1 $$; sleep 5", NULL};
	pid_t pid;
	CHECK_EQ(imp_spawn(alice, "/bin/sh", argv, NULL, NULL, 0, &pid), 0);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(got_usr1, 1);
	imp_token_unref(alice);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
