/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MakeSignature, VerifySignature, EncryptMessage, DecryptMessage on an
 * established context.  The context's lock keeps one message call at a
 * time on it (GSSAPI sequence numbers); its lifetime is checked here, since
 * GSSAPI still protects messages on an expired context.
 */
#include <stdlib.h>
#include <string.h>

#include "package.h"

SECURITY_STATUS context_use(const CtxtHandle *h, struct sspi_context **out)
{
	struct sspi_context *ctx;
	SECURITY_STATUS st = context_get(h, &ctx);
	if (st != SEC_E_OK)
		return st;
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->done || ctx->failed)
		st = SEC_E_INVALID_HANDLE; /* no session keys yet, or never */
	else if (ctx->expiry != (time_t)-1 && time(NULL) >= ctx->expiry)
		st = SEC_E_CONTEXT_EXPIRED;
	if (st != SEC_E_OK) {
		context_release(ctx);
		return st;
	}
	*out = ctx;
	return SEC_E_OK;
}

void context_release(struct sspi_context *ctx)
{
	pthread_mutex_unlock(&ctx->lock);
	context_put(ctx);
}

static bool desc_ok(const SecBufferDesc *m)
{
	if (!m || m->ulVersion != SECBUFFER_VERSION || !m->pBuffers || m->cBuffers == 0)
		return false;
	for (ULONG i = 0; i < m->cBuffers; i++)
		if (m->pBuffers[i].cbBuffer && !m->pBuffers[i].pvBuffer)
			return false;
	return true;
}

/* The signed bytes: every SECBUFFER_DATA, in order, concatenated. */
static SECURITY_STATUS message_data(const SecBufferDesc *m, struct sspi_blob *msg, SecBuffer **token)
{
	size_t len = 0;
	*token = NULL;
	for (ULONG i = 0; i < m->cBuffers; i++) {
		ULONG type = m->pBuffers[i].BufferType & ~SECBUFFER_ATTRMASK;
		if (type == SECBUFFER_DATA)
			len += m->pBuffers[i].cbBuffer;
		else if (type == SECBUFFER_TOKEN && !*token)
			*token = &m->pBuffers[i];
	}
	if (!*token)
		return SEC_E_INVALID_TOKEN;
	msg->data = malloc(len ? len : 1);
	if (!msg->data)
		return SEC_E_INSUFFICIENT_MEMORY;
	msg->len = 0;
	for (ULONG i = 0; i < m->cBuffers; i++)
		if ((m->pBuffers[i].BufferType & ~SECBUFFER_ATTRMASK) == SECBUFFER_DATA && m->pBuffers[i].cbBuffer) {
			memcpy((char *)msg->data + msg->len, m->pBuffers[i].pvBuffer, m->pBuffers[i].cbBuffer);
			msg->len += m->pBuffers[i].cbBuffer;
		}
	return SEC_E_OK;
}

static SECURITY_STATUS signature(PCtxtHandle h, PSecBufferDesc m, bool make, ULONG *qop)
{
	struct sspi_context *ctx;
	struct sspi_blob msg;
	SecBuffer *token;
	if (!desc_ok(m))
		return SEC_E_INVALID_TOKEN;
	SECURITY_STATUS st = context_use(h, &ctx);
	if (st != SEC_E_OK)
		return st;
	if ((st = message_data(m, &msg, &token)) == SEC_E_OK) {
		struct sspi_blob mic = {token->pvBuffer, token->cbBuffer};
		if (make) {
			st = ctx->pkg->ops->sign(ctx->state, &msg, &mic);
			if (st == SEC_E_OK)
				token->cbBuffer = (ULONG)mic.len;
		} else {
			st = mic.len ? ctx->pkg->ops->verify(ctx->state, &msg, &mic) : SEC_E_INVALID_TOKEN;
			if (st == SEC_E_OK && qop)
				*qop = 0;
		}
		free(msg.data);
	}
	context_release(ctx);
	return st;
}

WIN_PUBLIC SECURITY_STATUS MakeSignature(PCtxtHandle phContext, ULONG fQOP, PSecBufferDesc pMessage,
                                         ULONG MessageSeqNo)
{
	(void)MessageSeqNo;
	if (fQOP != 0)
		return SEC_E_QOP_NOT_SUPPORTED;
	return signature(phContext, pMessage, true, NULL);
}

WIN_PUBLIC SECURITY_STATUS VerifySignature(PCtxtHandle phContext, PSecBufferDesc pMessage, ULONG MessageSeqNo,
                                           ULONG *pfQOP)
{
	(void)MessageSeqNo;
	return signature(phContext, pMessage, false, pfQOP);
}

WIN_PUBLIC SECURITY_STATUS EncryptMessage(PCtxtHandle phContext, ULONG fQOP, PSecBufferDesc pMessage,
                                          ULONG MessageSeqNo)
{
	(void)MessageSeqNo;
	struct sspi_context *ctx;
	if (fQOP != 0 && fQOP != SECQOP_WRAP_NO_ENCRYPT)
		return SEC_E_QOP_NOT_SUPPORTED;
	if (!desc_ok(pMessage))
		return SEC_E_INVALID_TOKEN;
	SECURITY_STATUS st = context_use(phContext, &ctx);
	if (st != SEC_E_OK)
		return st;
	st = ctx->pkg->ops->seal(ctx->state, fQOP == 0, pMessage);
	context_release(ctx);
	return st;
}

WIN_PUBLIC SECURITY_STATUS DecryptMessage(PCtxtHandle phContext, PSecBufferDesc pMessage, ULONG MessageSeqNo,
                                          ULONG *pfQOP)
{
	(void)MessageSeqNo;
	struct sspi_context *ctx;
	bool encrypted = false;
	if (!desc_ok(pMessage))
		return SEC_E_INVALID_TOKEN;
	SECURITY_STATUS st = context_use(phContext, &ctx);
	if (st != SEC_E_OK)
		return st;
	st = ctx->pkg->ops->unseal(ctx->state, pMessage, &encrypted);
	context_release(ctx);
	if (st == SEC_E_OK && pfQOP)
		*pfQOP = encrypted ? 0 : SECQOP_WRAP_NO_ENCRYPT;
	return st;
}
