/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The advapi32 family (SPEC W1-W5, A1, A3, A5) with the real libpam,
 * pam_matrix, the real pam_impersonate.so and nss_wrapper users: LogonUser
 * and its exact error codes, ImpersonateLoggedOnUser / SetThreadToken /
 * RevertToSelf checked against the kernel on a worker thread with a sibling
 * untouched, token handles and their Windows attributes, GetTokenInformation
 * at every buffer size, SIDs, ImpersonateNamedPipeClient on Unix sockets,
 * CreateProcessAsUser, and handle fuzzing.
 */
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate/advapi.h"
#include "impersonate/sspi.h"
#include "kcreds.h"
#include "logontest.h"

#define ALICE 60001
#define BOB 60002
#define SHARED 60100
#define FINANCE 60101

_Static_assert(sizeof(SID_AND_ATTRIBUTES) == 2 * sizeof(void *), "PSID, DWORD, padding");
_Static_assert(offsetof(TOKEN_GROUPS, Groups) == sizeof(void *), "DWORD GroupCount, aligned array");
_Static_assert(sizeof(TOKEN_USER) == sizeof(SID_AND_ATTRIBUTES), "TOKEN_USER");
_Static_assert(sizeof(SID) == 12, "SID with ANYSIZE_ARRAY");
_Static_assert(sizeof(WCHAR) == 2, "UTF-16");
_Static_assert(sizeof(TOKEN_TYPE) == 4 && sizeof(SECURITY_IMPERSONATION_LEVEL) == 4, "enums");
_Static_assert(sizeof(void *) != 8 || (offsetof(STARTUPINFOA, hStdInput) == 80 && sizeof(STARTUPINFOA) == 104 &&
                                        sizeof(STARTUPINFOW) == 104),
               "STARTUPINFO as on x64 Windows");
_Static_assert(sizeof(PROCESS_INFORMATION) == 2 * sizeof(void *) + 8, "PROCESS_INFORMATION");

#define CHECK_FAIL(call, code)                      \
	do {                                        \
		SetLastError(0xdeadbeef);           \
		CHECK_EQ((call), FALSE);            \
		CHECK_EQ(GetLastError(), (code));   \
	} while (0)

static HANDLE logon(const char *user, const char *password, DWORD type)
{
	HANDLE h = NULL;
	CHECK(LogonUserA(user, NULL, password, type, LOGON32_PROVIDER_DEFAULT, &h));
	CHECK(h != NULL);
	return h;
}

static HANDLE alice_primary(void)
{
	return logon("alice", "alice-secret", LOGON32_LOGON_INTERACTIVE);
}

static HANDLE impersonation_copy(HANDLE h, SECURITY_IMPERSONATION_LEVEL level)
{
	HANDLE d = NULL;
	CHECK(DuplicateTokenEx(h, 0, NULL, level, TokenImpersonation, &d));
	return d;
}

/* The thread (@tid, 0: caller) fs-impersonates alice on top of @own. */
static void expect_alice(pid_t tid, const struct kcreds *own)
{
	struct kcreds k;
	kc_read(tid, &k);
	CHECK_EQ(k.uid[3], ALICE);
	CHECK_EQ(k.gid[3], ALICE);
	CHECK(k.ngroups == 3 && kc_has_group(&k, ALICE) && kc_has_group(&k, SHARED) &&
	      kc_has_group(&k, FINANCE));
	CHECK_EQ(k.cap_eff, 0);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(k.uid[i], own->uid[i]);
}

static void expect_same(pid_t tid, const struct kcreds *want)
{
	struct kcreds k;
	kc_read(tid, &k);
	CHECK(kc_equal(&k, want));
}

/* ---- Logon (SPEC A1) ---------------------------------------------------------- */

static long w_impersonate(void *h)
{
	return ImpersonateLoggedOnUser(h) ? 0 : (long)GetLastError();
}

static long w_revert(void *unused)
{
	return RevertToSelf() ? 0 : (long)GetLastError();
}

static long w_open_thread_token(void *out)
{
	return OpenThreadToken(GetCurrentThread(), TOKEN_ALL_ACCESS, TRUE, out) ? 0 : (long)GetLastError();
}

/* SPEC A1, W1, T1: LogonUser with alice's password; impersonated on a worker
 * the kernel shows alice there (fsuid, fsgid, NSS groups, no effective
 * capabilities) and nothing on a sibling; RevertToSelf restores the worker
 * exactly. */
TEST(a1_w1_logon_impersonate_revert_on_worker)
{
	HANDLE h = alice_primary();
	struct worker *w = worker_start();
	struct sibling *s = sibling_start();
	struct kcreds own, sib;
	kc_read(worker_tid(w), &own);
	kc_read(sibling_tid(s), &sib);

	CHECK_EQ(worker_run(w, w_impersonate, h), 0);
	expect_alice(worker_tid(w), &own);
	expect_same(sibling_tid(s), &sib);
	expect_same(0, &own); /* the main thread too */
	CHECK_EQ(worker_run(w, w_revert, NULL), 0);
	expect_same(worker_tid(w), &own);
	expect_same(sibling_tid(s), &sib);
	CHECK(CloseHandle(h));
	worker_stop(w);
	sibling_stop(s);
}

/* SPEC A1, W3: every refusal is FALSE and Windows' own code; the handle is
 * untouched. */
TEST(a1_logon_refusals_exact_codes)
{
	HANDLE h = (HANDLE)0x1234;
	const DWORD I = LOGON32_LOGON_INTERACTIVE, D = LOGON32_PROVIDER_DEFAULT;
	CHECK_FAIL(LogonUserA("alice", NULL, "wrong", I, D, &h), ERROR_LOGON_FAILURE);
	CHECK_FAIL(LogonUserA("alice", ".", "", I, D, &h), ERROR_LOGON_FAILURE);
	CHECK_FAIL(LogonUserA("nobody-here", NULL, "x", I, D, &h), ERROR_LOGON_FAILURE);
	CHECK_FAIL(LogonUserA("expired", NULL, "expired-secret", I, D, &h), ERROR_ACCOUNT_EXPIRED);
	CHECK_FAIL(LogonUserA("mustchange", NULL, "mustchange-secret", I, D, &h), ERROR_PASSWORD_MUST_CHANGE);
	CHECK_FAIL(LogonUserA("prompter", NULL, "prompter-secret", I, D, &h), ERROR_LOGON_FAILURE);
	CHECK_FAIL(LogonUserA("root", NULL, "root-secret", I, D, &h), ERROR_ACCOUNT_RESTRICTION);
	CHECK_FAIL(LogonUserA("sysuser", NULL, "sysuser-secret", I, D, &h), ERROR_ACCOUNT_RESTRICTION);
	/* Another domain: the PAM user "CORP\alice" is not known here. */
	CHECK_FAIL(LogonUserA("alice", "CORP", "alice-secret", I, D, &h), ERROR_LOGON_FAILURE);
	CHECK_FAIL(LogonUserA(NULL, NULL, "x", I, D, &h), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(LogonUserA("alice", NULL, NULL, I, D, &h), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(LogonUserA("alice", NULL, "alice-secret", I, D, NULL), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(LogonUserA("alice", NULL, "alice-secret", 6, D, &h), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(LogonUserA("alice", NULL, "alice-secret", LOGON32_LOGON_NEW_CREDENTIALS, D, &h),
	           ERROR_NOT_SUPPORTED);
	CHECK_FAIL(LogonUserA("alice", NULL, "alice-secret", I, 99, &h), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(LogonUserW(u"alice", NULL, u"wrong", I, D, &h), ERROR_LOGON_FAILURE);
	CHECK(h == (HANDLE)0x1234);
	CHECK(LogonUserW(u"alice", u".", u"alice-secret", I, D, &h));
	CHECK(CloseHandle(h));
	/* LogonUserEx: the same logon and codes; extra outputs are refused
	 * before anything is tried. */
	PSID sid = (PSID)0x55;
	PVOID profile = NULL;
	DWORD plen = 0;
	QUOTA_LIMITS q;
	h = (HANDLE)0x1234;
	CHECK_FAIL(LogonUserExA("alice", NULL, "wrong", I, D, &h, NULL, NULL, NULL, NULL), ERROR_LOGON_FAILURE);
	CHECK_FAIL(LogonUserExA("alice", NULL, "alice-secret", I, D, &h, &sid, NULL, NULL, NULL), ERROR_NOT_SUPPORTED);
	CHECK_FAIL(LogonUserExW(u"alice", NULL, u"alice-secret", I, D, &h, NULL, &profile, &plen, NULL),
	           ERROR_NOT_SUPPORTED);
	CHECK_FAIL(LogonUserExA("alice", NULL, "alice-secret", I, D, &h, NULL, NULL, NULL, &q), ERROR_NOT_SUPPORTED);
	CHECK(h == (HANDLE)0x1234 && sid == (PSID)0x55);
	CHECK(LogonUserExW(u"alice", NULL, u"alice-secret", I, D, &h, NULL, NULL, NULL, NULL));
	CHECK(ImpersonateLoggedOnUser(h));
	struct kcreds k;
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], ALICE); /* the kernel's fs uid */
	CHECK(RevertToSelf());
	CHECK(CloseHandle(h));
	CHECK(LogonUserExA("alice", NULL, "alice-secret", I, D, &h, NULL, NULL, NULL, NULL));
	CHECK(CloseHandle(h));
	/* A service without pam_impersonate.so makes no token. */
	CHECK(ImpSetLogonServiceA("no-token", logon_confdir()));
	CHECK_FAIL(LogonUserA("alice", NULL, "alice-secret", I, D, &h), ERROR_INTERNAL_ERROR);
	CHECK_FAIL(ImpSetLogonServiceA("../etc/x", NULL), ERROR_INVALID_PARAMETER);
}

/* SPEC A5, K4, W1: closing the last handle ends the logon session and
 * revokes the token, but an impersonation in progress lasts until
 * RevertToSelf; afterwards the revoked token cannot be impersonated. */
TEST(a5_close_handle_revokes_impersonation_lasts)
{
	HANDLE h = alice_primary(), copy = NULL;
	struct worker *w = worker_start();
	struct kcreds own;
	kc_read(worker_tid(w), &own);
	CHECK_EQ(worker_run(w, w_impersonate, h), 0);
	CHECK_EQ(worker_run(w, w_open_thread_token, &copy), 0);
	CHECK(CloseHandle(h)); /* the session ends here */
	expect_alice(worker_tid(w), &own);
	CHECK_EQ(worker_run(w, w_revert, NULL), 0);
	expect_same(worker_tid(w), &own);
	CHECK_EQ(worker_run(w, w_impersonate, copy), ERROR_NO_SUCH_LOGON_SESSION);
	CHECK_EQ(worker_run(w, w_impersonate, h), ERROR_INVALID_HANDLE);
	expect_same(worker_tid(w), &own);
	CHECK(CloseHandle(copy));
	CHECK_FAIL(CloseHandle(copy), ERROR_INVALID_HANDLE);
	worker_stop(w);
}

/* ---- Thread tokens (SPEC W1, W2) --------------------------------------------- */

/* SPEC W1, T3, T4: SetThreadToken(A), SetThreadToken(B), RevertToSelf gives
 * the thread's own identity; SetThreadToken(NULL, NULL) reverts too. */
TEST(w1_thread_token_replaced_not_stacked)
{
	HANDLE a = alice_primary(), b = logon("bob", "bob-secret", LOGON32_LOGON_NETWORK);
	HANDLE ai = impersonation_copy(a, SecurityImpersonation);
	HANDLE me = GetCurrentThread();
	struct kcreds own, k;
	kc_read(0, &own);
	CHECK(SetThreadToken(NULL, ai));
	expect_alice(0, &own);
	CHECK(SetThreadToken(&me, b)); /* NETWORK logon: an impersonation token */
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], BOB);
	CHECK(RevertToSelf());
	expect_same(0, &own);
	CHECK(ImpersonateLoggedOnUser(a));
	CHECK(ImpersonateLoggedOnUser(b));
	CHECK(SetThreadToken(NULL, NULL));
	expect_same(0, &own);
	CHECK(RevertToSelf()); /* T5: not impersonating, TRUE, nothing changes */
	expect_same(0, &own);
	CHECK_FAIL(SetThreadToken(NULL, a), ERROR_BAD_TOKEN_TYPE); /* primary */
	HANDLE other = (HANDLE)(intptr_t)1234;
	CHECK_FAIL(SetThreadToken(&other, ai), ERROR_INVALID_HANDLE);
	expect_same(0, &own);
	CloseHandle(a);
	CloseHandle(b);
	CloseHandle(ai);
}

/* SPEC W2, K3: OpenThreadToken when not impersonating is ERROR_NO_TOKEN; an
 * identification-level token is queried but never impersonated, and its
 * level cannot be raised. */
TEST(w2_no_token_and_identification_level)
{
	HANDLE a = alice_primary(), t = (HANDLE)0x77, id = impersonation_copy(a, SecurityIdentification);
	struct kcreds own;
	kc_read(0, &own);
	CHECK_FAIL(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &t), ERROR_NO_TOKEN);
	CHECK(t == (HANDLE)0x77);
	CHECK_FAIL(ImpersonateLoggedOnUser(id), ERROR_BAD_IMPERSONATION_LEVEL);
	CHECK_FAIL(SetThreadToken(NULL, id), ERROR_BAD_IMPERSONATION_LEVEL);
	expect_same(0, &own);
	CHECK_FAIL(DuplicateTokenEx(id, 0, NULL, SecurityImpersonation, TokenImpersonation, &t),
	           ERROR_BAD_IMPERSONATION_LEVEL);
	CHECK_FAIL(DuplicateTokenEx(id, 0, NULL, SecurityIdentification, TokenPrimary, &t),
	           ERROR_BAD_IMPERSONATION_LEVEL);
	CHECK_FAIL(DuplicateTokenEx(a, 0, NULL, 4, TokenImpersonation, &t), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(DuplicateTokenEx(a, 0, NULL, SecurityImpersonation, 3, &t), ERROR_INVALID_PARAMETER);
	DWORD v = 9, len = 0;
	CHECK(GetTokenInformation(id, TokenImpersonationLevel, &v, sizeof(v), &len));
	CHECK_EQ(v, SecurityIdentification);
	CHECK(GetTokenInformation(id, TokenType, &v, sizeof(v), &len));
	CHECK_EQ(v, TokenImpersonation);
	CHECK(GetTokenInformation(a, TokenType, &v, sizeof(v), &len));
	CHECK_EQ(v, TokenPrimary);
	CHECK_FAIL(GetTokenInformation(a, TokenImpersonationLevel, &v, sizeof(v), &len), ERROR_INVALID_PARAMETER);

	/* The thread token reports the level it was impersonated at. */
	HANDLE deleg = impersonation_copy(a, SecurityDelegation);
	CHECK(ImpersonateLoggedOnUser(deleg));
	CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &t));
	CHECK(GetTokenInformation(t, TokenImpersonationLevel, &v, sizeof(v), &len));
	CHECK_EQ(v, SecurityDelegation);
	CHECK(RevertToSelf());
	CloseHandle(t);
	CloseHandle(deleg);
	CloseHandle(id);
	CloseHandle(a);
}

/* Access rights are checked as on Windows: a TOKEN_QUERY handle can be
 * queried, not impersonated or duplicated. */
TEST(w3_access_rights)
{
	HANDLE a = alice_primary(), q = NULL, t;
	CHECK(DuplicateTokenEx(a, TOKEN_QUERY, NULL, SecurityImpersonation, TokenImpersonation, &q));
	DWORD v, len;
	CHECK(GetTokenInformation(q, TokenType, &v, sizeof(v), &len));
	CHECK_FAIL(ImpersonateLoggedOnUser(q), ERROR_ACCESS_DENIED);
	CHECK_FAIL(DuplicateTokenEx(q, 0, NULL, SecurityImpersonation, TokenImpersonation, &t), ERROR_ACCESS_DENIED);
	CHECK(DuplicateTokenEx(a, TOKEN_IMPERSONATE, NULL, SecurityImpersonation, TokenImpersonation, &t));
	CHECK_FAIL(GetTokenInformation(t, TokenType, &v, sizeof(v), &len), ERROR_ACCESS_DENIED);
	CHECK(SetThreadToken(NULL, t));
	CHECK(RevertToSelf());
	CloseHandle(t);
	CloseHandle(q);
	CloseHandle(a);
}

/* OpenProcessToken: the process's own identity (root here), a primary
 * token, also while the thread impersonates. */
TEST(w1_open_process_token)
{
	HANDLE a = alice_primary(), p;
	CHECK(ImpersonateLoggedOnUser(a));
	CHECK(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &p));
	BYTE buf[64];
	DWORD len;
	CHECK(GetTokenInformation(p, TokenUser, buf, sizeof(buf), &len));
	char *s;
	CHECK(ConvertSidToStringSidA(((TOKEN_USER *)buf)->User.Sid, &s));
	CHECK_STREQ(s, "S-1-22-1-0");
	LocalFree(s);
	CHECK(RevertToSelf());
	CHECK_FAIL(OpenProcessToken((HANDLE)(intptr_t)getpid(), TOKEN_QUERY, &p), ERROR_INVALID_HANDLE);
	CHECK(CloseHandle(p));
	CHECK(CloseHandle(GetCurrentProcess())); /* pseudo-handles: TRUE, no effect */
	CHECK(CloseHandle(GetCurrentThread()));
	CloseHandle(a);
}

static long w_set_error(void *v)
{
	SetLastError((DWORD)(uintptr_t)v);
	return (long)GetLastError();
}

/* SPEC W3: GetLastError is per thread. */
TEST(w3_last_error_per_thread)
{
	struct worker *w = worker_start();
	SetLastError(ERROR_ACCESS_DENIED);
	CHECK_EQ(worker_run(w, w_set_error, (void *)(uintptr_t)ERROR_INVALID_HANDLE), ERROR_INVALID_HANDLE);
	CHECK_EQ(GetLastError(), ERROR_ACCESS_DENIED);
	worker_stop(w);
}

/* ---- GetTokenInformation at every boundary (SPEC W4) ------------------------ */

static void expect_sid(PSID sid, const char *text)
{
	char *s = NULL;
	CHECK(IsValidSid(sid));
	CHECK_EQ(GetLengthSid(sid), 16);
	CHECK(ConvertSidToStringSidA(sid, &s));
	CHECK_STREQ(s, text);
	CHECK(LocalFree(s) == NULL);
}

/* For each class: every length below the need fails with
 * ERROR_INSUFFICIENT_BUFFER, the need in ReturnLength and not one byte of
 * the buffer written; the exact need and more succeed, writing nothing past
 * the need. */
TEST(w4_token_information_every_boundary)
{
	HANDLE a = alice_primary(), ai = impersonation_copy(a, SecurityImpersonation);
	static const struct {
		TOKEN_INFORMATION_CLASS cls;
		DWORD need;
	} c[] = {
		{TokenUser, sizeof(TOKEN_USER) + 16},
		{TokenGroups, offsetof(TOKEN_GROUPS, Groups) + 3 * (sizeof(SID_AND_ATTRIBUTES) + 16)},
		{TokenPrimaryGroup, sizeof(TOKEN_PRIMARY_GROUP) + 16},
		{TokenType, 4},
		{TokenImpersonationLevel, 4},
	};
	_Alignas(8) BYTE buf[512];
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		DWORD len = 0xdead;
		CHECK_FAIL(GetTokenInformation(ai, c[i].cls, NULL, 0, &len), ERROR_INSUFFICIENT_BUFFER);
		CHECK_EQ(len, c[i].need);
		for (DWORD n = 0; n < c[i].need; n++) {
			memset(buf, 0xA5, sizeof(buf));
			len = 0;
			CHECK_FAIL(GetTokenInformation(ai, c[i].cls, buf, n, &len), ERROR_INSUFFICIENT_BUFFER);
			CHECK_EQ(len, c[i].need);
			for (size_t k = 0; k < sizeof(buf); k++)
				CHECK_EQ(buf[k], 0xA5);
		}
		for (DWORD n = c[i].need; n <= c[i].need + 16; n += 16) {
			memset(buf, 0xA5, sizeof(buf));
			CHECK(GetTokenInformation(ai, c[i].cls, buf, n, &len));
			CHECK_EQ(len, c[i].need);
			for (size_t k = c[i].need; k < sizeof(buf); k++)
				CHECK_EQ(buf[k], 0xA5);
		}
	}
	DWORD len;
	CHECK(GetTokenInformation(ai, TokenUser, buf, sizeof(buf), &len));
	TOKEN_USER *u = (TOKEN_USER *)buf;
	expect_sid(u->User.Sid, "S-1-22-1-60001");
	CHECK((BYTE *)u->User.Sid == buf + sizeof(TOKEN_USER)); /* inside the buffer */
	CHECK(GetTokenInformation(ai, TokenGroups, buf, sizeof(buf), &len));
	TOKEN_GROUPS *g = (TOKEN_GROUPS *)buf;
	CHECK_EQ(g->GroupCount, 3);
	expect_sid(g->Groups[0].Sid, "S-1-22-2-60001");
	expect_sid(g->Groups[1].Sid, "S-1-22-2-60100");
	expect_sid(g->Groups[2].Sid, "S-1-22-2-60101");
	CHECK_EQ(g->Groups[1].Attributes, SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED);
	CHECK(GetTokenInformation(ai, TokenPrimaryGroup, buf, sizeof(buf), &len));
	expect_sid(((TOKEN_PRIMARY_GROUP *)buf)->PrimaryGroup, "S-1-22-2-60001");
	CHECK_FAIL(GetTokenInformation(ai, TokenPrivileges, buf, sizeof(buf), &len), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(GetTokenInformation(ai, 0, buf, sizeof(buf), &len), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(GetTokenInformation(ai, TokenUser, NULL, 8, &len), ERROR_INVALID_PARAMETER);
	CHECK_FAIL(GetTokenInformation(ai, TokenUser, buf, sizeof(buf), NULL), ERROR_INVALID_PARAMETER);
	CloseHandle(ai);
	CloseHandle(a);
}

/* ---- SIDs (SPEC W4) ------------------------------------------------------------- */

TEST(w4_sids_lookup_compare_convert)
{
	HANDLE a = alice_primary();
	_Alignas(8) BYTE ub[64], gb[256];
	DWORD len;
	CHECK(GetTokenInformation(a, TokenUser, ub, sizeof(ub), &len));
	CHECK(GetTokenInformation(a, TokenGroups, gb, sizeof(gb), &len));
	PSID user = ((TOKEN_USER *)ub)->User.Sid, group = ((TOKEN_GROUPS *)gb)->Groups[0].Sid;
	CHECK(EqualSid(user, user));
	CHECK(!EqualSid(user, group)); /* S-1-22-1-60001 vs S-1-22-2-60001 */
	CHECK_EQ(GetLastError(), ERROR_SUCCESS);
	BYTE bad[16] = {2, 1};
	CHECK(!IsValidSid(bad));
	CHECK_FAIL(EqualSid(user, bad), ERROR_INVALID_SID);
	char *s;
	CHECK_FAIL(ConvertSidToStringSidA(bad, &s), ERROR_INVALID_SID);
	LPWSTR w;
	CHECK(ConvertSidToStringSidW(user, &w));
	CHECK(memcmp(w, u"S-1-22-1-60001", 15 * sizeof(WCHAR)) == 0);
	LocalFree(w);

	char name[6], dom[16];
	DWORD n = 0, d = 0;
	SID_NAME_USE use = 0;
	CHECK_FAIL(LookupAccountSidA(NULL, user, NULL, &n, NULL, &d, &use), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ(n, 6); /* "alice" and its null */
	CHECK_EQ(d, 10); /* "Unix User" and its null */
	n = 5;
	CHECK_FAIL(LookupAccountSidA(NULL, user, name, &n, dom, &d, &use), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ(n, 6);
	CHECK(LookupAccountSidA(NULL, user, name, &n, dom, &d, &use));
	CHECK_STREQ(name, "alice");
	CHECK_STREQ(dom, "Unix User");
	CHECK_EQ(n, 5);
	CHECK_EQ(use, SidTypeUser);
	char gname[16];
	n = sizeof(gname), d = sizeof(dom);
	CHECK(LookupAccountSidA("", ((TOKEN_GROUPS *)gb)->Groups[1].Sid, gname, &n, dom, &d, &use));
	CHECK_STREQ(gname, "shared");
	CHECK_STREQ(dom, "Unix Group");
	CHECK_EQ(use, SidTypeGroup);
	WCHAR wn[8], wd[16];
	n = 8, d = 16;
	CHECK(LookupAccountSidW(NULL, user, wn, &n, wd, &d, &use));
	CHECK(memcmp(wn, u"alice", 6 * sizeof(WCHAR)) == 0);
	BYTE nobody[16];
	memcpy(nobody, user, 16);
	nobody[12] = 0x99; /* uid 60057: not in the fixtures */
	nobody[13] = 0xEA;
	n = sizeof(name), d = sizeof(dom);
	CHECK_FAIL(LookupAccountSidA(NULL, nobody, name, &n, dom, &d, &use), ERROR_NONE_MAPPED);
	CHECK_FAIL(LookupAccountSidA("otherhost", user, name, &n, dom, &d, &use), ERROR_NONE_MAPPED);
	CloseHandle(a);
}

/* ---- Named pipes are Unix sockets (SPEC A3) ------------------------------------ */

/* A child that switched to @uid makes a socketpair and sends one end back. */
static int peer_end(uid_t uid, pid_t *pid, int *ctl)
{
	int c[2];
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c), 0);
	*pid = fork();
	CHECK(*pid >= 0);
	if (*pid == 0) {
		close(c[0]);
		gid_t g[] = {uid, SHARED};
		int sp[2];
		if (setgroups(2, g) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
			_exit(3);
		char byte = 'f';
		struct iovec iov = {&byte, 1};
		_Alignas(8) char cb[CMSG_SPACE(sizeof(int))] = {0};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof(cb)};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &sp[0], sizeof(int));
		if (sendmsg(c[1], &m, 0) != 1)
			_exit(4);
		if (read(c[1], &byte, 1) < 0)
			_exit(5);
		_exit(0);
	}
	close(c[1]);
	char byte;
	struct iovec iov = {&byte, 1};
	_Alignas(8) char cb[CMSG_SPACE(sizeof(int))];
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof(cb)};
	CHECK_EQ(recvmsg(c[0], &m, MSG_CMSG_CLOEXEC), 1);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	CHECK(cm != NULL);
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	*ctl = c[0];
	return fd;
}

/* SPEC A3, W1: the client of the "pipe" is the kernel's record of the
 * peer; OpenThreadToken then names it; root peers are refused. */
TEST(a3_impersonate_named_pipe_client)
{
	pid_t pid;
	int ctl, fd = peer_end(ALICE, &pid, &ctl);
	struct kcreds own, k;
	kc_read(0, &own);
	CHECK(ImpersonateNamedPipeClient((HANDLE)(intptr_t)fd));
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], ALICE);
	CHECK(k.ngroups == 2 && kc_has_group(&k, SHARED));
	HANDLE t;
	CHECK(OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &t));
	_Alignas(8) BYTE buf[64];
	DWORD len;
	CHECK(GetTokenInformation(t, TokenUser, buf, sizeof(buf), &len));
	expect_sid(((TOKEN_USER *)buf)->User.Sid, "S-1-22-1-60001");
	char name[32];
	DWORD n = sizeof(name);
	CHECK(GetUserNameA(name, &n));
	CHECK_STREQ(name, "60001"); /* no NSS on the way */
	CHECK(RevertToSelf());
	expect_same(0, &own);
	CloseHandle(t);
	close(fd);
	close(ctl);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);

	int sp[2], p[2];
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	CHECK_FAIL(ImpersonateNamedPipeClient((HANDLE)(intptr_t)sp[0]), ERROR_ACCESS_DENIED); /* root */
	int lone = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_FAIL(ImpersonateNamedPipeClient((HANDLE)(intptr_t)lone), ERROR_PIPE_NOT_CONNECTED);
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_FAIL(ImpersonateNamedPipeClient((HANDLE)(intptr_t)p[0]), ERROR_INVALID_HANDLE);
	CHECK_FAIL(ImpersonateNamedPipeClient(NULL), ERROR_INVALID_HANDLE);
	CHECK_FAIL(ImpersonateNamedPipeClient(INVALID_HANDLE_VALUE), ERROR_INVALID_HANDLE);
	expect_same(0, &own);
}

/* ---- CreateProcessAsUser (SPEC W5, X2) ------------------------------------------- */

static void read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	ssize_t n = read(fd, buf, size - 1);
	CHECK(n > 0);
	buf[n] = '\0';
	close(fd);
}

static int count_fds(pid_t pid, int *only)
{
	char path[64];
	int n = 0;
	kc_wait_reading_stdin(pid); /* the child waits on its stdin */
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	CHECK(d != NULL);
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.') {
			n++;
			*only = atoi(e->d_name);
		}
	closedir(d);
	return n;
}

/* SPEC W5: every id slot alice's, her groups, no capabilities, only the
 * standard handle given; the creating thread and a sibling unchanged; the
 * process handle waits and reports the exit code. */
TEST(w5_create_process_as_user)
{
	HANDLE a = alice_primary();
	struct sibling *sib = sibling_start();
	struct kcreds own, sk, k;
	kc_read(0, &own);
	kc_read(sibling_tid(sib), &sk);
	int p[2];
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	STARTUPINFOA si = {.cb = sizeof(si), .dwFlags = STARTF_USESTDHANDLES,
	                   .hStdInput = (HANDLE)(intptr_t)p[0]};
	PROCESS_INFORMATION pi;
	char cmd[] = "sh -c \"read x; exit 7\"";
	CHECK(CreateProcessAsUserA(a, NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi));
	close(p[0]);
	char path[64], text[8192];
	snprintf(path, sizeof(path), "/proc/%u/status", (unsigned)pi.dwProcessId);
	read_text(path, text, sizeof(text));
	kc_parse(text, &k);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(k.uid[i], ALICE);
		CHECK_EQ(k.gid[i], ALICE);
	}
	CHECK(k.ngroups == 3 && kc_has_group(&k, SHARED) && kc_has_group(&k, FINANCE));
	CHECK_EQ(k.cap_eff | k.cap_prm | k.cap_inh, 0);
	CHECK_EQ(k.cap_amb, 0);
	int only = -1;
	CHECK_EQ(count_fds((pid_t)pi.dwProcessId, &only), 1);
	CHECK_EQ(only, 0);
	expect_same(0, &own);
	expect_same(sibling_tid(sib), &sk);
	DWORD code = 0;
	CHECK(GetExitCodeProcess(pi.hProcess, &code));
	CHECK_EQ(code, STILL_ACTIVE);
	CHECK_EQ(WaitForSingleObject(pi.hProcess, 0), WAIT_TIMEOUT);
	close(p[1]);
	CHECK_EQ(WaitForSingleObject(pi.hProcess, INFINITE), WAIT_OBJECT_0);
	CHECK(GetExitCodeProcess(pi.hThread, &code));
	CHECK_EQ(code, 7);
	CHECK(CloseHandle(pi.hThread));
	CHECK(CloseHandle(pi.hProcess));
	CHECK_EQ(WaitForSingleObject(pi.hProcess, 0), WAIT_FAILED);
	CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
	sibling_stop(sib);
	CloseHandle(a);
}

/* SPEC W5: refusals, each with Windows' code and no child. */
TEST(w5_create_process_refusals)
{
	HANDLE a = alice_primary(), n = logon("bob", "bob-secret", LOGON32_LOGON_NETWORK);
	STARTUPINFOA si = {.cb = sizeof(si)};
	PROCESS_INFORMATION pi;
	char cmd[] = "true";
	CHECK_FAIL(CreateProcessAsUserA(n, NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi),
	           ERROR_BAD_TOKEN_TYPE);
	CHECK_FAIL(CreateProcessAsUserA(a, "/nonexistent", NULL, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi),
	           ERROR_FILE_NOT_FOUND);
	CHECK_FAIL(CreateProcessAsUserA(a, NULL, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi),
	           ERROR_NOT_SUPPORTED);
	CHECK_FAIL(CreateProcessAsUserA(a, NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, NULL, &pi),
	           ERROR_INVALID_PARAMETER);
	CHECK_FAIL(CreateProcessAsUserA(NULL, NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi),
	           ERROR_INVALID_HANDLE);
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CloseHandle(a);
	CloseHandle(n);
}

struct spawn_arg {
	HANDLE token;
	int ok;
};

static void *spawn_thread(void *p)
{
	struct spawn_arg *s = p;
	for (int i = 0; i < 5; i++) {
		STARTUPINFOW si = {.cb = sizeof(si)};
		PROCESS_INFORMATION pi;
		WCHAR cmd[] = u"/bin/sh -c \"[ $(id -u):$(id -ru) = 60001:60001 ] && exit 3\"";
		WCHAR env[] = u"PATH=/usr/bin:/bin\0A=\u00e9\0";
		DWORD code = 0;
		if (!CreateProcessAsUserW(s->token, NULL, cmd, NULL, NULL, FALSE, CREATE_UNICODE_ENVIRONMENT, env, NULL,
		                          &si, &pi))
			return NULL;
		if (WaitForSingleObject(pi.hProcess, INFINITE) != WAIT_OBJECT_0 ||
		    !GetExitCodeProcess(pi.hProcess, &code) || code != 3)
			return NULL;
		CloseHandle(pi.hProcess);
		CloseHandle(pi.hThread);
	}
	s->ok = 1;
	return NULL;
}

/* SPEC W5, T1: eight threads at once, one of them impersonating bob; every
 * child is alice, every thread unchanged. */
TEST(w5_create_process_eight_threads)
{
	HANDLE a = alice_primary(), b = logon("bob", "bob-secret", LOGON32_LOGON_NETWORK);
	struct kcreds own;
	kc_read(0, &own);
	CHECK(ImpersonateLoggedOnUser(b));
	pthread_t th[8];
	struct spawn_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (struct spawn_arg){a, 0};
		CHECK_EQ(pthread_create(&th[i], NULL, spawn_thread, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(pthread_join(th[i], NULL), 0);
		CHECK_EQ(args[i].ok, 1);
	}
	struct kcreds k;
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], BOB);
	CHECK(RevertToSelf());
	expect_same(0, &own);
	CloseHandle(a);
	CloseHandle(b);
}

/* ---- Handle fuzzing (SPEC W3, A6) ------------------------------------------------ */

static uint64_t rnd_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Every token call on @h fails with ERROR_INVALID_HANDLE and changes
 * nothing. */
static void expect_invalid(HANDLE h)
{
	DWORD v, len;
	HANDLE t = (HANDLE)0x55;
	CHECK_FAIL(ImpersonateLoggedOnUser(h), ERROR_INVALID_HANDLE);
	if (h) /* SetThreadToken(NULL, NULL) is RevertToSelf */
		CHECK_FAIL(SetThreadToken(NULL, h), ERROR_INVALID_HANDLE);
	CHECK_FAIL(GetTokenInformation(h, TokenType, &v, sizeof(v), &len), ERROR_INVALID_HANDLE);
	CHECK_FAIL(DuplicateTokenEx(h, 0, NULL, SecurityImpersonation, TokenPrimary, &t), ERROR_INVALID_HANDLE);
	CHECK_EQ(WaitForSingleObject(h, 0), WAIT_FAILED);
	CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
	CHECK(t == (HANDLE)0x55);
}

/* SPEC W3, A6: NULL, pseudo, closed, bit-flipped, neighbouring and random
 * handles, SSPI context words and process handles used as tokens: all
 * ERROR_INVALID_HANDLE, never a crash, the thread unchanged; a token
 * handle's word used as an SSPI context is SEC_E_INVALID_HANDLE. */
TEST(w3_handle_fuzz)
{
	struct kcreds own;
	kc_read(0, &own);
	HANDLE live = alice_primary(), closed = alice_primary();
	CHECK(CloseHandle(closed));
	expect_invalid(NULL);
	expect_invalid(INVALID_HANDLE_VALUE);
	expect_invalid(GetCurrentThread());
	expect_invalid((HANDLE)(intptr_t)1);
	expect_invalid(closed);
	for (int bit = 0; bit < 64; bit++)
		expect_invalid((HANDLE)((uintptr_t)live ^ ((uintptr_t)1 << bit)));
	for (int d = -8; d <= 8; d++)
		if (d)
			expect_invalid((HANDLE)((uintptr_t)live + (uintptr_t)(intptr_t)d));
	for (int i = 0; i < 20000; i++) {
		HANDLE h = (HANDLE)(uintptr_t)rnd();
		if (h == live)
			continue;
		expect_invalid(h);
		CHECK_FAIL(CloseHandle(h), ERROR_INVALID_HANDLE);
	}
	imp_token *tok;
	gid_t g[] = {ALICE};
	CHECK_EQ(imp_token_new(ALICE, ALICE, g, 1, 0, &tok), 0);
	CtxtHandle ctx;
	CHECK_EQ(ImpAcceptSecurityContextFromToken(tok, 0, &ctx, NULL), SEC_E_OK);
	expect_invalid((HANDLE)ctx.dwLower);
	expect_invalid((HANDLE)ctx.dwUpper);
	CtxtHandle forged = {(ULONG_PTR)live, (ULONG_PTR)live};
	CHECK_EQ(ImpersonateSecurityContext(&forged), SEC_E_INVALID_HANDLE);
	CHECK_FAIL(CloseHandle((HANDLE)ctx.dwLower), ERROR_INVALID_HANDLE);
	CHECK_EQ(ImpersonateSecurityContext(&ctx), SEC_E_OK); /* still valid */
	CHECK_EQ(RevertSecurityContext(&ctx), SEC_E_OK);
	CHECK_EQ(DeleteSecurityContext(&ctx), SEC_E_OK);
	imp_token_unref(tok);

	STARTUPINFOA si = {.cb = sizeof(si)};
	PROCESS_INFORMATION pi;
	char cmd[] = "true";
	BOOL made = CreateProcessAsUserA(live, NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi);
	CHECK_EQ(made ? 0 : GetLastError(), 0);
	expect_invalid(pi.hProcess == NULL ? NULL : (HANDLE)((uintptr_t)pi.hProcess ^ 1));
	DWORD v, len;
	CHECK_FAIL(GetTokenInformation(pi.hProcess, TokenType, &v, sizeof(v), &len), ERROR_INVALID_HANDLE);
	CHECK_FAIL(ImpersonateLoggedOnUser(pi.hThread), ERROR_INVALID_HANDLE);
	CHECK_FAIL(GetExitCodeProcess(live, &v), ERROR_INVALID_HANDLE);
	CHECK_EQ(WaitForSingleObject(pi.hProcess, INFINITE), WAIT_OBJECT_0);
	CHECK(CloseHandle(pi.hProcess));
	CHECK(CloseHandle(pi.hThread));
	expect_same(0, &own);
	CHECK(ImpersonateLoggedOnUser(live)); /* the live one still works */
	CHECK(RevertToSelf());
	CHECK(CloseHandle(live));
}

int main(int argc, char **argv)
{
	const char *dir = logon_confdir();
	if (!ImpSetLogonServiceA(LOGON_SERVICE, dir))
		return 1;
	int r = harness_main(argc, argv, HARNESS_ROOT);
	logon_confdir_remove();
	return r;
}
