/* SPDX-License-Identifier: Apache-2.0 */
// A stand-in for an Arduino core's Arduino.h, just enough to compile a sketch the way arduino-cli
// does (the sketch as C++, only the library's src/ on the include path). Declarations only: the
// test compiles, it does not link.
#pragma once

struct SerialStub {
    void begin(unsigned long baud);
    void print(const char* text);
    void print(float value, int digits);
    void println(float value, int digits);
};
extern SerialStub Serial;
void delay(unsigned long ms);
