/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gss-sample-peer: our SSPI on one side of MIT's own sample programs
 * (Debian's krb5-gss-samples), speaking their wire protocol: a flags byte,
 * a 4-byte big-endian length, the token.
 *
 *     gss-sample-peer client HOST PORT TARGET PACKAGE MESSAGE
 *         InitializeSecurityContextA against gss-server; the message sealed
 *         with EncryptMessage (gss-server gss_unwrap()s it), gss-server's
 *         MIC checked with VerifySignature.
 *     gss-sample-peer server PORT PACKAGE [FILE...]
 *         AcceptSecurityContext for gss-client; impersonates the client and
 *         prints the kernel's view and each FILE's open(); the client's
 *         gss_wrap()ped message opened with DecryptMessage and signed back
 *         with MakeSignature (gss-client gss_verify_mic()s it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "impersonate/sspi.h"

/* The sample protocol's token flags (gss-misc.h). */
#define TOKEN_NOOP (1 << 0)
#define TOKEN_CONTEXT (1 << 1)
#define TOKEN_DATA (1 << 2)
#define TOKEN_MIC (1 << 3)
#define TOKEN_CONTEXT_NEXT (1 << 4)
#define TOKEN_WRAPPED (1 << 5)
#define TOKEN_ENCRYPTED (1 << 6)
#define TOKEN_SEND_MIC (1 << 7)

#define MAX_TOKEN 65536

static int fail(const char *what, SECURITY_STATUS st)
{
	fprintf(stderr, "gss-sample-peer: %s: 0x%08x\n", what, (unsigned)st);
	return 1;
}

static int io_all(int fd, void *buf, size_t n, int writing)
{
	unsigned char *p = buf;
	while (n) {
		ssize_t r = writing ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int send_token(int fd, int flags, const void *data, size_t len)
{
	unsigned char head[5] = {(unsigned char)flags, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
	                         (unsigned char)(len >> 8), (unsigned char)len};
	return io_all(fd, head, 5, 1) < 0 || io_all(fd, (void *)data, len, 1) < 0 ? -1 : 0;
}

static int recv_token(int fd, int *flags, unsigned char *buf, ULONG *len)
{
	unsigned char head[5];
	if (io_all(fd, head, 5, 0) < 0)
		return -1;
	*flags = head[0];
	uint32_t n = (uint32_t)head[1] << 24 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 8 | head[4];
	if (n > MAX_TOKEN)
		return -1;
	*len = n;
	return io_all(fd, buf, n, 0);
}

static int client(const char *host, const char *port, const char *target, const char *package, const char *msg)
{
	static unsigned char in[MAX_TOKEN], out[MAX_TOKEN];
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
	CredHandle cred;
	CtxtHandle ctx;
	SECURITY_STATUS st;
	int flags, fd;
	ULONG inlen = 0;

	st = AcquireCredentialsHandleA(NULL, (SEC_CHAR *)package, SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL, &cred,
	                               NULL);
	if (st != SEC_E_OK)
		return fail("AcquireCredentialsHandleA", st);
	if (getaddrinfo(host, port, &hints, &ai) != 0 || (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		return fail("connect", 0);
	freeaddrinfo(ai);
	if (send_token(fd, TOKEN_NOOP | TOKEN_CONTEXT_NEXT, "", 0) < 0)
		return fail("send", 0);
	for (int first = 1;; first = 0) {
		SecBuffer ib = {inlen, SECBUFFER_TOKEN, in}, ob = {MAX_TOKEN, SECBUFFER_TOKEN, out};
		SecBufferDesc id = {SECBUFFER_VERSION, 1, &ib}, od = {SECBUFFER_VERSION, 1, &ob};
		st = InitializeSecurityContextA(&cred, first ? NULL : &ctx, (SEC_CHAR *)target,
		                                ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY, 0, SECURITY_NATIVE_DREP,
		                                first ? NULL : &id, 0, &ctx, &od, NULL, NULL);
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
			return fail("InitializeSecurityContextA", st);
		if (ob.cbBuffer && send_token(fd, TOKEN_CONTEXT, out, ob.cbBuffer) < 0)
			return fail("send", 0);
		if (st == SEC_E_OK)
			break;
		if (recv_token(fd, &flags, in, &inlen) < 0)
			return fail("recv", 0);
	}
	printf("client: context established with %s\n", target);

	/* The message sealed: header (with the trailer), then the data. */
	SecPkgContext_Sizes sz;
	size_t len = strlen(msg);
	if ((st = QueryContextAttributesA(&ctx, SECPKG_ATTR_SIZES, &sz)) != SEC_E_OK)
		return fail("QueryContextAttributesA", st);
	memcpy(out + sz.cbSecurityTrailer, msg, len);
	SecBuffer wb[2] = {{sz.cbSecurityTrailer, SECBUFFER_TOKEN, out}, {(ULONG)len, SECBUFFER_DATA,
	                                                                   out + sz.cbSecurityTrailer}};
	SecBufferDesc wd = {SECBUFFER_VERSION, 2, wb};
	if ((st = EncryptMessage(&ctx, 0, &wd, 0)) != SEC_E_OK)
		return fail("EncryptMessage", st);
	memmove(out + wb[0].cbBuffer, wb[1].pvBuffer, len);
	if (send_token(fd, TOKEN_DATA | TOKEN_WRAPPED | TOKEN_ENCRYPTED | TOKEN_SEND_MIC, out, wb[0].cbBuffer + len) < 0 ||
	    recv_token(fd, &flags, in, &inlen) < 0 || !(flags & TOKEN_MIC))
		return fail("the MIC exchange", 0);
	SecBuffer vb[2] = {{(ULONG)len, SECBUFFER_DATA, (void *)msg}, {inlen, SECBUFFER_TOKEN, in}};
	SecBufferDesc vd = {SECBUFFER_VERSION, 2, vb};
	if ((st = VerifySignature(&ctx, &vd, 0, NULL)) != SEC_E_OK)
		return fail("VerifySignature", st);
	printf("client: the server's signature over the message verified\n");
	send_token(fd, TOKEN_NOOP, "", 0);
	close(fd);
	DeleteSecurityContext(&ctx);
	FreeCredentialsHandle(&cred);
	return 0;
}

static void show_kernel_view(char **files, int n)
{
	char line[256];
	FILE *f = fopen("/proc/thread-self/status", "re");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Uid:", 4) == 0)
			printf("server: impersonating: %s", line);
	if (f)
		fclose(f);
	for (int i = 0; i < n; i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);
		printf("server: impersonating: open %s: %s\n", files[i], fd < 0 ? strerror(errno) : "ok");
		if (fd >= 0)
			close(fd);
	}
}

static int server(const char *port, const char *package, char **files, int nfiles)
{
	static unsigned char in[MAX_TOKEN], out[MAX_TOKEN];
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	CredHandle cred;
	CtxtHandle ctx;
	SECURITY_STATUS st;
	int flags, one = 1, l, fd;
	ULONG inlen;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	st = AcquireCredentialsHandleA(NULL, (SEC_CHAR *)package, SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL, &cred,
	                               NULL);
	if (st != SEC_E_OK)
		return fail("AcquireCredentialsHandleA", st);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(l, 1) < 0)
		return fail("listen", 0);
	printf("listening\n");
	fflush(stdout);
	if ((fd = accept(l, NULL, NULL)) < 0)
		return fail("accept", 0);
	close(l);
	if (recv_token(fd, &flags, in, &inlen) < 0 || !(flags & TOKEN_NOOP) || !(flags & TOKEN_CONTEXT_NEXT))
		return fail("the opening NOOP", 0);
	for (int first = 1;; first = 0) {
		if (recv_token(fd, &flags, in, &inlen) < 0)
			return fail("recv", 0);
		SecBuffer ib = {inlen, SECBUFFER_TOKEN, in}, ob = {MAX_TOKEN, SECBUFFER_TOKEN, out};
		SecBufferDesc id = {SECBUFFER_VERSION, 1, &ib}, od = {SECBUFFER_VERSION, 1, &ob};
		st = AcceptSecurityContext(&cred, first ? NULL : &ctx, &id, ASC_REQ_MUTUAL_AUTH, SECURITY_NATIVE_DREP, &ctx,
		                           &od, NULL, NULL);
		if (st != SEC_E_OK && st != SEC_I_CONTINUE_NEEDED)
			return fail("AcceptSecurityContext", st);
		if (ob.cbBuffer && send_token(fd, TOKEN_CONTEXT, out, ob.cbBuffer) < 0)
			return fail("send", 0);
		if (st == SEC_E_OK)
			break;
	}
	SecPkgContext_NamesA names;
	if ((st = QueryContextAttributesA(&ctx, SECPKG_ATTR_NAMES, &names)) != SEC_E_OK)
		return fail("QueryContextAttributesA", st);
	printf("server: accepted %s\n", names.sUserName);
	FreeContextBuffer(names.sUserName);
	if ((st = ImpersonateSecurityContext(&ctx)) != SEC_E_OK)
		return fail("ImpersonateSecurityContext", st);
	show_kernel_view(files, nfiles);
	if ((st = RevertSecurityContext(&ctx)) != SEC_E_OK)
		abort(); /* never go on as the client */

	for (;;) {
		if (recv_token(fd, &flags, in, &inlen) < 0)
			return fail("recv", 0);
		if (flags & TOKEN_NOOP)
			break;
		void *msg = in;
		ULONG len = inlen;
		if (flags & TOKEN_WRAPPED) {
			SecBuffer sb[2] = {{inlen, SECBUFFER_STREAM, in}, {0, SECBUFFER_DATA, NULL}};
			SecBufferDesc sd = {SECBUFFER_VERSION, 2, sb};
			if ((st = DecryptMessage(&ctx, &sd, 0, NULL)) != SEC_E_OK)
				return fail("DecryptMessage", st);
			msg = sb[1].pvBuffer;
			len = sb[1].cbBuffer;
		}
		printf("server: received \"%.*s\"\n", (int)len, (char *)msg);
		if (!(flags & TOKEN_SEND_MIC)) {
			send_token(fd, TOKEN_NOOP, "", 0);
			continue;
		}
		SecBuffer mb[2] = {{len, SECBUFFER_DATA, msg}, {MAX_TOKEN, SECBUFFER_TOKEN, out}};
		SecBufferDesc md = {SECBUFFER_VERSION, 2, mb};
		if ((st = MakeSignature(&ctx, 0, &md, 0)) != SEC_E_OK)
			return fail("MakeSignature", st);
		if (send_token(fd, TOKEN_MIC, out, mb[1].cbBuffer) < 0)
			return fail("send", 0);
	}
	close(fd);
	DeleteSecurityContext(&ctx);
	FreeCredentialsHandle(&cred);
	printf("server: done\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "client") == 0)
		return client(argv[2], argv[3], argv[4], argv[5], argv[6]);
	if (argc >= 4 && strcmp(argv[1], "server") == 0)
		return server(argv[2], argv[3], argv + 4, argc - 4);
	fprintf(stderr, "usage: gss-sample-peer client HOST PORT TARGET PACKAGE MESSAGE\n"
	                "       gss-sample-peer server PORT PACKAGE [FILE...]\n");
	return 2;
}
