/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate-fsd end to end, as root: real PAM (the project's
 * pam.d/impersonate-demo with pam_matrix and the built pam_impersonate.so),
 * private users (nss_wrapper), a private served tree.  Every answer is checked
 * against what the user may access by the tree's modes (the model below,
 * not the library), and after each case every daemon thread is read from
 * /proc and must hold the daemon's own credentials.
 *
 * SPEC F1-F2 (a call frame per request on whichever pool thread takes it),
 * T1 (pool threads switch alone), T10-T11 (fs mode, no effective
 * capabilities while serving), K3 (identify level), K4 (session end), and
 * the daemon's protocol robustness.  READ, WRITE and LIST go through each
 * connection's io_uring with the client's personality (SPEC U1); run as
 * `fsd-switch` (FSD_TEST_NO_IO_URING) the daemon cannot use io_uring and
 * every case must give the same results through the switch (SPEC U3).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsd-fixture.h"
#include "harness.h"
#include "kcreds.h"

#define THREADS 4

/* ---- The access model ---------------------------------------------------------- */

static bool in_group(int user, gid_t g)
{
	static const char *const shared[] = {"alice", "bob", NULL}, *const finance[] = {"alice", NULL},
	                         *const team[] = {"dave", "erin", "grace", NULL};
	const char *const *m = g == FX_SHARED ? shared : g == FX_FINANCE ? finance : g == FX_TEAM ? team : NULL;
	for (; m && *m; m++)
		if (!strcmp(*m, fx_users[user].name))
			return true;
	return false;
}

/* The user's groups as the kernel should show them while serving, sorted. */
static size_t expected_groups(int user, uint32_t *out)
{
	size_t n = 0;
	out[n++] = fx_users[user].uid; /* user private group, below 60100 */
	for (gid_t g = FX_SHARED; g <= FX_TEAM; g++)
		if (in_group(user, g))
			out[n++] = g;
	return n;
}

/* ---- Helpers --------------------------------------------------------------------- */

static void start(struct fsd_fixture *fx, const char *const *args)
{
	fx_setup(fx, NULL, false);
	fx_start(fx, THREADS, args, 0);
}

/* A client connected before a case misbehaves, which must not notice. */
static struct fx_client bystander = {.fd = -1};

/* After whatever a case did: the bystander (if any) and a new client are
 * served correctly, and every pool thread is back to the daemon's own
 * credentials. */
static void still_healthy(struct fsd_fixture *fx)
{
	struct fx_client c;
	char data[64];
	if (bystander.fd >= 0) {
		CHECK_EQ(fxc_read(&bystander, "home/bob/private.txt", data, sizeof(data), NULL), 0);
		CHECK_STREQ(data, "private of bob\n");
		CHECK_EQ(fxc_read(&bystander, "home/alice/private.txt", NULL, 0, NULL), EACCES);
		fxc_close(&bystander);
	}
	fxc_connect(fx, &c);
	fxc_login(&c, "alice");
	CHECK_EQ(fxc_read(&c, "home/alice/private.txt", data, sizeof(data), NULL), 0);
	CHECK_STREQ(data, "private of alice\n");
	CHECK_EQ(fxc_read(&c, "home/bob/private.txt", NULL, 0, NULL), EACCES);
	fxc_close(&c);
	CHECK_EQ(fx_check_threads(fx), THREADS);
}

static void finish(struct fsd_fixture *fx)
{
	int status = fx_stop(fx);
	if (status != 0)
		fx_print_log(fx);
	CHECK_EQ(status, 0);
	fx_cleanup(fx);
}

static void expect_error(struct fx_client *c, uint32_t code)
{
	struct impfs_notice n;
	CHECK_EQ(fxc_recv(c), 1);
	CHECK_EQ(c->f.type, IMPFS_ERROR);
	CHECK_EQ(impfs_notice_decode(&c->f, &n), 0);
	CHECK_EQ(n.code, code);
}

/* The daemon closed the connection.  ECONNRESET when it left bytes of ours
 * unread (an oversized frame it never read), after what it did send. */
static void expect_closed(struct fx_client *c)
{
	int r = fxc_recv(c);
	CHECK(r == 0 || r == -ECONNRESET);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Concurrent clients ---------------------------------------------------------- */

#define ROUNDS 40

struct client_run {
	struct fsd_fixture *fx;
	int user;
	pthread_barrier_t *all_in;
	unsigned long requests;
};

static _Atomic uint32_t users_by_worker[THREADS]; /* bit u: worker served user u */

static void served(unsigned worker, int user)
{
	if (worker == IMPFS_RING_WORKER && !fx_io_uring_refused())
		return; /* SPEC U1: served through the connection's ring */
	CHECK(worker < THREADS);
	atomic_fetch_or(&users_by_worker[worker], 1u << user);
}

/* One round of a user's requests, each answer checked against the model. */
static unsigned long one_round(struct fx_client *c, int u, int round)
{
	char data[128], want[128], path[128];
	unsigned w;
	unsigned long n = 0;
	for (int o = 0; o < FX_NUSERS; o++, n++) {
		snprintf(path, sizeof(path), "home/%s/private.txt", fx_users[o].name);
		int e = fxc_read(c, path, data, sizeof(data), &w);
		served(w, u);
		CHECK_EQ(e, o == u ? 0 : EACCES);
		snprintf(want, sizeof(want), "private of %s\n", fx_users[o].name);
		if (o == u)
			CHECK_STREQ(data, want);
	}
	CHECK_EQ(fxc_read(c, "shared/plan.txt", data, sizeof(data), &w), in_group(u, FX_SHARED) ? 0 : EACCES);
	CHECK_EQ(fxc_read(c, "team/notes.txt", data, sizeof(data), &w), in_group(u, FX_TEAM) ? 0 : EACCES);
	CHECK_EQ(fxc_read(c, "public.txt", data, sizeof(data), &w), 0);
	CHECK_STREQ(data, "public\n");

	snprintf(path, sizeof(path), "home/%s/round.txt", fx_users[u].name);
	snprintf(want, sizeof(want), "round %d of %s\n", round, fx_users[u].name);
	CHECK_EQ(fxc_write(c, path, want, &w), 0);
	CHECK_EQ(fxc_read(c, path, data, sizeof(data), &w), 0);
	CHECK_STREQ(data, want);
	snprintf(path, sizeof(path), "home/%s/intruder.txt", fx_users[(u + 1) % FX_NUSERS].name);
	CHECK_EQ(fxc_write(c, path, "no\n", &w), EACCES);

	static __thread struct impfs_ids ids;
	uint32_t groups[8];
	size_t ng = expected_groups(u, groups);
	CHECK_EQ(fxc_whoami(c, &ids, &w), 0);
	served(w, u);
	CHECK_EQ(ids.uid[3], fx_users[u].uid); /* T10 fs mode: fsuid is the client */
	CHECK_EQ(ids.gid[3], fx_users[u].uid);
	CHECK_EQ(ids.uid[0], 0);               /* real and effective stay the daemon's */
	CHECK_EQ(ids.uid[1], 0);
	CHECK_EQ(ids.cap_eff, 0);              /* T11 */
	CHECK_EQ(ids.ngroups, ng);
	CHECK(memcmp(ids.groups, groups, ng * sizeof(groups[0])) == 0);
	return n + 7;
}

static void *client_main(void *arg)
{
	struct client_run *run = arg;
	struct fx_client *c = calloc(1, sizeof(*c));
	CHECK(c != NULL);
	fxc_connect(run->fx, c);
	fxc_login(c, fx_users[run->user].name);
	pthread_barrier_wait(run->all_in); /* every session is open at once */
	for (int r = 0; r < ROUNDS; r++)
		run->requests += one_round(c, run->user, r);
	fxc_close(c);
	free(c);
	return NULL;
}

/* SPEC F1 F2 T1 T10 T11: 8 clients at once, their requests interleaved on
 * the same 4 pool threads, every answer the one that client should get. */
TEST(eight_concurrent_clients_each_served_as_themselves)
{
	struct fsd_fixture fx;
	struct client_run runs[FX_NUSERS];
	pthread_t th[FX_NUSERS];
	pthread_barrier_t all_in;
	start(&fx, NULL);
	pthread_barrier_init(&all_in, NULL, FX_NUSERS + 1);
	for (int u = 0; u < FX_NUSERS; u++) {
		runs[u] = (struct client_run){.fx = &fx, .user = u, .all_in = &all_in};
		CHECK_EQ(pthread_create(&th[u], NULL, client_main, &runs[u]), 0);
	}
	pthread_barrier_wait(&all_in);
	double t0 = now();
	unsigned long total = 0;
	for (int u = 0; u < FX_NUSERS; u++) {
		pthread_join(th[u], NULL);
		total += runs[u].requests;
	}
	double dt = now() - t0;
	fprintf(stderr, "# %d clients, %lu requests in %.3f s: %.0f requests/s\n", FX_NUSERS, total, dt, total / dt);

	/* Requests of different clients interleaved on the same threads: with 8
	 * users on 4 threads some thread served at least two of them. */
	int shared_threads = 0;
	for (int w = 0; w < THREADS; w++)
		shared_threads += __builtin_popcount(atomic_load(&users_by_worker[w])) >= 2;
	CHECK(shared_threads >= 1);

	/* Files written through the daemon belong to the client. */
	for (int u = 0; u < FX_NUSERS; u++) {
		char path[PATH_MAX], rel[64];
		struct stat st;
		snprintf(rel, sizeof(rel), "home/%s/round.txt", fx_users[u].name);
		fx_path(&fx, path, rel);
		CHECK_EQ(stat(path, &st), 0);
		CHECK_EQ(st.st_uid, fx_users[u].uid);
		CHECK_EQ(st.st_gid, fx_users[u].uid);
	}
	CHECK_EQ(fx_check_threads(&fx), THREADS);
	CHECK_EQ(fx_stop(&fx), 0);
	CHECK(fx_log_has(&fx, "peak_connections=8 "));
	fx_cleanup(&fx);
}

/* SPEC U1, U3: the path this run must take.  With io_uring, READ and WRITE
 * are served through the connection's ring (no pool thread) and WHOAMI by
 * the pool; with io_uring refused, everything by the pool. */
TEST(io_path_is_the_ring_or_the_forced_fallback)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_ids ids;
	unsigned w;
	bool ring = !fx_io_uring_refused();
#ifdef __SANITIZE_THREAD__
	bool tsan = ring; /* the daemon's TSan build does not use its ring (ring.c) */
	ring = false;
#else
	bool tsan = false;
#endif
	/* 0 entries is invalid: the call only tells whether io_uring is there. */
	if (ring && syscall(SYS_io_uring_setup, 0, NULL) < 0 && (errno == ENOSYS || errno == EPERM))
		harness_skip("io_uring is not available on this machine");
	start(&fx, NULL);
	fxc_connect(&fx, &c);
	fxc_login(&c, "alice");
	CHECK_EQ(fxc_read(&c, "home/alice/private.txt", NULL, 0, &w), 0);
	CHECK(ring ? w == IMPFS_RING_WORKER : w < THREADS);
	CHECK_EQ(fxc_read(&c, "home/bob/private.txt", NULL, 0, &w), EACCES);
	CHECK(ring ? w == IMPFS_RING_WORKER : w < THREADS);
	CHECK_EQ(fxc_write(&c, "home/alice/new.txt", "x\n", &w), 0);
	CHECK(ring ? w == IMPFS_RING_WORKER : w < THREADS);
	CHECK_EQ(fxc_whoami(&c, &ids, &w), 0);
	CHECK(w < THREADS);
	fxc_close(&c);
	CHECK(fx_log_has(&fx, ring   ? "io_uring: READ, WRITE and LIST through each connection's ring"
	                      : tsan ? "io_uring unavailable (Operation not supported)"
	                             : "io_uring unavailable (Function not implemented)"));
	still_healthy(&fx);
	finish(&fx);
}

/* ---- Authentication ------------------------------------------------------------------ */

TEST(wrong_password_is_refused_and_dropped)
{
	struct fsd_fixture fx;
	struct fx_client c;
	start(&fx, NULL);
	fxc_connect(&fx, &c);
	CHECK_EQ(fxc_auth(&c, "bob", "alice-secret"), PAM_AUTH_ERR);
	expect_closed(&c);
	fxc_close(&c);
	CHECK(fx_log_has(&fx, "bob refused at authenticate"));
	still_healthy(&fx);
	finish(&fx);
}

/* SPEC P3 through the daemon: pam_impersonate's account step refuses a
 * system account even with the right password. */
TEST(system_account_is_refused_at_account)
{
	struct fsd_fixture fx;
	struct fx_client c;
	start(&fx, NULL);
	fxc_connect(&fx, &c);
	CHECK_EQ(fxc_auth(&c, "sysuser", "sysuser-secret"), PAM_PERM_DENIED);
	fxc_close(&c);
	CHECK(fx_log_has(&fx, "sysuser refused at account"));
	still_healthy(&fx);
	finish(&fx);
}

/* Without pam_impersonate.so in the stack there is no token: refused. */
TEST(no_token_without_pam_impersonate)
{
	struct fsd_fixture fx;
	struct fx_client c;
	fx_setup(&fx, NULL, true);
	fx_start(&fx, THREADS, NULL, 0);
	fxc_connect(&fx, &c);
	CHECK_EQ(fxc_auth(&c, "alice", "alice-secret"), PAM_SYSTEM_ERR);
	fxc_close(&c);
	CHECK(fx_log_has(&fx, "alice refused at token"));
	CHECK_EQ(fx_check_threads(&fx), THREADS);
	finish(&fx);
}

/* SPEC K3: an identify-level token authenticates, but the daemon cannot act
 * as the client; no pool thread changes. */
TEST(identify_level_is_never_impersonated)
{
	struct fsd_fixture fx;
	struct fx_client c;
	fx_setup(&fx, "level=identify", false);
	fx_start(&fx, THREADS, NULL, 0);
	fxc_connect(&fx, &c);
	fxc_login(&c, "alice");
	CHECK_EQ(c.id.level, 1);
	CHECK_EQ(fxc_read(&c, "home/alice/private.txt", NULL, 0, NULL), FX_REFUSED(EACCES));
	fxc_close(&c);
	CHECK_EQ(fx_check_threads(&fx), THREADS);
	finish(&fx);
}

TEST(client_gone_during_the_pam_conversation)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_buf b;
	start(&fx, NULL);
	fxc_connect(&fx, &c);
	impfs_start(&b, c.out, sizeof(c.out), IMPFS_AUTH);
	impfs_put_str(&b, "alice", IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&b), 0);
	CHECK_EQ(impfs_send(c.fd, &b), 0);
	CHECK_EQ(fxc_recv(&c), 1);
	CHECK_EQ(c.f.type, IMPFS_PROMPT); /* the password prompt, relayed */
	fxc_close(&c);
	still_healthy(&fx);
	CHECK(fx_log_has(&fx, "alice refused at authenticate"));
	finish(&fx);
}

/* A user name is the client's to choose: it cannot forge a line in the log. */
TEST(user_names_cannot_forge_log_lines)
{
	struct fsd_fixture fx;
	struct fx_client c;
	start(&fx, NULL);
	fxc_connect(&fx, &c);
	CHECK(fxc_auth(&c, "mallory\nimpersonate-fsd: conn 99: alice authenticated", "x") > 0);
	fxc_close(&c);
	for (int i = 0; i < 200 && !fx_log_has(&fx, "refused at"); i++)
		usleep(10000);
	CHECK(fx_log_has(&fx, "mallory?impersonate-fsd: conn 99: alice authenticated"));
	still_healthy(&fx);
	finish(&fx);
}

TEST(request_before_authentication_is_refused)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_result res;
	uint32_t err = 0;
	struct impfs_request r = {.type = IMPFS_READ, .path = "public.txt"};
	start(&fx, NULL);
	fxc_connect(&fx, &c);
	CHECK_EQ(fxc_call(&c, &r, &res, &err), IMPFS_ERROR);
	CHECK_EQ(err, EACCES);
	expect_closed(&c);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

TEST(too_many_clients_get_ebusy)
{
	struct fsd_fixture fx;
	struct fx_client a, b, c;
	static const char *const args[] = {"--max-clients", "2", NULL};
	start(&fx, args);
	fxc_connect(&fx, &a);
	fxc_login(&a, "alice");
	fxc_connect(&fx, &b);
	fxc_login(&b, "bob");
	fxc_connect(&fx, &c);
	expect_error(&c, EBUSY);
	expect_closed(&c);
	fxc_close(&c);
	fxc_close(&a);
	fxc_close(&b);
	/* The slots come back once those connections have ended. */
	for (int i = 0; i < 200 && fx_log_has(&fx, "bob closed") + fx_log_has(&fx, "alice closed") < 2; i++)
		usleep(10000);
	still_healthy(&fx);
	finish(&fx);
}

/* ---- Malformed frames and requests ------------------------------------------------------ */

/* A daemon, bob connected as a bystander, and alice to misbehave. */
static void login_alice(struct fsd_fixture *fx, struct fx_client *c)
{
	start(fx, NULL);
	fxc_connect(fx, &bystander);
	fxc_login(&bystander, "bob");
	fxc_connect(fx, c);
	fxc_login(c, "alice");
}

TEST(zero_length_frame_is_dropped)
{
	struct fsd_fixture fx;
	struct fx_client c;
	login_alice(&fx, &c);
	fxc_send_raw(&c, "\0\0\0\0", 4);
	expect_error(&c, EBADMSG);
	expect_closed(&c);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

TEST(oversized_frame_is_refused_without_reading_it)
{
	struct fsd_fixture fx;
	struct fx_client c;
	uint8_t hdr[5] = {0, 0, 0, 0, IMPFS_READ};
	uint32_t len = IMPFS_MAX_FRAME + 1;
	for (int i = 0; i < 4; i++)
		hdr[i] = (uint8_t)(len >> (24 - 8 * i));
	login_alice(&fx, &c);
	fxc_send_raw(&c, hdr, sizeof(hdr));
	expect_error(&c, EMSGSIZE);
	expect_closed(&c);
	fxc_close(&c);
	fxc_connect(&fx, &c); /* and a 2 GiB length, before authenticating */
	fxc_send_raw(&c, "\x7f\xff\xff\xff\x01", 5);
	expect_error(&c, EMSGSIZE);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

TEST(truncated_frame_then_disconnect_is_dropped)
{
	struct fsd_fixture fx;
	struct fx_client c;
	login_alice(&fx, &c);
	fxc_send_raw(&c, "\0\0\0\x64\x10\0\0\0\0\0\0\0\0\0\x05publ", 19); /* says 100 bytes */
	shutdown(c.fd, SHUT_WR);
	expect_closed(&c);
	fxc_close(&c);
	CHECK(fx_log_has(&fx, "dropped: truncated frame"));
	still_healthy(&fx);
	finish(&fx);
}

TEST(stalled_frame_times_out)
{
	struct fsd_fixture fx;
	struct fx_client c;
	static const char *const args[] = {"--frame-timeout", "1", NULL};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	fxc_connect(&fx, &c);
	fxc_login(&c, "alice");
	double t0 = now();
	fxc_send_raw(&c, "\0\0\0\x64\x10", 5);
	expect_error(&c, ETIMEDOUT);
	expect_closed(&c);
	CHECK(now() - t0 < 5);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

/* ---- Deadlines and limits (issue 11: no client can starve the others) ------------------- */

/* Wait up to @ms for the daemon to say something on @c. */
static bool readable_within(struct fx_client *c, int ms)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN};
	return poll(&p, 1, ms) > 0;
}

/* SPEC A6: a frame has a deadline from its first byte, not each recv():
 * one byte every 300 ms kept the old per-recv() timeout (here 1 s) happy
 * for ever and held the connection slot. */
TEST(trickling_client_is_cut_at_its_frame_deadline)
{
	struct fsd_fixture fx;
	struct fx_client c;
	static const char *const args[] = {"--timeout", "1", "--frame-timeout", "2", NULL};
	static const uint8_t frame[] = {0, 0, 0, 0x20, IMPFS_READ, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x17};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	fxc_connect(&fx, &c);
	fxc_login(&c, "alice");
	double t0 = now();
	size_t sent = 0;
	for (; now() - t0 < 20 && !readable_within(&c, 300); sent++)
		fxc_send_raw(&c, &frame[sent % sizeof(frame)], 1);
	double dt = now() - t0;
	expect_error(&c, ETIMEDOUT);
	expect_closed(&c);
	fprintf(stderr, "# cut after %.2f s and %zu bytes\n", dt, sent);
	CHECK(dt >= 2.0);
	CHECK(dt < 20);
	CHECK(fx_log_has(&fx, "frame not complete within 2 seconds"));
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

/* Between frames only the idle limit counts: a logged-in client that sends
 * nothing for --timeout is told so and dropped. */
TEST(idle_connection_is_closed)
{
	struct fsd_fixture fx;
	struct fx_client c;
	static const char *const args[] = {"--timeout", "1", NULL};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	fxc_connect(&fx, &c);
	/* The idle time runs from the daemon's answer to the login: time it
	 * from before, never from after (a busy machine can delay us past it). */
	double t0 = now();
	fxc_login(&c, "alice");
	expect_error(&c, ETIMEDOUT);
	CHECK(now() - t0 >= 1.0 - 0.05);
	expect_closed(&c);
	fxc_close(&c);
	CHECK(fx_log_has(&fx, "alice closed after 0 requests"));
	still_healthy(&fx);
	finish(&fx);
}

/* The whole login has one deadline: a client that stops at the password
 * prompt is cut at --login-timeout, long before the idle limit. */
TEST(login_has_one_deadline)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_buf b;
	static const char *const args[] = {"--login-timeout", "2", "--timeout", "60", NULL};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	/* The deadline runs from the daemon's accept: time it from before the
	 * connect, never from after (a busy machine can delay us past it). */
	double t0 = now();
	fxc_connect(&fx, &c);
	impfs_start(&b, c.out, sizeof(c.out), IMPFS_AUTH);
	impfs_put_str(&b, "alice", IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&b), 0);
	CHECK_EQ(impfs_send(c.fd, &b), 0);
	CHECK_EQ(fxc_recv(&c), 1);
	CHECK_EQ(c.f.type, IMPFS_PROMPT); /* and no answer */
	expect_error(&c, ETIMEDOUT);
	double dt = now() - t0;
	CHECK(dt >= 2.0);
	CHECK(dt < 30);
	CHECK_EQ(fxc_recv(&c), 1); /* the conversation failed: so did authentication */
	CHECK_EQ(c.f.type, IMPFS_AUTH_FAIL);
	expect_closed(&c);
	fxc_close(&c);
	CHECK(fx_log_has(&fx, "login not done within 2 seconds"));
	/* After its login, a client has only the idle and frame limits. */
	fxc_connect(&fx, &c);
	fxc_login(&c, "alice");
	sleep(3);
	CHECK_EQ(fxc_read(&c, "home/alice/private.txt", NULL, 0, NULL), 0);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

/* A client that sends requests but never reads the answers is cut once an
 * answer has not gone out within --frame-timeout. */
TEST(client_that_does_not_read_is_cut)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_buf b;
	struct impfs_result res;
	uint32_t err;
	static uint8_t data[IMPFS_MAX_DATA];
	static const char *const args[] = {"--frame-timeout", "1", NULL};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	fxc_connect(&fx, &c);
	fxc_login(&c, "alice");
	struct impfs_request w = {.type = IMPFS_WRITE, .flags = IMPFS_WRITE_CREATE, .mode = 0600,
	                          .path = "home/alice/64k", .data = data, .len = sizeof(data)};
	CHECK_EQ(fxc_call(&c, &w, &res, &err), IMPFS_RESULT);
	CHECK_EQ(res.err, 0);
	struct impfs_request r = {.type = IMPFS_READ, .path = "home/alice/64k"};
	CHECK_EQ(impfs_request_encode(&b, c.out, sizeof(c.out), &r), 0);
	for (int i = 0; i < 64; i++) /* 4 MiB of answers: far more than a socket holds */
		fxc_send_raw(&c, b.p, b.len);
	for (int i = 0; i < 1000 && !fx_log_has(&fx, "alice closed"); i++)
		usleep(20000);
	int results = 0, got;
	while ((got = fxc_recv(&c)) == 1 && c.f.type == IMPFS_RESULT)
		results++;
	fprintf(stderr, "# %d of 64 answers sent before the cut\n", results);
	CHECK(got == 0 || got == -ECONNRESET);
	CHECK(results < 64);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

/* One peer uid (SO_PEERCRED, SPEC A3) cannot take every slot: its extra
 * connections are refused while another uid still gets in, and a closed one
 * gives its slot back. */
TEST(per_uid_limit_leaves_room_for_others)
{
	struct fsd_fixture fx;
	struct fx_client mine[3], other;
	static const char *const args[] = {"--max-per-uid", "2", "--max-clients", "8", NULL};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	fxc_connect_as(&fx, &mine[0], 65534);
	fxc_connect_as(&fx, &mine[1], 65534);
	fxc_connect_as(&fx, &mine[2], 65534);
	expect_error(&mine[2], EBUSY);
	expect_closed(&mine[2]);
	fxc_close(&mine[2]);
	fxc_connect_as(&fx, &other, 60002); /* bob's own uid, and root, get in */
	fxc_login(&other, "bob");
	CHECK_EQ(fxc_read(&other, "home/bob/private.txt", NULL, 0, NULL), 0);
	fxc_close(&other);
	fxc_connect(&fx, &other);
	fxc_login(&other, "alice");
	fxc_close(&other);
	/* The two held connections were never disturbed: both log in. */
	fxc_login(&mine[0], "carol");
	fxc_close(&mine[0]);
	for (int i = 0; i < 200 && !fx_log_has(&fx, "carol closed"); i++)
		usleep(10000);
	fxc_connect_as(&fx, &mine[2], 65534);
	fxc_login(&mine[2], "dave");
	fxc_close(&mine[2]);
	fxc_login(&mine[1], "erin");
	fxc_close(&mine[1]);
	CHECK_EQ(fx_stop(&fx), 0);
	CHECK(fx_log_has(&fx, "per_uid_refused=1 "));
	fx_cleanup(&fx);
}

/* Failed logins slow the next ones from the same peer uid (doubling), also
 * when they come in parallel, and only that uid's. */
TEST(failed_logins_are_slowed_per_uid)
{
	struct fsd_fixture fx;
	struct fx_client c, other;
	struct impfs_buf b;
	static const char *const args[] = {"--fail-delay", "300", "--fail-delay-max", "60000", NULL};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	double t0 = now(), failed_at = 0;
	for (int i = 0; i < 3; i++) { /* waits 0, 300, 600 ms */
		fxc_connect(&fx, &c);
		CHECK_EQ(fxc_auth(&c, "alice", "wrong"), PAM_AUTH_ERR);
		failed_at = now(); /* the daemon counted the failure just before */
		fxc_close(&c);
	}
	double dt = now() - t0;
	fprintf(stderr, "# 3 failed logins took %.2f s\n", dt);
	CHECK(dt >= 0.9);
	/* The next login from this uid, even with the right password, waits
	 * 1.2 s; another uid's login meanwhile is not held up. */
	fxc_connect(&fx, &c);
	impfs_start(&b, c.out, sizeof(c.out), IMPFS_AUTH);
	impfs_put_str(&b, "alice", IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&b), 0);
	CHECK_EQ(impfs_send(c.fd, &b), 0);
	fxc_connect_as(&fx, &other, 60002);
	fxc_login(&other, "bob");
	CHECK(!readable_within(&c, 0)); /* alice's login still waits its turn */
	fxc_close(&other);
	CHECK_EQ(fxc_recv(&c), 1);
	CHECK_EQ(c.f.type, IMPFS_PROMPT);
	/* The 1.2 s turn runs from the third failure, not from this send. */
	CHECK(now() - failed_at >= 1.2 - 0.05);
	fxc_close(&c);
	CHECK(fx_log_has(&fx, "peer uid 0 waits"));
	CHECK(fx_log_has(&fx, "after 3 failed logins"));
	finish(&fx);
}

/* Lines of the daemon's log that hold @needle. */
static int log_count(const struct fsd_fixture *fx, const char *needle)
{
	char line[2048];
	int n = 0;
	FILE *f = fopen(fx->log, "re");
	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

/* Start a login as @user and wait (bounded) until the daemon logs that it
 * waits its turn; then leave, which ends the wait. */
static void login_that_waits(struct fsd_fixture *fx, const char *user, int waits_before)
{
	struct fx_client c;
	struct impfs_buf b;
	fxc_connect(fx, &c);
	impfs_start(&b, c.out, sizeof(c.out), IMPFS_AUTH);
	impfs_put_str(&b, user, IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&b), 0);
	CHECK_EQ(impfs_send(c.fd, &b), 0);
	for (int i = 0; i < 500 && log_count(fx, " waits ") == waits_before; i++)
		usleep(10000);
	CHECK_EQ(log_count(fx, " waits "), waits_before + 1);
	fxc_close(&c);
}

/* --fail-delay-max: a uid's failures are forgotten once that long has
 * passed without one, so the wait after the next failure starts again at
 * --fail-delay instead of going on doubling. */
TEST(failed_logins_are_forgotten_after_fail_delay_max)
{
	struct fsd_fixture fx;
	struct fx_client c;
	static const char *const args[] = {"--fail-delay", "1000", "--fail-delay-max", "1200", NULL};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	for (int i = 0; i < 2; i++) { /* the second waits its turn, 1 s */
		fxc_connect(&fx, &c);
		CHECK_EQ(fxc_auth(&c, "alice", "wrong"), PAM_AUTH_ERR);
		fxc_close(&c);
	}
	CHECK_EQ(log_count(&fx, "after 1 failed logins"), 1);
	usleep(1300000);
	fxc_connect(&fx, &c); /* forgotten: no wait, and this failure is the first */
	CHECK_EQ(fxc_auth(&c, "alice", "wrong"), PAM_AUTH_ERR);
	fxc_close(&c);
	login_that_waits(&fx, "alice", 1);
	CHECK_EQ(log_count(&fx, "after 1 failed logins"), 2);
	CHECK_EQ(log_count(&fx, "after 3 failed logins"), 0);
	finish(&fx);
}

/* A module that prompts after authentication (pam_ask.so: account and
 * session) and a client that never answers it: another client's whole
 * login goes through meanwhile, and the first can still finish. */
TEST(stalled_conversation_does_not_block_other_logins)
{
	struct fsd_fixture fx;
	struct fx_client a, b;
	struct impfs_buf buf;
	struct impfs_notice n;
	fx_setup(&fx, NULL, false);
	fx_add_pam_line(&fx, "account required PAM_ASK");
	fx_add_pam_line(&fx, "session required PAM_ASK");
	fx_start(&fx, THREADS, NULL, 0);
	fxc_connect(&fx, &a);
	impfs_start(&buf, a.out, sizeof(a.out), IMPFS_AUTH);
	impfs_put_str(&buf, "alice", IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&buf), 0);
	CHECK_EQ(impfs_send(a.fd, &buf), 0);
	for (int prompt = 0; prompt < 2; prompt++) { /* password, then the code */
		CHECK_EQ(fxc_recv(&a), 1);
		CHECK_EQ(a.f.type, IMPFS_PROMPT);
		CHECK_EQ(impfs_notice_decode(&a.f, &n), 0);
		if (prompt == 1)
			break;
		impfs_start(&buf, a.out, sizeof(a.out), IMPFS_ANSWER);
		impfs_put_str(&buf, "alice-secret", IMPFS_MAX_TEXT);
		CHECK_EQ(impfs_finish(&buf), 0);
		CHECK_EQ(impfs_send(a.fd, &buf), 0);
	}
	CHECK_STREQ(n.text, "one-time code: "); /* alice is inside pam_acct_mgmt */

	fxc_connect(&fx, &b); /* answers every prompt with bob's password */
	fxc_login(&b, "bob");
	CHECK_EQ(fxc_read(&b, "home/bob/private.txt", NULL, 0, NULL), 0);
	fxc_close(&b);

	/* alice was not cut short: she answers now and gets in (the session
	 * step asks again). */
	CHECK(!readable_within(&a, 0));
	for (;;) {
		impfs_start(&buf, a.out, sizeof(a.out), IMPFS_ANSWER);
		impfs_put_str(&buf, "123456", IMPFS_MAX_TEXT);
		CHECK_EQ(impfs_finish(&buf), 0);
		CHECK_EQ(impfs_send(a.fd, &buf), 0);
		CHECK_EQ(fxc_recv(&a), 1);
		if (a.f.type != IMPFS_PROMPT)
			break;
	}
	CHECK_EQ(a.f.type, IMPFS_AUTH_OK);
	CHECK_EQ(fxc_read(&a, "home/alice/private.txt", NULL, 0, NULL), 0);
	fxc_close(&a);
	CHECK(fx_log_has(&fx, "pam-lock steps")); /* auto, under nss_wrapper: the lock was there */
	still_healthy(&fx);
	finish(&fx);
}

/* --pam-lock all: authentication runs under the lock too, and a client
 * silent at its password prompt still does not hold up another login. */
TEST(pam_lock_all_is_given_up_at_the_password_prompt)
{
	struct fsd_fixture fx;
	struct fx_client a, b;
	struct impfs_buf buf;
	static const char *const args[] = {"--pam-lock", "all", NULL};
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, args, 0);
	fxc_connect(&fx, &a);
	impfs_start(&buf, a.out, sizeof(a.out), IMPFS_AUTH);
	impfs_put_str(&buf, "alice", IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&buf), 0);
	CHECK_EQ(impfs_send(a.fd, &buf), 0);
	CHECK_EQ(fxc_recv(&a), 1);
	CHECK_EQ(a.f.type, IMPFS_PROMPT); /* inside pam_authenticate, not answered */
	fxc_connect(&fx, &b);
	fxc_login(&b, "bob");
	fxc_close(&b);
	CHECK(!readable_within(&a, 0));
	CHECK_EQ(fxc_auth(&a, "", "") == 0, 0); /* not an ANSWER: alice's login fails */
	fxc_close(&a);
	CHECK(fx_log_has(&fx, "pam-lock all"));
	still_healthy(&fx);
	finish(&fx);
}

/* A frame of @type with exactly @body as its body. */
static void send_frame(struct fx_client *c, uint8_t type, const void *body, size_t n)
{
	struct impfs_buf b;
	impfs_start(&b, c->out, sizeof(c->out), type);
	impfs_put_bytes(&b, body, n);
	CHECK_EQ(impfs_finish(&b), 0);
	CHECK_EQ(impfs_send(c->fd, &b), 0);
}

/* A well-framed but malformed request is answered with an error and the
 * connection goes on. */
TEST(malformed_requests_get_errors_and_the_connection_goes_on)
{
	struct fsd_fixture fx;
	struct fx_client c;
	char data[64];
	/* READ bodies: u64 offset, u16 length, path bytes. */
	static const uint8_t too_short[] = {0, 0, 0};
	static const uint8_t str_past_end[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 'a', 'b'};
	static const uint8_t trailing[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 'x'};
	static const uint8_t str_short[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 'a'};
	login_alice(&fx, &c);
	send_frame(&c, IMPFS_READ, too_short, sizeof(too_short));
	expect_error(&c, EBADMSG);
	send_frame(&c, IMPFS_READ, str_past_end, sizeof(str_past_end));
	expect_error(&c, EBADMSG);
	send_frame(&c, IMPFS_READ, trailing, sizeof(trailing));
	expect_error(&c, EBADMSG);
	send_frame(&c, IMPFS_READ, str_short, sizeof(str_short));
	expect_error(&c, EBADMSG);
	send_frame(&c, IMPFS_WHOAMI, "x", 1);
	expect_error(&c, EBADMSG);
	static uint8_t big_write[4 + 4 + 2 + 1 + IMPFS_MAX_DATA + 1] = {0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 'b'};
	send_frame(&c, IMPFS_WRITE, big_write, sizeof(big_write)); /* one byte more than a WRITE may carry */
	expect_error(&c, EBADMSG);
	send_frame(&c, 0x42, NULL, 0); /* no such type */
	expect_error(&c, EOPNOTSUPP);
	send_frame(&c, IMPFS_AUTH, "\0\0", 2); /* authenticating twice */
	expect_error(&c, EOPNOTSUPP);
	CHECK_EQ(fxc_read(&c, "home/alice/private.txt", data, sizeof(data), NULL), 0);
	CHECK_STREQ(data, "private of alice\n");
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

/* A raw READ frame for @path of @n bytes (which may hold a NUL). */
static void send_read_raw(struct fx_client *c, const char *path, size_t n)
{
	struct impfs_buf b;
	impfs_start(&b, c->out, sizeof(c->out), IMPFS_READ);
	impfs_put_u64(&b, 0);
	impfs_put_u16(&b, (uint16_t)n);
	impfs_put_bytes(&b, path, n);
	CHECK_EQ(impfs_finish(&b), 0);
	CHECK_EQ(impfs_send(c->fd, &b), 0);
}

TEST(invalid_paths_are_refused_before_the_pool)
{
	struct fsd_fixture fx;
	struct fx_client c;
	static char longpath[IMPFS_MAX_PATH + 2];
	login_alice(&fx, &c);
	CHECK_EQ(fxc_read(&c, "/etc/passwd", NULL, 0, NULL), FX_REFUSED(EINVAL));
	CHECK_EQ(fxc_read(&c, "", NULL, 0, NULL), FX_REFUSED(EINVAL));
	send_read_raw(&c, "public.txt\0../x", 15);
	expect_error(&c, EBADMSG);
	memset(longpath, 'a', sizeof(longpath) - 1);
	send_read_raw(&c, longpath, IMPFS_MAX_PATH + 1);
	expect_error(&c, EBADMSG);
	CHECK(fx_log_has(&fx, "alice authenticated"));
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

TEST(path_traversal_stays_beneath_the_served_root)
{
	struct fsd_fixture fx;
	struct fx_client c;
	login_alice(&fx, &c);
	/* ".." anywhere is refused by the daemon itself. */
	CHECK_EQ(fxc_read(&c, "../daemon.log", NULL, 0, NULL), FX_REFUSED(EXDEV));
	CHECK_EQ(fxc_read(&c, "..", NULL, 0, NULL), FX_REFUSED(EXDEV));
	CHECK_EQ(fxc_read(&c, "home/alice/../../../etc/passwd", NULL, 0, NULL), FX_REFUSED(EXDEV));
	CHECK_EQ(fxc_read(&c, "home/../public.txt", NULL, 0, NULL), FX_REFUSED(EXDEV));
	CHECK_EQ(fxc_write(&c, "shared/../../x", "x", NULL), FX_REFUSED(EXDEV));
	/* Symlinks out of the tree are refused by the kernel (RESOLVE_BENEATH). */
	CHECK_EQ(fxc_read(&c, "escape/passwd", NULL, 0, NULL), EXDEV);
	CHECK_EQ(fxc_read(&c, "up/daemon.log", NULL, 0, NULL), EXDEV);
	CHECK_EQ(fxc_write(&c, "up/planted.txt", "x", NULL), EXDEV);
	char planted[PATH_MAX];
	fx_path(&fx, planted, "../planted.txt");
	CHECK(access(planted, F_OK) < 0);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

TEST(special_files_do_not_hang_a_worker)
{
	struct fsd_fixture fx;
	struct fx_client c;
	login_alice(&fx, &c);
	double t0 = now();
	CHECK_EQ(fxc_read(&c, "fifo", NULL, 0, NULL), EINVAL);
	CHECK(fxc_write(&c, "fifo", "x", NULL) == ENXIO);
	CHECK_EQ(fxc_read(&c, "home", NULL, 0, NULL), EISDIR);
	CHECK(now() - t0 < 5);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

TEST(bad_write_flags_and_modes_are_refused)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_result res;
	uint32_t err = 0;
	struct impfs_request r = {.type = IMPFS_WRITE, .path = "home/alice/x", .data = (const uint8_t *)"x", .len = 1};
	login_alice(&fx, &c);
	r.flags = 0x100;
	CHECK_EQ(fxc_call(&c, &r, &res, &err), IMPFS_ERROR);
	CHECK_EQ(err, EINVAL);
	r.flags = IMPFS_WRITE_CREATE;
	r.mode = 04755; /* no set-user-ID files through the daemon */
	CHECK_EQ(fxc_call(&c, &r, &res, &err), IMPFS_ERROR);
	CHECK_EQ(err, EINVAL);
	r.flags = IMPFS_WRITE_EXCL;
	r.mode = 0600;
	CHECK_EQ(fxc_call(&c, &r, &res, &err), IMPFS_ERROR);
	CHECK_EQ(err, EINVAL);
	char path[PATH_MAX];
	fx_path(&fx, path, "home/alice/x");
	CHECK(access(path, F_OK) < 0);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

/* The request is complete, the client leaves before the result: the worker
 * finishes, reverts, and the answer goes nowhere. */
TEST(client_gone_mid_request)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_buf b;
	struct impfs_request r = {.type = IMPFS_WRITE, .flags = IMPFS_WRITE_CREATE, .mode = 0600,
	                          .path = "home/alice/left.txt", .data = (const uint8_t *)"bye\n", .len = 4};
	login_alice(&fx, &c);
	CHECK_EQ(impfs_request_encode(&b, c.out, sizeof(c.out), &r), 0);
	fxc_send_raw(&c, b.p, b.len);
	fxc_close(&c);
	fxc_connect(&fx, &c); /* and one that leaves half-way through a frame */
	fxc_login(&c, "bob");
	fxc_send_raw(&c, b.p, b.len / 2);
	fxc_close(&c);
	for (int i = 0; i < 200 && !fx_log_has(&fx, "bob closed"); i++)
		usleep(10000);
	CHECK(fx_log_has(&fx, "bob closed after 0 requests"));
	still_healthy(&fx);
	finish(&fx);
}

/* K4: SIGTERM with clients connected, one of them mid-conversation: every
 * session is closed and the daemon ends cleanly. */
TEST(shutdown_with_clients_connected)
{
	struct fsd_fixture fx;
	struct fx_client a, b, c;
	struct impfs_buf buf;
	start(&fx, NULL);
	fxc_connect(&fx, &a);
	fxc_login(&a, "alice");
	fxc_connect(&fx, &b);
	fxc_login(&b, "bob");
	fxc_connect(&fx, &c);
	impfs_start(&buf, c.out, sizeof(c.out), IMPFS_AUTH);
	impfs_put_str(&buf, "carol", IMPFS_MAX_TEXT);
	CHECK_EQ(impfs_finish(&buf), 0);
	CHECK_EQ(impfs_send(c.fd, &buf), 0);
	CHECK_EQ(fxc_recv(&c), 1);
	CHECK_EQ(fx_check_threads(&fx), THREADS);
	double t0 = now();
	CHECK_EQ(fx_stop(&fx), 0);
	CHECK(now() - t0 < 5);
	CHECK(fx_log_has(&fx, "alice closed after 0 requests"));
	CHECK(fx_log_has(&fx, "bob closed after 0 requests"));
	CHECK_EQ(access(fx.sock, F_OK), -1);
	fxc_close(&a);
	fxc_close(&b);
	fxc_close(&c);
	fx_cleanup(&fx);
}

/* ---- Large files and directories ------------------------------------------------------ */

/* READ and WRITE carry at most 64 KiB: a bigger file takes several requests,
 * each in its own call frame, and comes back whole. */
TEST(large_files_in_chunks)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_result res;
	uint32_t err = 0;
	static uint8_t data[200000], back[200000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	login_alice(&fx, &c);
	struct impfs_request w = {.type = IMPFS_WRITE, .flags = IMPFS_WRITE_CREATE | IMPFS_WRITE_TRUNC, .mode = 0600,
	                          .path = "home/alice/big.bin"};
	for (size_t off = 0; off < sizeof(data); off += IMPFS_MAX_DATA) {
		w.data = data + off;
		w.len = sizeof(data) - off < IMPFS_MAX_DATA ? sizeof(data) - off : IMPFS_MAX_DATA;
		CHECK_EQ(fxc_call(&c, &w, &res, &err), IMPFS_RESULT);
		CHECK_EQ(res.err, 0);
		CHECK_EQ(res.value, w.len);
		w.flags = IMPFS_WRITE_APPEND;
	}
	struct impfs_request r = {.type = IMPFS_READ, .path = "home/alice/big.bin"};
	int chunks = 0;
	do {
		CHECK_EQ(fxc_call(&c, &r, &res, &err), IMPFS_RESULT);
		CHECK_EQ(res.err, 0);
		CHECK_EQ(res.value, sizeof(data)); /* the file's size */
		CHECK(r.offset + res.len <= sizeof(back));
		memcpy(back + r.offset, res.data, res.len);
		r.offset += res.len;
		chunks++;
	} while (res.len > 0 && r.offset < res.value);
	CHECK_EQ(r.offset, sizeof(data));
	CHECK_EQ(chunks, 4);
	CHECK(memcmp(data, back, sizeof(data)) == 0);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

/* A directory bigger than one LIST answer is walked with the cookie. */
TEST(large_directories_with_cookies)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_result res;
	uint32_t err = 0;
	char dir[PATH_MAX], name[64];
	static bool seen[3000];
	start(&fx, NULL);
	fx_path(&fx, dir, "home/alice/many");
	CHECK_EQ(mkdir(dir, 0700), 0);
	CHECK_EQ(chown(dir, 60001, 60001), 0);
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "a-rather-long-file-name-%04d", i);
		file_make(dir, name, 60001, 60001, 0600);
	}
	fxc_connect(&fx, &c);
	fxc_login(&c, "alice");
	struct impfs_request r = {.type = IMPFS_LIST, .path = "home/alice/many"};
	int entries = 0, answers = 0;
	do {
		CHECK_EQ(fxc_call(&c, &r, &res, &err), IMPFS_RESULT);
		CHECK_EQ(res.err, 0);
		struct impfs_frame f = {.body = res.data, .len = res.len};
		struct impfs_cur cur;
		uint8_t type;
		int k, got;
		impfs_cur_init(&cur, &f);
		while ((got = impfs_entry_next(&cur, &type, name, sizeof(name))) == 1) {
			CHECK_EQ(sscanf(name, "a-rather-long-file-name-%d", &k), 1);
			CHECK(k >= 0 && k < 3000 && !seen[k]);
			seen[k] = true;
			CHECK_EQ(type, 8); /* DT_REG */
			entries++;
		}
		CHECK_EQ(got, 0);
		r.offset = res.value;
		answers++;
	} while (res.more);
	CHECK_EQ(entries, 3000);
	CHECK(answers > 2);
	fxc_close(&c);
	fxc_connect(&fx, &c); /* and bob may not list it at all */
	fxc_login(&c, "bob");
	r.offset = 0;
	CHECK_EQ(fxc_call(&c, &r, &res, &err), IMPFS_RESULT);
	CHECK_EQ(res.err, EACCES);
	fxc_close(&c);
	still_healthy(&fx);
	finish(&fx);
}

/* Run a shell command with $FS (the client), $SOCK and $DIR (the sandbox)
 * set; "fs" in it is the client logged in as alice, password on fd 3. */
static int sh(const struct fsd_fixture *fx, const char *script)
{
	char full[4096];
	setenv("FS", FS_BINARY, 1);
	setenv("SOCK", fx->sock, 1);
	setenv("DIR", fx->dir, 1);
	snprintf(full, sizeof(full),
	         "fs() { \"$FS\" -q -s \"$SOCK\" -u alice -p 3 \"$@\" 3<\"$DIR/pw\"; }; "
	         "printf 'alice-secret\\n' >\"$DIR/pw\" && { %s; }", script);
	int st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The client program: write from standard input, read to standard output,
 * list, whoami, and its exit status when the kernel says no. */
TEST(client_program_round_trip)
{
	struct fsd_fixture fx;
	char path[PATH_MAX];
	struct stat st;
	start(&fx, NULL);
	CHECK_EQ(sh(&fx, "head -c 300000 /dev/urandom >\"$DIR/big.in\""), 0);
	CHECK_EQ(sh(&fx, "fs write home/alice/copy.bin 0600 <\"$DIR/big.in\""), 0);
	CHECK_EQ(sh(&fx, "fs read home/alice/copy.bin >\"$DIR/big.out\" && cmp \"$DIR/big.in\" \"$DIR/big.out\""), 0);
	CHECK_EQ(sh(&fx, "fs list home/alice | grep -qx -- '- copy.bin'"), 0);
	CHECK_EQ(sh(&fx, "fs whoami | grep -q 'ran as uid 0 0 0 60001 gid 0 0 0 60001 groups 60001,60100,60101 "
	                 "CapEff 0000000000000000'"),
	         0);
	CHECK_EQ(sh(&fx, "fs read home/bob/private.txt 2>/dev/null"), 1);
	CHECK_EQ(sh(&fx, "fs read ../pw 2>/dev/null"), 1);
	fx_path(&fx, path, "home/alice/copy.bin");
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_uid, 60001);
	CHECK_EQ(st.st_size, 300000);
	CHECK_EQ(st.st_mode & 0777, 0600);
	still_healthy(&fx);
	finish(&fx);
}

/* ---- Not root ---------------------------------------------------------------------------- */

static uint64_t status_caps(pid_t pid, const char *field)
{
	char path[64], line[256];
	unsigned long long v = ~0ull;
	size_t n = strlen(field);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n))
			sscanf(line + n, ": %llx", &v);
	if (f)
		fclose(f);
	return v;
}

/* SPEC T11 for a daemon that is not root: systemd's User= with
 * AmbientCapabilities=CAP_SETUID CAP_SETGID.  The service user cannot open
 * alice's files itself; serving alice, it can, and nothing else. */
TEST(non_root_daemon_with_only_setuid_setgid)
{
	struct fsd_fixture fx;
	struct fx_client c;
	struct impfs_ids ids;
	struct kstatus k;
	char path[PATH_MAX], data[64];
	const uint64_t two = 1u << 6 | 1u << 7; /* CAP_SETGID, CAP_SETUID */
	fx_setup(&fx, NULL, false);
	fx_start(&fx, THREADS, NULL, FX_SVC_UID);
	snprintf(path, sizeof(path), "/proc/%d/status", fx.pid);
	CHECK_EQ(kstatus_read(path, &k), 0);
	CHECK_EQ(k.uid[0], FX_SVC_UID);
	CHECK_EQ(k.uid[1], FX_SVC_UID);
	CHECK_EQ(k.uid[3], FX_SVC_UID);
	CHECK_EQ(k.cap_eff, two);
	CHECK_EQ(k.cap_prm, two);
	CHECK_EQ(status_caps(fx.pid, "CapAmb"), two);

	fxc_connect(&fx, &c);
	fxc_login(&c, "alice");
	CHECK_EQ(fxc_read(&c, "home/alice/private.txt", data, sizeof(data), NULL), 0);
	CHECK_STREQ(data, "private of alice\n");
	CHECK_EQ(fxc_read(&c, "home/bob/private.txt", NULL, 0, NULL), EACCES);
	CHECK_EQ(fxc_write(&c, "home/alice/from-svc.txt", "hi\n", NULL), 0);
	CHECK_EQ(fxc_whoami(&c, &ids, NULL), 0);
	CHECK_EQ(ids.uid[0], FX_SVC_UID);
	CHECK_EQ(ids.uid[3], 60001);
	CHECK_EQ(ids.cap_eff, 0); /* T11: not even CAP_SETUID while serving alice */
	fxc_close(&c);

	struct stat st;
	fx_path(&fx, path, "home/alice/from-svc.txt");
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_uid, 60001);
	CHECK_EQ(fx_check_threads(&fx), THREADS); /* back to uid 60050 with both capabilities */
	CHECK_EQ(fx_stop(&fx), 0);
	fx_cleanup(&fx);
}

int main(int argc, char **argv)
{
	return fx_main(argc, argv);
}

/* The flaky large_files_in_chunks (issue 11): pool threads named themselves
 * once they first ran, which on a busy machine could be after a test looked.
 * They are named before the daemon listens; with many threads started at
 * once, some have certainly not run yet when the socket appears. */
TEST(every_worker_is_named_when_the_socket_appears)
{
	struct fsd_fixture fx;
	for (int i = 0; i < 10; i++) {
		fx_setup(&fx, NULL, false);
		fx_start(&fx, 256, NULL, 0);
		CHECK_EQ(fx_check_threads(&fx), 256);
		CHECK_EQ(fx_stop(&fx), 0);
		fx_cleanup(&fx);
	}
}
