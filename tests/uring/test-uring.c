/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SPEC U1, U2: tokens registered as io_uring personalities, checked by the
 * real kernel.  Each case opens files through a real ring (liburing) with
 * the personality and asserts what the kernel allowed; the calling thread's
 * own credentials are read from /proc.  U3 (the fallback) is proven by the
 * daemon's tests, run once through rings and once with io_uring refused.
 */
#include <fcntl.h>
#include <dirent.h>
#include <liburing.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

#define ALICE 60001
#define BOB 60002
#define SHARED 60100

struct sandbox {
	char *dir;
	int dirfd;
	struct io_uring ring;
	imp_ring *ir;
	imp_token *alice, *bob;
};

static void put_file(int dirfd, const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, name, strlen(name)), (long)strlen(name));
	CHECK_EQ(fchown(fd, uid, gid), 0);
	CHECK_EQ(fchmod(fd, mode), 0);
	close(fd);
}

/* root.txt 0600 root, alice.txt 0600 alice, bob.txt 0600 bob, group.txt
 * 0640 root:shared (alice is in shared), drop/ 0777, rootdir/ 0755 root. */
static void setup(struct sandbox *s)
{
	int r = io_uring_queue_init(8, &s->ring, 0);
	if (r == -ENOSYS || r == -EPERM)
		harness_skip("io_uring is not available here");
	CHECK_EQ(r, 0);
	s->dir = tmpdir_make();
	s->dirfd = open(s->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(s->dirfd >= 0);
	CHECK_EQ(chmod(s->dir, 0755), 0);
	put_file(s->dirfd, "root.txt", 0600, 0, 0);
	put_file(s->dirfd, "alice.txt", 0600, ALICE, ALICE);
	put_file(s->dirfd, "bob.txt", 0600, BOB, BOB);
	put_file(s->dirfd, "group.txt", 0640, 0, SHARED);
	CHECK_EQ(mkdirat(s->dirfd, "drop", 0777), 0);
	CHECK_EQ(fchmodat(s->dirfd, "drop", 0777, 0), 0);
	CHECK_EQ(mkdirat(s->dirfd, "rootdir", 0755), 0);
	gid_t ag[] = {ALICE, SHARED}, bg[] = {BOB};
	CHECK_EQ(imp_token_new(ALICE, ALICE, ag, 2, IMP_MODE_FS, &s->alice), 0);
	CHECK_EQ(imp_token_new(BOB, BOB, bg, 1, IMP_MODE_FS, &s->bob), 0);
	CHECK_EQ(imp_ring_new(s->ring.ring_fd, &s->ir), 0);
}

static void teardown(struct sandbox *s)
{
	imp_ring_free(s->ir);
	imp_token_unref(s->alice);
	imp_token_unref(s->bob);
	io_uring_queue_exit(&s->ring);
	close(s->dirfd);
	tmpdir_remove(s->dir);
}

/* One OPENAT2 (RESOLVE_BENEATH, as the daemon does) through the ring as
 * personality @pers; @async forces it onto io-wq.  Returns the fd's owner
 * after closing it (>= 0) or -errno from the kernel. */
static long ring_open(struct sandbox *s, const char *path, int flags, int pers, bool async)
{
	struct open_how how = {.flags = (uint64_t)flags | O_CLOEXEC, .mode = (flags & O_CREAT) ? 0600 : 0,
	                       .resolve = RESOLVE_BENEATH};
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
	CHECK(sqe != NULL);
	io_uring_prep_openat2(sqe, s->dirfd, path, &how);
	sqe->personality = (uint16_t)pers;
	if (async)
		sqe->flags |= IOSQE_ASYNC;
	CHECK_EQ(io_uring_submit(&s->ring), 1);
	struct io_uring_cqe *cqe;
	CHECK_EQ(io_uring_wait_cqe(&s->ring, &cqe), 0);
	int fd = cqe->res;
	io_uring_cqe_seen(&s->ring, cqe);
	if (fd < 0)
		return fd;
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	close(fd);
	return st.st_uid;
}

static bool can_read(struct sandbox *s, const char *path, int pers, bool async)
{
	long r = ring_open(s, path, O_RDONLY, pers, async);
	CHECK(r >= 0 || r == -EACCES); /* nothing but "allowed" or "denied" */
	return r >= 0;
}

/* SPEC U1: requests naming the personality are checked as the token, on
 * the submitting thread and on io-wq alike, while the thread that
 * registered it stays itself. */
TEST(u1_personality_is_checked_as_the_token)
{
	struct sandbox s;
	struct kcreds before, after;
	setup(&s);
	kc_read(0, &before);
	int a = imp_ring_register(s.ir, s.alice), b = imp_ring_register(s.ir, s.bob);
	CHECK(a > 0 && b > 0 && a != b);
	kc_read(0, &after);
	CHECK(kc_equal(&before, &after));
	CHECK_EQ(imp_is_impersonating(), 0);
	for (int async = 0; async <= 1; async++) {
		CHECK(can_read(&s, "root.txt", 0, async)); /* no personality: root */
		CHECK(!can_read(&s, "root.txt", a, async));
		CHECK(can_read(&s, "alice.txt", a, async));
		CHECK(!can_read(&s, "bob.txt", a, async));
		CHECK(can_read(&s, "group.txt", a, async)); /* supplementary group */
		CHECK(!can_read(&s, "root.txt", b, async));
		CHECK(!can_read(&s, "alice.txt", b, async));
		CHECK(can_read(&s, "bob.txt", b, async));
		CHECK(!can_read(&s, "group.txt", b, async));
	}
	teardown(&s);
}

/* SPEC U1 "and nothing else": a file created through the personality
 * belongs to the token's ids, and root's capabilities are not effective
 * (no DAC override into a root-only directory). */
TEST(u1_created_files_are_the_tokens_and_no_capability_is_effective)
{
	struct sandbox s;
	struct stat st;
	setup(&s);
	int a = imp_ring_register(s.ir, s.alice);
	CHECK(a > 0);
	for (int async = 0; async <= 1; async++) {
		const char *name = async ? "drop/async" : "drop/inline";
		CHECK_EQ(ring_open(&s, name, O_WRONLY | O_CREAT | O_EXCL, a, async), ALICE);
		CHECK_EQ(fstatat(s.dirfd, name, &st, 0), 0);
		CHECK_EQ(st.st_uid, ALICE);
		CHECK_EQ(st.st_gid, ALICE);
		CHECK_EQ(ring_open(&s, "rootdir/x", O_WRONLY | O_CREAT, a, async), -EACCES);
		CHECK_EQ(ring_open(&s, "alice.txt", O_WRONLY, a, async), ALICE);
		CHECK_EQ(ring_open(&s, "bob.txt", O_WRONLY, a, async), -EACCES);
	}
	teardown(&s);
}

/* Registering runs in a call frame of its own: a thread that impersonates
 * bob registers alice and still impersonates bob afterwards (F3). */
TEST(u1_registering_keeps_the_callers_impersonation)
{
	struct sandbox s;
	struct kcreds k;
	setup(&s);
	CHECK_EQ(imp_impersonate(s.bob), 0);
	int a = imp_ring_register(s.ir, s.alice);
	CHECK(a > 0);
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], BOB);
	CHECK_EQ(imp_is_impersonating(), 1);
	CHECK_EQ(imp_revert(), 0);
	CHECK(can_read(&s, "alice.txt", a, false));
	CHECK(!can_read(&s, "bob.txt", a, false));
	teardown(&s);
}

/* The kernel refuses a request naming an id that is not registered. */
static void gone(struct sandbox *s, int id)
{
	CHECK_EQ(ring_open(s, "public-or-not", O_RDONLY, id, false), -EINVAL);
	CHECK_EQ(ring_open(s, "alice.txt", O_RDONLY, id, true), -EINVAL);
}

/* SPEC U2 K4: revoking the token unregisters its personality: the same
 * request now fails, and the token cannot be registered again. */
TEST(u2_revoked_token_can_do_nothing_through_the_ring)
{
	struct sandbox s;
	setup(&s);
	int a = imp_ring_register(s.ir, s.alice), b = imp_ring_register(s.ir, s.bob);
	CHECK(a > 0 && b > 0);
	CHECK(can_read(&s, "alice.txt", a, false));
	imp_token_revoke(s.alice);
	gone(&s, a);
	CHECK_EQ(imp_ring_register(s.ir, s.alice), -EKEYREVOKED);
	CHECK_EQ(imp_ring_unregister(s.ir, a), -ENOENT);
	CHECK(can_read(&s, "bob.txt", b, false)); /* other tokens unaffected */
	teardown(&s);
}

/* SPEC U2: a token derived with imp_token_with_caps() ends with its base. */
TEST(u2_derived_token_is_unregistered_with_its_base)
{
	struct sandbox s;
	imp_token *derived;
	setup(&s);
	CHECK_EQ(imp_token_with_caps(s.alice, "cap_net_bind_service", &derived), 0);
	int d = imp_ring_register(s.ir, derived);
	CHECK(d > 0);
	CHECK(can_read(&s, "alice.txt", d, false));
	imp_token_revoke(s.alice);
	gone(&s, d);
	imp_token_unref(derived);
	teardown(&s);
}

/* SPEC U2: dropping the last reference unregisters too. */
TEST(u2_last_unref_unregisters)
{
	struct sandbox s;
	setup(&s);
	imp_token *extra = imp_token_ref(s.alice);
	int a = imp_ring_register(s.ir, s.alice);
	CHECK(a > 0);
	imp_token_unref(extra); /* not the last */
	CHECK(can_read(&s, "alice.txt", a, false));
	imp_token_unref(s.alice);
	s.alice = NULL;
	gone(&s, a);
	teardown(&s);
}

/* The library unregisters through its own descriptor: closing the one it
 * was given changes nothing.  imp_ring_unregister() and imp_ring_free()
 * unregister too. */
TEST(u2_own_descriptor_unregister_and_free)
{
	struct sandbox s;
	imp_ring *other;
	setup(&s);
	int fd = dup(s.ring.ring_fd);
	CHECK(fd >= 0);
	CHECK_EQ(imp_ring_new(fd, &other), 0);
	CHECK_EQ(close(fd), 0);
	int a = imp_ring_register(other, s.alice), b = imp_ring_register(other, s.bob);
	int c = imp_ring_register(s.ir, s.bob);
	CHECK(a > 0 && b > 0 && c > 0);
	CHECK(can_read(&s, "alice.txt", a, false));
	imp_token_revoke(s.alice);
	gone(&s, a);
	CHECK_EQ(imp_ring_unregister(other, c), -ENOENT); /* registered through s.ir */
	CHECK_EQ(imp_ring_unregister(s.ir, c), 0);
	gone(&s, c);
	CHECK(can_read(&s, "bob.txt", b, false));
	imp_ring_free(other);
	gone(&s, b);
	teardown(&s);
}

/* Bad input gets a clear error and registers nothing. */
TEST(bad_rings_tokens_and_ids_are_refused)
{
	struct sandbox s;
	imp_ring *r = (imp_ring *)0x1;
	imp_token *ident;
	int p[2];
	setup(&s);
	CHECK_EQ(imp_ring_new(-1, &r), -EBADF);
	CHECK_EQ(imp_ring_new(1000, &r), -EBADF);
	CHECK_EQ(pipe(p), 0);
	CHECK_EQ(imp_ring_new(p[0], &r), -EINVAL);
	CHECK(r == (imp_ring *)0x1); /* untouched on failure */
	close(p[0]);
	close(p[1]);
	CHECK_EQ(imp_ring_register(NULL, s.alice), -EINVAL);
	CHECK_EQ(imp_ring_register(s.ir, NULL), -EINVAL);
	CHECK_EQ(imp_ring_register((imp_ring *)s.alice, s.alice), -EINVAL);
	CHECK_EQ(imp_ring_register(s.ir, (imp_token *)s.ir), -EINVAL);
	CHECK_EQ(imp_token_new(ALICE, ALICE, NULL, 0, IMP_LEVEL_IDENTIFY, &ident), 0);
	CHECK_EQ(imp_ring_register(s.ir, ident), -EACCES); /* K3 */
	imp_token_unref(ident);
	CHECK_EQ(imp_ring_unregister(s.ir, 0), -EINVAL);
	CHECK_EQ(imp_ring_unregister(s.ir, -3), -EINVAL);
	CHECK_EQ(imp_ring_unregister(s.ir, 4242), -ENOENT);
	CHECK_EQ(imp_ring_unregister(NULL, 1), -EINVAL);
	imp_ring_free(NULL);
	teardown(&s);
}

/* The library's descriptor is close-on-exec (rings are never inherited). */
TEST(library_descriptor_is_close_on_exec)
{
	struct sandbox s;
	char link[300], target[64];
	int seen = 0;
	setup(&s);
	DIR *d = opendir("/proc/self/fd");
	CHECK(d != NULL);
	for (struct dirent *e; (e = readdir(d));) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, "anon_inode:[io_uring]") != 0)
			continue;
		int fd = atoi(e->d_name);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		seen++;
	}
	closedir(d);
	CHECK_EQ(seen, 2); /* liburing's and the library's */
	teardown(&s);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
