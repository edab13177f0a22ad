// SPDX-License-Identifier: Apache-2.0
// arduino_gradient.ino — ugrad in an Arduino sketch: a small network's answer and dJ/dx over Serial.
// Needs a board core that compiles C++17 (for example the Arm Mbed OS, RP2040 or ESP32 v3 cores).
// For bit-identical results across machines, compile with -ffp-contract=off.
#include <Arduino.h>
#include <ugrad.hpp>

// 2 inputs, 3 hidden units, 2 classes; `const` with an initializer, so it stays in flash.
// A real model comes from tools/export_model.py (see README.md).
static const ugrad::Mlp<2, 3, 2> net = {
    {{0.5f, -1.0f, 0.25f}, {1.5f, 0.75f, -0.5f}},  // w1 [In][Hidden]
    {0.1f, -0.2f, 0.0f},                           // b1 [Hidden]
    {{1.0f, -1.0f}, {-0.5f, 0.5f}, {2.0f, 0.0f}},  // w2 [Hidden][Out]
    {0.0f, 0.1f},                                  // b2 [Out]
};

void setup() {
    Serial.begin(115200);
}

void loop() {
    const float x[2] = {0.3f, -0.7f};
    ugrad::Activations<2, 3, 2> act;
    float loss = 0.0f, dx[2];
    if (ugrad::forward(net, x, act) == ugrad::Status::ok && ugrad::cross_entropy(act, 1, loss) == ugrad::Status::ok &&
        ugrad::input_gradient(net, act, 1, dx) == ugrad::Status::ok) {
        Serial.print("p(class 1) = ");
        Serial.print(act.probs[1], 4);
        Serial.print("  loss = ");
        Serial.print(loss, 4);
        Serial.print("  dJ/dx = ");
        Serial.print(dx[0], 4);
        Serial.print(" ");
        Serial.println(dx[1], 4);
    }
    delay(1000);
}
