/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One thread per connection.  It runs the PAM transaction for the client,
 * relaying the conversation over the socket (the pool never sees PAM), gets
 * the client's token from pam_impersonate(8), then reads requests, hands each
 * to the pool and writes the result.  Everything that may block on the client
 * or allocate happens here, outside any impersonation.
 *
 * A malformed request gets an ERROR and the connection goes on; a frame that
 * cannot be read (bad length, oversized, truncated, timed out) ends the
 * connection.  Either way no pool thread is involved, and a request only
 * reaches the pool once it is complete, so a client that disconnects
 * mid-request leaves nothing behind.
 *
 * No client can hold a connection for long without authenticating, or hold
 * more than its share: each frame, either way, has a deadline from its first
 * byte (--frame-timeout), the whole login has one from the connection
 * (--login-timeout), the connections of one peer uid (SO_PEERCRED) are
 * limited (--max-per-uid), and a peer uid whose logins fail waits longer
 * before each next one (--fail-delay).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <security/pam_appl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ask.h"
#include "fsd.h"
#include "kstatus.h"

/* What the daemon remembers of one peer uid: its open connections and its
 * failed logins.  In fsd.peers, under fsd.lock; freed once it has no
 * connection and no failure worth remembering. */
struct peer {
	uid_t uid;
	unsigned nconn;
	unsigned failures;  /* failed logins, until fail_delay_max ms pass without one */
	int64_t last_fail;  /* impfs_now_ms() */
	int64_t next_try;   /* the next login from this uid starts no earlier */
	struct peer *next;
};

struct conn {
	struct fsd *d;
	int fd;
	unsigned long id;
	struct ucred peer;
	struct peer *from;
	int64_t login_by; /* deadline of the login; 0 once it is over */
	bool pam_locked;  /* this thread holds pam_lock */
	pam_handle_t *pamh;
	int pam_status;
	bool session_open, cred_set;
	imp_token *token;
	struct fsd_ring *ring; /* NULL: requests go through the pool's switch */
	const char *user; /* the token's name */
	unsigned long requests;
	struct conn *prev, *next;
	struct impfs_request req;
	struct job job;
	uint8_t in[IMPFS_BUF_SIZE];
	uint8_t out[IMPFS_BUF_SIZE];
	_Alignas(16) uint8_t scratch[IMPFS_MAX_DATA]; /* LIST: getdents64 records, 8-byte aligned */
};

/* ---- Replies ------------------------------------------------------------------- */

/* Every frame to the client: it must take all of it within --frame-timeout,
 * however slowly it reads. */
static int conn_send(struct conn *c, const struct impfs_buf *b)
{
	return impfs_send_by(c->fd, b, impfs_now_ms() + (int64_t)c->d->cfg.frame_timeout * 1000);
}

__attribute__((format(printf, 3, 4))) static int send_error(struct conn *c, int err, const char *fmt, ...)
{
	char msg[IMPFS_MAX_TEXT + 1];
	struct impfs_buf b;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	atomic_fetch_add(&c->d->refused, 1);
	if (c->d->cfg.verbose)
		fsd_log("conn %lu: refused: %s", c->id, msg);
	int r = impfs_error_encode(&b, c->out, sizeof(c->out), err, msg);
	return r < 0 ? r : conn_send(c, &b);
}

static int send_auth_fail(struct conn *c, const char *step, int status, const char *msg)
{
	struct impfs_buf b;
	impfs_start(&b, c->out, sizeof(c->out), IMPFS_AUTH_FAIL);
	impfs_put_str(&b, step, IMPFS_MAX_TEXT);
	impfs_put_u32(&b, (uint32_t)status);
	impfs_put_str(&b, msg, IMPFS_MAX_TEXT);
	int r = impfs_finish(&b);
	return r < 0 ? r : conn_send(c, &b);
}

static int send_identity(struct conn *c)
{
	struct impfs_identity id;
	const imp_token *t = c->token;
	size_t n;
	const gid_t *groups = imp_token_groups(t, &n);
	unsigned flags = imp_token_flags(t);

	snprintf(id.user, sizeof(id.user), "%s", imp_token_user_name(t));
	id.uid = imp_token_uid(t);
	id.gid = imp_token_gid(t);
	id.mode = (flags & IMP_MODE_MASK) == IMP_MODE_FULL;
	id.level = (flags & IMP_LEVEL_IDENTIFY) != 0;
	id.ngroups = (uint16_t)(n < IMPFS_MAX_GROUPS ? n : IMPFS_MAX_GROUPS);
	for (size_t i = 0; i < id.ngroups; i++)
		id.groups[i] = groups[i];
	struct impfs_buf b;
	int r = impfs_identity_encode(&b, c->out, sizeof(c->out), &id);
	return r < 0 ? r : conn_send(c, &b);
}

static void timed_out(struct conn *c, const struct impfs_deadline *dl)
{
	const struct fsd_config *cfg = &c->d->cfg;
	atomic_fetch_add(&c->d->timeouts, 1);
	if (c->login_by && impfs_now_ms() >= c->login_by) {
		fsd_log("conn %lu: dropped: login not done within %u seconds (peer uid %u)", c->id, cfg->login_timeout,
		        c->peer.uid);
		send_error(c, ETIMEDOUT, "login not done within %u seconds", cfg->login_timeout);
	} else if (dl->started) {
		fsd_log("conn %lu: dropped: frame not complete within %u seconds (peer uid %u)", c->id,
		        cfg->frame_timeout, c->peer.uid);
		send_error(c, ETIMEDOUT, "no complete frame within %u seconds", cfg->frame_timeout);
	} else {
		send_error(c, ETIMEDOUT, "idle for %u seconds", cfg->timeout);
	}
}

/*
 * The next frame from the client.  Returns 1, or <= 0 when the connection
 * must end: 0 at a clean end between frames; a frame that cannot be read
 * (zero or oversized length, timeout) is answered with ERROR first, since
 * after it the stream cannot be trusted to be at a frame boundary.
 */
static int recv_frame(struct conn *c, struct impfs_frame *f)
{
	const struct fsd_config *cfg = &c->d->cfg;
	struct impfs_deadline dl = {.idle_by = impfs_now_ms() + (int64_t)cfg->timeout * 1000,
	                            .frame_ms = (int64_t)cfg->frame_timeout * 1000,
	                            .end_by = c->login_by};
	int r = impfs_recv_by(c->fd, c->in, f, &dl);
	if (r == -EMSGSIZE)
		send_error(c, EMSGSIZE, "frame longer than %u bytes", IMPFS_MAX_FRAME);
	else if (r == -EBADMSG)
		send_error(c, EBADMSG, "frame of length 0");
	else if (r == -ETIMEDOUT)
		timed_out(c, &dl);
	else if (r < 0)
		fsd_log("conn %lu: dropped: %s", c->id, r == -ECONNRESET ? "truncated frame" : strerror(-r));
	return r;
}

/* ---- PAM ------------------------------------------------------------------------ */

/*
 * PAM modules need not be thread-safe.  glibc's NSS and Linux-PAM's own
 * modules are (pam_modutil_getpwnam and friends), but nss_wrapper, which the
 * tests and the demo use, is not: it returns spurious "no such user" when
 * called from several threads at once, and pam_impersonate resolves the user
 * in the account, setcred and session steps.  --pam-lock says which PAM
 * calls run one connection at a time (auto: those steps when nss_wrapper is
 * loaded, none otherwise).
 *
 * Whatever the choice, the lock is never held while the daemon waits for a
 * client: the conversation gives it up while it sends a prompt and waits for
 * the answer, and takes it again before it returns to the module.  A module
 * that prompts in the account or session step cannot let one client that
 * does not answer stall every other login.
 */
static pthread_mutex_t pam_lock = PTHREAD_MUTEX_INITIALIZER;

static void pam_lock_take(struct conn *c)
{
	pthread_mutex_lock(&pam_lock);
	c->pam_locked = true;
}

static void pam_lock_drop(struct conn *c)
{
	if (c->pam_locked) {
		c->pam_locked = false;
		pthread_mutex_unlock(&pam_lock);
	}
}

/* Does --pam-lock cover the steps after authentication (@steps) or
 * authentication itself? */
static bool pam_lock_for(const struct conn *c, bool steps)
{
	enum fsd_pam_lock m = c->d->cfg.pam_lock;
	return m == FSD_PAM_LOCK_ALL || (steps && m == FSD_PAM_LOCK_STEPS);
}

static bool nss_wrapper_loaded(void)
{
	static const char *const names[] = {"libnss_wrapper.so", "libnss_wrapper.so.0"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *h = dlopen(names[i], RTLD_NOW | RTLD_NOLOAD);
		if (h) {
			dlclose(h);
			return true;
		}
	}
	return false;
}

enum fsd_pam_lock session_pam_lock(enum fsd_pam_lock wanted)
{
	if (wanted != FSD_PAM_LOCK_AUTO)
		return wanted;
	return nss_wrapper_loaded() ? FSD_PAM_LOCK_STEPS : FSD_PAM_LOCK_NONE;
}

/* One PAM message to the client; for a prompt, its ANSWER.  Returns the
 * answer (malloc()ed), "" for no answer, or NULL when the client failed. */
static char *relay_one(const struct pam_message *m, void *data)
{
	struct conn *c = data;
	struct impfs_buf b;
	struct impfs_frame f;
	char text[IMPFS_MAX_TEXT + 1];
	bool prompt = m->msg_style == PAM_PROMPT_ECHO_OFF || m->msg_style == PAM_PROMPT_ECHO_ON;

	if (!prompt && m->msg_style != PAM_ERROR_MSG && m->msg_style != PAM_TEXT_INFO)
		return NULL; /* binary prompts are not relayed */
	snprintf(text, sizeof(text), "%s", m->msg ? m->msg : "");
	impfs_start(&b, c->out, sizeof(c->out), IMPFS_PROMPT);
	impfs_put_u8(&b, (uint8_t)m->msg_style);
	impfs_put_str(&b, text, IMPFS_MAX_TEXT);
	if (impfs_finish(&b) < 0 || conn_send(c, &b) < 0)
		return NULL;
	if (!prompt)
		return strdup("");
	if (recv_frame(c, &f) != 1)
		return NULL;
	if (f.type != IMPFS_ANSWER) {
		send_error(c, EPROTO, "expected an ANSWER to the prompt");
		return NULL;
	}
	struct impfs_cur cur;
	impfs_cur_init(&cur, &f);
	impfs_get_str(&cur, text, sizeof(text));
	char *answer = cur.bad || cur.left ? NULL : strdup(text);
	explicit_bzero(text, sizeof(text));
	return answer;
}

/* The conversation: pam_lock is given up while the client is asked. */
static char *relay_unlocked(const struct pam_message *m, void *data)
{
	struct conn *c = data;
	bool relock = c->pam_locked;
	pam_lock_drop(c);
	char *answer = relay_one(m, data);
	if (relock)
		pam_lock_take(c);
	return answer;
}

static int relay(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	return ask_conversation(n, msg, resp, relay_unlocked, data);
}

/* Account, credentials, session: the steps after authentication.  Returns
 * the failing step's name, or NULL when all passed. */
static const char *token_steps(struct conn *c)
{
	int *s = &c->pam_status;
	if ((*s = pam_acct_mgmt(c->pamh, PAM_DISALLOW_NULL_AUTHTOK)) != PAM_SUCCESS)
		return "account"; /* PAM_NEW_AUTHTOK_REQD too: no password change here */
	if ((*s = pam_setcred(c->pamh, PAM_ESTABLISH_CRED)) != PAM_SUCCESS)
		return "setcred";
	c->cred_set = true;
	if ((*s = pam_open_session(c->pamh, 0)) != PAM_SUCCESS)
		return "open_session";
	c->session_open = true;
	return NULL;
}

/* The PAM steps of pamtester and login.  Returns the failing step's name,
 * or NULL when all passed. */
static const char *pam_steps(struct conn *c)
{
	const char *failed = NULL;
	if (pam_lock_for(c, false))
		pam_lock_take(c);
	if ((c->pam_status = pam_authenticate(c->pamh, PAM_DISALLOW_NULL_AUTHTOK)) != PAM_SUCCESS)
		failed = "authenticate";
	if (!failed && pam_lock_for(c, true) && !c->pam_locked)
		pam_lock_take(c);
	if (!failed)
		failed = token_steps(c);
	pam_lock_drop(c);
	return failed;
}

/* ---- Failed logins ---------------------------------------------------------------- */

/* The wait before the next login of a peer uid with @failures recent
 * failures: --fail-delay, doubling per failure, at most --fail-delay-max. */
static int64_t fail_delay(const struct fsd_config *cfg, unsigned failures)
{
	if (!failures || !cfg->fail_delay)
		return 0;
	int64_t ms = (int64_t)cfg->fail_delay << (failures - 1 < 20 ? failures - 1 : 20);
	return ms < cfg->fail_delay_max ? ms : cfg->fail_delay_max;
}

/* Under fsd.lock: failures older than --fail-delay-max are forgotten, and
 * with them the turns they made. */
static void forget_old_failures(const struct fsd_config *cfg, struct peer *p, int64_t now)
{
	if (p->failures && now - p->last_fail >= (int64_t)cfg->fail_delay_max) {
		p->failures = 0;
		p->next_try = 0;
	}
}

/*
 * Before PAM starts: a peer uid with recent failed logins waits its turn.
 * Each login from it takes the next turn, the current delay apart, so
 * parallel connections guess no faster than one.  The wait ends early if
 * the client goes or the daemon stops.  Returns 0, or -ETIMEDOUT when the
 * turn comes after the login deadline.
 */
static int wait_turn(struct conn *c)
{
	struct fsd *d = c->d;
	int64_t now = impfs_now_ms(), at = now;
	pthread_mutex_lock(&d->lock);
	struct peer *p = c->from;
	forget_old_failures(&d->cfg, p, now);
	if (p->failures) {
		at = p->next_try > now ? p->next_try : now;
		p->next_try = at + fail_delay(&d->cfg, p->failures);
	}
	unsigned failures = p->failures;
	pthread_mutex_unlock(&d->lock);
	if (at == now)
		return 0;
	if (at > c->login_by)
		return -ETIMEDOUT;
	fsd_log("conn %lu: peer uid %u waits %lld ms after %u failed logins", c->id, c->peer.uid,
	        (long long)(at - now), failures);
	struct pollfd pfd = {.fd = c->fd, .events = POLLRDHUP};
	while ((now = impfs_now_ms()) < at)
		if (poll(&pfd, 1, (int)(at - now)) > 0)
			return -ECONNRESET; /* the client left, or session_stop_all() */
	return 0;
}

static void count_failure(struct conn *c)
{
	struct fsd *d = c->d;
	int64_t now = impfs_now_ms();
	pthread_mutex_lock(&d->lock);
	struct peer *p = c->from;
	forget_old_failures(&d->cfg, p, now);
	if (p->failures < 64)
		p->failures++;
	p->last_fail = now;
	int64_t next = now + fail_delay(&d->cfg, p->failures);
	if (p->next_try < next)
		p->next_try = next;
	pthread_mutex_unlock(&d->lock);
}

static int auth_fail(struct conn *c, const char *user, const char *step, const char *why)
{
	atomic_fetch_add(&c->d->auth_failures, 1);
	count_failure(c);
	fsd_log("conn %lu: %s refused at %s: %s (peer uid %u)", c->id, user[0] ? user : "(user asked by PAM)", step,
	        why, c->peer.uid);
	send_auth_fail(c, step, c->pam_status, why);
	return -EACCES;
}

/* AUTH, the PAM transaction, AUTH_OK.  Returns 0 when the client may send
 * requests. */
static int authenticate(struct conn *c)
{
	struct impfs_frame f;
	struct impfs_cur cur;
	char user[IMPFS_MAX_TEXT + 1];
	struct pam_conv conv = {.conv = relay, .appdata_ptr = c};

	int r = recv_frame(c, &f);
	if (r != 1)
		return r < 0 ? r : -ENOTCONN;
	if (f.type != IMPFS_AUTH) {
		send_error(c, EACCES, "authenticate first (AUTH)");
		return -EPROTO;
	}
	impfs_cur_init(&cur, &f);
	impfs_get_str(&cur, user, sizeof(user));
	if (cur.bad || cur.left) {
		send_error(c, EBADMSG, "malformed AUTH");
		return -EBADMSG;
	}
	r = wait_turn(c);
	if (r == -ETIMEDOUT) {
		send_error(c, EAGAIN, "too many failed logins from uid %u: try again later", c->peer.uid);
		return r;
	}
	if (r < 0)
		return r;

	c->pam_status = pam_start_confdir(c->d->cfg.service, user[0] ? user : NULL, &conv,
	                                  c->d->cfg.pam_confdir, &c->pamh);
	if (c->pam_status != PAM_SUCCESS) {
		c->pamh = NULL;
		return auth_fail(c, user, "start", pam_strerror(NULL, c->pam_status));
	}
	const char *step = pam_steps(c);
	if (step)
		return auth_fail(c, user, step, pam_strerror(c->pamh, c->pam_status));
	r = imp_token_from_pam(c->pamh, &c->token);
	if (r < 0) {
		c->pam_status = PAM_SYSTEM_ERR;
		return auth_fail(c, user, "token", "no token for this PAM handle: is pam_impersonate.so in the stack?");
	}
	c->user = imp_token_user_name(c->token);
	c->login_by = 0; /* from now on, only the idle and frame limits */
	atomic_fetch_add(&c->d->sessions, 1);
	fsd_log("conn %lu: %s authenticated (uid %u gid %u), peer pid %d uid %u", c->id, c->user,
	        imp_token_uid(c->token), imp_token_gid(c->token), c->peer.pid, c->peer.uid);
	return send_identity(c);
}

/* SPEC K4: closing the session revokes the token. */
static void end_pam(struct conn *c)
{
	if (!c->pamh)
		return;
	if (pam_lock_for(c, true))
		pam_lock_take(c);
	if (c->session_open)
		c->pam_status = pam_close_session(c->pamh, 0);
	if (c->cred_set)
		pam_setcred(c->pamh, PAM_DELETE_CRED);
	pam_end(c->pamh, c->pam_status);
	pam_lock_drop(c);
	c->pamh = NULL;
}

/* ---- Requests ------------------------------------------------------------------- */

/* The daemon's own checks, before anything reaches the pool.  Returns 0
 * when the request may go on, or the errno to refuse it with. */
static int check_request(const struct impfs_request *r, char *why, size_t cap)
{
	int e = impfs_check_path(r->path, r->type == IMPFS_LIST || r->type == IMPFS_WHOAMI);
	if (e == -EINVAL)
		snprintf(why, cap, "%.200s: not a relative path under the served root", r->path[0] ? r->path : "(empty)");
	else if (e == -EXDEV)
		snprintf(why, cap, "%.200s: \"..\" is not allowed (outside the served root)", r->path);
	else if (r->type == IMPFS_WRITE && ((r->flags & ~IMPFS_WRITE_FLAGS) || (r->mode & ~0777u) ||
	                                    ((r->flags & IMPFS_WRITE_EXCL) && !(r->flags & IMPFS_WRITE_CREATE)))) {
		snprintf(why, cap, "WRITE: bad flags 0x%x or mode 0%o", r->flags, r->mode);
		e = -EINVAL;
	}
	return -e;
}

/* LIST: raw dirents from the worker become (type, name) entries, without
 * "." and "..". */
static void put_entries(struct impfs_buf *b, const uint8_t *raw, size_t len)
{
	for (size_t off = 0; off < len;) {
		const struct dirent64 *d = (const void *)(raw + off); /* getdents64 keeps records aligned */
		off += d->d_reclen;
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		impfs_put_u8(b, d->d_type);
		impfs_put_str(b, d->d_name, 255);
	}
}

static void put_whoami(struct impfs_buf *b, const struct job *j)
{
	struct kstatus k;
	struct impfs_ids ids;

	if (kstatus_parse((const char *)j->buf, &k) == 0) {
		memcpy(ids.uid, k.uid, sizeof(ids.uid));
		memcpy(ids.gid, k.gid, sizeof(ids.gid));
		ids.cap_eff = k.cap_eff;
		ids.ngroups = (uint16_t)(k.ngroups < IMPFS_MAX_GROUPS ? k.ngroups : IMPFS_MAX_GROUPS);
		for (size_t i = 0; i < ids.ngroups; i++)
			ids.groups[i] = k.groups[i];
		impfs_ids_put(b, &ids);
	}
}

static int send_result(struct conn *c, const struct job *j)
{
	struct impfs_result res = {.op = c->req.type, .err = (uint32_t)j->err, .worker = (uint16_t)j->worker,
	                           .more = j->more, .value = j->value};
	struct impfs_buf b;
	impfs_result_start(&b, c->out, sizeof(c->out), &res);
	if (!j->err && c->req.type == IMPFS_READ)
		impfs_put_bytes(&b, j->buf, j->len);
	else if (!j->err && c->req.type == IMPFS_LIST)
		put_entries(&b, j->buf, j->len);
	else if (!j->err && c->req.type == IMPFS_WHOAMI)
		put_whoami(&b, j);
	int r = impfs_finish(&b);
	return r < 0 ? r : conn_send(c, &b);
}

static void log_request(struct conn *c, const struct job *j)
{
	char tmp[8];
	if (j->revert == -EUCLEAN)
		fsd_log("conn %lu: worker %u found its credentials changed while serving %s; restored", c->id,
		        j->worker, c->user);
	if (c->d->cfg.verbose)
		fsd_log("conn %lu: %s %s %s by worker %u: %s", c->id, c->user,
		        impfs_type_name(c->req.type, tmp, sizeof(tmp)), c->req.path, j->worker,
		        j->err ? strerror(j->err) : "ok");
}

/* One request: checked here, run by the pool, answered here.  Returns < 0
 * when the connection must end. */
static int serve_one(struct conn *c, const struct impfs_frame *f)
{
	char tmp[8], why[IMPFS_MAX_TEXT];
	int r = impfs_request_decode(f, &c->req);
	if (r == -EOPNOTSUPP)
		return send_error(c, EOPNOTSUPP, "%s is not a request", impfs_type_name(f->type, tmp, sizeof(tmp)));
	if (r < 0)
		return send_error(c, EBADMSG, "malformed %s request", impfs_type_name(f->type, tmp, sizeof(tmp)));
	int e = check_request(&c->req, why, sizeof(why));
	if (e)
		return send_error(c, e, "%s", why);

	struct job *j = &c->job;
	j->token = c->token;
	j->req = &c->req;
	j->rootfd = c->d->rootfd;
	j->ring = c->ring;
	j->buf = c->scratch;
	j->cap = sizeof(c->scratch);
	pool_run(c->d->pool, j);
	c->requests++;
	atomic_fetch_add(&c->d->requests, 1);
	if (j->imp_err < 0)
		return send_error(c, -j->imp_err, "cannot impersonate %s: %s", c->user, strerror(-j->imp_err));
	log_request(c, j);
	return send_result(c, j);
}

static void serve(struct conn *c)
{
	struct impfs_frame f;
	while (recv_frame(c, &f) == 1)
		if (serve_one(c, &f) < 0)
			return;
}

/* ---- Threads and the connection list ---------------------------------------------- */

/* Under fsd.lock: peer uids with no connection and no failure to remember
 * are dropped, so the list stays as short as the uids active now. */
static void prune_peers(struct fsd *d, int64_t now)
{
	for (struct peer **pp = &d->peers; *pp;) {
		struct peer *p = *pp;
		forget_old_failures(&d->cfg, p, now);
		if (p->nconn == 0 && p->failures == 0) {
			*pp = p->next;
			free(p);
		} else {
			pp = &p->next;
		}
	}
}

/* Under fsd.lock: the entry of @uid, made if need be (NULL: no memory). */
static struct peer *peer_of(struct fsd *d, uid_t uid)
{
	for (struct peer *p = d->peers; p; p = p->next)
		if (p->uid == uid)
			return p;
	struct peer *p = calloc(1, sizeof(*p));
	if (p) {
		p->uid = uid;
		p->next = d->peers;
		d->peers = p;
	}
	return p;
}

static void conn_unlink(struct conn *c)
{
	struct fsd *d = c->d;
	pthread_mutex_lock(&d->lock);
	c->from->nconn--;
	prune_peers(d, impfs_now_ms());
	if (c->prev)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	close(c->fd); /* under the lock: session_stop_all() never sees a reused fd */
	if (--d->nconn == 0)
		pthread_cond_broadcast(&d->idle);
	pthread_mutex_unlock(&d->lock);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	pthread_setname_np(pthread_self(), "fsd-conn");
	if (authenticate(c) == 0) {
		if (ring_open(c->token, &c->ring) < 0)
			c->ring = NULL;
		serve(c);
	}
	end_pam(c); /* revokes the token: its personality goes too (SPEC U2) */
	ring_close(c->ring);
	if (c->token)
		fsd_log("conn %lu: %s closed after %lu requests", c->id, c->user, c->requests);
	imp_token_unref(c->token);
	pthread_cond_destroy(&c->job.done_cond);
	conn_unlink(c);
	free(c);
	return NULL;
}

/* Under fsd.lock: may one more connection from @c's peer uid come in?
 * Returns 0 (and counts it), -EBUSY, -EUSERS or -ENOMEM. */
static int admit(struct fsd *d, struct conn *c)
{
	if (d->stopping || d->nconn >= d->cfg.max_clients)
		return -EBUSY;
	prune_peers(d, impfs_now_ms());
	struct peer *p = peer_of(d, c->peer.uid);
	if (!p)
		return -ENOMEM;
	if (p->nconn >= d->cfg.max_per_uid) {
		atomic_fetch_add(&d->per_uid_refused, 1);
		return -EUSERS;
	}
	p->nconn++;
	c->from = p;
	return 0;
}

int session_spawn(struct fsd *d, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	c->fd = fd;
	/* The kernel's record of who connected (SPEC A3): the limits count it. */
	socklen_t len = sizeof(c->peer);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len) < 0) {
		int e = -errno;
		free(c);
		return e;
	}
	c->login_by = impfs_now_ms() + (int64_t)d->cfg.login_timeout * 1000;
	pthread_cond_init(&c->job.done_cond, NULL);

	pthread_mutex_lock(&d->lock);
	int r = admit(d, c);
	if (r < 0) {
		if (r == -EUSERS && d->cfg.verbose)
			fsd_log("refused a connection: %u open from uid %u", d->cfg.max_per_uid, c->peer.uid);
		pthread_mutex_unlock(&d->lock);
		pthread_cond_destroy(&c->job.done_cond);
		free(c);
		return r;
	}
	c->id = ++d->next_id;
	c->next = d->conns;
	if (d->conns)
		d->conns->prev = c;
	d->conns = c;
	if (++d->nconn > d->peak)
		d->peak = d->nconn;

	pthread_attr_t attr;
	pthread_t th;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&th, &attr, conn_main, c);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		d->conns = c->next;
		if (c->next)
			c->next->prev = NULL;
		d->nconn--;
		c->from->nconn--;
		pthread_mutex_unlock(&d->lock);
		pthread_cond_destroy(&c->job.done_cond);
		free(c);
		return -r;
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

unsigned session_stop_all(struct fsd *d, unsigned seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;

	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	for (struct conn *c = d->conns; c; c = c->next)
		shutdown(c->fd, SHUT_RDWR); /* wakes a thread blocked on the client */
	while (d->nconn > 0 && pthread_cond_timedwait(&d->idle, &d->lock, &until) == 0)
		;
	unsigned left = d->nconn;
	pthread_mutex_unlock(&d->lock);
	return left;
}
