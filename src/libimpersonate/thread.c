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

struct imp_thread {
	unsigned depth;        /* innermost frame; 0 = base */
	bool inherited;        /* created by an impersonating thread (X1) */
	gid_t *scratch;        /* read-back buffer */
	size_t scratch_cap;
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
 * thread can start switching (which resets it) until that read is done: the
 * others either increment an already positive count, or wait here.  The
 * lock is taken before any credential changes, and only on that transition. */
static pthread_mutex_t dumpable_lock = PTHREAD_MUTEX_INITIALIZER;

static void active_inc(void)
{
	int n = atomic_load(&active_threads);
	while (n > 0)
		if (atomic_compare_exchange_weak(&active_threads, &n, n + 1))
			return;
	pthread_mutex_lock(&dumpable_lock);
	if (atomic_load(&active_threads) == 0)
		atomic_store(&saved_dumpable, prctl(PR_GET_DUMPABLE));
	atomic_fetch_add(&active_threads, 1);
	pthread_mutex_unlock(&dumpable_lock);
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
	for (unsigned d = 0; d <= t->depth; d++) {
		struct frame *f = &t->frames[d];
		if (f->token && d == t->depth)
			frame_after_restore(f);
		frame_drop(f);
		release(f->own_groups, f->own_inline);
	}
	release(t->scratch, t->scratch_inline);
	free(t);
	tls = NULL;
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

/* Snapshot the thread's credentials as the frame's own (T2). */
static int frame_capture(struct frame *f)
{
	int r = read_all(&f->own, &f->own_groups, &f->own_cap, f->own_inline);
	if (r < 0)
		return r;
	f->pdeathsig = 0;
	prctl(PR_GET_PDEATHSIG, &f->pdeathsig);
	own_note(&f->own);
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

static void frame_restore(struct imp_thread *t, struct frame *f)
{
	struct imp_creds was;
	creds_for(&f->own, f->token, &was);
	creds_restore(&f->own, &was, &f->tampered, t->scratch, t->scratch_cap);
	frame_after_restore(f);
}

/* Before any credential changes: save own credentials if @capture (T2),
 * check privileges, and size the read-back buffer for both group lists so
 * nothing allocates inside the window (T13). */
static int frame_prepare(struct imp_thread *t, struct frame *f, const imp_token *tok, bool capture,
                         uint64_t kept)
{
	int r = capture ? frame_capture(f) : 0;
	if (r == 0)
		r = privilege_ok(&f->own, kept);
	if (r == 0)
		r = grow(&t->scratch, &t->scratch_cap, t->scratch_inline,
		         (tok->ngroups > f->own.ngroups ? tok->ngroups : f->own.ngroups) + 1);
	return r;
}

static int frame_impersonate(struct imp_thread *t, struct frame *f, imp_token *tok)
{
	bool first = !f->token;
	int r = frame_prepare(t, f, tok, first, tok->kept_caps);
	if (r < 0)
		return r;

	struct imp_creds want;
	creds_for(&f->own, tok, &want);
	if (first) {
		active_inc();
		r = creds_apply(&f->own, &want, t->scratch, t->scratch_cap);
		if (r < 0) {
			frame_after_restore(f);
			active_dec();
			return r;
		}
	} else {
		/* T3: switch to @tok; the saved credentials stay those of T2.
		 * Our own capabilities are needed to switch, so go through own. */
		struct imp_creds was;
		creds_for(&f->own, f->token, &was);
		creds_restore(&f->own, &was, &f->tampered, t->scratch, t->scratch_cap);
		r = creds_apply(&f->own, &want, t->scratch, t->scratch_cap);
		if (r < 0) {
			if (creds_apply(&f->own, &was, t->scratch, t->scratch_cap) < 0)
				imp_panic("impersonate: cannot return to the previous impersonation");
			return r; /* T6: back where the call found the thread */
		}
		imp_token_unref(f->token);
	}
	f->token = imp_token_ref(tok);
	return 0;
}

static int frame_revert(struct imp_thread *t, struct frame *f)
{
	frame_restore(t, f);
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

	imp_call *call = calloc(1, sizeof(*call));
	if (!call)
		return -ENOMEM;
	call->magic = IMP_CALL_MAGIC;
	atomic_init(&call->refs, 2); /* the caller's and the frame's */
	atomic_init(&call->complete, false);
	call->client = imp_token_ref(client);
	call->owner = t;
	call->depth = t->depth + 1;

	struct frame *outer = current_frame(t);
	if (outer->token)
		frame_restore(t, outer); /* F3: the inner call starts as ourselves */
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

	struct frame *f = current_frame(t);
	int r = f->token ? frame_revert(t, f) : 0; /* F2 */
	frame_drop(f);
	t->depth--;

	struct frame *outer = current_frame(t);
	if (outer->token) { /* F3: give the outer call its impersonation back */
		struct imp_creds want;
		creds_for(&outer->own, outer->token, &want);
		if (creds_apply(&outer->own, &want, t->scratch, t->scratch_cap) < 0)
			imp_panic("impersonate: cannot restore the outer call's impersonation");
	}
	return r;
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
		call->magic = IMP_DEAD_MAGIC;
		free(call);
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
	creds_restore(&f->own, NULL, NULL, t->scratch, t->scratch_cap);
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

	pthread_mutex_init(&dumpable_lock, NULL); /* its owner may not exist here */
	atomic_store(&active_threads, 0);
	if (!t)
		return;
	struct frame *f = current_frame(t);
	f->pdeathsig = 0; /* fork() cleared it in the child: keep it cleared */
	if (t->inherited)
		restore_process_own(t, f);
	else if (f->token)
		frame_restore(t, f);
	for (unsigned d = 0; d <= t->depth; d++)
		frame_drop(&t->frames[d]);
	atomic_store(&active_threads, 0);
	t->depth = 0;
}

/* ---- A child as the client (X2) ------------------------------------------- */

IMP_PUBLIC int imp_become_client(const imp_token *tok)
{
	struct imp_thread *t;
	int r = switch_begin(tok, &t);
	if (r < 0)
		return r;
	struct frame *f = current_frame(t);
	if (f->token)
		return -EBUSY;
	r = frame_prepare(t, f, tok, true, 0); /* kept caps are dropped too */
	if (r < 0)
		return r;

	/* Every id slot, no capability at all: irreversible by design. */
	struct imp_creds want = f->own;
	for (int i = 0; i < ID_SLOTS; i++) {
		want.uid[i] = tok->uid;
		want.gid[i] = tok->gid;
	}
	want.groups = tok->groups;
	want.ngroups = tok->ngroups;
	want.caps = (struct sys_caps){0, 0, 0};
	r = creds_apply(&f->own, &want, t->scratch, t->scratch_cap);
	if (r == 0) /* already empty unless @tok is uid 0: the kernel clears it */
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return r;
}
