/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Answers to PAM prompts for the command-line tools. */
#pragma once

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
