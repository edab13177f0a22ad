// SPDX-License-Identifier: Apache-2.0
// tests/target/doctest_main.cpp — the doctest runner for the Arm targets (newlib + libstdc++):
// runs the host spec files selected in mk/targets.mk, then prints
// "<target> doctest: N passed, N failed" (test cases) for make to read. The exit status is
// doctest's: non-zero if anything failed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <stdio.h>

#include "hal.h"

namespace {

// A listener that only reports the totals at the end of the run.
struct PassLine : doctest::IReporter {
    explicit PassLine(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        const unsigned ran = stats.numTestCasesPassingFilters;
        printf("%s doctest: %u passed, %u failed (test cases; %d of %d assertions passed)\n", HAL_TARGET_NAME,
               ran - stats.numTestCasesFailed, stats.numTestCasesFailed, stats.numAsserts - stats.numAssertsFailed,
               stats.numAsserts);
    }
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

}  // namespace

DOCTEST_REGISTER_LISTENER("pass-line", 1, PassLine);

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int status = context.run();
    fflush(stdout);
    return status;
}
