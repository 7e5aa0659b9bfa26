/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Credentials and security contexts: reference-counted objects that the one
 * handle table (contexts.c) carries.  A call takes its own reference through
 * the table, so DeleteSecurityContext() on another thread never frees a
 * context in use; the last reference ends the logon and frees the package
 * state.
 */
#include <stdlib.h>

#include "package.h"

static void cred_destroy(struct win_object *obj)
{
	struct sspi_cred *c = (struct sspi_cred *)obj;
	if (c->state)
		c->pkg->ops->cred_free(c->state);
	free(c);
}

struct sspi_cred *cred_new(const struct sspi_package *pkg, ULONG use, void *state)
{
	struct sspi_cred *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	win_object_init(&c->base, cred_destroy);
	c->pkg = pkg;
	c->use = use;
	c->state = state;
	return c;
}

static void context_destroy(struct win_object *obj)
{
	struct sspi_context *c = (struct sspi_context *)obj;
	if (c->logon)
		logon_close(c->logon); /* A5, K4: session closed, token revoked */
	if (c->state)
		c->pkg->ops->ctx_free(c->state);
	if (c->cred)
		cred_put(c->cred);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

struct sspi_context *context_new(const struct sspi_package *pkg, bool server)
{
	struct sspi_context *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	win_object_init(&c->base, context_destroy);
	pthread_mutex_init(&c->lock, NULL);
	c->pkg = pkg;
	c->server = server;
	c->start = time(NULL);
	c->expiry = (time_t)-1;
	return c;
}

SECURITY_STATUS context_get(const CtxtHandle *h, struct sspi_context **ctx)
{
	struct win_object *obj = NULL;
	SECURITY_STATUS st = handle_get_object(HANDLE_CONTEXT, h, &obj);
	if (st == SEC_E_OK && !obj)
		st = SEC_E_INVALID_HANDLE; /* a context from ImpAccept...(): no package state */
	if (st == SEC_E_OK)
		*ctx = (struct sspi_context *)obj;
	return st;
}

SECURITY_STATUS cred_get(const CredHandle *h, struct sspi_cred **cred)
{
	struct win_object *obj = NULL;
	SECURITY_STATUS st = handle_get_object(HANDLE_CREDENTIALS, h, &obj);
	if (st == SEC_E_OK)
		*cred = (struct sspi_cred *)obj;
	return st;
}

void timestamp_set(PTimeStamp ts, time_t t)
{
	if (!ts)
		return;
	if (t == (time_t)-1)
		ts->QuadPart = INT64_MAX;
	else
		ts->QuadPart = ((int64_t)t + INT64_C(11644473600)) * 10000000;
}
