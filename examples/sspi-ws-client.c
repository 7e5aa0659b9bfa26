/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sspi-ws-client: the client of sspi-ws-server, in the shape of Microsoft's
 * "Using SSPI with a Windows Sockets Client" sample: AcquireCredentialsHandle
 * (outbound, the caller's ticket cache), the InitializeSecurityContext loop
 * (DoAuthentication / GenClientContext) with mutual authentication, then the
 * server's message checked with VerifySignature and opened with
 * DecryptMessage.  ANSI, or W with -DUNICODE, from the same source.
 *
 *     sspi-ws-client HOST PORT TARGET [PACKAGE]
 *
 * TARGET is the server's principal (host/server.example.com); PACKAGE is
 * Negotiate by default.  Get a ticket first (kinit).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <impersonate/sspi.h>

typedef int SOCKET;

static CredHandle hCred;
static CtxtHandle hCtxt;
static ULONG g_cbMaxMessage;
static unsigned char *g_pInBuf, *g_pOutBuf;
static TCHAR g_TargetName[256];

static BOOL SendBytes(SOCKET s, const void *pBuf, ULONG cbBuf)
{
	const unsigned char *p = pBuf;
	while (cbBuf) {
		ssize_t n = send(s, p, cbBuf, MSG_NOSIGNAL);
		if (n <= 0)
			return FALSE;
		p += n;
		cbBuf -= (ULONG)n;
	}
	return TRUE;
}

static BOOL ReceiveBytes(SOCKET s, void *pBuf, ULONG cbBuf, ULONG *pcbRead)
{
	unsigned char *p = pBuf;
	ULONG left = cbBuf;
	while (left) {
		ssize_t n = recv(s, p, left, 0);
		if (n <= 0)
			return FALSE;
		p += n;
		left -= (ULONG)n;
	}
	*pcbRead = cbBuf;
	return TRUE;
}

static BOOL SendMsg(SOCKET s, const void *pBuf, ULONG cbBuf)
{
	uint32_t len = htonl(cbBuf);
	return SendBytes(s, &len, sizeof(len)) && SendBytes(s, pBuf, cbBuf);
}

static BOOL ReceiveMsg(SOCKET s, void *pBuf, ULONG cbBuf, ULONG *pcbRead)
{
	uint32_t len;
	ULONG got;
	if (!ReceiveBytes(s, &len, sizeof(len), &got))
		return FALSE;
	len = ntohl(len);
	if (len > cbBuf)
		return FALSE;
	return ReceiveBytes(s, pBuf, len, pcbRead);
}

static SOCKET ConnectAuthSocket(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	SOCKET s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
	if (s >= 0 && connect(s, ai->ai_addr, ai->ai_addrlen) < 0) {
		close(s);
		s = -1;
	}
	freeaddrinfo(ai);
	return s;
}

/* One InitializeSecurityContext step: the server's token (none on the first
 * call) in, ours out. */
static BOOL GenClientContext(unsigned char *pIn, ULONG cbIn, unsigned char *pOut, ULONG *pcbOut, BOOL *pfDone)
{
	SecBuffer OutSecBuff = {*pcbOut, SECBUFFER_TOKEN, pOut};
	SecBufferDesc OutBuffDesc = {SECBUFFER_VERSION, 1, &OutSecBuff};
	SecBuffer InSecBuff = {cbIn, SECBUFFER_TOKEN, pIn};
	SecBufferDesc InBuffDesc = {SECBUFFER_VERSION, 1, &InSecBuff};
	ULONG ContextAttributes;
	TimeStamp Lifetime;

	SECURITY_STATUS ss = InitializeSecurityContext(&hCred, pIn ? &hCtxt : NULL, g_TargetName,
	                                               ISC_REQ_CONFIDENTIALITY | ISC_REQ_MUTUAL_AUTH, 0,
	                                               SECURITY_NATIVE_DREP, pIn ? &InBuffDesc : NULL, 0, &hCtxt,
	                                               &OutBuffDesc, &ContextAttributes, &Lifetime);
	if (!SEC_SUCCESS(ss)) {
		fprintf(stderr, "InitializeSecurityContext failed: 0x%08x\n", (unsigned)ss);
		return FALSE;
	}
	if (ss == SEC_I_COMPLETE_NEEDED || ss == SEC_I_COMPLETE_AND_CONTINUE) {
		ss = CompleteAuthToken(&hCtxt, &OutBuffDesc);
		if (!SEC_SUCCESS(ss)) {
			fprintf(stderr, "CompleteAuthToken failed: 0x%08x\n", (unsigned)ss);
			return FALSE;
		}
	}
	*pcbOut = OutSecBuff.cbBuffer;
	*pfDone = !(ss == SEC_I_CONTINUE_NEEDED || ss == SEC_I_COMPLETE_AND_CONTINUE);
	if (*pfDone && !(ContextAttributes & ISC_RET_MUTUAL_AUTH)) {
		fprintf(stderr, "the server did not authenticate itself\n");
		return FALSE;
	}
	printf("Token buffer generated (%u bytes):\n", (unsigned)OutSecBuff.cbBuffer);
	return TRUE;
}

static BOOL DoAuthentication(SOCKET s)
{
	BOOL fDone = FALSE;
	ULONG cbOut = g_cbMaxMessage, cbIn;
	if (!GenClientContext(NULL, 0, g_pOutBuf, &cbOut, &fDone))
		return FALSE;
	if (!SendMsg(s, g_pOutBuf, cbOut))
		return FALSE;
	while (!fDone) {
		if (!ReceiveMsg(s, g_pInBuf, g_cbMaxMessage, &cbIn))
			return FALSE;
		cbOut = g_cbMaxMessage;
		if (!GenClientContext(g_pInBuf, cbIn, g_pOutBuf, &cbOut, &fDone))
			return FALSE;
		if (cbOut && !SendMsg(s, g_pOutBuf, cbOut))
			return FALSE;
	}
	return TRUE;
}

/* The server's [signature][trailer][sealed data]: open it, then check the
 * signature over what it says. */
static BOOL DecryptThis(SOCKET s)
{
	unsigned char sig[256], trailer[256], data[1024];
	ULONG cbSig, cbTrailer, cbData, fQOP = 0;
	if (!ReceiveMsg(s, sig, sizeof(sig), &cbSig) || !ReceiveMsg(s, trailer, sizeof(trailer), &cbTrailer) ||
	    !ReceiveMsg(s, data, sizeof(data) - 1, &cbData))
		return FALSE;
	SecBuffer WrapBufs[2] = {{cbTrailer, SECBUFFER_TOKEN, trailer}, {cbData, SECBUFFER_DATA, data}};
	SecBufferDesc WrapDesc = {SECBUFFER_VERSION, 2, WrapBufs};
	SECURITY_STATUS ss = DecryptMessage(&hCtxt, &WrapDesc, 0, &fQOP);
	if (ss != SEC_E_OK) {
		fprintf(stderr, "DecryptMessage failed: 0x%08x\n", (unsigned)ss);
		return FALSE;
	}
	SecBuffer SigBufs[2] = {{WrapBufs[1].cbBuffer, SECBUFFER_DATA, data}, {cbSig, SECBUFFER_TOKEN, sig}};
	SecBufferDesc SigDesc = {SECBUFFER_VERSION, 2, SigBufs};
	ss = VerifySignature(&hCtxt, &SigDesc, 0, &fQOP);
	if (ss != SEC_E_OK) {
		fprintf(stderr, "VerifySignature failed: 0x%08x\n", (unsigned)ss);
		return FALSE;
	}
	printf("Verify Signature succeeded.\n");
	data[WrapBufs[1].cbBuffer] = '\0';
	printf("The message from the server is: %s\n", (char *)data);
	return TRUE;
}

int main(int argc, char **argv)
{
	PSecPkgInfo pkgInfo;
	TimeStamp Lifetime;

	if (argc < 4) {
		fprintf(stderr, "usage: sspi-ws-client HOST PORT TARGET [PACKAGE]\n");
		return 2;
	}
	LPTSTR PackageName = argc > 4 && strcmp(argv[4], "Kerberos") == 0 ? (LPTSTR)MICROSOFT_KERBEROS_NAME
	                                                                   : (LPTSTR)NEGOSSP_NAME;
	for (size_t i = 0; i < sizeof(g_TargetName) / sizeof(g_TargetName[0]) - 1 && argv[3][i]; i++)
		g_TargetName[i] = (TCHAR)argv[3][i]; /* an ASCII principal name */

	SECURITY_STATUS ss = QuerySecurityPackageInfo(PackageName, &pkgInfo);
	if (ss != SEC_E_OK) {
		fprintf(stderr, "QuerySecurityPackageInfo failed: 0x%08x\n", (unsigned)ss);
		return 1;
	}
	g_cbMaxMessage = pkgInfo->cbMaxToken;
	FreeContextBuffer(pkgInfo);
	g_pInBuf = malloc(g_cbMaxMessage);
	g_pOutBuf = malloc(g_cbMaxMessage);

	ss = AcquireCredentialsHandle(NULL, PackageName, SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL, &hCred,
	                              &Lifetime);
	if (!SEC_SUCCESS(ss)) {
		fprintf(stderr, "AcquireCredentialsHandle failed: 0x%08x\n", (unsigned)ss);
		return 1;
	}
	SOCKET s = ConnectAuthSocket(argv[1], argv[2]);
	if (s < 0) {
		fprintf(stderr, "cannot connect to %s port %s\n", argv[1], argv[2]);
		return 1;
	}
	if (!DoAuthentication(s)) {
		fprintf(stderr, "Authentication failed\n");
		return 1;
	}
	printf("Client: authentication succeeded\n");
	BOOL ok = DecryptThis(s);
	close(s);
	DeleteSecurityContext(&hCtxt);
	FreeCredentialsHandle(&hCred);
	free(g_pInBuf);
	free(g_pOutBuf);
	if (ok)
		printf("Client ran to completion without error.\n");
	return ok ? 0 : 1;
}
