/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate-fsd: a file service over a Unix socket that serves each client
 * as that client.
 *
 *   main.c     options, the listening socket, signals, the accept loop
 *   session.c  one thread per connection: PAM (the conversation is relayed
 *              over the socket), then reading requests and writing results
 *   pool.c     a fixed pool of threads; each request runs in a call frame
 *              for its client on whichever thread takes it (SPEC F1-F5)
 *   ops.c      the file operations done as the client: syscalls only,
 *              no allocation, no logging, no NSS (SPEC T13)
 *   ring.c     the connection's io_uring with the client's personality:
 *              READ, WRITE, LIST as the client with no switch (SPEC U1)
 */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "impersonate.h"
#include "proto.h"

/* Which PAM calls run one connection at a time (--pam-lock). */
enum fsd_pam_lock {
	FSD_PAM_LOCK_AUTO,  /* STEPS when nss_wrapper is loaded, else NONE */
	FSD_PAM_LOCK_NONE,  /* modules and NSS are thread-safe (glibc NSS, Linux-PAM's modules) */
	FSD_PAM_LOCK_STEPS, /* account, credentials, session and the end */
	FSD_PAM_LOCK_ALL,   /* every PAM call, authentication too */
};

struct fsd_config {
	const char *socket_path;
	const char *root;
	const char *service;
	const char *pam_confdir; /* NULL: the system's /etc/pam.d */
	unsigned threads;
	unsigned max_clients;
	unsigned max_per_uid;   /* connections at once from one peer uid (SO_PEERCRED) */
	unsigned timeout;       /* seconds a connection may wait between frames */
	unsigned frame_timeout; /* seconds for a whole frame, either way, once begun */
	unsigned login_timeout; /* seconds from connecting to AUTH_OK */
	unsigned fail_delay;    /* ms: a peer uid's next login waits this after a failed one, */
	unsigned fail_delay_max; /* doubling per failure up to this; forgotten after it */
	enum fsd_pam_lock pam_lock;
	mode_t socket_mode;
	bool verbose;
};

/* ---- The pool ---------------------------------------------------------------- */

/*
 * One request on its way through the pool.  It lives in the connection that
 * made it, which waits in pool_run() until a worker finished it; the worker
 * touches nothing else of the connection.
 */
struct job {
	/* in */
	imp_token *token;
	const struct impfs_request *req;
	int rootfd;
	struct fsd_ring *ring; /* the connection's ring, or NULL: the pool's switch */
	uint8_t *buf; /* READ data, LIST raw dirents, WHOAMI status text */
	size_t cap;
	/* out */
	int imp_err;   /* impersonation refused: -errno (nothing was done) */
	int err;       /* the file operation: 0 or the errno the kernel gave */
	int revert;    /* imp_revert(): 0 or -EUCLEAN (found tampered, restored) */
	size_t len;    /* bytes in buf */
	uint64_t value;
	bool more;
	unsigned worker;
	/* pool bookkeeping */
	bool done;
	pthread_cond_t done_cond;
	struct job *next;
};

struct pool;

/* Start @n worker threads (named fsd-worker-<i>).  Returns 0 or -errno. */
int pool_start(unsigned n, struct pool **ret);
/* Serve @j: through @j->ring on the calling thread when it has one (READ,
 * WRITE, LIST), else queue it and wait until a worker finished it. */
void pool_run(struct pool *p, struct job *j);
/* Requests served by worker @i so far. */
unsigned long pool_served(struct pool *p, unsigned i);
/* Stop and join every worker once the queue is empty. */
void pool_stop(struct pool *p);

/* ---- Operations (inside the impersonation window) ----------------------------- */

/* Run @j->req against @j->rootfd as whoever the calling thread is now, or
 * with @ring's personality (NULL: plain syscalls); fills err, len, value,
 * more.  Syscalls only. */
void ops_run(struct job *j, struct fsd_ring *ring);

/* Check once at start-up that openat2(RESOLVE_BENEATH) works here. */
int ops_check_openat2(int rootfd);

/* ---- io_uring (ring.c) ------------------------------------------------------- */

struct fsd_ring;
struct open_how;

/* Once at start-up: can this process use io_uring with the opcodes and the
 * personalities we need?  0, or -errno (then ring_open() always fails and
 * every request goes through the pool's switch, SPEC U3). */
int ring_probe(void);
/* A ring for one connection with @tok registered as its personality.
 * Returns 0 or -errno (the connection then uses the pool). */
int ring_open(imp_token *tok, struct fsd_ring **ret);
void ring_close(struct fsd_ring *r);
/* The operations, as the client; results as the kernel gave them (-errno). */
int ring_openat2(struct fsd_ring *r, int dirfd, const char *path, struct open_how *how);
ssize_t ring_pread_close(struct fsd_ring *r, int fd, void *buf, size_t len, uint64_t off);
ssize_t ring_write(struct fsd_ring *r, int fd, const void *buf, size_t len);
int ring_close_fd(struct fsd_ring *r, int fd);

/* ---- Sessions ------------------------------------------------------------------- */

struct fsd {
	struct fsd_config cfg;
	int rootfd;
	struct pool *pool;
	pthread_mutex_t lock;
	pthread_cond_t idle; /* signalled when nconn drops to 0 */
	struct conn *conns;
	struct peer *peers; /* per peer uid: connections, failed logins */
	unsigned nconn, peak;
	bool stopping;
	unsigned long next_id;
	atomic_ulong sessions, auth_failures, requests, refused, per_uid_refused, timeouts;
};

/* Take over @fd (an accepted connection) on a new thread.  Returns 0, or
 * -EBUSY when max_clients connections are open, -EUSERS when max_per_uid
 * are open from the same peer uid (the caller tells the client and closes
 * @fd), or -errno. */
int session_spawn(struct fsd *d, int fd);

/* FSD_PAM_LOCK_AUTO made concrete for this process. */
enum fsd_pam_lock session_pam_lock(enum fsd_pam_lock wanted);

/* Wake every connection thread (shutdown(2) on its socket) and wait up to
 * @seconds for them to end their PAM sessions.  Returns how many are left. */
unsigned session_stop_all(struct fsd *d, unsigned seconds);

__attribute__((format(printf, 1, 2))) void fsd_log(const char *fmt, ...);
