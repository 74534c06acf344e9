/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>


/*
 * Hand-over to a second thread: bytes are copied into one of a few buffers and passed, in order,
 * to a consumer running in its own thread. The pull engine puts decompression and writing there,
 * so receiving the next megabyte overlaps decoding and writing the last one, as the processes of
 * a `curl | zstd -dc > file` pipeline overlap. A consumer error surfaces on a later writer_write()
 * or on writer_flush(); after an error the rest is dropped.
 */

typedef int (*writer_consume_t)(void *userdata, const void *p, size_t n);

struct writer;

int writer_new(writer_consume_t consume, void *userdata, size_t buf_size, unsigned n_bufs, struct writer **ret);
struct writer *writer_free(struct writer *w);
int writer_write(struct writer *w, const void *p, size_t n);
/* Waits until everything handed over was consumed; the first consumer error, if any. */
int writer_flush(struct writer *w);
/* Drops what is queued and forgets a past error (the stream starts over). */
int writer_reset(struct writer *w);
