/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reads an image over HTTP the way the lazy root does, for the integration test: the seek table
 * from the file's tail with Range requests (one keep-alive connection), then random ranges of the
 * image frame by frame, compared with the original. Prints the requests and bytes each phase took.
 * Usage: seek-http URL ORIGINAL
 * Exit status: 0 all ranges equal, 1 a difference or an HTTP/decoding error, 3 not seekable (the
 * reason on stderr).
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seekable.h"

struct http {
        CURL *curl;
        const char *url;
        unsigned requests;
        uint64_t bytes;
        uint8_t *dst;
        size_t want, got;
};

static size_t on_data(char *p, size_t size, size_t n, void *userdata) {
        struct http *h = userdata;
        size_t len = size * n;
        if (len > h->want - h->got)
                return 0;       /* more than asked for (a server that ignored Range): abort */
        memcpy(h->dst + h->got, p, len);
        h->got += len;
        return len;
}

static int range_read(void *userdata, uint64_t off, void *buf, size_t len) {
        struct http *h = userdata;
        char range[64];
        long code = 0;

        snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, off, off + len - 1);
        h->dst = buf;
        h->want = len;
        h->got = 0;
        curl_easy_setopt(h->curl, CURLOPT_RANGE, range);
        CURLcode c = curl_easy_perform(h->curl);
        curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
        h->requests++;
        h->bytes += h->got;
        if (c != CURLE_OK || code != 206 || h->got != len) {
                fprintf(stderr, "seek-http: range %s: %s, HTTP %ld, %zu of %zu bytes\n", range,
                        curl_easy_strerror(c), code, h->got, len);
                return -EIO;
        }
        return 0;
}

int main(int argc, char **argv) {
        struct http h = { .url = argv[1] };
        curl_off_t size = -1;
        pb_seek_table t;
        struct pb_diag why = {};

        if (argc != 3) {
                fprintf(stderr, "usage: seek-http URL ORIGINAL\n");
                return 2;
        }
        int fd = open(argv[2], O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0)
                return perror(argv[2]), 1;
        const uint8_t *orig = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (orig == MAP_FAILED)
                return perror("mmap"), 1;

        curl_global_init(CURL_GLOBAL_DEFAULT);
        h.curl = curl_easy_init();
        curl_easy_setopt(h.curl, CURLOPT_URL, h.url);
        curl_easy_setopt(h.curl, CURLOPT_NOBODY, 1L);
        if (curl_easy_perform(h.curl) != CURLE_OK ||
            curl_easy_getinfo(h.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &size) != CURLE_OK || size < 0) {
                fprintf(stderr, "seek-http: no size for %s\n", h.url);
                return 1;
        }
        curl_easy_setopt(h.curl, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(h.curl, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &h);

        int r = pb_seek_table_load(&t, size, range_read, &h, &why);
        if (r < 0) {
                fprintf(stderr, "seek-http: %s: %s (%s)\n", h.url, why.reason ?: "no table", strerror(-r));
                curl_easy_cleanup(h.curl);
                curl_global_cleanup();
                return r == -EMEDIUMTYPE ? 3 : 1;
        }
        printf("table: %s, %zu frames, %u requests, %" PRIu64 " bytes\n", pb_seek_format_name(t.format),
               t.n_frames, h.requests, h.bytes);
        if (t.usize != (uint64_t) st.st_size) {
                fprintf(stderr, "seek-http: the image is %" PRIu64 " bytes, the original %jd\n", t.usize,
                        (intmax_t) st.st_size);
                return 1;
        }

        /* Random ranges of up to 64 KiB, as a file system's reads; a frame is fetched once per read. */
        unsigned before = h.requests;
        uint64_t before_bytes = h.bytes;
        uint32_t x = 2024;
        uint8_t *out = malloc(65536);
        for (int i = 0; i < 100; i++) {
                x = x * 1103515245 + 12345;
                uint64_t off = (x >> 2) % t.usize;
                x = x * 1103515245 + 12345;
                size_t len = 1 + (x >> 4) % 65536;
                if (len > t.usize - off)
                        len = t.usize - off;
                for (size_t done = 0; done < len;) {
                        uint64_t at = off + done;
                        const pb_seek_frame *f = pb_seek_table_find(&t, at);
                        pb_seek_frame raw = { .uoff = at, .usize = len - done, .coff = at, .csize = len - done };
                        if (t.format == PB_SEEK_RAW)
                                f = &raw;
                        if (!f)
                                return fprintf(stderr, "seek-http: no frame at %" PRIu64 "\n", at), 1;
                        uint8_t *in = malloc(f->csize), *frame = malloc(f->usize);
                        if (!in || !frame || range_read(&h, f->coff, in, f->csize) < 0 ||
                            pb_seek_frame_decode(&t, f, in, frame) < 0)
                                return fprintf(stderr, "seek-http: frame at %" PRIu64 " failed\n", f->uoff), 1;
                        size_t skip = at - f->uoff, n = f->usize - skip < len - done ? f->usize - skip : len - done;
                        memcpy(out + done, frame + skip, n);
                        done += n;
                        free(in);
                        free(frame);
                }
                if (memcmp(out, orig + off, len) != 0)
                        return fprintf(stderr, "seek-http: range %" PRIu64 "+%zu differs\n", off, len), 1;
        }
        printf("ranges: 100 equal, %u requests, %" PRIu64 " bytes\n", h.requests - before, h.bytes - before_bytes);
        free(out);
        pb_seek_table_done(&t);
        curl_easy_cleanup(h.curl);
        curl_global_cleanup();
        return 0;
}
