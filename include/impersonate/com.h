/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate/com.h - COM's IServerSecurity and CoGetCallContext /
 * CoImpersonateClient / CoRevertToSelf, with real per-thread effect on Linux.
 *
 * Link with libimpersonate-win (pkg-config libimpersonate-win).  There is no
 * COM runtime: the dispatcher side is two calls made on the thread that
 * dispatches an incoming call, around the method it runs:
 *
 *     IServerSecurity *call;
 *     if (ImpCoCallBegin(client_token, &call) == S_OK) {
 *             server_method();                 // may use CoGetCallContext(),
 *             ImpCoCallEnd(call);              // auto-revert (SPEC C4)
 *     }
 *
 * and the server method reads as it does on Windows:
 *
 *     IServerSecurity *sec;
 *     if (CoGetCallContext(&IID_IServerSecurity, (void **)&sec) == S_OK) {
 *             sec->lpVtbl->ImpersonateClient(sec);   // C++: sec->ImpersonateClient()
 *             ...                                  // runs as the client
 *             sec->lpVtbl->RevertToSelf(sec);
 *             sec->lpVtbl->Release(sec);
 *     }
 *
 * Calls map onto the native call frames (imp_call_begin(), F1-F5): nested
 * calls each have their own saved identity, and impersonation is per thread.
 * A call begun with imp_call_begin() directly is a COM call too.
 * How each native error becomes an HRESULT: impersonate-win(3).
 *
 * If your portability layer already defines the Windows base types (LONG,
 * ULONG, DWORD, BOOL, HRESULT, ...) define IMP_WIN_BASE_TYPES_DEFINED first;
 * if it defines GUID/IID, define IMP_WIN_GUID_DEFINED.
 */
#ifndef IMPERSONATE_COM_H
#define IMPERSONATE_COM_H

#include <stdint.h>
#include <string.h>

#include <impersonate.h>
#include <impersonate/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif


#ifndef STDMETHODCALLTYPE
#define STDMETHODCALLTYPE
#endif

typedef uint16_t OLECHAR; /* UTF-16, as on Windows */

#ifndef IMP_WIN_GUID_DEFINED
#define IMP_WIN_GUID_DEFINED
typedef struct _GUID {
	uint32_t Data1;
	uint16_t Data2;
	uint16_t Data3;
	uint8_t Data4[8];
} GUID, IID;
#endif

/* As on Windows: a pointer in C, a reference in C++. */
#ifdef __cplusplus
#define REFIID const IID &
#define REFGUID const GUID &
#define IMP_IID_PTR(r) (&(r))
#else
#define REFIID const IID *
#define REFGUID const GUID *
#define IMP_IID_PTR(r) (r)
#endif
#define IsEqualGUID(a, b) (memcmp(IMP_IID_PTR(a), IMP_IID_PTR(b), sizeof(GUID)) == 0)
#define IsEqualIID(a, b) IsEqualGUID(a, b)

/* ---- HRESULTs (exact Windows values; SPEC C) ----------------------------- */

#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr) (((HRESULT)(hr)) < 0)

#define S_OK ((HRESULT)0x00000000)
#define S_FALSE ((HRESULT)0x00000001) /* ImpCoCallEnd(): ended after tampering */
#define E_NOINTERFACE ((HRESULT)0x80004002u)
#define E_FAIL ((HRESULT)0x80004005u)
#define E_OUTOFMEMORY ((HRESULT)0x8007000Eu)
#define E_INVALIDARG ((HRESULT)0x80070057u)
#define RPC_E_CALL_COMPLETE ((HRESULT)0x80010117u)
#define RPC_E_WRONG_THREAD ((HRESULT)0x8001010Eu)

/* ---- QueryBlanket values ------------------------------------------------- */

#define RPC_C_AUTHN_DEFAULT 0xFFFFFFFFu
#define RPC_C_AUTHZ_NONE 0
#define RPC_C_AUTHN_LEVEL_DEFAULT 0
#define RPC_C_IMP_LEVEL_IDENTIFY 2
#define RPC_C_IMP_LEVEL_IMPERSONATE 3
#define EOAC_NONE 0

/* ---- IServerSecurity ----------------------------------------------------- */

typedef struct IServerSecurity IServerSecurity;

typedef struct IServerSecurityVtbl {
	/* IUnknown: IID_IUnknown and IID_IServerSecurity give the same object. */
	HRESULT(STDMETHODCALLTYPE *QueryInterface)(IServerSecurity *This, REFIID riid, void **ppvObject);
	ULONG(STDMETHODCALLTYPE *AddRef)(IServerSecurity *This);
	ULONG(STDMETHODCALLTYPE *Release)(IServerSecurity *This);

	/*
	 * QueryBlanket() - about the call.  Every out-parameter may be NULL.
	 * *pAuthnSvc = RPC_C_AUTHN_DEFAULT (PAM decided), *pAuthzSvc =
	 * RPC_C_AUTHZ_NONE, *pServerPrincName = NULL (there is no
	 * CoTaskMemAlloc), *pAuthnLevel = RPC_C_AUTHN_LEVEL_DEFAULT, *pImpLevel =
	 * RPC_C_IMP_LEVEL_IDENTIFY or _IMPERSONATE (Windows reserves it; we fill
	 * it), *pPrivs = the client's user name as a const char * valid while
	 * the caller holds this object, *pCapabilities = EOAC_NONE.
	 * Returns S_OK.
	 */
	HRESULT(STDMETHODCALLTYPE *QueryBlanket)(IServerSecurity *This, DWORD *pAuthnSvc, DWORD *pAuthzSvc,
	                                          OLECHAR **pServerPrincName, DWORD *pAuthnLevel,
	                                          DWORD *pImpLevel, void **pPrivs, DWORD *pCapabilities);

	/*
	 * ImpersonateClient() - run the calling thread (any thread, until the
	 * call completes) as the call's client, in that thread's current call
	 * frame (imp_call_impersonate()).  The first impersonation saves the
	 * thread's credentials; later ones replace the identity (C3).
	 * Returns S_OK, or E_FAIL with the thread unchanged (call complete,
	 * identify level, no privilege, revoked token, ...).
	 */
	HRESULT(STDMETHODCALLTYPE *ImpersonateClient)(IServerSecurity *This);

	/*
	 * RevertToSelf() - restore the calling thread's credentials saved at
	 * its first impersonation in the current call frame (imp_revert()): one
	 * call undoes any number of ImpersonateClient() calls, and works after
	 * the call completed.  Not impersonating: S_OK, nothing changes.
	 * Returns S_OK, or E_FAIL when the thread's credentials had been changed
	 * by other means (a set*id call, a raw syscall): they ARE restored, the
	 * E_FAIL reports it (C6, where Windows leaves the result undefined).
	 * A revert that cannot restore never returns (T8).
	 */
	HRESULT(STDMETHODCALLTYPE *RevertToSelf)(IServerSecurity *This);

	/* IsImpersonating() - TRUE if the calling thread impersonates in its
	 * current call frame (C2: it says nothing about other threads). */
	BOOL(STDMETHODCALLTYPE *IsImpersonating)(IServerSecurity *This);
} IServerSecurityVtbl;

struct IServerSecurity {
	const IServerSecurityVtbl *lpVtbl;
#ifdef __cplusplus
	/* C++ call syntax; non-virtual, so the layout stays the C one. */
	HRESULT QueryInterface(REFIID riid, void **ppvObject) { return lpVtbl->QueryInterface(this, riid, ppvObject); }
	ULONG AddRef() { return lpVtbl->AddRef(this); }
	ULONG Release() { return lpVtbl->Release(this); }
	HRESULT QueryBlanket(DWORD *pAuthnSvc, DWORD *pAuthzSvc, OLECHAR **pServerPrincName, DWORD *pAuthnLevel,
	                     DWORD *pImpLevel, void **pPrivs, DWORD *pCapabilities)
	{
		return lpVtbl->QueryBlanket(this, pAuthnSvc, pAuthzSvc, pServerPrincName, pAuthnLevel, pImpLevel,
		                            pPrivs, pCapabilities);
	}
	HRESULT ImpersonateClient() { return lpVtbl->ImpersonateClient(this); }
	HRESULT RevertToSelf() { return lpVtbl->RevertToSelf(this); }
	BOOL IsImpersonating() { return lpVtbl->IsImpersonating(this); }
#endif
};

/* COBJMACROS-style helpers, as Windows' C headers provide. */
#define IServerSecurity_QueryInterface(This, riid, ppv) (This)->lpVtbl->QueryInterface(This, riid, ppv)
#define IServerSecurity_AddRef(This) (This)->lpVtbl->AddRef(This)
#define IServerSecurity_Release(This) (This)->lpVtbl->Release(This)
#define IServerSecurity_QueryBlanket(This, a, b, c, d, e, f, g) (This)->lpVtbl->QueryBlanket(This, a, b, c, d, e, f, g)
#define IServerSecurity_ImpersonateClient(This) (This)->lpVtbl->ImpersonateClient(This)
#define IServerSecurity_RevertToSelf(This) (This)->lpVtbl->RevertToSelf(This)
#define IServerSecurity_IsImpersonating(This) (This)->lpVtbl->IsImpersonating(This)

/* {00000000-0000-0000-C000-000000000046} and {0000013E-0000-0000-C000-000000000046} */
extern const IID IID_IUnknown;
extern const IID IID_IServerSecurity;

/* ---- Co* functions ------------------------------------------------------- */

/*
 * CoGetCallContext() - the IServerSecurity of the calling thread's innermost
 * call, AddRef'd: release it with Release().  The same object for the same
 * call while someone holds it (C1).
 * Returns S_OK, RPC_E_CALL_COMPLETE (no call on this thread), E_NOINTERFACE
 * (@riid is neither IID_IServerSecurity nor IID_IUnknown), E_INVALIDARG
 * (@ppInterface NULL) or E_OUTOFMEMORY.  *@ppInterface is NULL on failure.
 */
HRESULT STDMETHODCALLTYPE CoGetCallContext(REFIID riid, void **ppInterface);

/* CoImpersonateClient() / CoRevertToSelf() - CoGetCallContext() followed by
 * the method (C5); outside a call they return CoGetCallContext()'s error. */
HRESULT STDMETHODCALLTYPE CoImpersonateClient(void);
HRESULT STDMETHODCALLTYPE CoRevertToSelf(void);

/* ---- The dispatcher side: our extension ---------------------------------- */

/*
 * ImpCoCallBegin() - begin an incoming call for @client on the calling
 * (dispatch) thread (imp_call_begin()).  Inside it the thread runs as itself
 * until ImpersonateClient(); a call begun while another is active on the
 * thread is nested and starts as the thread's own identity (C4).
 * *@ppCall receives the call's IServerSecurity with one reference, which
 * ImpCoCallEnd() consumes.
 * Returns S_OK, E_INVALIDARG (@client or @ppCall NULL), E_OUTOFMEMORY, or
 * E_FAIL (too deeply nested, F5; or this thread inherited an impersonation,
 * X1).
 */
HRESULT STDMETHODCALLTYPE ImpCoCallBegin(imp_token *client, IServerSecurity **ppCall);

/*
 * ImpCoCallEnd() - complete the call on the thread that began it: revert the
 * thread if it still impersonates in the call (the automatic RevertToSelf),
 * restore the enclosing call's state exactly, impersonation included (C4),
 * and release the reference ImpCoCallBegin() gave.  Other threads that
 * impersonate through the call keep doing so until they revert; later
 * ImpersonateClient() calls on it fail.
 * Returns S_OK; S_FALSE (ended, but the automatic revert found the thread's
 * credentials changed by other means and restored them, C6); or, with
 * nothing done and the reference kept: E_INVALIDARG (@pCall is not a live
 * call object of this library), RPC_E_CALL_COMPLETE (already ended),
 * RPC_E_WRONG_THREAD (begun on another thread), E_FAIL (calls nested inside
 * it are still active).
 */
HRESULT STDMETHODCALLTYPE ImpCoCallEnd(IServerSecurity *pCall);

#ifdef __cplusplus
}
#endif
#endif /* IMPERSONATE_COM_H */
