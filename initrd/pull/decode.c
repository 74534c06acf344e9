/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <bzlib.h>
#include <errno.h>
#include <inttypes.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "base.h"
#include "decode.h"
#include "space.h"

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
        unsigned members;          /* complete members/frames/streams so far */
        uint64_t size_hint;
        uint64_t memlimit;         /* what one stream may need to decode; UINT64_MAX: no limit */
        bool over_memlimit;
        const char *error;
        char error_buf[256];

        lzma_stream xz;
        bool xz_init;
        unsigned xz_threads;
        uint64_t xz_padding;       /* zero bytes after the last complete xz stream */
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
        d->memlimit = UINT64_MAX;
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
        d->members = 0;
        d->size_hint = UINT64_MAX;
        d->error = NULL;
        d->over_memlimit = false;
        d->out_len = 0;
        d->total_out = 0;
        return 0;
}

void decoder_set_memlimit(struct decoder *d, uint64_t bytes) {
        d->memlimit = bytes ?: UINT64_MAX;
}

bool decoder_over_memlimit(const struct decoder *d) {
        return d->over_memlimit;
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

/* Before the big allocation: say what the stream needs, the limit, and how to raise it. */
static int fail_memlimit(struct decoder *d, const char *what, uint64_t needed) {
        char a[32], b[32];
        if (needed == UINT64_MAX)
                snprintf(d->error_buf, sizeof d->error_buf,
                         "the %s stream needs more than the memory limit of %s to decompress; raise the limit "
                         "with --max-memory= (pullboot.max-memory= at boot)", what, format_bytes(d->memlimit, b, sizeof b));
        else
                snprintf(d->error_buf, sizeof d->error_buf,
                         "the %s stream needs %s of memory to decompress, more than the limit of %s; raise the "
                         "limit with --max-memory= (pullboot.max-memory= at boot)", what,
                         format_bytes(needed, a, sizeof a), format_bytes(d->memlimit, b, sizeof b));
        d->error = d->error_buf;
        d->over_memlimit = true;
        return -ENOMEM;
}

/* Whether the bytes after a complete member can begin another one: a prefix of its magic. */
static bool may_begin(const uint8_t *p, size_t n, const uint8_t *magic, size_t magic_len) {
        return memcmp(p, magic, n < magic_len ? n : magic_len) == 0;
}

static int fail_trailing(struct decoder *d, const char *format) {
        snprintf(d->error_buf, sizeof d->error_buf,
                 "data after the end of the %s stream (not another %s stream; a corrupt or wrong file?)",
                 format, format);
        d->error = d->error_buf;
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

/* One xz stream at a time (concatenated streams are restarted by feed_xz), so that data after the
 * last stream is told apart from a truncated one. */
static int xz_start(struct decoder *d) {
        lzma_mt mt = {
                .threads = d->xz_threads,
                .memlimit_threading = XZ_MEMLIMIT_THREADING < d->memlimit ? XZ_MEMLIMIT_THREADING : d->memlimit,
                .memlimit_stop = d->memlimit,
        };
        if (d->xz_init)
                lzma_end(&d->xz);
        d->xz = (lzma_stream) LZMA_STREAM_INIT;
        lzma_ret r = d->xz_threads > 1 ? lzma_stream_decoder_mt(&d->xz, &mt)
                                       : lzma_stream_decoder(&d->xz, d->memlimit, 0);
        if (r != LZMA_OK)
                return r == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
        d->xz_init = true;
        return 0;
}

static int setup(struct decoder *d) {
        switch (d->format) {
        case DECODE_XZ:
                if (d->write_at && d->xz_threads > 1) {
                        int r = xzpar_new(d->xz_threads, d->write_at, d->userdata, &d->xzp);
                        if (r >= 0)
                                xzpar_set_memlimit(d->xzp, d->memlimit);
                        return r;
                }
                return xz_start(d);
        case DECODE_ZSTD: {
                d->zstd = ZSTD_createDCtx();
                if (!d->zstd)
                        return -ENOMEM;
                /* The window is the decoder's memory: the largest power of two within the limit.
                 * Frames asking for more fail before it is allocated. */
                int log = 10;
                while (log < 31 && (UINT64_C(2) << log) <= d->memlimit)
                        log++;
                size_t z = ZSTD_DCtx_setParameter(d->zstd, ZSTD_d_windowLogMax, log);
                return ZSTD_isError(z) ? -EINVAL : 0;
        }
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
        static const uint8_t magic[] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };

        d->xz.next_in = p;
        d->xz.avail_in = n;
        for (;;) {
                int r = flush_if_full(d);
                if (r < 0)
                        return r;
                if (d->ended) {
                        /* Between streams: zero padding in multiples of four, then another stream. */
                        while (d->xz.avail_in > 0 && d->xz.next_in[0] == 0) {
                                d->xz_padding++;
                                d->xz.next_in++;
                                d->xz.avail_in--;
                        }
                        if (d->xz.avail_in == 0) {
                                if (finish && d->xz_padding % 4 != 0)
                                        return fail_trailing(d, "xz");
                                return 0;
                        }
                        if (d->xz_padding % 4 != 0 || !may_begin(d->xz.next_in, d->xz.avail_in, magic, sizeof magic))
                                return fail_trailing(d, "xz");
                        const uint8_t *next = d->xz.next_in;
                        size_t avail = d->xz.avail_in;
                        if ((r = xz_start(d)) < 0)
                                return r;
                        d->xz.next_in = next;
                        d->xz.avail_in = avail;
                        d->ended = false;
                }
                d->xz.next_out = d->out + d->out_len;
                d->xz.avail_out = d->out_size - d->out_len;
                lzma_ret ret = lzma_code(&d->xz, finish ? LZMA_FINISH : LZMA_RUN);
                d->out_len = d->out_size - d->xz.avail_out;
                if (ret == LZMA_STREAM_END) {
                        d->ended = true;
                        d->members++;
                        d->xz_padding = 0;
                        continue;
                }
                if (ret == LZMA_BUF_ERROR && finish)
                        return fail(d, "xz stream ends early (truncated download?)");
                if (ret == LZMA_MEMLIMIT_ERROR) {
                        /* The threaded decoder reports what it uses, not what it would need. */
                        uint64_t need = lzma_memusage(&d->xz);
                        return fail_memlimit(d, "xz", need > d->memlimit ? need : UINT64_MAX);
                }
                if (ret == LZMA_MEM_ERROR)
                        return -ENOMEM;
                if (ret != LZMA_OK)
                        return fail(d, ret == LZMA_FORMAT_ERROR ? "not an xz stream" : "corrupt xz data");
                if (!finish && d->xz.avail_in == 0 && d->xz.avail_out > 0)
                        return 0;
        }
}

/* The window a zstd frame header asks for (RFC 8878 3.1.1.1), UINT64_MAX if the header is not
 * all there yet. The decoder's memory is about this much. */
static uint64_t zstd_window(const uint8_t *p, size_t n) {
        static const uint8_t fcs_len[4] = { 0, 2, 4, 8 };
        if (n < 5)
                return UINT64_MAX;
        uint8_t fhd = p[4];
        if (!(fhd & 0x20)) {
                if (n < 6)
                        return UINT64_MAX;
                uint64_t base = UINT64_C(1) << (10 + (p[5] >> 3));
                return base + (base / 8) * (p[5] & 7);
        }
        /* Single segment: the window is the content size. */
        size_t did_len = fhd & 3 ? (size_t) 1 << ((fhd & 3) - 1) : 0;
        size_t fcs = (fhd >> 6) == 0 ? 1 : fcs_len[fhd >> 6], at = 5 + did_len;
        if (n < at + fcs)
                return UINT64_MAX;
        uint64_t v = 0;
        for (size_t i = fcs; i > 0; i--)
                v = (v << 8) | p[at + i - 1];
        return fcs == 2 ? v + 256 : v;
}

static int feed_zstd(struct decoder *d, const uint8_t *p, size_t n, bool finish) {
        static const uint8_t magic[] = { 0x28, 0xB5, 0x2F, 0xFD };
        static const uint8_t skippable[] = { 0x2A, 0x4D, 0x18 };  /* after 0x5? */
        ZSTD_inBuffer in = { .src = p, .size = n };
        if (p == d->magic && n > 0) {
                unsigned long long s = ZSTD_getFrameContentSize(p, n);
                if (s != ZSTD_CONTENTSIZE_UNKNOWN && s != ZSTD_CONTENTSIZE_ERROR)
                        d->size_hint = s;
                uint64_t w = zstd_window(p, n);
                if (w != UINT64_MAX && w > d->memlimit)
                        return fail_memlimit(d, "zstd", w);
        }
        for (;;) {
                int r = flush_if_full(d);
                if (r < 0)
                        return r;
                /* After a complete frame only another frame may follow (or a skippable one). */
                if (d->ended && in.pos < in.size) {
                        const uint8_t *q = (const uint8_t *) in.src + in.pos;
                        size_t k = in.size - in.pos;
                        if (!may_begin(q, k, magic, sizeof magic) &&
                            !((q[0] & 0xF0) == 0x50 && may_begin(q + 1, k - 1, skippable, sizeof skippable)))
                                return fail_trailing(d, "zstd");
                }
                ZSTD_outBuffer out = { .dst = d->out, .size = d->out_size, .pos = d->out_len };
                size_t in_before = in.pos;
                size_t ret = ZSTD_decompressStream(d->zstd, &out, &in);
                bool progressed = out.pos > d->out_len;
                d->out_len = out.pos;
                if (ZSTD_isError(ret)) {
                        if (ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge) {
                                const uint8_t *q = (const uint8_t *) in.src + in_before;
                                size_t k = in.size - in_before;
                                return fail_memlimit(d, "zstd", may_begin(q, k, magic, sizeof magic) ?
                                                                zstd_window(q, k) : UINT64_MAX);
                        }
                        if (ZSTD_getErrorCode(ret) == ZSTD_error_prefix_unknown && d->members > 0)
                                return fail_trailing(d, "zstd");
                        return fail(d, ZSTD_getErrorName(ret));
                }
                /* Only a call that did something says whether a frame is complete; an idle call
                 * after a frame's end already asks for the next frame's header. */
                if (progressed || in.pos > in_before) {
                        bool was = d->ended;
                        d->ended = ret == 0;
                        if (d->ended && !was)
                                d->members++;
                }
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
                        /* Another member follows, as with `cat a.gz b.gz`, or nothing may. */
                        if (!may_begin(d->gz.next_in, d->gz.avail_in, (const uint8_t[]) { 0x1F, 0x8B }, 2))
                                return fail_trailing(d, "gzip");
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
                        d->members++;
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
                        /* A concatenated stream (pbzip2 writes these), or nothing may follow. */
                        if (!may_begin((const uint8_t *) d->bz.next_in, d->bz.avail_in, (const uint8_t *) "BZh", 3) ||
                            (d->bz.avail_in > 3 && (d->bz.next_in[3] < '1' || d->bz.next_in[3] > '9')))
                                return fail_trailing(d, "bzip2");
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
                        d->members++;
                        continue;
                }
                if (ret == BZ_DATA_ERROR_MAGIC && d->members > 0)
                        return fail_trailing(d, "bzip2");
                if (ret == BZ_MEM_ERROR)
                        return -ENOMEM;
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
                pb_fill(d->out, d->out_size, &d->out_len, &p, &n);
        }
        return 0;
}

static int feed_xzpar(struct decoder *d, const uint8_t *p, size_t n, bool finish) {
        int r = finish ? xzpar_finish(d->xzp) : xzpar_feed(d->xzp, p, n);
        if (r == -EBADMSG)
                d->error = xzpar_error(d->xzp);
        if (r == -ENOMEM && xzpar_over_memlimit(d->xzp)) {
                d->error = xzpar_error(d->xzp);
                d->over_memlimit = true;
        }
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
                pb_fill(d->magic, MAGIC_MAX, &d->n_magic, &b, &n);
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
