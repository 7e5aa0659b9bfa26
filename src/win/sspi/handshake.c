/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * InitializeSecurityContextA, AcceptSecurityContext, CompleteAuthToken: the
 * handshake, package-independent.  Buffers are checked before the package
 * sees anything; a first call that fails issues no handle (SPEC A6); an
 * accepted context gets its token from the logon (logon.c, SPEC A2) before
 * SEC_E_OK is returned.
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "package.h"

static SecBuffer *token_buffer(PSecBufferDesc d)
{
	if (!d || d->ulVersion != SECBUFFER_VERSION || !d->pBuffers)
		return NULL;
	for (ULONG i = 0; i < d->cBuffers; i++)
		if ((d->pBuffers[i].BufferType & ~SECBUFFER_ATTRMASK) == SECBUFFER_TOKEN)
			return &d->pBuffers[i];
	return NULL;
}

/* The peer's token; SEC_E_INVALID_TOKEN when there is none. */
static SECURITY_STATUS token_in(PSecBufferDesc in, struct sspi_blob *b)
{
	SecBuffer *t = token_buffer(in);
	if (!t || !t->pvBuffer || t->cbBuffer == 0)
		return SEC_E_INVALID_TOKEN;
	b->data = t->pvBuffer;
	b->len = t->cbBuffer;
	return SEC_E_OK;
}

/* Checked before the step, so a bad output descriptor changes nothing. */
static SECURITY_STATUS output_check(PSecBufferDesc out, bool allocate)
{
	SecBuffer *t = token_buffer(out);
	if (!t)
		return SEC_E_INVALID_TOKEN;
	if (!allocate && !t->pvBuffer && t->cbBuffer)
		return SEC_E_INVALID_TOKEN;
	return SEC_E_OK;
}

/* Hand @tok (malloc()ed) to the caller: the package's allocation is the
 * caller's with *_REQ_ALLOCATE_MEMORY (FreeContextBuffer() is free()). */
static SECURITY_STATUS output_give(PSecBufferDesc out, bool allocate, struct sspi_blob *tok)
{
	SecBuffer *t = token_buffer(out);
	if (allocate) {
		t->pvBuffer = tok->data;
		t->cbBuffer = (ULONG)tok->len;
		tok->data = NULL;
		return SEC_E_OK;
	}
	if (tok->len > t->cbBuffer)
		return SEC_E_BUFFER_TOO_SMALL;
	if (tok->len)
		memcpy(t->pvBuffer, tok->data, tok->len);
	t->cbBuffer = (ULONG)tok->len;
	return SEC_E_OK;
}

/* Server side, handshake done: who the client is, and the logon (A2). */
static SECURITY_STATUS accept_logon(struct sspi_context *ctx, imp_token **tok)
{
	char *principal = NULL, *user = NULL;
	SECURITY_STATUS st = ctx->pkg->ops->names(ctx->state, &principal, NULL);
	if (st != SEC_E_OK)
		return st == SEC_E_INSUFFICIENT_MEMORY ? st : SEC_E_LOGON_DENIED;
	st = ctx->pkg->ops->local_name(ctx->state, principal, &user);
	if (st == SEC_E_LOGON_DENIED)
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "SSPI %s logon of %s denied: no local user (auth_to_local)",
		       ctx->pkg->name, principal);
	if (st == SEC_E_OK)
		st = logon_open(principal, user, &ctx->logon, tok);
	free(principal);
	free(user);
	return st;
}

struct step_args {
	bool server;
	PCredHandle cred;
	PCtxtHandle old;
	const char *target;
	ULONG req;
	PSecBufferDesc in, out;
	PCtxtHandle new_ctx;
	ULONG *attr;
	PTimeStamp expiry;
};

/* The context to continue, or a new one for @cred's package. */
static SECURITY_STATUS step_context(const struct step_args *a, struct sspi_cred **cred,
                                    struct sspi_context **ctx)
{
	*cred = NULL;
	if (a->old) {
		SECURITY_STATUS st = context_get(a->old, ctx);
		if (st != SEC_E_OK)
			return st;
		if ((*ctx)->server != a->server) {
			context_put(*ctx);
			return SEC_E_INVALID_HANDLE;
		}
		return SEC_E_OK; /* done or failed: checked under its lock */
	}
	if (!a->new_ctx)
		return SEC_E_INVALID_PARAMETER;
	SECURITY_STATUS st = cred_get(a->cred, cred);
	if (st != SEC_E_OK)
		return st;
	if (!((*cred)->use & (a->server ? SECPKG_CRED_INBOUND : SECPKG_CRED_OUTBOUND))) {
		cred_put(*cred);
		return SEC_E_NO_CREDENTIALS;
	}
	*ctx = context_new((*cred)->pkg, a->server);
	if (!*ctx) {
		cred_put(*cred);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	return SEC_E_OK;
}

/* After a successful step: hand out the handle, token and attributes. */
static SECURITY_STATUS step_finish(const struct step_args *a, struct sspi_context *ctx, imp_token *tok,
                                   struct sspi_blob *out, bool allocate)
{
	SECURITY_STATUS st = output_give(a->out, allocate, out);
	if (st != SEC_E_OK)
		return st;
	if (!a->old) {
		CtxtHandle h;
		st = handle_issue(HANDLE_CONTEXT, &ctx->base, tok, ctx->ctx_flags, &h);
		if (st != SEC_E_OK)
			return st;
		*a->new_ctx = h;
	} else {
		if (tok && (st = ctx_set_token(a->old, tok, ctx->ctx_flags)) != SEC_E_OK)
			return st;
		if (a->new_ctx && a->new_ctx != a->old)
			*a->new_ctx = *a->old;
	}
	ULONG attr = ctx->ret;
	if (allocate && out->len)
		attr |= a->server ? ASC_RET_ALLOCATED_MEMORY : ISC_RET_ALLOCATED_MEMORY;
	if (a->attr)
		*a->attr = attr;
	timestamp_set(a->expiry, ctx->expiry);
	return SEC_E_OK;
}

static SECURITY_STATUS step_run(const struct step_args *a, struct sspi_cred *cred, struct sspi_context *ctx,
                                struct sspi_blob *out, imp_token **tok)
{
	struct sspi_blob in = {0};
	bool done = false;
	SECURITY_STATUS st;
	if (a->server || a->old) {
		if ((st = token_in(a->in, &in)) != SEC_E_OK)
			return st;
	}
	ULONG ret = 0;
	void *cred_state = cred ? cred->state : NULL;
	st = ctx->pkg->ops->step(ctx->pkg, cred_state, &ctx->state, a->server, a->target, a->req,
	                         in.len ? &in : NULL, out, &ret, &done);
	if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
		return st;
	ctx->ret = ret;
	if (!done)
		return st;
	ctx->expiry = ctx->pkg->ops->expiry(ctx->state);
	if (a->server) {
		if ((a->req & ASC_REQ_IDENTIFY) || (ret & ASC_RET_IDENTIFY))
			ctx->ctx_flags |= CTX_IDENTIFY;
		SECURITY_STATUS l = accept_logon(ctx, tok);
		if (l != SEC_E_OK) {
			free(out->data);
			*out = (struct sspi_blob){0};
			return l;
		}
		if (imp_token_flags(*tok) & IMP_LEVEL_IDENTIFY)
			ctx->ctx_flags |= CTX_IDENTIFY;
		if (ctx->ctx_flags & CTX_IDENTIFY)
			ctx->ret |= ASC_RET_IDENTIFY;
	}
	ctx->done = true;
	return st;
}

static SECURITY_STATUS step(const struct step_args *a)
{
	struct sspi_cred *cred;
	struct sspi_context *ctx;
	struct sspi_blob out = {0};
	imp_token *tok = NULL;
	bool allocate = a->req & (a->server ? ASC_REQ_ALLOCATE_MEMORY : ISC_REQ_ALLOCATE_MEMORY);

	SECURITY_STATUS st = output_check(a->out, allocate);
	if (st != SEC_E_OK)
		return st;
	if ((st = step_context(a, &cred, &ctx)) != SEC_E_OK)
		return st;
	if (!ctx->pkg->ops) {
		st = SEC_E_UNSUPPORTED_FUNCTION;
		goto out;
	}
	if (cred)
		ctx->cred = cred; /* a new context keeps our reference */
	else if (!(cred = ctx->cred)) {
		st = SEC_E_NO_CREDENTIALS;
		goto out;
	}
	pthread_mutex_lock(&ctx->lock);
	if (ctx->done || ctx->failed) {
		/* A finished (or failed) handshake takes no more tokens; a
		 * second thread continuing the same context finds it so. */
		pthread_mutex_unlock(&ctx->lock);
		st = SEC_E_OUT_OF_SEQUENCE;
		goto out;
	}
	SECURITY_STATUS r = step_run(a, cred, ctx, &out, &tok);
	if (r == SEC_E_OK || r == SEC_I_CONTINUE_NEEDED) {
		st = step_finish(a, ctx, tok, &out, allocate);
		if (st == SEC_E_OK)
			st = r;
	} else {
		st = r;
	}
	if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
		ctx->failed = true;
	pthread_mutex_unlock(&ctx->lock);
out:
	free(out.data);
	if (tok)
		imp_token_unref(tok);
	context_put(ctx); /* a failed new context goes here: no handle */
	return st;
}

SECURITY_STATUS context_initialize(PCredHandle cred, PCtxtHandle old, const char *target, ULONG req,
                                   PSecBufferDesc in, PCtxtHandle new_ctx, PSecBufferDesc out, ULONG *attr,
                                   PTimeStamp expiry)
{
	struct step_args a = {.server = false, .cred = cred, .old = old, .target = target, .req = req,
	                      .in = in, .out = out, .new_ctx = new_ctx, .attr = attr, .expiry = expiry};
	return step(&a);
}

WIN_PUBLIC SECURITY_STATUS InitializeSecurityContextA(PCredHandle phCredential, PCtxtHandle phContext,
                                                      SEC_CHAR *pszTargetName, ULONG fContextReq, ULONG Reserved1,
                                                      ULONG TargetDataRep, PSecBufferDesc pInput, ULONG Reserved2,
                                                      PCtxtHandle phNewContext, PSecBufferDesc pOutput,
                                                      ULONG *pfContextAttr, PTimeStamp ptsExpiry)
{
	(void)Reserved1, (void)TargetDataRep, (void)Reserved2;
	return context_initialize(phCredential, phContext, pszTargetName, fContextReq, pInput, phNewContext, pOutput,
	                          pfContextAttr, ptsExpiry);
}

WIN_PUBLIC SECURITY_STATUS AcceptSecurityContext(PCredHandle phCredential, PCtxtHandle phContext,
                                                 PSecBufferDesc pInput, ULONG fContextReq, ULONG TargetDataRep,
                                                 PCtxtHandle phNewContext, PSecBufferDesc pOutput,
                                                 ULONG *pfContextAttr, PTimeStamp ptsExpiry)
{
	(void)TargetDataRep;
	struct step_args a = {.server = true, .cred = phCredential, .old = phContext, .req = fContextReq,
	                      .in = pInput, .out = pOutput, .new_ctx = phNewContext, .attr = pfContextAttr,
	                      .expiry = ptsExpiry};
	return step(&a);
}

WIN_PUBLIC SECURITY_STATUS CompleteAuthToken(PCtxtHandle phContext, PSecBufferDesc pToken)
{
	(void)pToken;
	imp_token *tok;
	unsigned flags;
	SECURITY_STATUS st = ctx_get(phContext, &tok, &flags);
	if (st == SEC_E_OK && tok)
		imp_token_unref(tok);
	return st;
}
