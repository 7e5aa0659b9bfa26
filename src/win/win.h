/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private declarations shared by the files of libimpersonate-win. */
#pragma once

#include "impersonate.h"
#include "impersonate/com.h"
#include "impersonate/sspi.h"

#define WIN_PUBLIC __attribute__((visibility("default")))

/* Context flags kept in the handle table beside the token. */
#define CTX_IDENTIFY 0x1u /* accepted with ASC_REQ_IDENTIFY (S6) */

/* The context handle table (contexts.c).  No handle value is ever used as a
 * pointer: a handle names a slot by index and must match the slot's
 * generation and check value (SPEC S2). */
SECURITY_STATUS ctx_issue(imp_token *tok, unsigned flags, PCtxtHandle out);
/* On SEC_E_OK *@tok gets a new reference and *@flags the context flags. */
SECURITY_STATUS ctx_get(const CtxtHandle *h, imp_token **tok, unsigned *flags);
SECURITY_STATUS ctx_delete(const CtxtHandle *h);

/* The library's one lock (lock.c): the handle table and the COM registry. */
void win_lock(void);
void win_unlock(void);

/* Native negative errno to Windows codes (status.c; documented in
 * impersonate-win(3)). */
SECURITY_STATUS sec_from_errno(int r);
HRESULT hr_from_errno(int r);
