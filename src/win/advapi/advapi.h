/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private declarations of the advapi32 family (src/win/advapi/). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../win.h"
#include "impersonate/advapi.h"

#define WIN_PSEUDO_PROCESS ((HANDLE)(intptr_t)-1)
#define WIN_PSEUDO_THREAD ((HANDLE)(intptr_t)-2)

/* Token handle flags (the slot's flags word). */
#define TOKF_LEVEL_MASK 0x3u    /* SECURITY_IMPERSONATION_LEVEL */
#define TOKF_IMPERSONATION 0x4u /* TokenImpersonation; else TokenPrimary */
#define TOKF_ACCESS_SHIFT 8u    /* the specific rights granted, 0x1FF */
#define TOKEN_SPECIFIC_RIGHTS 0x1FFu

/* SetLastError(@code) and FALSE: every failing call ends this way (W3). */
BOOL win_fail(DWORD code);

/* An impersonation's negative errno (impersonate.h) as a Windows code. */
DWORD win_error_from_errno(int r);

/* The specific token rights @desired asks for (generic rights mapped). */
DWORD token_access(DWORD desired);

/* A new token handle; @logon (may be NULL) is the logon session it keeps
 * open.  0 or a Windows error code. */
DWORD token_issue(imp_token *tok, struct win_object *logon, unsigned level, bool impersonation,
                  DWORD access, HANDLE *out);

/* The token of handle @h, which must grant every right in @need.  0 (new
 * references in the non-NULL out-parameters) or a Windows error code:
 * ERROR_INVALID_HANDLE, ERROR_ACCESS_DENIED. */
DWORD token_get(HANDLE h, DWORD need, imp_token **tok, unsigned *flags, struct win_object **logon);

/* The calling thread now impersonates @tok at @level (thread.c keeps it for
 * OpenThreadToken); NULL: not impersonating. */
void thread_note(const imp_token *tok, unsigned level);
unsigned thread_level(const imp_token *tok);

/* A Unix SID S-1-22-@kind-@id (kind 1: user, 2: group) into @out (16
 * bytes); returns its length. */
#define UNIX_SID_LEN 16u
DWORD unix_sid(void *out, DWORD kind, uint32_t id);

/* Wipe and free a converted secret (logon.c). */
void utf8_free_secret(char *s);
