/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate.h - per-thread impersonate/revert for PAM-aware daemons.
 *
 * The daemon-facing API of libimpersonate.  A daemon makes an immutable,
 * reference-counted token for a client (from a user name, from explicit ids,
 * or from the PAM handle on which pam_impersonate(8) ran), then runs a piece
 * of work as that client on the calling thread:
 *
 *     imp_token *tok;
 *     if (imp_token_for_user("alice", 0, &tok) < 0) ...
 *     if (imp_impersonate(tok) == 0) {
 *             int fd = openat(dirfd, name, O_RDONLY);   // checked as alice
 *             imp_revert();
 *     }
 *     imp_token_unref(tok);
 *
 * Only the calling thread changes (raw per-thread syscalls, never glibc's
 * process-wide set*id wrappers).  Every switch is read back from the kernel;
 * a failed impersonation leaves the thread exactly as it was, and a revert
 * that cannot be completed calls the panic handler instead of returning with
 * the wrong identity.  See impersonate(3) for the model and SPEC.md for the
 * rule IDs cited below.
 *
 * Every function returning int returns 0 (or a documented non-negative
 * value) on success and a negative errno on failure.  Out-parameters are
 * written only on success.  The library never logs.
 */
#ifndef IMPERSONATE_H
#define IMPERSONATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define IMP_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define IMP_WUR __attribute__((warn_unused_result))
#else
#define IMP_NONNULL(...)
#define IMP_WUR
#endif

/* Opaque types.  Functions taking a token or call check it at run time (NULL
 * or a pointer that is not a live token/call gives -EINVAL, NULL, (uid_t)-1,
 * or "revoked"/"complete" as documented); IMP_NONNULL marks out-parameters
 * only. */
typedef struct imp_token imp_token; /* an identity to impersonate (K1) */
typedef struct imp_call imp_call;   /* one incoming call (F1-F5) */
struct pam_handle;                  /* from <security/pam_appl.h> */

/* ---- Token flags ------------------------------------------------------ */

/* Mode (SPEC T10).  Exactly one of the two; IMP_MODE_FS is the default (0). */
#define IMP_MODE_FS 0x0u   /* groups, fsgid, fsuid; real/effective/saved kept */
#define IMP_MODE_FULL 0x1u /* groups, egid, euid; real and saved ids kept */
#define IMP_MODE_MASK 0x1u

/* Level (SPEC K3).  An identify-level token can be queried, never
 * impersonated. */
#define IMP_LEVEL_IMPERSONATE 0x0u
#define IMP_LEVEL_IDENTIFY 0x2u

/* imp_token_for_user() only: put the primary group alone in the supplementary
 * list instead of every group NSS knows for the user. */
#define IMP_GROUPS_PRIMARY_ONLY 0x4u

#define IMP_TOKEN_FLAGS_MASK 0x7u

/* Maximum call-frame nesting per thread (SPEC F5). */
#define IMP_MAX_CALL_DEPTH 16

/* ---- Tokens (SPEC K1-K4) ---------------------------------------------- */

/*
 * imp_token_new() - make a token from explicit ids.
 * @uid, @gid: the identity; (uid_t)-1 and (gid_t)-1 are rejected.
 * @groups, @ngroups: supplementary groups (copied, sorted, duplicates
 *     removed).  An empty list is a list: impersonating sets no groups.
 *     At most NGROUPS_MAX (65536) entries; @groups may be NULL if @ngroups is 0.
 * @flags: IMP_MODE_*, IMP_LEVEL_* (IMP_GROUPS_PRIMARY_ONLY is ignored here).
 * @ret: receives the new token with one reference owned by the caller.
 *
 * The user name of such a token is looked up through NSS once, here; if NSS
 * has no entry for @uid (or the name is 32 bytes or longer) the name is the
 * decimal uid.
 * Returns 0, -EINVAL (bad id, flags or count) or -ENOMEM.
 */
IMP_WUR IMP_NONNULL(6) int imp_token_new(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
                                        unsigned flags, imp_token **ret);

/*
 * imp_token_for_user() - make a token for a user known to NSS (SPEC K2, A4).
 * Resolves uid, primary gid and the full supplementary group list (any NSS
 * source; no limit below NGROUPS_MAX), asking the nsswitch.conf services
 * itself because getgrouplist() hides a source that does not answer: a
 * token whose group list cannot be trusted complete is never made.
 * Returns 0, -EINVAL (NULL or empty name, bad flags), -ENOENT (no such user:
 * every source answered), -EHOSTDOWN (a user or group source could not
 * answer: directory down or hung, nslcd/sssd not running; also for an
 * unknown user then), -E2BIG (more groups than NGROUPS_MAX), -ERANGE (a
 * passwd entry over 1 MiB) or -ENOMEM.  What cannot be detected is listed
 * in imp_token_new(3).
 */
IMP_WUR IMP_NONNULL(3) int imp_token_for_user(const char *name, unsigned flags, imp_token **ret);

/*
 * imp_caps_parse() - parse a comma-separated list of capability names as
 * libcap spells them, any case, spaces around commas allowed
 * ("cap_net_bind_service, cap_sys_nice") into a mask (bit n = capability n).
 * Stricter than cap_from_name(): numbers, empty elements and names followed
 * by other characters ("cap_chown=ep") are refused.
 * Returns 0, or -EINVAL (@names NULL, empty or not a valid list); @mask is
 * written only on success.
 */
IMP_WUR IMP_NONNULL(2) int imp_caps_parse(const char *names, uint64_t *mask);

/*
 * imp_token_with_caps() - derive a token that keeps named capabilities in the
 * effective set while impersonating (SPEC T11).  @caps is a list as
 * imp_caps_parse() takes it ("cap_net_bind_service,cap_sys_nice").
 * The base token is unchanged (tokens are immutable); the new token has the
 * same identity and flags, holds a reference to @base, and is revoked when
 * it or @base is revoked (K4), so a token derived from a PAM session's
 * token ends with the session.
 * The list replaces any capabilities @base kept.  Impersonating with a kept
 * capability that the thread does not hold in its permitted set fails with
 * -EPERM.
 * Returns 0, -EINVAL (@base not a token, unknown or empty name) or -ENOMEM.
 */
IMP_WUR IMP_NONNULL(3) int imp_token_with_caps(const imp_token *base, const char *caps,
                                                    imp_token **ret);

/* Take another reference; returns @tok.  NULL is passed through. */
imp_token *imp_token_ref(imp_token *tok);

/* Drop a reference; frees the token with the last one.  NULL is ignored.
 * Threads impersonating the token hold their own reference. */
void imp_token_unref(imp_token *tok);

/*
 * imp_token_revoke() - mark a token revoked (SPEC K4).  New impersonations
 * with it (and tokens derived from it later) fail with -EKEYREVOKED; threads
 * already impersonating it keep running until they revert.  Irreversible,
 * idempotent, thread-safe.
 */
void imp_token_revoke(imp_token *tok);
bool imp_token_is_revoked(const imp_token *tok);

/* Accessors.  The returned pointers live as long as the token. */
uid_t imp_token_uid(const imp_token *tok);
gid_t imp_token_gid(const imp_token *tok);
/* Sorted supplementary groups; *@ngroups receives the count. */
IMP_NONNULL(2) const gid_t *imp_token_groups(const imp_token *tok, size_t *ngroups);
const char *imp_token_user_name(const imp_token *tok);
unsigned imp_token_flags(const imp_token *tok);
/* Capabilities kept while impersonating, bit n = capability n. */
uint64_t imp_token_kept_caps(const imp_token *tok);

/* ---- The calling thread (SPEC T1-T13) --------------------------------- */

/*
 * imp_impersonate() - run the calling thread as @tok.
 * The first impersonation in the current frame saves the thread's credentials
 * (T2); impersonating again switches to @tok and keeps that saved state (T3).
 * Order: supplementary groups, gid, uid, then capabilities (T12); the result
 * is read back from the kernel (T7).  On any failure the thread is exactly as
 * before the call, including a previous impersonation (T6).
 *
 * Returns 0, or:
 *  -EINVAL     @tok is NULL or not a token
 *  -EACCES     identify-level token (K3)
 *  -EKEYREVOKED  revoked token (K4)
 *  -ENOTSUP    per-thread credentials cannot be guaranteed here (X4)
 *  -EPERM      the thread lacks CAP_SETUID/CAP_SETGID, or a kept capability
 *  -EBUSY      this thread was created by an impersonating thread and runs
 *              with credentials the library cannot revert (X1)
 *  -EIO        the kernel state read back differs from the intended state
 *  -ENOMEM     the per-thread state or its group buffers could not be
 *              allocated (first use, or a token with more groups than any
 *              before on this thread)
 *  or another negative errno returned by a credential syscall.
 */
IMP_WUR int imp_impersonate(imp_token *tok);

/*
 * imp_revert() - restore the credentials saved at the first impersonation of
 * the current frame (T4).  Not impersonating: returns 0 and changes nothing
 * (T5).  If the thread's credentials were changed behind the library's back
 * while impersonating, they are restored all the same and -EUCLEAN is
 * returned (T9).  The process's dumpable flag is put back (X3).
 * If the saved credentials cannot be restored and verified, the panic handler
 * is called and this function does not return (T8).
 * Returns 0, -EUCLEAN (restored after tampering), -EBUSY (X1: the thread
 * inherited an impersonation from its creator and has nothing to restore),
 * or -ENOMEM (the thread's state could not be allocated on first use).
 */
int imp_revert(void);

/*
 * imp_is_impersonating() - 1 if the calling thread impersonates in its
 * current frame, 0 if not.  A thread created by an impersonating thread also
 * answers 1 (X1).  -ENOMEM if the thread's state cannot be allocated on its
 * first use of the library.
 */
int imp_is_impersonating(void);

/*
 * imp_current_token() - the token the calling thread impersonates in its
 * current frame, with a new reference for the caller.
 * Returns 0, -ENOENT when not impersonating (or X1 inherited state), or
 * -ENOMEM on the thread's first use.
 */
IMP_NONNULL(1) int imp_current_token(imp_token **ret);

/* ---- Call frames (SPEC F1-F5) ------------------------------------------ */

/*
 * imp_call_begin() - begin one incoming call for @client on the calling
 * (dispatch) thread.  Pushes a frame: inside it the thread runs as its own
 * identity until imp_impersonate()/imp_call_impersonate().  If the thread was
 * impersonating in the outer frame, that impersonation is suspended (the
 * thread runs as itself) and is restored exactly by imp_call_end() (F3).
 * @ret receives the call with one reference for the caller; the frame holds
 * another until imp_call_end().
 * Returns 0, -EINVAL, -EOVERFLOW (more than IMP_MAX_CALL_DEPTH frames, F5),
 * -EBUSY (X1 inherited state), -ENOMEM.
 */
IMP_WUR IMP_NONNULL(2) int imp_call_begin(imp_token *client, imp_call **ret);

/*
 * imp_call_impersonate() - impersonate the call's client on the calling
 * thread, which may be any thread while the call is active (F4).  Affects
 * only the calling thread; as imp_impersonate() in that thread's current
 * frame.  Returns as imp_impersonate(), or -ESTALE once the call has ended.
 * A call racing with imp_call_end() on the dispatch thread may still
 * succeed; that thread then keeps the impersonation until it reverts, like
 * any thread that was impersonating when the call ended.
 */
IMP_WUR int imp_call_impersonate(imp_call *call);

/*
 * imp_call_end() - end the call begun on this thread: revert if still
 * impersonating in its frame (F2), pop the frame and restore the outer
 * frame's state, impersonation included (F3).  Other threads impersonating
 * through the call are not reverted; later imp_call_impersonate() fails.
 * Returns 0, -EUCLEAN (ended after tampering was found, see imp_revert()),
 * -EINVAL (not a call), -EXDEV (begun on another thread), -EBUSY (not the
 * innermost frame: inner calls are still active, F5), -ESTALE (already
 * ended), or an error of imp_impersonate() from the switch to the outer
 * state: then the call is still active and the thread as it was in it (T6).
 */
int imp_call_end(imp_call *call);

/* The innermost active call of the calling thread, with a new reference.
 * Returns 0 or -ENOENT outside any call. */
IMP_NONNULL(1) int imp_call_current(imp_call **ret);

imp_call *imp_call_ref(imp_call *call);
void imp_call_unref(imp_call *call);

/* The call's client token (borrowed: valid while the caller holds @call). */
imp_token *imp_call_token(const imp_call *call);
/* true once imp_call_end() ran. */
bool imp_call_is_complete(const imp_call *call);

/* ---- Process support (SPEC X4, S5) ------------------------------------- */

struct imp_support {
	bool can_impersonate;   /* both modes usable here and now */
	bool per_thread;        /* credential changes stay on one thread (X4) */
	bool have_setuid;       /* CAP_SETUID permitted and effective */
	bool have_setgid;       /* CAP_SETGID permitted and effective */
	unsigned modes;         /* bit (1 << IMP_MODE_FS) | (1 << IMP_MODE_FULL) */
	char reason[160];       /* human-readable, empty when can_impersonate */
};

/*
 * imp_query_support() - can the calling thread impersonate here and now?
 * Checks CAP_SETUID/CAP_SETGID in the thread's permitted and effective sets
 * and the per-thread guarantee (no libpsx, which makes capability changes
 * process-wide).  While the thread impersonates (effective set empty by
 * design) the permitted set is judged.  Returns 0 and fills @info, or the
 * -errno of capget(2).
 */
IMP_NONNULL(1) int imp_query_support(struct imp_support *info);

/* ---- Panic handler (SPEC T8) ------------------------------------------- */

/*
 * Called when the thread's own credentials cannot be restored and verified,
 * with a short message.  The default writes the message to stderr and calls
 * abort().  If a handler returns, the library calls abort() itself: control
 * never returns to the caller with the wrong identity.  Passing NULL restores
 * the default.  Returns the previous handler.
 */
typedef void (*imp_panic_fn)(const char *message);
imp_panic_fn imp_set_panic_handler(imp_panic_fn fn);

/* ---- Children (SPEC X2) ------------------------------------------------- */

/*
 * A child forked with fork() by an impersonating thread starts as the
 * process's own identity: the library's pthread_atfork() child handler
 * restores the saved credentials in the child and clears the child's
 * impersonation state.  Children created with vfork(), posix_spawn(),
 * system() or clone() run no fork handlers and inherit the thread's
 * impersonated credentials: see impersonate(3).
 */

/*
 * imp_become_client() - switch the calling thread irreversibly to @tok
 * (real, effective, saved and fs uid and gid, groups; every capability and
 * the ambient set dropped).  Meant for a freshly forked, single-threaded
 * child before exec, where the thread is the whole process.  Uses the same
 * per-thread syscalls as imp_impersonate(), so in a multi-threaded process
 * only the calling thread changes.  Kept capabilities of @tok are ignored.
 * Returns 0 or -errno as imp_impersonate(), and -EBUSY if the thread is
 * impersonating in its current frame; on failure nothing changed and the
 * child should _exit().  A failure after setresuid() gave every uid slot to
 * the client (no way back) is retried, then reaches the panic handler.
 */
IMP_WUR int imp_become_client(const imp_token *tok);

/* ---- PAM hand-over (SPEC P1) ------------------------------------------- */

/*
 * imp_token_from_pam() - the token pam_impersonate(8) made for the PAM handle
 * @pamh (in setcred ESTABLISH or open_session), with a new reference.
 * The reference stays valid after pam_end(); the token may be revoked by
 * close_session/setcred DELETE (K4).
 * Returns 0, or -ENOENT (the module has not made a token for @pamh, or @pamh
 * has ended).
 */
IMP_WUR IMP_NONNULL(2) int imp_token_from_pam(struct pam_handle *pamh, imp_token **ret);

/*
 * For pam_impersonate(8) only: register @tok (a reference is taken) as the
 * token of @pamh, replacing any earlier one, and drop the registration.
 * Returns 0, -EINVAL (NULL handle, not a token) or -ENOMEM / 0 or -ENOENT.
 */
IMP_WUR int imp_pam_register(struct pam_handle *pamh, imp_token *tok);
int imp_pam_unregister(struct pam_handle *pamh);

/* ---- Local socket peers (SPEC A3) --------------------------------------- */

/* imp_token_from_peer() flags, beside IMP_MODE_* and IMP_LEVEL_*. */
#define IMP_PEER_ALLOW_ROOT 0x100u   /* accept a peer running as uid 0 */
#define IMP_PEER_ALLOW_SYSTEM 0x200u /* accept uids below UID_MIN */
#define IMP_PEER_FLAGS_MASK 0x300u

/*
 * imp_token_from_peer() - a token for the process at the other end of the
 * connected Unix socket @fd, as the kernel recorded it when the peer
 * connected (or made the socketpair): SO_PEERCRED's uid and gid and
 * SO_PEERGROUPS' supplementary groups, exactly, in the kernel's order.
 * Nothing the peer sent is read, and NSS is not consulted: the token's user
 * name is the decimal uid (imp_session_from_peer() runs the PAM policy).
 * Refused like pam_impersonate(8)'s defaults: uid 0 unless
 * IMP_PEER_ALLOW_ROOT, uids below UID_MIN of /etc/login.defs (1000 when it
 * has none) unless IMP_PEER_ALLOW_SYSTEM.
 * @flags: IMP_MODE_*, IMP_LEVEL_*, IMP_PEER_*.
 * Returns 0, or -EBADF (not a descriptor), -ENOTSOCK (not a socket, or not
 * AF_UNIX), -ENOTCONN (not connected, a listening socket, or no peer
 * credentials recorded), -EPERM (root or system user refused), -EINVAL
 * (flags, or a malformed UID_MIN: fails closed), -ENOMEM.
 */
IMP_WUR IMP_NONNULL(3) int imp_token_from_peer(int fd, unsigned flags, imp_token **ret);

/* ---- PAM sessions that end in a token (SPEC A1, A3, A5) ---------------- */

typedef struct imp_session imp_session; /* one PAM handle, one token */

/*
 * imp_session_from_password() - log @user in with @password through the
 * PAM service @service (the pam.d file of that name in @confdir, or in the
 * system's directory when @confdir is NULL, see pam_start_confdir(3)):
 * pam_authenticate, pam_acct_mgmt, pam_setcred(PAM_ESTABLISH_CRED),
 * pam_open_session; the token is the one pam_impersonate(8) registered
 * (imp_token_from_pam()).  The conversation answers hidden prompts with
 * @password, shows nothing, and refuses any other prompt.  @password is not
 * kept after the call.
 *
 * imp_session_from_peer() - the policy step for a socket peer: the account
 * and session part of @service for the user whose uid @peer carries (the
 * name from NSS; no authentication, the kernel vouched for the uid), so
 * pam_impersonate(8) and the administrator's other account and session
 * rules decide for peers as for passwords.  The token is the module's (its
 * mode, level and groups); it must have @peer's uid.
 *
 * Both return 0 and a session in *@ret, or:
 *  -EINVAL       a NULL or empty argument, a service name with a '/'
 *  -EACCES       authentication failed: wrong password, unknown user
 *  -EKEYEXPIRED  account (or credentials) expired
 *  -EKEYREJECTED a new password is required (must change, expired password)
 *  -EPERM        the account was refused (root, system user, pam.d rules),
 *                or the module's token is not @peer's uid
 *  -EPROTO       a prompt the conversation cannot answer
 *  -EHOSTUNREACH the authentication source is unavailable
 *  -ENOENT       the stack ran but made no token (no pam_impersonate.so)
 *  -EKEYREVOKED  @peer is revoked
 *  -EIO          any other PAM failure; -ENOMEM.
 */
IMP_WUR IMP_NONNULL(5) int imp_session_from_password(const char *service, const char *confdir,
                                                    const char *user, const char *password,
                                                    imp_session **ret);
IMP_WUR IMP_NONNULL(4) int imp_session_from_peer(const char *service, const char *confdir,
                                                const imp_token *peer, imp_session **ret);

/* The session's token (borrowed: take imp_token_ref() to keep it) and PAM
 * handle (for pam_getenv() etc.; do not end it).  NULL if @s is not a
 * session. */
imp_token *imp_session_token(const imp_session *s);
struct pam_handle *imp_session_pam(const imp_session *s);

/*
 * imp_session_end() - pam_close_session, pam_setcred(PAM_DELETE_CRED),
 * pam_end, and revoke the token (K4, A5): threads impersonating it keep
 * running until they revert; no new impersonation or spawn can use it.
 * Frees @s.  Returns 0, -EIO (close_session failed; ended anyway) or
 * -EINVAL (not a session).
 */
int imp_session_end(imp_session *s);

/* ---- A program run as the client (SPEC X2, W5) ------------------------- */

/*
 * imp_spawn() - start @path (no PATH search) with @argv and @envp (NULL:
 * the caller's environ) as @tok's user, irreversibly: uid and gid in all
 * four slots (real, effective, saved, fs), @tok's supplementary groups, the
 * effective, permitted, inheritable and ambient capability sets empty, all
 * read back before execve.  Kept capabilities of @tok are ignored.  The
 * child gets exactly @nfds descriptors: descriptor i is a copy of @fds[i]
 * (-1: left closed); every other descriptor of the process is closed
 * whether or not it has FD_CLOEXEC.  Signal handlers are reset to SIG_DFL
 * (ignored signals stay ignored); the signal mask is the caller's.
 *
 * Safe from any thread of a multi-threaded process, impersonating or not:
 * the child is made with clone(CLONE_VM|CLONE_VFORK) and runs only raw
 * syscalls (no malloc, locks or fork handlers) until execve.  Only the
 * calling thread waits, until the child has called execve.  The calling
 * thread's credentials are never changed; the process's dumpable flag is
 * put back (X3).  The child is the caller's to reap (waitpid).
 *
 * Returns 0 and the child's pid in *@pid, or -EINVAL (not a token, NULL
 * @path or @argv, more than 1024 @fds), -EKEYREVOKED, -EACCES (identify
 * level, or execve refused), -EBADF (an @fds entry is not open), -EPERM (the
 * thread has no CAP_SETUID/CAP_SETGID in its permitted set), -EIO (the
 * credentials read back differ), -ENOMEM, or execve's -errno (e.g. -ENOENT);
 * on failure no child is left running.
 */
IMP_WUR IMP_NONNULL(7) int imp_spawn(const imp_token *tok, const char *path, char *const argv[],
                                    char *const envp[], const int *fds, size_t nfds, pid_t *pid);

/* ---- io_uring personalities (SPEC U1-U2) --------------------------------- */

/*
 * A token registered as a personality of an io_uring instance: requests
 * naming the personality id (sqe->personality) are checked by the kernel as
 * the token, with no credential syscall on the thread.  Anyone holding the
 * ring's descriptor can use every personality registered on it: keep rings
 * private to the daemon (never pass them over SCM_RIGHTS, never let a child
 * inherit them).  See imp_ring_new(3).
 */
typedef struct imp_ring imp_ring;

/*
 * imp_ring_new() - attach the library to the io_uring instance behind
 * @ring_fd.  The library keeps a descriptor of its own (close-on-exec), so
 * it can unregister personalities whatever the caller does with @ring_fd.
 * Returns 0, -EBADF (@ring_fd not open), -EINVAL (not an io_uring), -ENOSYS
 * (no io_uring in this kernel), -EMFILE or -ENOMEM.
 */
IMP_WUR IMP_NONNULL(2) int imp_ring_new(int ring_fd, imp_ring **ret);

/* Unregister every personality registered through @ring and close the
 * library's descriptor.  NULL is ignored. */
void imp_ring_free(imp_ring *ring);

/*
 * imp_ring_register() - register @tok as a personality of @ring (SPEC U1).
 * The calling thread impersonates @tok in a call frame of its own for the
 * registration, so it needs what imp_impersonate() needs, and its own state
 * (impersonation included) is exactly as before afterwards.  Revoking @tok
 * or a token it derives from (K4), or dropping its last reference,
 * unregisters the personality (U2); so does imp_ring_free().
 * Returns the personality id (1-65535), or -errno as imp_call_begin() and
 * imp_call_impersonate() (-EINVAL, -EACCES identify level, -EKEYREVOKED,
 * -EPERM, ...), or the error of io_uring_register(2), or -EIO.
 */
IMP_WUR int imp_ring_register(imp_ring *ring, imp_token *tok);

/* Unregister one personality registered through @ring.  Returns 0, -EINVAL
 * (@ring not a ring, @id not positive) or -ENOENT (not registered, or
 * already gone with its token). */
int imp_ring_unregister(imp_ring *ring, int id);

#ifdef __cplusplus
}
#endif
#endif /* IMPERSONATE_H */
