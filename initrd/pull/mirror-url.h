/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * pullboot.mirror=BASEURL / --mirror=BASEURL: another server with the same files at the same
 * paths. The image's URL on a mirror is BASEURL with the image URL's path (and query) appended:
 * http://origin/images/root.raw.zst with mirror http://cache2:8080/pub gives
 * http://cache2:8080/pub/images/root.raw.zst.
 *
 * Writes the malloc'ed URL to *ret. -EINVAL (logged) if either URL is unusable.
 */
int mirror_url(const char *base, const char *url, char **ret);
