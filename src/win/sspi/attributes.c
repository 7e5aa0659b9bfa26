/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QueryContextAttributesA/W (SPEC S7): one body; the W form converts the
 * strings it returns to UTF-16.
 */
#include <stdlib.h>
#include <string.h>

#include "package.h"

/* A SecPkgInfoW copy of @a in one allocation. */
static SecPkgInfoW *info_wide(const SecPkgInfoA *a)
{
	WCHAR *name = utf8_to_utf16(a->Name), *comment = utf8_to_utf16(a->Comment);
	SecPkgInfoW *w = NULL;
	if (name && comment) {
		size_t nl = utf16_len(name) + 1, cl = utf16_len(comment) + 1;
		w = malloc(sizeof(*w) + (nl + cl) * sizeof(WCHAR));
		if (w) {
			WCHAR *s = (WCHAR *)(w + 1);
			memcpy(s, name, nl * sizeof(WCHAR));
			memcpy(s + nl, comment, cl * sizeof(WCHAR));
			*w = (SecPkgInfoW){a->fCapabilities, a->wVersion, a->wRPCID, a->cbMaxToken, s, s + nl};
		}
	}
	free(name);
	free(comment);
	return w;
}

SecPkgInfoW *package_info_wide(const SecPkgInfoA *a, size_t n);
SecPkgInfoW *package_info_wide(const SecPkgInfoA *a, size_t n)
{
	if (n == 1)
		return info_wide(a);
	/* An array: each entry's strings after the array. */
	size_t size = n * sizeof(SecPkgInfoW);
	for (size_t i = 0; i < n; i++)
		size += (strlen(a[i].Name) + strlen(a[i].Comment) + 2) * sizeof(WCHAR) * 2;
	SecPkgInfoW *w = malloc(size);
	if (!w)
		return NULL;
	WCHAR *s = (WCHAR *)(w + n);
	for (size_t i = 0; i < n; i++) {
		SecPkgInfoW *one = info_wide(&a[i]);
		if (!one) {
			free(w);
			return NULL;
		}
		size_t nl = utf16_len(one->Name) + 1, cl = utf16_len(one->Comment) + 1;
		memcpy(s, one->Name, nl * sizeof(WCHAR));
		memcpy(s + nl, one->Comment, cl * sizeof(WCHAR));
		w[i] = *one;
		w[i].Name = s;
		w[i].Comment = s + nl;
		s += nl + cl;
		free(one);
	}
	return w;
}

/* A string the caller frees with FreeContextBuffer(), in the caller's
 * width; takes @s. */
static SECURITY_STATUS give_string(char *s, bool wide, void **out)
{
	if (!s)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (!wide) {
		*out = s;
		return SEC_E_OK;
	}
	WCHAR *w = utf8_to_utf16(s);
	free(s);
	if (!w)
		return SEC_E_INSUFFICIENT_MEMORY;
	*out = w;
	return SEC_E_OK;
}

static SECURITY_STATUS query_names(struct sspi_context *ctx, imp_token *tok, bool wide, void *buf)
{
	char *name = NULL;
	SECURITY_STATUS st = SEC_E_OK;
	/* An accepted client is the local user it was logged on as (S7); a
	 * client context names its own principal. */
	if (tok)
		name = strdup(imp_token_user_name(tok));
	else if (ctx && ctx->done)
		st = ctx->pkg->ops->names(ctx->state, &name, NULL);
	else
		st = SEC_E_UNSUPPORTED_FUNCTION;
	if (st != SEC_E_OK)
		return st;
	void *out;
	if ((st = give_string(name, wide, &out)) == SEC_E_OK)
		((SecPkgContext_NamesA *)buf)->sUserName = out;
	return st;
}

static SECURITY_STATUS query_native(struct sspi_context *ctx, bool wide, void *buf)
{
	char *client = NULL, *server = NULL;
	void *c, *s;
	if (!ctx || !ctx->done)
		return SEC_E_UNSUPPORTED_FUNCTION;
	SECURITY_STATUS st = ctx->pkg->ops->names(ctx->state, &client, &server);
	if (st != SEC_E_OK)
		return st;
	if ((st = give_string(server, wide, &s)) != SEC_E_OK) {
		free(client);
		return st;
	}
	if ((st = give_string(client, wide, &c)) != SEC_E_OK) {
		free(s);
		return st;
	}
	SecPkgContext_NativeNamesA *n = buf;
	n->sClientName = c;
	n->sServerName = s;
	return SEC_E_OK;
}

static SECURITY_STATUS query_package(struct sspi_context *ctx, bool wide, void *buf)
{
	SecPkgInfoA *a = package_info(ctx ? ctx->pkg : &package_impersonate);
	if (!a)
		return SEC_E_INSUFFICIENT_MEMORY;
	if (!wide) {
		((SecPkgContext_PackageInfoA *)buf)->PackageInfo = a;
		return SEC_E_OK;
	}
	SecPkgInfoW *w = info_wide(a);
	free(a);
	if (!w)
		return SEC_E_INSUFFICIENT_MEMORY;
	((SecPkgContext_PackageInfoW *)buf)->PackageInfo = w;
	return SEC_E_OK;
}

static SECURITY_STATUS query(struct sspi_context *ctx, imp_token *tok, ULONG attr, bool wide, void *buf)
{
	switch (attr) {
	case SECPKG_ATTR_NAMES:
		return query_names(ctx, tok, wide, buf);
	case SECPKG_ATTR_NATIVE_NAMES:
		return query_native(ctx, wide, buf);
	case SECPKG_ATTR_PACKAGE_INFO:
		return query_package(ctx, wide, buf);
	case SECPKG_ATTR_SIZES: {
		if (!ctx)
			return SEC_E_UNSUPPORTED_FUNCTION;
		SecPkgContext_Sizes sz = {.cbMaxToken = ctx->pkg->max_token};
		if (ctx->done) {
			SECURITY_STATUS st = ctx->pkg->ops->sizes(ctx->state, &sz);
			if (st != SEC_E_OK)
				return st;
		}
		*(SecPkgContext_Sizes *)buf = sz;
		return SEC_E_OK;
	}
	case SECPKG_ATTR_LIFESPAN: {
		if (!ctx || !ctx->done)
			return SEC_E_UNSUPPORTED_FUNCTION;
		SecPkgContext_Lifespan *l = buf;
		timestamp_set(&l->tsStart, ctx->start);
		timestamp_set(&l->tsExpiry, ctx->expiry);
		return SEC_E_OK;
	}
	default:
		return SEC_E_UNSUPPORTED_FUNCTION;
	}
}

SECURITY_STATUS context_query(PCtxtHandle h, ULONG attr, void *buf, bool wide);
SECURITY_STATUS context_query(PCtxtHandle h, ULONG attr, void *buf, bool wide)
{
	imp_token *tok;
	unsigned flags;
	struct win_object *obj = NULL;
	SECURITY_STATUS st = ctx_get(h, &tok, &flags);
	if (st != SEC_E_OK)
		return st;
	st = handle_get_object(HANDLE_CONTEXT, h, &obj);
	if (st == SEC_E_OK && !buf)
		st = SEC_E_INVALID_PARAMETER;
	if (st == SEC_E_OK) {
		struct sspi_context *ctx = (struct sspi_context *)obj;
		if (ctx)
			pthread_mutex_lock(&ctx->lock);
		/* Identify-level contexts can be queried too (K3). */
		st = query(ctx, tok, attr, wide, buf);
		if (ctx)
			pthread_mutex_unlock(&ctx->lock);
	}
	win_object_unref(obj);
	if (tok)
		imp_token_unref(tok);
	return st;
}

WIN_PUBLIC SECURITY_STATUS QueryContextAttributesA(PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer)
{
	return context_query(phContext, ulAttribute, pBuffer, false);
}

WIN_PUBLIC SECURITY_STATUS QueryContextAttributesW(PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer)
{
	return context_query(phContext, ulAttribute, pBuffer, true);
}
