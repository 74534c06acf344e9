/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit test of the stub's log backend (efi/log.c), run on the host with a console that records
 * what the stub writes: the line format the e2e tests and users read ("pullboot-stub: MESSAGE[:
 * STATUS (0xN)]"), the returned status, the small formatter, and lines too long for its buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stub.h"
#include "test.h"

EFI_SYSTEM_TABLE *pb_st;

static char console[4096];
static size_t console_len;

static EFI_STATUS EFIAPI record(SIMPLE_TEXT_OUTPUT_INTERFACE *this, CHAR16 *s) {
        for (; *s; s++) {
                if (*s > 0x7f || console_len + 1 >= sizeof console)
                        TEST_FAIL("non-ASCII or overlong console output");
                console[console_len++] = (char) *s;
        }
        console[console_len] = 0;
        return EFI_SUCCESS;
}

static const char *take(void) {
        static char line[sizeof console];
        memcpy(line, console, console_len + 1);
        console_len = 0;
        console[0] = 0;
        return line;
}

int main(void) {
        SIMPLE_TEXT_OUTPUT_INTERFACE out = { .OutputString = record };
        EFI_SYSTEM_TABLE st = { .ConOut = &out };
        char big[700];

        /* Before efi_main() sets the table nothing is written, and nothing crashes. */
        log_info("too early");
        ASSERT_STREQ(take(), "");
        pb_st = &st;

        ASSERT_EQ(log_error_status(EFI_NOT_FOUND, "no .linux section: %s", "a bare stub"), EFI_NOT_FOUND);
        ASSERT_STREQ(take(), "pullboot-stub: no .linux section: a bare stub: not found (0x800000000000000e)\r\n");

        /* EFI_SUCCESS: no status, as for the notes the boot goes on after. */
        ASSERT_EQ(log_error_status(EFI_SUCCESS, "deleted a copy of EFI variable: %s", "LoaderDeviceURL"), EFI_SUCCESS);
        ASSERT_STREQ(take(), "pullboot-stub: deleted a copy of EFI variable: LoaderDeviceURL\r\n");

        log_info("%u %x %zu %% %s", 42u, 0xbeefu, (size_t) 7, "caf\xc3\xa9");
        ASSERT_STREQ(take(), "pullboot-stub: 42 beef 7 % caf??\r\n");

        /* A line longer than the buffer is cut, still one line. */
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = 0;
        log_error_status(EFI_LOAD_ERROR, "%s", big);
        const char *l = take();
        ASSERT_TRUE(strncmp(l, "pullboot-stub: xxx", 18) == 0);
        ASSERT_EQ(strlen(l), 511 + 2);
        ASSERT_TRUE(strcmp(l + strlen(l) - 2, "\r\n") == 0);
        ASSERT_TRUE(strchr(l, '\n') == l + strlen(l) - 1);
        printf("efi/log.c: line format, status, formatter and truncation as expected\n");
        return 0;
}
