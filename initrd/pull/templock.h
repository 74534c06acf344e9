/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A pull builds its image under a temporary name beside the target (.#pull.NAME.XXXXXX) and holds
 * an flock() on it while it works. A pull killed with SIGKILL (or by the OOM killer) cannot remove
 * its temporary, but its lock goes with it: the next pull of the same target finds temporaries that
 * nobody holds and removes them. Creating a temporary and sweeping happen under a lock on the
 * directory, so a sweep never takes a temporary that was just created and is not yet held.
 */

/* Locks dir against concurrent sweeps (blocking: held only briefly). A descriptor to close, or -errno. */
int temp_dir_lock(const char *dir);
/* Takes the lock on a temporary just created: a descriptor to keep open while it is in use, or -errno. */
int temp_lock(const char *path);
/* Removes the temporaries of the target named name in dir that no process holds; logs each.
 * Call with the directory locked. Returns how many were removed. */
int temp_remove_stale(const char *dir, const char *name);
