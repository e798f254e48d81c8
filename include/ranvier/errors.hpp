// Error types shared by every layer of Ranvier.
//
// A user_error is something the person running Ranvier can fix: a bad model
// file, morphology or parameter. It always says where (file, line, key, gid)
// and what would be right. An internal_error is a bug in Ranvier itself.
// Library code throws; only the front ends decide how to report and exit.
#pragma once

#include <stdexcept>
#include <string>

namespace ranvier {

// Where a user error was found. Empty fields are omitted from the message.
struct source_location {
    std::string file;   // path of the offending file, if any
    int line = 0;       // 1-based line number, 0 if unknown
    std::string key;    // dotted key or parameter name, if any
};

class user_error : public std::runtime_error {
public:
    explicit user_error(const std::string& what) : std::runtime_error(what) {}
    user_error(const source_location& where, const std::string& what)
        : std::runtime_error(format(where, what)), where_(where) {}

    const source_location& where() const { return where_; }

    static std::string format(const source_location& where, const std::string& what) {
        std::string text;
        if (!where.file.empty()) {
            text.append(where.file);
            if (where.line > 0) text.append(":").append(std::to_string(where.line));
            text.append(": ");
        }
        if (!where.key.empty()) text.append("'").append(where.key).append("': ");
        text.append(what);
        return text;
    }

private:
    source_location where_;
};

// A broken invariant inside Ranvier: never the user's fault.
class internal_error : public std::logic_error {
public:
    explicit internal_error(const std::string& what)
        : std::logic_error("internal error (please report): " + what) {}
};

} // namespace ranvier
