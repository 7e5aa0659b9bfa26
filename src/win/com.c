/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IServerSecurity over the native call frames (SPEC C1-C6, seed 002).
 *
 * One object per native call (imp_call), kept in a registry so that
 * CoGetCallContext() gives the same object for the same call, and so that
 * ImpCoCallEnd() can check that the pointer it is given is one of ours
 * before using it.  The registry holds no reference: an object leaves it
 * when its last reference is released.  The object holds a reference on its
 * call, so a live object's call address is never reused.  AddRef/Release and
 * lookups take a mutex; ImpersonateClient/RevertToSelf go straight to the
 * engine and take none.
 */
#include <pthread.h>
#include <stdlib.h>

#include "win.h"

WIN_PUBLIC const IID IID_IUnknown = {0x00000000, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
WIN_PUBLIC const IID IID_IServerSecurity = {0x0000013E, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};

struct co_call {
	IServerSecurity iface; /* first: the interface pointer is the object */
	ULONG refs;            /* under lock */
	imp_call *call;        /* one reference, ours */
	struct co_call *next;
};

static struct co_call *registry;

static struct co_call *obj_of(IServerSecurity *This)
{
	return (struct co_call *)This;
}

/* Lock held. */
static struct co_call **registry_slot(const struct co_call *obj)
{
	struct co_call **p = &registry;
	while (*p && *p != obj)
		p = &(*p)->next;
	return p;
}

/* Lock held. */
static struct co_call *registry_find_call(const imp_call *call)
{
	struct co_call *o = registry;
	while (o && o->call != call)
		o = o->next;
	return o;
}

/* ---- IUnknown ------------------------------------------------------------- */

static HRESULT STDMETHODCALLTYPE ss_query_interface(IServerSecurity *This, REFIID riid, void **ppv)
{
	if (!ppv)
		return E_INVALIDARG;
	if (!riid || (!IsEqualIID(riid, &IID_IServerSecurity) && !IsEqualIID(riid, &IID_IUnknown))) {
		*ppv = NULL;
		return E_NOINTERFACE;
	}
	This->lpVtbl->AddRef(This);
	*ppv = This;
	return S_OK;
}

static ULONG STDMETHODCALLTYPE ss_add_ref(IServerSecurity *This)
{
	win_lock();
	ULONG n = ++obj_of(This)->refs;
	win_unlock();
	return n;
}

static ULONG STDMETHODCALLTYPE ss_release(IServerSecurity *This)
{
	struct co_call *obj = obj_of(This);
	win_lock();
	ULONG n = --obj->refs;
	if (n == 0)
		*registry_slot(obj) = obj->next;
	win_unlock();
	if (n == 0) {
		imp_call_unref(obj->call);
		free(obj);
	}
	return n;
}

/* ---- IServerSecurity ------------------------------------------------------ */

static HRESULT STDMETHODCALLTYPE ss_query_blanket(IServerSecurity *This, DWORD *pAuthnSvc, DWORD *pAuthzSvc,
                                                  OLECHAR **pServerPrincName, DWORD *pAuthnLevel,
                                                  DWORD *pImpLevel, void **pPrivs, DWORD *pCapabilities)
{
	imp_token *client = imp_call_token(obj_of(This)->call);
	if (pAuthnSvc)
		*pAuthnSvc = RPC_C_AUTHN_DEFAULT;
	if (pAuthzSvc)
		*pAuthzSvc = RPC_C_AUTHZ_NONE;
	if (pServerPrincName)
		*pServerPrincName = NULL;
	if (pAuthnLevel)
		*pAuthnLevel = RPC_C_AUTHN_LEVEL_DEFAULT;
	if (pImpLevel)
		*pImpLevel = (imp_token_flags(client) & IMP_LEVEL_IDENTIFY) ? RPC_C_IMP_LEVEL_IDENTIFY
		                                                              : RPC_C_IMP_LEVEL_IMPERSONATE;
	if (pPrivs) /* lives in the token, which the call holds */
		*pPrivs = (void *)imp_token_user_name(client);
	if (pCapabilities)
		*pCapabilities = EOAC_NONE;
	return S_OK;
}

static HRESULT STDMETHODCALLTYPE ss_impersonate_client(IServerSecurity *This)
{
	return imp_call_impersonate(obj_of(This)->call) == 0 ? S_OK : E_FAIL;
}

/* The revert is the calling thread's, in its current frame: what this
 * thread's first ImpersonateClient() (or other impersonation through the
 * library) saved.  -EUCLEAN: restored after tampering, reported (C6). */
static HRESULT STDMETHODCALLTYPE ss_revert_to_self(IServerSecurity *This)
{
	return imp_revert() == 0 ? S_OK : E_FAIL;
}

static BOOL STDMETHODCALLTYPE ss_is_impersonating(IServerSecurity *This)
{
	return imp_is_impersonating() > 0 ? TRUE : FALSE;
}

static const IServerSecurityVtbl vtbl = {
	.QueryInterface = ss_query_interface,
	.AddRef = ss_add_ref,
	.Release = ss_release,
	.QueryBlanket = ss_query_blanket,
	.ImpersonateClient = ss_impersonate_client,
	.RevertToSelf = ss_revert_to_self,
	.IsImpersonating = ss_is_impersonating,
};

/* Lock held.  A new object for @call (its reference moves to the object). */
static void obj_init(struct co_call *obj, imp_call *call)
{
	*obj = (struct co_call){.iface = {.lpVtbl = &vtbl}, .refs = 1, .call = call, .next = registry};
	registry = obj;
}

/* ---- Co* ------------------------------------------------------------------ */

WIN_PUBLIC HRESULT STDMETHODCALLTYPE CoGetCallContext(REFIID riid, void **ppInterface)
{
	imp_call *call;
	if (!ppInterface)
		return E_INVALIDARG;
	*ppInterface = NULL;
	if (imp_call_current(&call) < 0)
		return RPC_E_CALL_COMPLETE; /* C1: not inside a call */
	if (!riid || (!IsEqualIID(riid, &IID_IServerSecurity) && !IsEqualIID(riid, &IID_IUnknown))) {
		imp_call_unref(call);
		return E_NOINTERFACE;
	}

	struct co_call *fresh = malloc(sizeof(*fresh));
	win_lock();
	struct co_call *obj = registry_find_call(call);
	if (obj) {
		obj->refs++;
	} else if (fresh) {
		obj_init(fresh, call); /* a call begun with imp_call_begin() */
		obj = fresh;
		fresh = NULL;
		call = NULL;
	}
	win_unlock();
	free(fresh);
	imp_call_unref(call);
	if (!obj)
		return E_OUTOFMEMORY;
	*ppInterface = &obj->iface;
	return S_OK;
}

static HRESULT with_call_context(HRESULT (*method)(IServerSecurity *))
{
	IServerSecurity *sec;
	HRESULT hr = CoGetCallContext(&IID_IServerSecurity, (void **)&sec);
	if (FAILED(hr))
		return hr;
	hr = method(sec);
	sec->lpVtbl->Release(sec);
	return hr;
}

WIN_PUBLIC HRESULT STDMETHODCALLTYPE CoImpersonateClient(void)
{
	return with_call_context(ss_impersonate_client);
}

WIN_PUBLIC HRESULT STDMETHODCALLTYPE CoRevertToSelf(void)
{
	return with_call_context(ss_revert_to_self);
}

/* ---- The dispatcher ------------------------------------------------------- */

WIN_PUBLIC HRESULT STDMETHODCALLTYPE ImpCoCallBegin(imp_token *client, IServerSecurity **ppCall)
{
	if (!client || !ppCall)
		return E_INVALIDARG;
	struct co_call *obj = malloc(sizeof(*obj));
	if (!obj)
		return E_OUTOFMEMORY;
	imp_call *call;
	int r = imp_call_begin(client, &call);
	if (r < 0) {
		free(obj);
		return hr_from_errno(r);
	}
	win_lock();
	obj_init(obj, call);
	win_unlock();
	*ppCall = &obj->iface;
	return S_OK;
}

WIN_PUBLIC HRESULT STDMETHODCALLTYPE ImpCoCallEnd(IServerSecurity *pCall)
{
	/* Find the pointer among our live objects before touching it, and pin
	 * it so a racing Release() cannot free it while the call ends. */
	win_lock();
	struct co_call *obj = *registry_slot((struct co_call *)pCall);
	if (obj)
		obj->refs++;
	win_unlock();
	if (!obj)
		return E_INVALIDARG;

	HRESULT hr = hr_from_errno(imp_call_end(obj->call)); /* C4: auto-revert */
	if (SUCCEEDED(hr))
		ss_release(&obj->iface); /* the reference ImpCoCallBegin() gave */
	ss_release(&obj->iface);
	return hr;
}
