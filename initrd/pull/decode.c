/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "decode.h"

/* Enough to tell every supported format apart (xz has the longest magic) and to read a zstd frame
 * header with its content size. */
#define MAGIC_MAX 18

/* The threaded xz decoder needs a block's worth of memory per thread; past this it falls back to
 * decoding in one thread rather than growing without bound (the initrd lives in RAM). */
#define XZ_MEMLIMIT_THREADING (UINT64_C(96) << 20)

struct decoder {
        enum decode_format format;
        uint8_t magic[MAGIC_MAX];
        size_t n_magic;
        bool ended;                /* the last member/frame seen so far is complete */
        uint64_t size_hint;
        const char *error;

        lzma_stream xz;
        bool xz_init;
        unsigned xz_threads;
        ZSTD_DCtx *zstd;
        z_stream gz;
        bool gz_init;
        bz_stream bz;
        bool bz_init;

        struct xzpar *xzp;

        uint8_t *out;
        size_t out_size, out_len;
        uint64_t total_out;
        decode_write_t write;
        decode_write_at_t write_at;
        void *userdata;
};

const char *decode_format_to_string(enum decode_format f) {
        switch (f) {
        case DECODE_NONE: return "uncompressed";
        case DECODE_XZ: return "xz";
        case DECODE_ZSTD: return "zstd";
        case DECODE_GZIP: return "gzip";
        case DECODE_BZIP2: return "bzip2";
        default: return "unknown";
        }
}

static void decoder_done(struct decoder *d) {
        d->xzp = xzpar_free(d->xzp);
        if (d->xz_init)
                lzma_end(&d->xz);
        d->xz_init = false;
        if (d->zstd)
                ZSTD_freeDCtx(d->zstd);
        d->zstd = NULL;
        if (d->gz_init)
                inflateEnd(&d->gz);
        d->gz_init = false;
        if (d->bz_init)
                BZ2_bzDecompressEnd(&d->bz);
        d->bz_init = false;
}

int decoder_new(size_t out_size, unsigned xz_threads, decode_write_t write, decode_write_at_t write_at,
                void *userdata, struct decoder **ret) {
        struct decoder *d = calloc(1, sizeof *d);
        if (!d)
                return -ENOMEM;
        d->out = malloc(out_size);
        if (!d->out) {
                free(d);
                return -ENOMEM;
        }
        d->out_size = out_size;
        d->xz_threads = xz_threads ?: 1;
        d->write = write;
        d->write_at = write_at;
        d->userdata = userdata;
        d->format = DECODE_UNKNOWN;
        d->size_hint = UINT64_MAX;
        *ret = d;
        return 0;
}

struct decoder *decoder_free(struct decoder *d) {
        if (!d)
                return NULL;
        decoder_done(d);
        free(d->out);
        free(d);
        return NULL;
}

int decoder_reset(struct decoder *d) {
        decoder_done(d);
        d->format = DECODE_UNKNOWN;
        d->n_magic = 0;
        d->ended = false;
        d->size_hint = UINT64_MAX;
        d->error = NULL;
        d->out_len = 0;
        d->total_out = 0;
        return 0;
}

enum decode_format decoder_format(const struct decoder *d) {
        return d->format;
}

uint64_t decoder_output_bytes(const struct decoder *d) {
        if (d->xzp)
                return xzpar_output_bytes(d->xzp);
        return d->total_out + d->out_len;
}

uint64_t decoder_size_hint(const struct decoder *d) {
        return d->size_hint;
}

const char *decoder_error(const struct decoder *d) {
        return d->error ?: "corrupt compressed data";
}

static int flush(struct decoder *d) {
        if (d->out_len == 0)
                return 0;
        int r = d->write(d->userdata, d->out, d->out_len);
        if (r < 0)
                return r;
        d->total_out += d->out_len;
        d->out_len = 0;
        return 0;
}

/* Keeps the output buffer from staying full, so the next library call has room. */
static int flush_if_full(struct decoder *d) {
        return d->out_len == d->out_size ? flush(d) : 0;
}

static int fail(struct decoder *d, const char *why) {
        d->error = why;
        return -EBADMSG;
}

static enum decode_format detect(const uint8_t *m, size_t n) {
        static const uint8_t xz[] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
        static const uint8_t zstd[] = { 0x28, 0xB5, 0x2F, 0xFD };
        static const uint8_t gz[] = { 0x1F, 0x8B };

        static const uint8_t bz[] = { 'B', 'Z', 'h' };

        /* A download shorter than a magic that it begins like is a truncated compressed file, not
         * a tiny image: let that format's decoder say so. */
#define MATCHES(magic) (n > 0 && memcmp(m, magic, n < sizeof magic ? n : sizeof magic) == 0)
        if (MATCHES(xz))
                return DECODE_XZ;
        if (MATCHES(zstd))
                return DECODE_ZSTD;
        if (MATCHES(gz))
                return DECODE_GZIP;
        if (MATCHES(bz) && (n <= 3 || (m[3] >= '1' && m[3] <= '9')))
                return DECODE_BZIP2;
#undef MATCHES
        return DECODE_NONE;
}

static int setup(struct decoder *d) {
        switch (d->format) {
        case DECODE_XZ: {
                if (d->write_at && d->xz_threads > 1)
                        return xzpar_new(d->xz_threads, d->write_at, d->userdata, &d->xzp);
                lzma_mt mt = {
                        .flags = LZMA_CONCATENATED,
                        .threads = d->xz_threads,
                        .memlimit_threading = XZ_MEMLIMIT_THREADING,
                        .memlimit_stop = UINT64_MAX,
                };
                d->xz = (lzma_stream) LZMA_STREAM_INIT;
                lzma_ret r = d->xz_threads > 1 ? lzma_stream_decoder_mt(&d->xz, &mt)
                                               : lzma_stream_decoder(&d->xz, UINT64_MAX, LZMA_CONCATENATED);
                if (r != LZMA_OK)
                        return r == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
                d->xz_init = true;
                return 0;
        }
        case DECODE_ZSTD:
                d->zstd = ZSTD_createDCtx();
                if (!d->zstd)
                        return -ENOMEM;
                /* Images are large; accept the long windows `zstd --long` produces. */
                (void) ZSTD_DCtx_setParameter(d->zstd, ZSTD_d_windowLogMax, 31);
                return 0;
        case DECODE_GZIP:
                d->gz = (z_stream) {};
                if (inflateInit2(&d->gz, 16 + MAX_WBITS) != Z_OK)
                        return -ENOMEM;
                d->gz_init = true;
                return 0;
        case DECODE_BZIP2:
                d->bz = (bz_stream) {};
                if (BZ2_bzDecompressInit(&d->bz, 0, 0) != BZ_OK)
                        return -ENOMEM;
                d->bz_init = true;
                return 0;
        default:
                return 0;
        }
}

static int feed_xz(struct decoder *d, const uint8_t *p, size_t n, bool finish) {
        d->xz.next_in = p;
        d->xz.avail_in = n;
        for (;;) {
                int r = flush_if_full(d);
                if (r < 0)
                        return r;
                d->xz.next_out = d->out + d->out_len;
                d->xz.avail_out = d->out_size - d->out_len;
                lzma_ret ret = lzma_code(&d->xz, finish ? LZMA_FINISH : LZMA_RUN);
                d->out_len = d->out_size - d->xz.avail_out;
                if (ret == LZMA_STREAM_END) {
                        d->ended = true;
                        if (d->xz.avail_in > 0)
                                return fail(d, "data after the end of the xz stream");
                        return 0;
                }
                if (ret == LZMA_BUF_ERROR && finish)
                        return fail(d, "xz stream ends early (truncated download?)");
                if (ret == LZMA_MEMLIMIT_ERROR || ret == LZMA_MEM_ERROR)
                        return fail(d, "xz stream needs more memory than allowed");
                if (ret != LZMA_OK)
                        return fail(d, ret == LZMA_FORMAT_ERROR ? "not an xz stream" : "corrupt xz data");
                if (!finish && d->xz.avail_in == 0 && d->xz.avail_out > 0)
                        return 0;
        }
}

static int feed_zstd(struct decoder *d, const uint8_t *p, size_t n, bool finish) {
        ZSTD_inBuffer in = { .src = p, .size = n };
        if (p == d->magic && n > 0) {
                unsigned long long s = ZSTD_getFrameContentSize(p, n);
                if (s != ZSTD_CONTENTSIZE_UNKNOWN && s != ZSTD_CONTENTSIZE_ERROR)
                        d->size_hint = s;
        }
        for (;;) {
                int r = flush_if_full(d);
                if (r < 0)
                        return r;
                ZSTD_outBuffer out = { .dst = d->out, .size = d->out_size, .pos = d->out_len };
                size_t in_before = in.pos;
                size_t ret = ZSTD_decompressStream(d->zstd, &out, &in);
                bool progressed = out.pos > d->out_len;
                d->out_len = out.pos;
                if (ZSTD_isError(ret))
                        return fail(d, ZSTD_getErrorName(ret));
                /* Only a call that did something says whether a frame is complete; an idle call
                 * after a frame's end already asks for the next frame's header. */
                if (progressed || in.pos > in_before)
                        d->ended = in.pos == in.size && ret == 0;
                if (in.pos == in.size && out.pos < out.size) {
                        if (!finish || d->ended)
                                return 0;
                        if (!progressed)
                                return fail(d, "zstd stream ends early (truncated download?)");
                }
        }
}

static int feed_gzip(struct decoder *d, const uint8_t *p, size_t n, bool finish) {
        d->gz.next_in = (Bytef *) p;
        d->gz.avail_in = (uInt) n;
        for (;;) {
                int r = flush_if_full(d);
                if (r < 0)
                        return r;
                if (d->ended) {
                        if (d->gz.avail_in == 0)
                                return 0;
                        /* Another member follows, as with `cat a.gz b.gz`. */
                        if (inflateReset(&d->gz) != Z_OK)
                                return fail(d, "cannot restart the gzip decoder");
                        d->ended = false;
                }
                d->gz.next_out = d->out + d->out_len;
                d->gz.avail_out = (uInt) (d->out_size - d->out_len);
                int ret = inflate(&d->gz, Z_NO_FLUSH);
                d->out_len = d->out_size - d->gz.avail_out;
                if (ret == Z_STREAM_END) {
                        d->ended = true;
                        continue;
                }
                if (ret == Z_BUF_ERROR) {
                        if (finish)
                                return fail(d, "gzip stream ends early (truncated download?)");
                        return 0;
                }
                if (ret != Z_OK)
                        return fail(d, d->gz.msg ?: "corrupt gzip data");
                if (d->gz.avail_in == 0 && d->gz.avail_out > 0 && !finish)
                        return 0;
        }
}

static int feed_bzip2(struct decoder *d, const uint8_t *p, size_t n, bool finish) {
        d->bz.next_in = (char *) p;
        d->bz.avail_in = (unsigned) n;
        for (;;) {
                int r = flush_if_full(d);
                if (r < 0)
                        return r;
                if (d->ended) {
                        if (d->bz.avail_in == 0)
                                return 0;
                        /* A concatenated stream (pbzip2 writes these). */
                        char *next = d->bz.next_in;
                        unsigned avail = d->bz.avail_in;
                        BZ2_bzDecompressEnd(&d->bz);
                        d->bz = (bz_stream) {};
                        if (BZ2_bzDecompressInit(&d->bz, 0, 0) != BZ_OK) {
                                d->bz_init = false;
                                return -ENOMEM;
                        }
                        d->bz.next_in = next;
                        d->bz.avail_in = avail;
                        d->ended = false;
                }
                unsigned before_in = d->bz.avail_in;
                d->bz.next_out = (char *) d->out + d->out_len;
                d->bz.avail_out = (unsigned) (d->out_size - d->out_len);
                unsigned before_out = d->bz.avail_out;
                int ret = BZ2_bzDecompress(&d->bz);
                d->out_len = d->out_size - d->bz.avail_out;
                if (ret == BZ_STREAM_END) {
                        d->ended = true;
                        continue;
                }
                if (ret != BZ_OK)
                        return fail(d, "corrupt bzip2 data");
                if (d->bz.avail_in == 0 && d->bz.avail_out > 0) {
                        if (!finish)
                                return 0;
                        if (before_in == 0 && before_out == d->bz.avail_out)
                                return fail(d, "bzip2 stream ends early (truncated download?)");
                }
        }
}

static int feed_none(struct decoder *d, const uint8_t *p, size_t n) {
        while (n > 0) {
                int r = flush_if_full(d);
                if (r < 0)
                        return r;
                size_t k = d->out_size - d->out_len;
                if (k > n)
                        k = n;
                memcpy(d->out + d->out_len, p, k);
                d->out_len += k;
                p += k;
                n -= k;
        }
        return 0;
}

static int feed_xzpar(struct decoder *d, const uint8_t *p, size_t n, bool finish) {
        int r = finish ? xzpar_finish(d->xzp) : xzpar_feed(d->xzp, p, n);
        if (r == -EBADMSG)
                d->error = xzpar_error(d->xzp);
        if (r >= 0 && finish)
                d->ended = true;
        return r;
}

static int feed(struct decoder *d, const uint8_t *p, size_t n, bool finish) {
        if (d->xzp)
                return feed_xzpar(d, p, n, finish);
        switch (d->format) {
        case DECODE_XZ: return feed_xz(d, p, n, finish);
        case DECODE_ZSTD: return feed_zstd(d, p, n, finish);
        case DECODE_GZIP: return feed_gzip(d, p, n, finish);
        case DECODE_BZIP2: return feed_bzip2(d, p, n, finish);
        default: return feed_none(d, p, n);
        }
}

/* Picks the format once enough bytes are there and replays the bytes held back for that. */
static int start(struct decoder *d) {
        d->format = detect(d->magic, d->n_magic);
        int r = setup(d);
        if (r < 0)
                return r;
        return feed(d, d->magic, d->n_magic, false);
}

int decoder_feed(struct decoder *d, const void *p, size_t n) {
        const uint8_t *b = p;
        if (d->format == DECODE_UNKNOWN) {
                size_t k = MAGIC_MAX - d->n_magic;
                if (k > n)
                        k = n;
                memcpy(d->magic + d->n_magic, b, k);
                d->n_magic += k;
                b += k;
                n -= k;
                if (d->n_magic < MAGIC_MAX)
                        return 0;
                int r = start(d);
                if (r < 0)
                        return r;
        }
        if (n == 0)
                return 0;
        return feed(d, b, n, false);
}

int decoder_finish(struct decoder *d) {
        int r;
        if (d->format == DECODE_UNKNOWN) {
                r = start(d);
                if (r < 0)
                        return r;
        }
        if (d->format != DECODE_NONE) {
                r = feed(d, NULL, 0, true);
                if (r < 0)
                        return r;
                if (!d->ended)
                        return fail(d, "compressed stream ends early (truncated download?)");
        }
        return flush(d);
}
