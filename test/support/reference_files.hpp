// Committed reference files (NEURON, Brian2 and geometry references under
// test/): a test that compares against one must FAIL when it is missing,
// never skip, and say which script makes it. Use as
//   ASSERT_TRUE(committed_file(path, "test/validation/reference/neuron/make_references.sh"));
// (GoogleTest only: this header is not part of ranvier_test_support, which
// bench/ also links.)
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <string>

namespace ranvier::testing {

// The script that regenerates every NEURON reference under
// test/validation/reference/neuron/.
inline const char* const neuron_reference_script = "test/validation/reference/neuron/make_references.sh";

// Success if `path` can be opened for reading; otherwise a failure naming
// the file and the script (`made_by`) that writes it.
inline ::testing::AssertionResult committed_file(const std::string& path, const std::string& made_by) {
    if (std::ifstream(path)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "committed reference file " << path
                                         << " is missing or unreadable; it is made by " << made_by
                                         << " (run it and commit its output)";
}

// The same for several files: the first missing one is reported.
inline ::testing::AssertionResult committed_files(std::initializer_list<std::string> paths,
                                                  const std::string& made_by) {
    for (const std::string& p : paths)
        if (auto r = committed_file(p, made_by); !r) return r;
    return ::testing::AssertionSuccess();
}

} // namespace ranvier::testing
