/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sspi-ws-server: an SSPI server in the shape of Microsoft's "Using SSPI
 * with a Windows Sockets Server" sample, on Linux: AcquireCredentialsHandle
 * (inbound, the service keytab), the AcceptSecurityContext loop
 * (DoAuthentication / GenServerContext), ImpersonateSecurityContext and
 * RevertSecurityContext, then a message signed with MakeSignature and sealed
 * with EncryptMessage for the client.  Builds as ANSI or, with -DUNICODE,
 * with the W functions and UTF-16 strings: the source is the same.
 *
 *     sspi-ws-server PORT [PACKAGE [FILE...]]
 *
 * PACKAGE is Negotiate by default.  While impersonating the client it prints
 * what the kernel says the thread is (/proc/thread-self/status) and what
 * opening each FILE gives.  Run as root; the client is logged on through the
 * PAM service named by IMPERSONATE_PAM_SERVICE (default: this program's
 * name), see AcceptSecurityContext in <impersonate/sspi.h>.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <impersonate/sspi.h>

typedef int SOCKET;

static CredHandle hcred;
static CtxtHandle hctxt;
static ULONG g_cbMaxMessage;
static unsigned char *g_pInBuf, *g_pOutBuf;

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

/* A message: its length (4 bytes, network order), then the bytes. */
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
		return FALSE; /* larger than the package's cbMaxToken */
	return ReceiveBytes(s, pBuf, len, pcbRead);
}

static SOCKET AcceptAuthSocket(unsigned short port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	SOCKET l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(l, 1) < 0) {
		perror("sspi-ws-server: listen");
		return -1;
	}
	printf("listening on port %u\n", port);
	fflush(stdout);
	SOCKET s = accept(l, NULL, NULL);
	close(l);
	return s;
}

/* One AcceptSecurityContext step: the client's token in, ours out. */
static BOOL GenServerContext(unsigned char *pIn, ULONG cbIn, unsigned char *pOut, ULONG *pcbOut, BOOL *pfDone,
                             BOOL fNewConversation)
{
	SecBuffer OutSecBuff = {*pcbOut, SECBUFFER_TOKEN, pOut};
	SecBufferDesc OutBuffDesc = {SECBUFFER_VERSION, 1, &OutSecBuff};
	SecBuffer InSecBuff = {cbIn, SECBUFFER_TOKEN, pIn};
	SecBufferDesc InBuffDesc = {SECBUFFER_VERSION, 1, &InSecBuff};
	ULONG Attribs = 0;
	TimeStamp Lifetime;

	SECURITY_STATUS ss = AcceptSecurityContext(&hcred, fNewConversation ? NULL : &hctxt, &InBuffDesc,
	                                           ASC_REQ_MUTUAL_AUTH | ASC_REQ_CONFIDENTIALITY, SECURITY_NATIVE_DREP,
	                                           &hctxt, &OutBuffDesc, &Attribs, &Lifetime);
	if (!SEC_SUCCESS(ss)) {
		fprintf(stderr, "AcceptSecurityContext failed: 0x%08x\n", (unsigned)ss);
		return FALSE;
	}
	if (ss == SEC_I_COMPLETE_NEEDED || ss == SEC_I_COMPLETE_AND_CONTINUE) {
		ss = CompleteAuthToken(&hctxt, &OutBuffDesc);
		if (!SEC_SUCCESS(ss)) {
			fprintf(stderr, "CompleteAuthToken failed: 0x%08x\n", (unsigned)ss);
			return FALSE;
		}
	}
	*pcbOut = OutSecBuff.cbBuffer;
	*pfDone = !(ss == SEC_I_CONTINUE_NEEDED || ss == SEC_I_COMPLETE_AND_CONTINUE);
	printf("Token buffer generated (%u bytes):\n", (unsigned)OutSecBuff.cbBuffer);
	return TRUE;
}

static BOOL DoAuthentication(SOCKET s)
{
	ULONG cbIn, cbOut;
	BOOL done = FALSE, fNewConversation = TRUE;
	while (!done) {
		if (!ReceiveMsg(s, g_pInBuf, g_cbMaxMessage, &cbIn))
			return FALSE;
		cbOut = g_cbMaxMessage;
		if (!GenServerContext(g_pInBuf, cbIn, g_pOutBuf, &cbOut, &done, fNewConversation))
			return FALSE;
		fNewConversation = FALSE;
		if (cbOut && !SendMsg(s, g_pOutBuf, cbOut))
			return FALSE;
	}
	return TRUE;
}

/* What the kernel says this thread is, and what opening each file gives. */
static void ShowClientView(char **files, int nfiles)
{
	char line[256];
	FILE *f = fopen("/proc/thread-self/status", "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "Gid:", 4) == 0)
			printf("impersonating: %s", line);
	if (f)
		fclose(f);
	for (int i = 0; i < nfiles; i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		printf("impersonating: open %s: %s\n", files[i], fd < 0 ? strerror(errno) : "ok");
		if (fd >= 0)
			close(fd);
	}
}

/* Sign and seal @pMessage for the client: [signature][trailer][sealed data]. */
static BOOL EncryptThis(SOCKET s, const char *pMessage)
{
	SecPkgContext_Sizes SecPkgContextSizes;
	ULONG cbMessage = (ULONG)strlen(pMessage);
	SECURITY_STATUS ss = QueryContextAttributes(&hctxt, SECPKG_ATTR_SIZES, &SecPkgContextSizes);
	if (ss != SEC_E_OK) {
		fprintf(stderr, "QueryContextAttributes failed: 0x%08x\n", (unsigned)ss);
		return FALSE;
	}
	unsigned char *pSig = malloc(SecPkgContextSizes.cbMaxSignature);
	unsigned char *pTrailer = malloc(SecPkgContextSizes.cbSecurityTrailer);
	unsigned char *pData = malloc(cbMessage);
	memcpy(pData, pMessage, cbMessage);

	SecBuffer SigBufs[2] = {{cbMessage, SECBUFFER_DATA, pData},
	                        {SecPkgContextSizes.cbMaxSignature, SECBUFFER_TOKEN, pSig}};
	SecBufferDesc SigDesc = {SECBUFFER_VERSION, 2, SigBufs};
	ss = MakeSignature(&hctxt, 0, &SigDesc, 0);
	SecBuffer WrapBufs[2] = {{SecPkgContextSizes.cbSecurityTrailer, SECBUFFER_TOKEN, pTrailer},
	                         {cbMessage, SECBUFFER_DATA, pData}};
	SecBufferDesc WrapDesc = {SECBUFFER_VERSION, 2, WrapBufs};
	if (ss == SEC_E_OK)
		ss = EncryptMessage(&hctxt, 0, &WrapDesc, 0);
	BOOL ok = ss == SEC_E_OK && SendMsg(s, pSig, SigBufs[1].cbBuffer) &&
	          SendMsg(s, pTrailer, WrapBufs[0].cbBuffer) && SendMsg(s, pData, WrapBufs[1].cbBuffer);
	if (ss != SEC_E_OK)
		fprintf(stderr, "MakeSignature/EncryptMessage failed: 0x%08x\n", (unsigned)ss);
	free(pSig);
	free(pTrailer);
	free(pData);
	return ok;
}

int main(int argc, char **argv)
{
	PSecPkgInfo pkgInfo;
	TimeStamp Lifetime;
	SECURITY_STATUS ss;

	if (argc < 2) {
		fprintf(stderr, "usage: sspi-ws-server PORT [PACKAGE [FILE...]]\n");
		return 2;
	}
	LPTSTR PackageName = argc > 2 && strcmp(argv[2], "Kerberos") == 0 ? (LPTSTR)MICROSOFT_KERBEROS_NAME
	                                                                   : (LPTSTR)NEGOSSP_NAME;
	ss = QuerySecurityPackageInfo(PackageName, &pkgInfo);
	if (ss != SEC_E_OK) {
		fprintf(stderr, "QuerySecurityPackageInfo failed: 0x%08x\n", (unsigned)ss);
		return 1;
	}
	g_cbMaxMessage = pkgInfo->cbMaxToken;
	FreeContextBuffer(pkgInfo);
	g_pInBuf = malloc(g_cbMaxMessage);
	g_pOutBuf = malloc(g_cbMaxMessage);

	ss = AcquireCredentialsHandle(NULL, PackageName, SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL, &hcred,
	                              &Lifetime);
	if (!SEC_SUCCESS(ss)) {
		fprintf(stderr, "AcquireCredentialsHandle failed: 0x%08x\n", (unsigned)ss);
		return 1;
	}
	SOCKET s = AcceptAuthSocket((unsigned short)atoi(argv[1]));
	if (s < 0 || !DoAuthentication(s)) {
		fprintf(stderr, "Authentication failed\n");
		return 1;
	}
	printf("Server: authentication succeeded\n");

	SecPkgContext_Names names;
	ss = QueryContextAttributes(&hctxt, SECPKG_ATTR_NAMES, &names);
	if (ss == SEC_E_OK) {
		char *user = NULL;
#ifdef UNICODE
		char narrow[256];
		size_t i = 0;
		for (; i < sizeof(narrow) - 1 && names.sUserName[i]; i++)
			narrow[i] = (char)names.sUserName[i];
		narrow[i] = '\0';
		user = narrow;
#else
		user = names.sUserName;
#endif
		printf("Client user: %s\n", user);
		FreeContextBuffer(names.sUserName);
	}

	ss = ImpersonateSecurityContext(&hctxt);
	if (!SEC_SUCCESS(ss)) {
		fprintf(stderr, "ImpersonateSecurityContext failed: 0x%08x\n", (unsigned)ss);
		return 1;
	}
	ShowClientView(argv + 3, argc > 3 ? argc - 3 : 0);
	ss = RevertSecurityContext(&hctxt);
	if (!SEC_SUCCESS(ss)) {
		fprintf(stderr, "RevertSecurityContext failed: 0x%08x\n", (unsigned)ss);
		abort(); /* never go on as the client */
	}
	printf("Server: reverted to itself\n");

	BOOL ok = EncryptThis(s, "This is your server speaking");
	close(s);
	DeleteSecurityContext(&hctxt);
	FreeCredentialsHandle(&hcred);
	free(g_pInBuf);
	free(g_pOutBuf);
	printf("Server ran to completion without error.\n");
	return ok ? 0 : 1;
}
