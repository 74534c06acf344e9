/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* initrd/pull/sha256sums.c: which line of a checksum list names the image, by systemd-pull's rules. */
#include <errno.h>
#include <string.h>

#include "sha256sums.h"
#include "test.h"

#define D1 "1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "2222222222222222222222222222222222222222222222222222222222222222"
#define DA "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"

static int find(const char *text, const char *name, uint8_t d[32]) {
        memset(d, 0, 32);
        return sha256sums_find(text, strlen(text), name, d);
}

static void expect(const char *text, const char *name, const char *hex) {
        uint8_t d[32];
        char got[65];
        ASSERT_EQ(find(text, name, d), 0);
        sha256_to_hex(d, got);
        ASSERT_STREQ(got, hex);
}

static void expect_none(const char *text, const char *name, int err) {
        uint8_t d[32];
        ASSERT_EQ(find(text, name, d), err);
}

int main(void) {
        uint8_t d[32];

        /* sha256sum's two separators and the single space linuxcontainers.org uses. */
        expect(D1 "  image.raw.zst\n", "image.raw.zst", D1);
        expect(D1 " *image.raw.zst\n", "image.raw.zst", D1);
        expect(D1 " image.raw.zst\n", "image.raw.zst", D1);
        /* The right line among others, wherever it is; the last may lack its newline. */
        expect(D1 "  other.raw\n" D2 " *image.raw.xz\n" DA "  x\n", "image.raw.xz", D2);
        expect(D1 "  other.raw\n" DA "  image.raw", "image.raw", DA);
        /* The same digest listed twice is fine. */
        expect(D2 "  a\n" D2 " *a\n", "a", D2);

        /* A digest without a name lists nothing: it is not a wildcard (issue 11, item 4). */
        expect_none(D1 "\n", "image.raw.zst", -ENOENT);
        expect_none(D1, "image.raw.zst", -ENOENT);
        expect_none(D1 "  \n", "image.raw.zst", -ENOENT);
        expect_none(D1 " *\n" D2 "  image.raw.zst.sig\n", "image.raw.zst", -ENOENT);
        /* The name must match exactly: no prefix, suffix, directory or other name. */
        expect_none(D1 "  image.raw\n", "image.raw.zst", -ENOENT);
        expect_none(D1 "  image.raw.zst.old\n", "image.raw.zst", -ENOENT);
        expect_none(D1 "  ./image.raw.zst\n", "image.raw.zst", -ENOENT);
        expect_none(D1 "  dir/image.raw.zst\n", "image.raw.zst", -ENOENT);
        /* Nothing else on the line: no leading blanks, no trailing blanks, no CR, no third separator. */
        expect_none(" " D1 "  a\n", "a", -ENOENT);
        expect_none(D1 "  a \n", "a", -ENOENT);
        expect_none(D1 "  a\r\n", "a", -ENOENT);
        expect_none(D1 "\ta\n", "a", -ENOENT);
        expect_none(D1 "   a\n", "a", -ENOENT);
        /* Exactly 64 lowercase hex digits, as systemd prints them. */
        expect_none("111  a\n", "a", -ENOENT);
        expect_none(D1 "1  a\n", "a", -ENOENT);
        expect_none("ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789  a\n", "a", -ENOENT);
        expect_none("g111111111111111111111111111111111111111111111111111111111111111  a\n", "a", -ENOENT);
        /* Two different digests for one name: which is meant is unknown. */
        expect_none(D1 "  a\n" D2 "  a\n", "a", -ENOTUNIQ);
        expect_none(D1 "  a\n" D2 " *a\n", "a", -ENOTUNIQ);
        /* Empty inputs. */
        expect_none("", "a", -ENOENT);
        expect_none(D1 "  a\n", "", -EINVAL);
        /* The length counts, not a NUL: text after an embedded NUL is still read, and a line
         * broken by one does not match. */
        static const char nul[] = D1 "  b\0" "\n" D2 "  a\n";
        ASSERT_EQ(sha256sums_find(nul, sizeof nul - 1, "a", d), 0);
        ASSERT_EQ(d[0], 0x22);
        ASSERT_EQ(sha256sums_find(nul, sizeof nul - 1, "b", d), -ENOENT);
        /* And nothing past size is read. */
        ASSERT_EQ(sha256sums_find(D1 "  a\n", 60, "a", d), -ENOENT);

        /* The hex helpers. */
        ASSERT_EQ(sha256_from_hex(DA, 64, d), 0);
        ASSERT_EQ(d[0], 0xab);
        ASSERT_EQ(d[31], 0x89);
        ASSERT_EQ(sha256_from_hex("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789", 64, d), 0);
        ASSERT_EQ(d[0], 0xab);
        ASSERT_EQ(sha256_from_hex(DA, 63, d), -EINVAL);
        ASSERT_EQ(sha256_from_hex("zz" DA, 64, d), -EINVAL);
        return 0;
}
