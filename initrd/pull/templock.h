/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A pull builds its image under a temporary name beside the target (.#pull.NAME.XXXXXX) and holds
 * an flock() on it while it works. A pull killed with SIGKILL (or by the OOM killer) cannot remove
 * its temporary, but its lock goes with it: the next pull of the same target finds temporaries that
 * nobody holds and removes them. A sweep can catch a temporary in the moment between its creation
 * and its lock: temp_lock() notices that (-ESTALE) and the pull makes a new one. (A lock on the
 * directory would not do: the tar extractor is forked and would inherit it.)
 */

/* Takes the lock on the temporary just created at path: a descriptor to keep open while it is in
 * use. -ESTALE if a sweep got there first (it is locked by another process, or gone). */
int temp_lock(const char *path);
/* Removes the temporaries of the target named name in dir that no process holds; logs each.
 * Returns how many were removed. */
int temp_remove_stale(const char *dir, const char *name);
