/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Answers to PAM prompts: asked on a terminal or read from a descriptor (the
 * tools), and the frame of a conversation function (the tools and the daemon). */
#pragma once

#include <security/pam_appl.h>
#include <stdbool.h>

#define ASK_MAX 4096

/*
 * ask_answer() - the answer to one prompt.
 * @fd >= 0: the next line of @fd (read a byte at a time, so that the next
 *     prompt gets the next line); nothing is shown.
 * @fd < 0: @prompt is written to the controlling terminal and a line read
 *     from it, with echo off unless @echo.
 * Returns a malloc()ed string without the newline, or NULL with errno set
 * (ENODATA at end of input, ENXIO without a terminal, EMSGSIZE for a line
 * longer than ASK_MAX).
 */
char *ask_answer(int fd, const char *prompt, bool echo);

/* Overwrite and free an answer. */
void ask_free(char *answer);

/*
 * ask_conversation() - the frame of a PAM conversation function: checks @n,
 * makes the response array, calls @one for each message (it returns the
 * malloc()ed answer, "" for a message that needs none, or NULL to fail the
 * conversation), and on failure overwrites and frees every answer given so
 * far.  Returns PAM_SUCCESS, PAM_CONV_ERR or PAM_BUF_ERR.
 */
typedef char *(*ask_one_fn)(const struct pam_message *m, void *data);
int ask_conversation(int n, const struct pam_message **msg, struct pam_response **resp, ask_one_fn one,
                     void *data);
