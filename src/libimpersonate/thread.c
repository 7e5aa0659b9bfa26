/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-thread state: a bounded stack of frames, each with the credentials
 * saved at its first impersonation and the token it impersonates.
 *
 * Frame 0 is the thread's base frame (imp_impersonate() outside any call);
 * imp_call_begin() pushes one frame per incoming call (SPEC F1-F5).  Only
 * the innermost frame can be impersonating on the kernel side: beginning an
 * inner call suspends the outer impersonation, ending it re-applies it.
 *
 * The state is allocated on a thread's first use and freed by a pthread key
 * destructor when the thread exits (X1).  Buffers grow before a switch starts,
 * never inside the impersonation window (T13).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/capability.h>

#include "creds.h"
#include "own.h"
#include "internal.h"

#define INLINE_GROUPS 32
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct frame {
	imp_call *call;        /* NULL for the base frame */
	imp_token *token;      /* impersonated token; NULL when not impersonating */
	struct imp_creds own;  /* saved at the frame's first impersonation (T2) */
	gid_t *own_groups;     /* storage behind own.groups */
	size_t own_cap;
	int pdeathsig;         /* cleared by the kernel on every switch */
	bool tampered;         /* found changed behind our back (T9) */
	gid_t own_inline[INLINE_GROUPS];
};

#define CALL_POOL 4

struct imp_thread {
	unsigned depth;        /* innermost frame; 0 = base */
	bool inherited;        /* created by an impersonating thread (X1) */
	gid_t *scratch;        /* read-back buffer */
	size_t scratch_cap;
	unsigned npool;        /* call objects kept for reuse: no allocation per call */
	imp_call *pool[CALL_POOL];
	struct frame frames[IMP_MAX_CALL_DEPTH + 1];
	gid_t scratch_inline[64];
};

static __thread struct imp_thread *tls;
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

/* Process-wide: threads impersonating now, and the dumpable flag the process
 * had before the first of them started (X3). */
static atomic_int active_threads;
static atomic_int saved_dumpable = -1;

/* ---- Buffers ------------------------------------------------------------- */

static int grow(gid_t **buf, size_t *cap, const gid_t *inline_buf, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = need > *cap * 2 ? need : *cap * 2;
	gid_t *b = *buf == inline_buf ? malloc(n * sizeof(gid_t)) : realloc(*buf, n * sizeof(gid_t));
	if (!b)
		return -ENOMEM;
	*buf = b;
	*cap = n;
	return 0;
}

static void release(gid_t *buf, const gid_t *inline_buf)
{
	if (buf != inline_buf)
		free(buf);
}

/* ---- Dumpable and pdeath signal (X3) ------------------------------------- */

/* Only the thread that takes the count from 0 reads the flag, and no other
 * thread may start switching (which resets it) until that read is done: the
 * count is parked at ACTIVE_READING meanwhile and the others wait the one
 * prctl() out.  No lock: an impersonation while others are active, or a
 * round trip on an otherwise idle process, never waits. */
#define ACTIVE_READING (-1)

static void active_inc(void)
{
	int n = atomic_load(&active_threads);
	for (;;) {
		if (n == ACTIVE_READING) {
			sched_yield();
			n = atomic_load(&active_threads);
		} else if (n > 0) {
			if (atomic_compare_exchange_weak(&active_threads, &n, n + 1))
				return;
		} else if (atomic_compare_exchange_weak(&active_threads, &n, ACTIVE_READING)) {
			atomic_store(&saved_dumpable, prctl(PR_GET_DUMPABLE));
			atomic_store(&active_threads, 1);
			return;
		}
	}
}

static void active_dec(void)
{
	atomic_fetch_sub(&active_threads, 1);
}

/* Every change of fsuid/euid resets the process's dumpable flag and the
 * thread's parent-death signal; put both back after a return to own. */
static void frame_after_restore(const struct frame *f)
{
	int d = atomic_load(&saved_dumpable);
	if (d == 0 || d == 1)
		prctl(PR_SET_DUMPABLE, d);
	if (f->pdeathsig)
		prctl(PR_SET_PDEATHSIG, f->pdeathsig);
}

/* ---- Thread state -------------------------------------------------------- */

static void frame_drop(struct frame *f)
{
	if (f->token) {
		imp_token_unref(f->token);
		f->token = NULL;
		active_dec();
	}
	if (f->call) {
		atomic_store(&f->call->complete, true);
		imp_call_unref(f->call);
		f->call = NULL;
	}
	f->tampered = false;
}

/* Key destructor: a thread exiting while impersonating leaks nothing (X1).
 * Its kernel credentials die with it. */
static void thread_free(void *p)
{
	struct imp_thread *t = p;
	tls = NULL; /* call objects freed from here on go back to malloc */
	for (unsigned d = 0; d <= t->depth; d++) {
		struct frame *f = &t->frames[d];
		if (f->token && d == t->depth)
			frame_after_restore(f);
		frame_drop(f);
		release(f->own_groups, f->own_inline);
	}
	while (t->npool > 0)
		free(t->pool[--t->npool]);
	release(t->scratch, t->scratch_inline);
	free(t);
}

static void atfork_child(void);

static void tls_init(void)
{
	if (pthread_key_create(&tls_key, thread_free) == 0)
		pthread_atfork(NULL, NULL, atfork_child);
	else
		imp_panic("impersonate: cannot create the thread key");
}

/* Read the thread's credentials with every group, growing @buf as needed. */
static int read_all(struct imp_creds *c, gid_t **buf, size_t *cap, const gid_t *inline_buf)
{
	for (;;) {
		int r = creds_read(c, *buf, *cap);
		if (r < 0 || c->ngroups != SIZE_MAX)
			return r;
		long n = creds_count_groups();
		if (n < 0)
			return (int)n;
		r = grow(buf, cap, inline_buf, (size_t)n + 1);
		if (r < 0)
			return r;
	}
}

/* X1: a thread created while its creator impersonated starts with the
 * client's kernel credentials; it must not take them for its own. */
static int looks_inherited(struct imp_thread *t, bool *inherited)
{
	struct imp_creds c;
	int r = read_all(&c, &t->scratch, &t->scratch_cap, t->scratch_inline);
	if (r == 0)
		*inherited = own_suspect(&c);
	return r;
}

static int thread_get(struct imp_thread **ret)
{
	if (tls) {
		*ret = tls;
		return 0;
	}
	pthread_once(&tls_once, tls_init);
	struct imp_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->scratch = t->scratch_inline;
	t->scratch_cap = ARRAY_SIZE(t->scratch_inline);
	for (size_t i = 0; i < ARRAY_SIZE(t->frames); i++) {
		t->frames[i].own_groups = t->frames[i].own_inline;
		t->frames[i].own_cap = INLINE_GROUPS;
	}
	int r = looks_inherited(t, &t->inherited);
	if (r == 0 && pthread_setspecific(tls_key, t) != 0)
		r = -ENOMEM;
	if (r < 0) {
		release(t->scratch, t->scratch_inline);
		free(t);
		return r;
	}
	*ret = tls = t;
	return 0;
}

static struct frame *current_frame(struct imp_thread *t)
{
	return &t->frames[t->depth];
}

/* ---- Switching ------------------------------------------------------------ */

/* Snapshot the thread's credentials as the frame's own (T2).  The fs ids
 * are learned by the first move (setfs*id returns them). */
static int frame_capture(struct frame *f)
{
	for (;;) {
		int r = creds_capture(&f->own, f->own_groups, f->own_cap);
		if (r < 0)
			return r;
		if (f->own.ngroups != SIZE_MAX)
			break;
		long n = creds_count_groups();
		if (n < 0)
			return (int)n;
		if ((r = grow(&f->own_groups, &f->own_cap, f->own_inline, (size_t)n + 1)) < 0)
			return r;
	}
	if (f->own.ngroups == SIZE_MAX)
		return -EIO;
	f->pdeathsig = 0;
	prctl(PR_GET_PDEATHSIG, &f->pdeathsig);
	return 0;
}

/* The credentials of @own impersonating @tok (T10, T11). */
static void creds_for(const struct imp_creds *own, const imp_token *tok, struct imp_creds *want)
{
	*want = *own;
	if ((tok->flags & IMP_MODE_MASK) == IMP_MODE_FULL) {
		want->uid[ID_EFF] = tok->uid;
		want->gid[ID_EFF] = tok->gid;
	}
	want->uid[ID_FS] = tok->uid;
	want->gid[ID_FS] = tok->gid;
	want->groups = tok->groups;
	want->ngroups = tok->ngroups;
	want->caps.eff = own->caps.prm & tok->kept_caps;
}

static int token_usable(const imp_token *tok)
{
	if (!token_valid(tok))
		return -EINVAL;
	if (tok->flags & IMP_LEVEL_IDENTIFY)
		return -EACCES; /* K3 */
	if (token_revoked(tok))
		return -EKEYREVOKED; /* K4 */
	if (!support_per_thread())
		return -ENOTSUP; /* X4 */
	return 0;
}

/* CAP_SETUID/CAP_SETGID effective, and @kept within the permitted set. */
static int privilege_ok(const struct imp_creds *own, uint64_t kept)
{
	const uint64_t setid = CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID);
	if ((own->caps.eff & setid) != setid || (kept & ~own->caps.prm))
		return -EPERM;
	return 0;
}

/* Room in the read-back buffer for @n groups, before any change (T13). */
static int scratch_fit(struct imp_thread *t, size_t n)
{
	return grow(&t->scratch, &t->scratch_cap, t->scratch_inline, n + 1);
}

/* A move between two states, and where to go if it fails. */
struct move {
	const struct imp_creds *from, *to, *fallback;
	bool to_own, fallback_own;
	bool read_ids; /* see ids_may_hide() */
};

/*
 * Can the real/effective/saved ids of @f's impersonation change without the
 * fs ids showing it?  Every set*id() call resets the fs id to the new
 * effective one, so a change shows at revert (the fs id is what setfs*id
 * returns there, or in full mode what it reads before the effective id is
 * set back) -- unless the new effective id is the token's own: with
 * CAP_SETUID/CAP_SETGID kept, or a token whose id is one of the thread's
 * own ids.  (A change that leaves the effective id alone -- real and saved
 * set to the token's id -- makes every id nonzero, which empties the
 * permitted set: revert then cannot succeed and panics, T8.)
 */
static bool ids_may_hide(const struct frame *f)
{
	const imp_token *tok = f->token;
	const uint64_t setid = CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETGID);
	if (!tok || (tok->kept_caps & setid))
		return true;
	for (int i = 0; i < ID_FS; i++)
		if (f->own.uid[i] == tok->uid || f->own.gid[i] == tok->gid)
			return true;
	return false;
}

/*
 * Move the thread from @from, the state the library last verified, to @to
 * (@to_own: the frame's own identity, left in the order of T12), checking on
 * the way that nothing changed @from behind our back (T9, into *@tampered).
 * If the move fails the thread is brought to @fallback -- @from, the state
 * the call found (T6), or for a revert @to itself, retried -- and the error
 * returned (0 when @fallback is @to).  Only when not even that can be reached
 * and verified does the panic handler run (T8).  @priv: the own capabilities
 * that allow the changes.
 */
static int frame_move(struct imp_thread *t, const struct sys_caps *priv, const struct move *m, bool *tampered,
                      const char *panic_message)
{
	struct imp_creds cur;
	bool groups_differ, found = false;
	int r = creds_glance(&cur, m->from, m->read_ids, &groups_differ, t->scratch, t->scratch_cap);
	if (r == 0) {
		r = creds_move(&cur, m->to, priv, m->to_own, t->scratch, t->scratch_cap);
		found = groups_differ || creds_differ(&cur, m->from);
		*tampered |= found;
	}
	/* Ids not read were taken as expected: after tampering, read them. */
	if (r == 0 && found && !m->read_ids)
		r = creds_recover(m->to, priv, m->to_own, t->scratch, t->scratch_cap);
	if (r == 0)
		return 0;
	if (creds_recover(m->fallback, priv, m->fallback_own, t->scratch, t->scratch_cap) < 0)
		imp_panic(panic_message);
	return m->fallback == m->to ? 0 : r;
}

/* Back to the frame's own credentials from its impersonation (T4); the
 * token stays for the caller to drop.  Returns 0, or -errno with the
 * thread still impersonating (@may_fail) -- else the panic handler. */
static int frame_leave(struct imp_thread *t, struct frame *f, bool may_fail)
{
	struct imp_creds was;
	creds_for(&f->own, f->token, &was);
	struct move m = {&was, &f->own, may_fail ? &was : &f->own, true, !may_fail, ids_may_hide(f)};
	int r = frame_move(t, &f->own.caps, &m, &f->tampered,
	                   "impersonate: cannot restore the thread's own credentials");
	if (r == 0)
		frame_after_restore(f);
	return r;
}

/* The first impersonation of a frame: capture own (T2), move, and on any
 * failure back to own, verified (T6). */
static int frame_enter(struct imp_thread *t, struct frame *f, imp_token *tok)
{
	int r = frame_capture(f);
	if (r == 0)
		r = privilege_ok(&f->own, tok->kept_caps);
	if (r == 0)
		r = scratch_fit(t, tok->ngroups > f->own.ngroups ? tok->ngroups : f->own.ngroups);
	if (r < 0)
		return r;

	struct imp_creds want;
	creds_for(&f->own, tok, &want);
	active_inc();
	r = creds_move(&f->own, &want, &f->own.caps, false, t->scratch, t->scratch_cap);
	if (r < 0) {
		/* fs ids the move did not learn were never changed */
		if (creds_recover(&f->own, &f->own.caps, true, t->scratch, t->scratch_cap) < 0)
			imp_panic("impersonate: cannot restore the thread's own credentials");
		frame_after_restore(f);
		active_dec();
		return r;
	}
	own_note(&f->own);
	f->token = imp_token_ref(tok);
	return 0;
}

/* T3: straight from one impersonation to the next; the saved credentials
 * stay those of T2.  On failure the previous impersonation is back (T6). */
static int frame_replace(struct imp_thread *t, struct frame *f, imp_token *tok)
{
	int r = privilege_ok(&f->own, tok->kept_caps);
	if (r == 0)
		r = scratch_fit(t, tok->ngroups > f->token->ngroups ? tok->ngroups : f->token->ngroups);
	if (r < 0)
		return r;
	struct imp_creds was, want;
	creds_for(&f->own, f->token, &was);
	creds_for(&f->own, tok, &want);
	struct move m = {&was, &want, &was, false, false, ids_may_hide(f)};
	r = frame_move(t, &f->own.caps, &m, &f->tampered, "impersonate: cannot return to the previous impersonation");
	if (r < 0)
		return r;
	imp_token_unref(f->token);
	f->token = imp_token_ref(tok);
	return 0;
}

static int frame_impersonate(struct imp_thread *t, struct frame *f, imp_token *tok)
{
	return f->token ? frame_replace(t, f, tok) : frame_enter(t, f, tok);
}

static int frame_revert(struct imp_thread *t, struct frame *f)
{
	(void)frame_leave(t, f, false);
	imp_token_unref(f->token);
	f->token = NULL;
	active_dec();
	bool tampered = f->tampered;
	f->tampered = false;
	return tampered ? -EUCLEAN : 0;
}

/* ---- Public: the calling thread ------------------------------------------ */

/* The checks every switch to a token starts with: the token may be used,
 * the thread has its state and did not inherit an impersonation (X1). */
static int switch_begin(const imp_token *tok, struct imp_thread **ret)
{
	int r = token_usable(tok);
	if (r == 0)
		r = thread_get(ret);
	if (r == 0 && (*ret)->inherited)
		r = -EBUSY;
	return r;
}

IMP_PUBLIC int imp_impersonate(imp_token *tok)
{
	struct imp_thread *t;
	int r = switch_begin(tok, &t);
	return r < 0 ? r : frame_impersonate(t, current_frame(t), tok);
}

IMP_PUBLIC int imp_revert(void)
{
	struct imp_thread *t;
	int r = thread_get(&t);
	if (r < 0)
		return r;
	if (t->inherited)
		return -EBUSY;
	struct frame *f = current_frame(t);
	return f->token ? frame_revert(t, f) : 0; /* T5 */
}

IMP_PUBLIC int imp_is_impersonating(void)
{
	struct imp_thread *t;
	int r = thread_get(&t);
	if (r < 0)
		return r;
	return t->inherited || current_frame(t)->token != NULL;
}

int thread_view(bool *impersonating, bool *inherited)
{
	struct imp_thread *t;
	int r = thread_get(&t);
	if (r == 0) {
		*impersonating = current_frame(t)->token != NULL;
		*inherited = t->inherited;
	}
	return r;
}

IMP_PUBLIC int imp_current_token(imp_token **ret)
{
	struct imp_thread *t;
	int r = thread_get(&t);
	if (r < 0)
		return r;
	struct frame *f = current_frame(t);
	if (!f->token)
		return -ENOENT;
	*ret = imp_token_ref(f->token);
	return 0;
}

/* ---- Public: call frames -------------------------------------------------- */

/* A call object from the thread's pool (T13: no allocation per call). */
static imp_call *call_new(struct imp_thread *t)
{
	if (t->npool > 0)
		return t->pool[--t->npool];
	return malloc(sizeof(imp_call));
}

static void call_free(imp_call *call)
{
	struct imp_thread *t = tls;
	call->magic = IMP_DEAD_MAGIC;
	if (t && t->npool < CALL_POOL)
		t->pool[t->npool++] = call;
	else
		free(call);
}

IMP_PUBLIC int imp_call_begin(imp_token *client, imp_call **ret)
{
	struct imp_thread *t;
	if (!token_valid(client))
		return -EINVAL;
	int r = thread_get(&t);
	if (r < 0)
		return r;
	if (t->inherited)
		return -EBUSY;
	if (t->depth >= IMP_MAX_CALL_DEPTH)
		return -EOVERFLOW; /* F5 */

	imp_call *call = call_new(t);
	if (!call)
		return -ENOMEM;
	struct frame *outer = current_frame(t);
	if (outer->token && (r = frame_leave(t, outer, true)) < 0) {
		call_free(call); /* F3: the inner call starts as ourselves; T6 */
		return r;
	}
	call->magic = IMP_CALL_MAGIC;
	atomic_init(&call->refs, 2); /* the caller's and the frame's */
	atomic_init(&call->complete, false);
	call->client = imp_token_ref(client);
	call->owner = t;
	call->depth = t->depth + 1;
	t->depth++;
	current_frame(t)->call = call;
	*ret = call;
	return 0;
}

IMP_PUBLIC int imp_call_impersonate(imp_call *call)
{
	if (!call_valid(call))
		return -EINVAL;
	if (atomic_load(&call->complete))
		return -ESTALE; /* F4 */
	return imp_impersonate(call->client);
}

/* F2 F3: from the inner frame's state straight to the outer one's; on
 * failure the inner call stays as it was, active, and the error is returned
 * (T6).  The inner frame's own identity is the outer frame's. */
static int call_unwind(struct imp_thread *t, struct frame *f, struct frame *outer)
{
	if (!f->token && !outer->token)
		return 0;
	struct imp_creds from, to;
	if (f->token)
		creds_for(&f->own, f->token, &from);
	else
		from = outer->own; /* begun as ourselves (F1), never impersonated */
	if (outer->token)
		creds_for(&outer->own, outer->token, &to);
	else
		to = f->own;
	/* From our own identity (which may change anything) read every id, and
	 * report tampering only of the inner impersonation. */
	struct move m = {&from, &to, &from, !outer->token, !f->token, !f->token || ids_may_hide(f)};
	bool own_changed = false;
	int r = scratch_fit(t, from.ngroups > to.ngroups ? from.ngroups : to.ngroups);
	if (r == 0)
		r = frame_move(t, f->token ? &f->own.caps : &outer->own.caps, &m,
		               f->token ? &f->tampered : &own_changed,
		               "impersonate: cannot restore the inner call's state");
	if (r == 0 && !outer->token)
		frame_after_restore(f);
	return r;
}

IMP_PUBLIC int imp_call_end(imp_call *call)
{
	if (!call_valid(call))
		return -EINVAL;
	if (atomic_load(&call->complete))
		return -ESTALE;
	struct imp_thread *t = tls;
	if (!t || call->owner != t)
		return -EXDEV;
	if (t->depth != call->depth || current_frame(t)->call != call)
		return -EBUSY; /* F5: inner calls still active */

	struct frame *f = current_frame(t), *outer = &t->frames[t->depth - 1];
	int r = call_unwind(t, f, outer);
	if (r < 0)
		return r;
	bool tampered = f->tampered;
	frame_drop(f);
	t->depth--;
	return tampered ? -EUCLEAN : 0;
}

IMP_PUBLIC int imp_call_current(imp_call **ret)
{
	struct imp_thread *t = tls;
	if (!t || !current_frame(t)->call)
		return -ENOENT;
	*ret = imp_call_ref(current_frame(t)->call);
	return 0;
}

IMP_PUBLIC imp_call *imp_call_ref(imp_call *call)
{
	if (call_valid(call))
		atomic_fetch_add_explicit(&call->refs, 1, memory_order_relaxed);
	return call;
}

IMP_PUBLIC void imp_call_unref(imp_call *call)
{
	if (!call_valid(call))
		return;
	if (atomic_fetch_sub_explicit(&call->refs, 1, memory_order_acq_rel) == 1) {
		imp_token_unref(call->client);
		call_free(call);
	}
}

IMP_PUBLIC imp_token *imp_call_token(const imp_call *call)
{
	return call_valid(call) ? call->client : NULL;
}

IMP_PUBLIC bool imp_call_is_complete(const imp_call *call)
{
	return !call_valid(call) || atomic_load(&call->complete);
}

/* ---- fork (X2) ------------------------------------------------------------ */

/*
 * A thread that inherited an impersonation has no saved credentials of its
 * own: give the child the process's own ones, as last saved by any thread.
 * If they are not known the child cannot be made safe: panic (in the child).
 * Allocating here is fine: glibc's malloc is usable in a fork child.
 */
static void restore_process_own(struct imp_thread *t, struct frame *f)
{
	if (grow(&f->own_groups, &f->own_cap, f->own_inline, OWN_MAX_GROUPS) < 0 ||
	    grow(&t->scratch, &t->scratch_cap, t->scratch_inline, OWN_MAX_GROUPS + 1) < 0 ||
	    own_load(&f->own, f->own_groups) < 0)
		imp_panic("impersonate: fork child of an inherited thread: the process's own credentials are unknown");
	if (creds_recover(&f->own, &f->own.caps, true, t->scratch, t->scratch_cap) < 0)
		imp_panic("impersonate: cannot restore the thread's own credentials");
	frame_after_restore(f);
	t->inherited = false;
}

/*
 * In the child of fork(): the child runs as the process's own identity
 * (Windows: CreateProcess uses the primary token).  Restore the saved
 * credentials of the forking thread and forget its frames; the calls it had
 * begun are complete in the child.
 */
static void atfork_child(void)
{
	struct imp_thread *t = tls;

	atomic_store(&active_threads, 0); /* a parent thread may have been reading */
	if (!t)
		return;
	struct frame *f = current_frame(t);
	f->pdeathsig = 0; /* fork() cleared it in the child: keep it cleared */
	if (t->inherited)
		restore_process_own(t, f);
	else if (f->token)
		(void)frame_leave(t, f, false);
	for (unsigned d = 0; d <= t->depth; d++)
		frame_drop(&t->frames[d]);
	atomic_store(&active_threads, 0);
	t->depth = 0;
}

/* ---- A child as the client (X2) ------------------------------------------- */

/*
 * Groups and gids first, verified, and back to own on any failure: nothing
 * changed.  Then setresuid() to the client in every slot, which takes the
 * capabilities needed to come back (the point of no return); from there the
 * rest (capabilities cleared, everything verified) is retried and, if it
 * cannot be completed, the panic handler runs.
 */
IMP_PUBLIC int imp_become_client(const imp_token *tok)
{
	struct imp_thread *t;
	int r = switch_begin(tok, &t);
	if (r < 0)
		return r;
	struct frame *f = current_frame(t);
	if (f->token)
		return -EBUSY;
	r = frame_capture(f);
	if (r == 0)
		r = privilege_ok(&f->own, 0); /* kept caps are dropped too */
	if (r == 0)
		r = scratch_fit(t, tok->ngroups > f->own.ngroups ? tok->ngroups : f->own.ngroups);
	if (r < 0)
		return r;

	struct imp_creds half = f->own, want;
	for (int i = 0; i < ID_SLOTS; i++)
		half.gid[i] = tok->gid;
	half.groups = tok->groups;
	half.ngroups = tok->ngroups;
	want = half;
	for (int i = 0; i < ID_SLOTS; i++)
		want.uid[i] = tok->uid;
	want.caps = (struct sys_caps){0, 0, 0};

	active_inc();
	r = creds_move(&f->own, &half, &f->own.caps, false, t->scratch, t->scratch_cap);
	if (r == 0)
		r = sys_setresuid(tok->uid, tok->uid, tok->uid);
	if (r < 0) {
		if (creds_recover(&f->own, &f->own.caps, true, t->scratch, t->scratch_cap) < 0)
			imp_panic("impersonate: cannot restore the thread's own credentials");
		frame_after_restore(f);
		active_dec();
		return r; /* nothing changed */
	}
	if (creds_recover(&want, &f->own.caps, false, t->scratch, t->scratch_cap) < 0)
		imp_panic("impersonate: cannot complete the switch to the client");
	/* already empty unless @tok is uid 0: the kernel clears it */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	active_dec();
	return 0;
}
