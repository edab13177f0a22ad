// SPDX-License-Identifier: Apache-2.0
// tools/train/train.cpp — trains the 64-32-10 digits network on the host with ugrad's own
// gradients, from a fixed seed; prints one line per epoch and the weights' hash, writes the
// weights as JSON (every float with %.9g, which reads back to the same binary32).
//
//   train [--data data/digits.csv] [--json OUT.json] [--report OUT.md] [--seed S] [--epochs N]
//         [--batch B] [--lr ETA] [--momentum MU]
// --report writes what it printed as a markdown fragment for README.md (tools/readme_section.py).
//
// The split is data/README.md's: line i (0-based) is a test sample when i % 5 == 0.
// All arithmetic on the network goes through tools/train/training.hpp and the library's float
// path, so the same configuration gives the same bits on every target (examples/finetune/).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "digits_csv.hpp"
#include "training.hpp"

namespace {

constexpr size_t hidden = 32;
using Net = ugrad::Mlp<train::pixels, hidden, train::classes>;
using Grads = ugrad::Gradients<train::pixels, hidden, train::classes>;

void write_array(FILE* f, const float* v, size_t n) {
    std::fputc('[', f);
    for (size_t i = 0; i < n; ++i) std::fprintf(f, "%s%.9g", i ? ", " : "", static_cast<double>(v[i]));
    std::fputc(']', f);
}

bool write_json(const char* path, const Net& net, const train::Config& c, uint64_t hash, float accuracy) {
    FILE* f = std::fopen(path, "w");
    if (!f) {
        std::fprintf(stderr, "train: cannot write %s\n", path);
        return false;
    }
    std::fprintf(f, "{\n\"note\": \"64-32-10 digits model trained by tools/train (seed %llu, %u epochs, batch %u, "
                    "lr %.9g, momentum %.9g); test accuracy %.2f%%; weights FNV-1a 64 %016llx\",\n",
                 static_cast<unsigned long long>(c.seed), c.epochs, c.batch, static_cast<double>(c.learning_rate),
                 static_cast<double>(c.momentum), static_cast<double>(accuracy), static_cast<unsigned long long>(hash));
    std::fputs("\"w1\": [\n", f);
    for (size_t i = 0; i < train::pixels; ++i) {
        write_array(f, net.w1[i], hidden);
        std::fputs(i + 1 < train::pixels ? ",\n" : "\n],\n", f);
    }
    std::fputs("\"b1\": ", f);
    write_array(f, net.b1, hidden);
    std::fputs(",\n\"w2\": [\n", f);
    for (size_t j = 0; j < hidden; ++j) {
        write_array(f, net.w2[j], train::classes);
        std::fputs(j + 1 < hidden ? ",\n" : "\n],\n", f);
    }
    std::fputs("\"b2\": ", f);
    write_array(f, net.b2, train::classes);
    std::fputs("\n}\n", f);
    const bool ok = std::fclose(f) == 0;
    if (!ok) std::fprintf(stderr, "train: error writing %s\n", path);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    const char* data = "data/digits.csv";
    const char* json = nullptr;
    const char* report = nullptr;
    train::Config config = train::digits_config;
    for (int a = 1; a < argc; ++a) {
        const std::string arg = argv[a];
        const char* value = a + 1 < argc ? argv[a + 1] : nullptr;
        if (!value) {
            std::fprintf(stderr, "train: %s needs a value\n", arg.c_str());
            return 2;
        }
        ++a;
        if (arg == "--data") data = value;
        else if (arg == "--json") json = value;
        else if (arg == "--report") report = value;
        else if (arg == "--seed") config.seed = std::strtoull(value, nullptr, 0);
        else if (arg == "--epochs") config.epochs = static_cast<uint32_t>(std::strtoul(value, nullptr, 10));
        else if (arg == "--batch") config.batch = static_cast<uint32_t>(std::strtoul(value, nullptr, 10));
        else if (arg == "--lr") config.learning_rate = std::strtof(value, nullptr);
        else if (arg == "--momentum") config.momentum = std::strtof(value, nullptr);
        else {
            std::fprintf(stderr, "usage: train [--data CSV] [--json OUT] [--report OUT.md] [--seed S] [--epochs N] [--batch B] [--lr ETA] [--momentum MU]\n");
            return 2;
        }
    }
    if (config.batch == 0) {
        std::fprintf(stderr, "train: --batch must be at least 1\n");
        return 2;
    }
    std::vector<train::Sample> train_set, test_set;
    if (!train::read_digits(data, train_set, test_set)) return 1;
    std::string lines;  // the per-epoch lines, for the report
    std::printf("train: 64-%zu-10 on %zu training / %zu test digits (%s), seed %llu, %u epochs, batch %u, "
                "lr %g, momentum %g\n",
                hidden, train_set.size(), test_set.size(), data, static_cast<unsigned long long>(config.seed),
                config.epochs, config.batch, static_cast<double>(config.learning_rate),
                static_cast<double>(config.momentum));

    static Net net;
    static Grads grads;
    std::vector<uint16_t> order(train_set.size());
    const auto t0 = std::chrono::steady_clock::now();
    uint32_t correct = 0;
    const ugrad::Status status =
        train::train_model(net, grads, train_set.data(), order.data(), order.size(), test_set.data(), test_set.size(),
                           config, [&](uint32_t epoch, const train::EpochResult& r) {
                               char buf[128];
                               train::Text line{buf, sizeof buf, 0};
                               train::format_epoch(line, epoch, r, static_cast<uint32_t>(test_set.size()));
                               std::printf("%s\n", buf);
                               std::fflush(stdout);
                               lines += buf;
                               lines += '\n';
                               correct = r.correct;
                           });
    if (status != ugrad::Status::ok) {
        std::fprintf(stderr, "train: stopped: %s\n", ugrad::status_name(status));
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const uint64_t hash = train::weights_hash(net);
    const float accuracy = 100.0f * static_cast<float>(correct) / static_cast<float>(test_set.size());
    std::printf("weights FNV-1a 64: %016llx\n", static_cast<unsigned long long>(hash));
    std::printf("time: %.2f s for %u epochs (%zu training steps of batch %u, with the per-epoch test)\n", seconds,
                config.epochs, static_cast<size_t>(config.epochs) * ((train_set.size() + config.batch - 1) / config.batch),
                config.batch);
    if (json && !write_json(json, net, config, hash, accuracy)) return 1;
    if (json) std::printf("wrote %s\n", json);
    if (report) {
        FILE* f = std::fopen(report, "w");
        if (!f) {
            std::fprintf(stderr, "train: cannot write %s\n", report);
            return 1;
        }
        std::fprintf(f, "64-%zu-10 on %zu training / %zu test digits, seed %llu, %u epochs, batch %u, "
                        "η = %g, μ = %g:\n\n```text\n%s```\n",
                     hidden, train_set.size(), test_set.size(), static_cast<unsigned long long>(config.seed),
                     config.epochs, config.batch, static_cast<double>(config.learning_rate),
                     static_cast<double>(config.momentum), lines.c_str());
        std::fprintf(f, "\nTest accuracy **%u/%zu = %.2f%%**; weights FNV-1a 64 `%016llx`; training time on the host "
                        "**%.2f s** (g++ -O2, one thread, the per-epoch test included).\n",
                     correct, test_set.size(), static_cast<double>(accuracy), static_cast<unsigned long long>(hash),
                     seconds);
        if (std::fclose(f) != 0) return 1;
    }
    return 0;
}
