/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private declarations shared by the files of libimpersonate-win. */
#pragma once

#include "impersonate.h"
#include "impersonate/com.h"
#include "impersonate/sspi.h"

#define WIN_PUBLIC __attribute__((visibility("default")))

/* Context flags kept in the handle table beside the token. */
#define CTX_IDENTIFY 0x1u /* accepted with ASC_REQ_IDENTIFY (S6) */

/* A reference-counted object a handle can carry beside its token (the
 * GSSAPI context of a handshake, a credential); destroy() runs outside the
 * lock when the last reference goes. */
struct win_object {
	_Atomic unsigned refs;
	void (*destroy)(struct win_object *obj);
};
void win_object_init(struct win_object *obj, void (*destroy)(struct win_object *));
struct win_object *win_object_ref(struct win_object *obj);
void win_object_unref(struct win_object *obj); /* NULL is fine */

/* What a handle names: a CtxtHandle never matches a CredHandle's slot. */
enum handle_kind {
	HANDLE_CONTEXT = 0,
	HANDLE_CREDENTIALS = 1,
	/* single-word HANDLEs of the advapi family (src/win/advapi/) */
	HANDLE_TOKEN = 2,
	HANDLE_PROCESS = 3,
	HANDLE_ANY_WORD = 0xff, /* whandle_get/whandle_close: any advapi kind */
};

/* The handle table (contexts.c).  No handle value is ever used as a
 * pointer: a handle names a slot by index and must match the slot's kind,
 * generation and check value (SPEC S2). */
SECURITY_STATUS ctx_issue(imp_token *tok, unsigned flags, PCtxtHandle out);
/* On SEC_E_OK *@tok gets a new reference (NULL for a context with no token
 * yet: client side, unfinished handshake) and *@flags the context flags. */
SECURITY_STATUS ctx_get(const CtxtHandle *h, imp_token **tok, unsigned *flags);
SECURITY_STATUS ctx_delete(const CtxtHandle *h);
/* Handles carrying an object (@tok may be NULL); the table takes its own
 * reference to @obj and drops it on delete. */
SECURITY_STATUS handle_issue(enum handle_kind kind, struct win_object *obj, imp_token *tok, unsigned flags,
                             PSecHandle out);
/* *@obj gets a new reference (NULL when the handle has none). */
SECURITY_STATUS handle_get_object(enum handle_kind kind, const SecHandle *h, struct win_object **obj);
SECURITY_STATUS handle_delete(enum handle_kind kind, const SecHandle *h);
/* Give a live context its token once the logon is done. */
SECURITY_STATUS ctx_set_token(const CtxtHandle *h, imp_token *tok, unsigned flags);

/* Single-word handles (HANDLE) in the same table, for the advapi family:
 * kind HANDLE_TOKEN or HANDLE_PROCESS, a token (may be NULL), flags and a
 * reference on an object (may be NULL).  0 or -ENOMEM / -EBADF; the
 * out-parameters of whandle_get() that are not NULL get new references. */
int whandle_issue(enum handle_kind kind, struct win_object *obj, imp_token *tok, unsigned flags, HANDLE *out);
int whandle_get(HANDLE h, enum handle_kind kind, imp_token **tok, unsigned *flags, struct win_object **obj);
int whandle_close(HANDLE h);

/* UTF-16 <-> UTF-8 for the W entry points (sspi/unicode.c), malloc'd:
 * utf16_to_utf8 returns 0 (NULL in, NULL out), -EILSEQ or -ENOMEM;
 * utf8_to_utf16 returns NULL on malformed UTF-8 or no memory. */
int utf16_to_utf8(const WCHAR *in, long len, char **out); /* len -1: NUL-terminated */
WCHAR *utf8_to_utf16(const char *in);
size_t utf16_len(const WCHAR *s);

/* The library's one lock (lock.c): the handle table and the COM registry. */
void win_lock(void);
void win_unlock(void);

/* Native negative errno to Windows codes (status.c; documented in
 * impersonate-win(3)). */
SECURITY_STATUS sec_from_errno(int r);
HRESULT hr_from_errno(int r);
