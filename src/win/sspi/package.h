/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one small interface behind which every security package lives, one
 * package per file (package-negotiate.c, package-kerberos.c,
 * package-impersonate.c).  The generic SSPI functions (credentials.c,
 * handshake.c, message.c, attributes.c) check handles and buffers, then call
 * a package through its ops; a package with no ops (Impersonate, whose
 * accept step is ImpAcceptSecurityContextFrom*()) makes them return
 * SEC_E_UNSUPPORTED_FUNCTION.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../win.h"

struct sspi_blob {
	void *data;
	size_t len;
};

/* A user name and password from SEC_WINNT_AUTH_IDENTITY, as UTF-8. */
struct sspi_identity {
	char *user, *domain, *password;
};

struct sspi_package;

/* What a package implements; each state pointer is the package's own. */
struct sspi_ops {
	/* Credentials for @use (SECPKG_CRED_*); @principal and @id may be NULL. */
	SECURITY_STATUS (*acquire)(const struct sspi_package *pkg, const char *principal, ULONG use,
	                           const struct sspi_identity *id, void **cred, time_t *expiry);
	void (*cred_free)(void *cred);
	SECURITY_STATUS (*cred_name)(void *cred, char **name);
	/* One handshake step (*@state NULL on the first).  @out is malloc()ed
	 * by the package (len 0: nothing to send).  *@done set when the
	 * context is established. */
	SECURITY_STATUS (*step)(const struct sspi_package *pkg, void *cred, void **state, bool server,
	                        const char *target, ULONG req, const struct sspi_blob *in, struct sspi_blob *out,
	                        ULONG *ret, bool *done);
	void (*ctx_free)(void *state);
	/* Established contexts only. */
	SECURITY_STATUS (*names)(void *state, char **client, char **server);
	/* auth_to_local for the client @principal (as names() gave it) */
	SECURITY_STATUS (*local_name)(void *state, const char *principal, char **user);
	time_t (*expiry)(void *state);
	SECURITY_STATUS (*sizes)(void *state, SecPkgContext_Sizes *sizes);
	SECURITY_STATUS (*sign)(void *state, const struct sspi_blob *msg, struct sspi_blob *mic);
	SECURITY_STATUS (*verify)(void *state, const struct sspi_blob *msg, const struct sspi_blob *mic);
	SECURITY_STATUS (*seal)(void *state, bool encrypt, SecBufferDesc *message);
	SECURITY_STATUS (*unseal)(void *state, SecBufferDesc *message, bool *encrypted);
};

struct sspi_package {
	const char *name;
	const char *comment;
	ULONG caps; /* SECPKG_FLAG_IMPERSONATION is added only when it works (S5) */
	USHORT rpcid;
	ULONG max_token;
	const struct sspi_ops *ops; /* NULL: no handshake */
	const void *mech;           /* the package's own (a GSSAPI mechanism OID) */
};

extern const struct sspi_package package_negotiate, package_kerberos, package_impersonate;

/* packages.c */
const struct sspi_package *package_find(const char *name);
/* The package info, one allocation (FreeContextBuffer()). */
SecPkgInfoA *package_info(const struct sspi_package *pkg);

/* gss.c: the ops of the GSSAPI packages. */
extern const struct sspi_ops gss_ops;

/* Credentials and contexts behind handles (objects.c). */
struct sspi_cred {
	struct win_object base;
	const struct sspi_package *pkg;
	ULONG use;
	void *state;
};

struct logon; /* logon.c */

struct sspi_context {
	struct win_object base;
	const struct sspi_package *pkg;
	pthread_mutex_t lock; /* one call at a time on the package state */
	bool server, done, failed;
	ULONG ret;             /* *_RET_* flags of the last step */
	unsigned ctx_flags;    /* CTX_IDENTIFY */
	time_t start, expiry;
	void *state;
	struct sspi_cred *cred; /* the credentials it was begun with */
	struct logon *logon;    /* server side, once logged on */
};

struct sspi_cred *cred_new(const struct sspi_package *pkg, ULONG use, void *state);
struct sspi_context *context_new(const struct sspi_package *pkg, bool server);
/* The context or credentials a handle names, with a reference (NULL and
 * SEC_E_INVALID_HANDLE for a handle without one). */
SECURITY_STATUS context_get(const CtxtHandle *h, struct sspi_context **ctx);
SECURITY_STATUS cred_get(const CredHandle *h, struct sspi_cred **cred);
#define context_put(c) win_object_unref(&(c)->base)
#define cred_put(c) win_object_unref(&(c)->base)

/* logon.c: the principal's local user through the service's PAM stack. */
SECURITY_STATUS logon_open(const char *principal, const char *user, struct logon **out, imp_token **tok);
void logon_close(struct logon *logon);

/* unicode.c: UTF-16 <-> UTF-8 (malloc()ed; NULL in, NULL out with ok). */
int utf16_to_utf8(const WCHAR *in, long len, char **out); /* len -1: NUL-terminated */
WCHAR *utf8_to_utf16(const char *in);
size_t utf16_len(const WCHAR *s);

/* The generic functions the A and W entry points share (strings UTF-8). */
SECURITY_STATUS credentials_acquire(const char *principal, const char *package, ULONG use, void *logon_id,
                                    void *auth, bool wide, SEC_GET_KEY_FN get_key, PCredHandle out,
                                    PTimeStamp expiry);
SECURITY_STATUS context_initialize(PCredHandle cred, PCtxtHandle old, const char *target, ULONG req,
                                   PSecBufferDesc in, PCtxtHandle new_ctx, PSecBufferDesc out, ULONG *attr,
                                   PTimeStamp expiry);
/* An established context, locked, for the message functions (SEC_E_OK), or
 * the reason it cannot be used.  Unlock and put with context_release(). */
SECURITY_STATUS context_use(const CtxtHandle *h, struct sspi_context **ctx);
void context_release(struct sspi_context *ctx);

/* FILETIME for a time_t; 0x7FFF... for "never". */
void timestamp_set(PTimeStamp ts, time_t t);
