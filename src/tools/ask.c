/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ask.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static char *read_line(int fd)
{
	char buf[ASK_MAX + 1];
	size_t len = 0;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		if (n == 0 && len == 0) {
			errno = ENODATA;
			return NULL;
		}
		if (n == 0 || c == '\n')
			break;
		if (len == ASK_MAX) {
			explicit_bzero(buf, sizeof(buf));
			errno = EMSGSIZE;
			return NULL;
		}
		buf[len++] = c;
	}
	buf[len] = 0;
	char *s = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return s;
}

/* Best effort: a prompt that cannot be shown still gets its answer read. */
static void tty_put(int tty, const char *s)
{
	ssize_t n = write(tty, s, strlen(s));
	(void)n;
}

static char *ask_terminal(const char *prompt, bool echo)
{
	int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0) {
		errno = ENXIO;
		return NULL;
	}
	struct termios old, quiet;
	bool restore = !echo && tcgetattr(tty, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(tty, TCSAFLUSH, &quiet);
	}
	tty_put(tty, prompt);
	char *s = read_line(tty);
	int e = errno;
	if (restore) {
		tcsetattr(tty, TCSAFLUSH, &old);
		tty_put(tty, "\n"); /* the user's Enter was not echoed */
	}
	close(tty);
	errno = e;
	return s;
}

char *ask_answer(int fd, const char *prompt, bool echo)
{
	return fd >= 0 ? read_line(fd) : ask_terminal(prompt, echo);
}

void ask_free(char *answer)
{
	if (answer) {
		explicit_bzero(answer, strlen(answer));
		free(answer);
	}
}

int ask_conversation(int n, const struct pam_message **msg, struct pam_response **resp, ask_one_fn one,
                     void *data)
{
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		r[i].resp = one(msg[i], data);
		if (!r[i].resp) {
			for (int k = 0; k < i; k++)
				ask_free(r[k].resp); /* passwords: overwritten, then freed */
			free(r);
			return PAM_CONV_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}
