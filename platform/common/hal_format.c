/* SPDX-License-Identifier: Apache-2.0 */
/* platform/common/hal_format.c — number formatting on top of hal_write, for every target. */
#include "hal.h"

void hal_write_uint(uint64_t value) {
    char text[21];
    int pos = 20;
    text[pos] = '\0';
    do {
        text[--pos] = (char)('0' + (int)(value % 10u));
        value /= 10u;
    } while (value != 0u);
    hal_write(text + pos);
}

void hal_write_hex(uint64_t value, int digits) {
    static const char hex[] = "0123456789abcdef";
    char text[17];
    if (digits < 1) digits = 1;
    if (digits > 16) digits = 16;
    text[digits] = '\0';
    for (int i = digits - 1; i >= 0; --i) {
        text[i] = hex[value & 0xfu];
        value >>= 4;
    }
    hal_write(text);
}
