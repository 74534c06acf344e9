/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "block-store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fileio.h"

int block_store_init(struct block_store *b, const pb_seek_table *t) {
        *b = (struct block_store) { .fd = -1, .size = t->usize, .table = t, .raw_chunk = BLOCK_STORE_RAW_CHUNK };

        b->n_chunks = t->format == PB_SEEK_RAW ? (size_t) ((t->usize + b->raw_chunk - 1) / b->raw_chunk) : t->n_frames;
        b->present = calloc(b->n_chunks ?: 1, 1);
        if (!b->present)
                return -ENOMEM;
        b->fd = memfd_create("pullboot-lazy", MFD_CLOEXEC);
        if (b->fd < 0 || ftruncate(b->fd, (off_t) b->size) < 0) {
                int r = -errno;
                block_store_done(b);
                return r;
        }
        return 0;
}

void block_store_done(struct block_store *b) {
        if (b->fd >= 0)
                close(b->fd);
        free(b->present);
        *b = (struct block_store) { .fd = -1 };
}

size_t block_store_chunk_index(const struct block_store *b, uint64_t uoff) {
        if (b->table->format == PB_SEEK_RAW)
                return (size_t) (uoff / b->raw_chunk);
        const pb_seek_frame *f = pb_seek_table_find(b->table, uoff);
        return f ? (size_t) (f - b->table->frames) : b->n_chunks;
}

void block_store_chunk(const struct block_store *b, size_t i, pb_seek_frame *ret) {
        if (b->table->format == PB_SEEK_RAW) {
                uint64_t off = (uint64_t) i * b->raw_chunk;
                uint64_t len = b->size - off < b->raw_chunk ? b->size - off : b->raw_chunk;
                *ret = (pb_seek_frame) { .uoff = off, .usize = len, .coff = off, .csize = len };
        } else
                *ret = b->table->frames[i];
}

bool block_store_has_range(const struct block_store *b, uint64_t off, uint64_t len) {
        if (len == 0)
                return true;
        size_t last = block_store_chunk_index(b, off + len - 1);
        for (size_t i = block_store_chunk_index(b, off); i <= last && i < b->n_chunks; i++)
                if (!b->present[i])
                        return false;
        return true;
}

int block_store_fill(struct block_store *b, size_t i, const void *in) {
        pb_seek_frame f;
        int r;

        /* Never over a chunk the system wrote to: that would undo its writes. */
        if (b->present[i])
                return 0;
        block_store_chunk(b, i, &f);
        if (b->table->format == PB_SEEK_RAW)
                r = block_store_pwrite(b, in, f.usize, f.uoff);
        else {
                void *out = malloc(f.usize ?: 1);
                if (!out)
                        return -ENOMEM;
                r = pb_seek_frame_decode(b->table, &f, in, out);
                if (r >= 0)
                        r = block_store_pwrite(b, out, f.usize, f.uoff);
                free(out);
        }
        if (r < 0)
                return r;
        b->present[i] = 1;
        b->n_present++;
        b->bytes_present += f.usize;
        return 0;
}

int block_store_pread(const struct block_store *b, void *buf, size_t len, uint64_t off) {
        return pread_exact(b->fd, buf, len, off);
}

int block_store_pwrite(struct block_store *b, const void *buf, size_t len, uint64_t off) {
        return pwrite_full(b->fd, buf, len, off);
}
