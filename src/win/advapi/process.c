/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CreateProcessAsUser on imp_spawn (SPEC W5, X2): the program runs as the
 * token's user in every id slot, with no capabilities and only the standard
 * descriptors it is given; the calling thread is unchanged.  The process
 * handle supports WaitForSingleObject, GetExitCodeProcess and CloseHandle.
 *
 * Mapped from Windows (impersonate-advapi(3)): the command line is split as
 * CommandLineToArgvW does; without lpApplicationName its first word is the
 * program, looked up in PATH when it has no '/'.  STARTUPINFO's standard
 * handles (with STARTF_USESTDHANDLES) are descriptors, (HANDLE)(intptr_t)fd;
 * NULL or INVALID_HANDLE_VALUE leaves that descriptor closed; without the
 * flag the child gets this process's descriptors 0, 1 and 2.  No other
 * descriptor is inherited, whatever bInheritHandles says.
 * CREATE_SUSPENDED and lpCurrentDirectory are not supported.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "advapi.h"

extern char **environ;

struct process {
	struct win_object base;
	pthread_mutex_t lock;
	pid_t pid;
	bool reaped;
	int status;
};

static void process_release(struct win_object *o)
{
	struct process *p = (struct process *)o;
	pthread_mutex_destroy(&p->lock);
	free(p); /* not reaped: the caller's waitpid() still can */
}

/* ---- Command line and environment ------------------------------------------- */

/* Split @cmd in place into @argv (room for @cap entries, NULL-terminated),
 * CommandLineToArgvW's rules: blanks separate, "..." quotes, 2n backslashes
 * before a quote are n backslashes and the quote counts, 2n+1 are n and a
 * literal quote, other backslashes are literal.  Returns the count or -1. */
static int split_command_line(char *cmd, char **argv, int cap)
{
	int n = 0;
	char *in = cmd, *out = cmd;
	for (;;) {
		while (*in == ' ' || *in == '\t')
			in++;
		if (!*in)
			break;
		if (n + 1 >= cap)
			return -1;
		argv[n++] = out;
		bool quoted = false;
		while (*in && (quoted || (*in != ' ' && *in != '\t'))) {
			size_t bs = strspn(in, "\\");
			if (in[bs] == '"') {
				for (size_t i = 0; i < bs / 2; i++)
					*out++ = '\\';
				in += bs;
				if (bs % 2)
					*out++ = '"';
				else
					quoted = !quoted;
				in++;
			} else if (bs) {
				memmove(out, in, bs); /* out <= in: safe */
				out += bs;
				in += bs;
			} else {
				*out++ = *in++;
			}
		}
		char *next = *in ? in + 1 : in;
		*out++ = '\0'; /* out <= in: at most the blank or the end */
		in = next;
	}
	argv[n] = NULL;
	return n;
}

/* @name looked up in PATH when it has no '/', malloc'd. */
static char *find_program(const char *name)
{
	if (strchr(name, '/'))
		return strdup(name);
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		char *cand = malloc(n + strlen(name) + 2);
		if (!cand)
			return NULL;
		memcpy(cand, p, n);
		cand[n] = '/';
		strcpy(cand + n + 1, name);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p += n;
		if (!*p)
			return strdup(name); /* execve reports ENOENT */
	}
}

/* An environment block ("A=1\0B=2\0\0", UTF-16 with
 * CREATE_UNICODE_ENVIRONMENT) as an envp array; strings point into @store. */
static char **env_block(const void *block, bool unicode, char **store)
{
	size_t count = 0, bytes = 0;
	char *text;
	if (unicode) {
		const WCHAR *w = block;
		size_t len = 0;
		while (w[len] || w[len + 1])
			len++;
		WCHAR *copy = malloc((len + 2) * sizeof(WCHAR));
		if (!copy)
			return NULL;
		memcpy(copy, w, (len + 2) * sizeof(WCHAR));
		for (size_t i = 0; i < len + 1; i++)
			if (!copy[i])
				copy[i] = u'\n'; /* convert as one string, split after */
		copy[len + 1] = 0;
		int r = utf16_to_utf8(copy, -1, &text);
		free(copy);
		if (r < 0)
			return NULL;
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = '\0';
		bytes = 0;
		for (char *p = text; *p; p += strlen(p) + 1)
			bytes += strlen(p) + 1;
	} else {
		const char *a = block;
		while (a[bytes] || a[bytes + 1])
			bytes++;
		bytes += 1;
		text = malloc(bytes + 1);
		if (!text)
			return NULL;
		memcpy(text, a, bytes + 1);
	}
	for (char *p = text; *p; p += strlen(p) + 1)
		count++;
	char **envp = calloc(count + 1, sizeof(char *));
	if (!envp) {
		free(text);
		return NULL;
	}
	count = 0;
	for (char *p = text; *p; p += strlen(p) + 1)
		envp[count++] = p;
	*store = text;
	return envp;
}

/* ---- CreateProcessAsUser ----------------------------------------------------- */

struct spawn_request {
	HANDLE token;
	const char *application; /* may be NULL */
	const char *command;     /* may be NULL */
	DWORD flags;
	const void *environment;
	const char *directory;
	DWORD startup_flags;
	HANDLE std[3];
	LPPROCESS_INFORMATION info;
};

static int std_fd(HANDLE h)
{
	intptr_t v = (intptr_t)h;
	return h && h != INVALID_HANDLE_VALUE && v > 0 && v <= 0x7fffffff ? (int)v : -1;
}

static DWORD spawn_error(int r)
{
	switch (r) {
	case -ENOENT:
	case -ENOTDIR:
		return ERROR_FILE_NOT_FOUND;
	case -EACCES:
		return ERROR_ACCESS_DENIED;
	case -ENOEXEC:
		return ERROR_BAD_EXE_FORMAT;
	case -EBADF:
		return ERROR_INVALID_HANDLE;
	default:
		return win_error_from_errno(r);
	}
}

static DWORD issue_process(pid_t pid, LPPROCESS_INFORMATION info)
{
	struct process *p = calloc(1, sizeof(*p));
	if (!p)
		return ERROR_NOT_ENOUGH_MEMORY;
	win_object_init(&p->base, process_release);
	pthread_mutex_init(&p->lock, NULL);
	p->pid = pid;
	HANDLE hp, ht;
	int r = whandle_issue(HANDLE_PROCESS, &p->base, NULL, 0, &hp);
	if (r == 0 && whandle_issue(HANDLE_PROCESS, &p->base, NULL, 0, &ht) < 0) {
		whandle_close(hp);
		r = -ENOMEM;
	}
	win_object_unref(&p->base);
	if (r < 0)
		return ERROR_NOT_ENOUGH_MEMORY;
	*info = (PROCESS_INFORMATION){hp, ht, (DWORD)pid, (DWORD)pid};
	return 0;
}

static DWORD spawn_checked(const struct spawn_request *q, imp_token *tok, char *cmd, char **argv,
                           char **envp)
{
	int argc = split_command_line(cmd, argv, 256);
	if (argc < 0 || (argc == 0 && !q->application))
		return ERROR_INVALID_PARAMETER;
	char *path = find_program(q->application ? q->application : argv[0]);
	if (!path)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (argc == 0) {
		argv[0] = (char *)q->application;
		argv[1] = NULL;
	}
	int fds[3] = {0, 1, 2};
	if (q->startup_flags & STARTF_USESTDHANDLES)
		for (int i = 0; i < 3; i++)
			fds[i] = std_fd(q->std[i]);
	pid_t pid;
	int r = imp_spawn(tok, path, argv, envp, fds, 3, &pid);
	free(path);
	if (r < 0)
		return spawn_error(r);
	DWORD e = issue_process(pid, q->info);
	if (e) /* no handle to give: do not leave a child nobody knows of */
		waitpid(pid, NULL, 0);
	return e;
}

static BOOL create_process(const struct spawn_request *q)
{
	if (!q->info || (!q->application && !q->command))
		return win_fail(ERROR_INVALID_PARAMETER);
	if ((q->flags & CREATE_SUSPENDED) || q->directory)
		return win_fail(ERROR_NOT_SUPPORTED);
	imp_token *tok;
	unsigned f;
	DWORD e = token_get(q->token, TOKEN_QUERY | TOKEN_DUPLICATE | TOKEN_ASSIGN_PRIMARY, &tok, &f, NULL);
	if (e)
		return win_fail(e);
	if (f & TOKF_IMPERSONATION) {
		imp_token_unref(tok);
		return win_fail(ERROR_BAD_TOKEN_TYPE); /* a primary token is needed */
	}
	char *cmd = strdup(q->command ? q->command : ""), *envstore = NULL;
	char **argv = calloc(256, sizeof(char *));
	char **envp = q->environment ? env_block(q->environment, q->flags & CREATE_UNICODE_ENVIRONMENT, &envstore)
	                             : environ;
	if (!cmd || !argv || !envp)
		e = ERROR_NOT_ENOUGH_MEMORY;
	else
		e = spawn_checked(q, tok, cmd, argv, envp);
	if (envp != environ)
		free(envp);
	free(envstore);
	free(argv);
	free(cmd);
	imp_token_unref(tok);
	return e ? win_fail(e) : TRUE;
}

WIN_PUBLIC BOOL WINAPI CreateProcessAsUserA(HANDLE hToken, LPCSTR lpApplicationName, LPSTR lpCommandLine,
                                            LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                            LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                                            DWORD dwCreationFlags, LPVOID lpEnvironment,
                                            LPCSTR lpCurrentDirectory, LPSTARTUPINFOA lpStartupInfo,
                                            LPPROCESS_INFORMATION lpProcessInformation)
{
	if (!lpStartupInfo)
		return win_fail(ERROR_INVALID_PARAMETER);
	struct spawn_request q = {hToken, lpApplicationName, lpCommandLine, dwCreationFlags, lpEnvironment,
	                          lpCurrentDirectory, lpStartupInfo->dwFlags,
	                          {lpStartupInfo->hStdInput, lpStartupInfo->hStdOutput, lpStartupInfo->hStdError},
	                          lpProcessInformation};
	return create_process(&q);
}

WIN_PUBLIC BOOL WINAPI CreateProcessAsUserW(HANDLE hToken, LPCWSTR lpApplicationName, LPWSTR lpCommandLine,
                                            LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                            LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                                            DWORD dwCreationFlags, LPVOID lpEnvironment,
                                            LPCWSTR lpCurrentDirectory, LPSTARTUPINFOW lpStartupInfo,
                                            LPPROCESS_INFORMATION lpProcessInformation)
{
	if (!lpStartupInfo)
		return win_fail(ERROR_INVALID_PARAMETER);
	char *app, *cmd, *dir;
	int ra = utf16_to_utf8(lpApplicationName, -1, &app), rc = utf16_to_utf8(lpCommandLine, -1, &cmd),
	    rd = utf16_to_utf8(lpCurrentDirectory, -1, &dir);
	BOOL ok;
	if (ra || rc || rd) {
		ok = win_fail(ra == -ENOMEM || rc == -ENOMEM || rd == -ENOMEM ? ERROR_NOT_ENOUGH_MEMORY
		                                                              : ERROR_INVALID_PARAMETER);
	} else {
		struct spawn_request q = {hToken, app, cmd, dwCreationFlags, lpEnvironment, dir, lpStartupInfo->dwFlags,
		                          {lpStartupInfo->hStdInput, lpStartupInfo->hStdOutput, lpStartupInfo->hStdError},
		                          lpProcessInformation};
		ok = create_process(&q);
	}
	free(app);
	free(cmd);
	free(dir);
	return ok;
}

/* ---- Waiting ----------------------------------------------------------------- */

/* Lock held.  Reap the child if it has ended (waiting up to @ms, -1: no
 * limit).  0, or -ETIMEDOUT, or -errno. */
static int reap(struct process *p, int ms)
{
	if (p->reaped)
		return 0;
	if (ms != 0) {
		int fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
		if (fd >= 0) {
			struct pollfd pfd = {fd, POLLIN, 0};
			while (poll(&pfd, 1, ms) < 0 && errno == EINTR)
				;
			close(fd);
		} else if (ms < 0) {
			while (waitpid(p->pid, &p->status, 0) < 0)
				if (errno != EINTR)
					return -errno;
			p->reaped = true;
			return 0;
		}
	}
	pid_t r = waitpid(p->pid, &p->status, WNOHANG);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	p->reaped = true;
	return 0;
}

WIN_PUBLIC DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
	struct win_object *o;
	if (whandle_get(hHandle, HANDLE_PROCESS, NULL, NULL, &o) < 0) {
		SetLastError(ERROR_INVALID_HANDLE);
		return WAIT_FAILED;
	}
	struct process *p = (struct process *)o;
	int ms = dwMilliseconds == INFINITE ? -1 : dwMilliseconds > 0x7fffffff ? 0x7fffffff : (int)dwMilliseconds;
	pthread_mutex_lock(&p->lock);
	int r = reap(p, ms);
	pthread_mutex_unlock(&p->lock);
	win_object_unref(o);
	if (r == -ETIMEDOUT)
		return WAIT_TIMEOUT;
	if (r < 0) {
		SetLastError(ERROR_INVALID_HANDLE); /* reaped by someone else */
		return WAIT_FAILED;
	}
	return WAIT_OBJECT_0;
}

WIN_PUBLIC BOOL WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode)
{
	struct win_object *o;
	if (!lpExitCode)
		return win_fail(ERROR_INVALID_PARAMETER);
	if (whandle_get(hProcess, HANDLE_PROCESS, NULL, NULL, &o) < 0)
		return win_fail(ERROR_INVALID_HANDLE);
	struct process *p = (struct process *)o;
	pthread_mutex_lock(&p->lock);
	int r = reap(p, 0);
	DWORD code = STILL_ACTIVE;
	if (r == 0)
		code = WIFEXITED(p->status) ? (DWORD)WEXITSTATUS(p->status) : 128u + (DWORD)WTERMSIG(p->status);
	pthread_mutex_unlock(&p->lock);
	win_object_unref(o);
	if (r < 0 && r != -ETIMEDOUT)
		return win_fail(ERROR_INVALID_HANDLE);
	*lpExitCode = code;
	return TRUE;
}
