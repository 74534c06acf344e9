/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Runs argv[0] (looked up in PATH when it has no slash) with the caller's environment and waits
 * for it. Returns its exit status (0-255; 128+N when killed by signal N), or a negative errno if
 * it could not be started: the caller decides what a non-zero status means and says so.
 */
int spawn_wait(char *const argv[]);
