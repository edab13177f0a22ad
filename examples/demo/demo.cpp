// SPDX-License-Identifier: Apache-2.0
// demo.cpp — `make demo`: the bundled digits model on test digits that it never saw in training.
//
// For the first test digit of each class, and the first two others that it gets wrong, it prints the true and
// predicted class, the probabilities, the loss and dJ/dx as an 8×8 map, beside it the int8 model's
// dJ/dx and the bundled CNN's (examples/demo/digits_cnn.hpp, trained by ugrad's own gradients);
// then the accuracy of each on all 360 test digits. The same program runs on the host and on an emulated Cortex-M4F and prints the
// same text there (including a digest of every result bit). Given a path as its argument (the
// host run), it also draws the saliency picture there as SVG.
#include <stdio.h>

#include <ugrad/ugrad.hpp>

#include "classification.hpp"
#include "digits_cnn.hpp"    // examples/demo/digits_cnn.hpp: inline constexpr DigitsCnn digits_cnn (make demo-cnn-model)
#include "digits_model.hpp"  // examples/demo/digits_model.hpp: inline constexpr ugrad::Mlp<64, 32, 10> digits_model
#include "digits_q8.hpp"     // build/demo/digits_q8.hpp, tools/quantize.py's int8 digits_model
#include "int8_report.hpp"
#include "saliency_svg.hpp"
#include "terminal_report.hpp"
#include "test_digits.hpp"   // build/demo/test_digits.hpp, generated from data/digits.csv

namespace {

constexpr size_t max_wrong_shown = 2;
constexpr size_t max_shown = demo::classes + max_wrong_shown;

bool already_shown(const demo::Classification* shown, size_t n, size_t sample) {
    for (size_t s = 0; s < n; ++s)
        if (shown[s].sample == sample) return true;
    return false;
}

demo::Classification classify_test_digit(size_t i) {
    static DigitsCnn::Slopes cnn_slopes;  // what dJ/dx needs: about 6 KB (Activations: 12 KB), kept off the stack
    demo::Classification c = demo::classify(digits_model, test_pixels[i], test_labels[i], i, test_lines[i]);
    demo::add_int8_gradient(digits_q8, digits_q8_input_scale, c);
    demo::add_network_classification(digits_cnn, cnn_slopes, c);
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    static demo::Classification shown[max_shown];
    size_t n_shown = 0;

    // The first test digit of each class 0..9, in class order.
    for (size_t k = 0; k < demo::classes; ++k)
        for (size_t i = 0; i < test_digit_count; ++i)
            if (test_labels[i] == k) {
                shown[n_shown++] = classify_test_digit(i);
                break;
            }

    // All test digits: accuracy and mean loss; keep the first few it gets wrong.
    unsigned correct = 0, failed = 0, cnn_correct = 0;
    double loss_sum = 0.0, cnn_loss_sum = 0.0;
    size_t wrong_shown = 0;
    for (size_t i = 0; i < test_digit_count; ++i) {
        const demo::Classification c = classify_test_digit(i);
        if (c.status != ugrad::Status::ok) {
            ++failed;
            continue;
        }
        loss_sum += static_cast<double>(c.loss);
        cnn_loss_sum += static_cast<double>(c.loss_cnn);
        if (c.predicted_cnn == c.label) ++cnn_correct;
        if (c.predicted == c.label) {
            ++correct;
        } else if (wrong_shown < max_wrong_shown && !already_shown(shown, n_shown, i)) {
            shown[n_shown++] = c;
            ++wrong_shown;
        }
    }

    printf("ugrad demo: a 64-32-10 network (examples/demo/digits_model.hpp) on the 8x8 test digits of data/digits.csv\n\n");
    for (size_t s = 0; s < n_shown; ++s) {
        demo::print_classification(shown[s], s + 1, n_shown);
        printf("\n");
    }
    printf("test digits: %u of %u classified correctly (%.1f%%), mean loss %.4f",
           correct, unsigned(test_digit_count), 100.0 * correct / static_cast<double>(test_digit_count),
           loss_sum / static_cast<double>(test_digit_count));
    if (failed) printf(", %u calls failed", failed);
    printf("\n");
    printf("CNN on the test digits: %u of %u classified correctly (%.1f%%), mean loss %.4f"
           " (Conv 3x3 x16 ReLU, MaxPool 2x2, Conv 3x3 x32 ReLU, Dense 512-10; examples/demo/digits_cnn.hpp)\n",
           cnn_correct, unsigned(test_digit_count), 100.0 * cnn_correct / static_cast<double>(test_digit_count),
           cnn_loss_sum / static_cast<double>(test_digit_count));
    demo::print_int8_comparison(digits_q8, digits_q8_input_scale, digits_model, test_pixels, test_labels, test_digit_count);

    if (argc > 1) {
        FILE* f = fopen(argv[1], "w");
        if (!f) {
            printf("cannot write %s\n", argv[1]);
            return 1;
        }
        demo::write_saliency_svg(f, shown, n_shown, correct, cnn_correct, unsigned(test_digit_count));
        if (fclose(f) != 0) return 1;
        printf("saliency picture: %s\n", argv[1]);
    }
    return failed == 0 ? 0 : 1;
}
