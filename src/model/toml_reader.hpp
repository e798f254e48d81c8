// Reading one TOML table of a model file with typed accessors whose errors
// name the file, the line and the dotted key, and say what would be right.
// Tables are kept in std::map so that the first unknown key reported does not
// depend on hash order.
#pragma once

#include <ranvier/errors.hpp>
#include <ranvier/units.hpp>

#include <toml.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ranvier {

using toml_value = toml::basic_value<toml::discard_comments, std::map, std::vector>;

// "a string", "an integer", "a table", ... for messages.
std::string describe_toml_type(const toml_value& v);

// The closest of `candidates` to `word` (edit distance, case-insensitive), or
// empty if none is close enough to be a plausible typo.
std::string closest_word(std::string_view word, const std::vector<std::string>& candidates);

// Throws user_error "origin:line: invalid UTF-8 at column c: ..." at the first
// byte of `text` that is not well-formed UTF-8 (RFC 3629: no overlong forms,
// no surrogates, nothing beyond U+10FFFF, no truncated sequences). TOML
// documents are UTF-8; the TOML library must only ever see valid text.
void check_utf8(std::string_view text, const std::string& origin);

// A number for messages: shortest "%g" form ("0.1", "-50", "1e-05").
std::string format_number(double x);

// Appends `hint` to the message of `e`, keeping its location.
[[noreturn]] void rethrow_with_hint(const user_error& e, const std::string& hint);

// "a, b, c"
std::string join(const std::vector<std::string>& words, std::string_view separator = ", ");

class toml_table_reader {
public:
    // `table` must be a TOML table; `path` is its dotted name for messages
    // ("simulation", "population", "projection.weight").
    toml_table_reader(const toml_value& table, std::string origin, std::string path);

    const std::string& origin() const { return origin_; }
    const std::string& path() const { return path_; }

    // Location of a key's value, or of the table if the key is absent.
    source_location where(std::string_view key) const;
    source_location where_line(int line, std::string_view key) const;
    int line() const;
    int line_of(const toml_value& v) const;

    [[noreturn]] void fail(std::string_view key, const std::string& message) const;

    // Rejects any key not in `allowed`, suggesting the closest valid one.
    void reject_unknown_keys(const std::vector<std::string>& allowed) const;

    const toml_value* find(std::string_view key) const;
    bool has(std::string_view key) const { return find(key) != nullptr; }
    const toml_value& require(std::string_view key, std::string_view what) const;

    std::string get_string(std::string_view key) const;
    std::string get_string(std::string_view key, std::string fallback) const;
    // One name or a non-empty list of distinct names.
    std::vector<std::string> get_name_list(std::string_view key) const;
    bool get_bool(std::string_view key, bool fallback) const;
    std::int64_t get_integer(std::string_view key, std::int64_t min, std::int64_t max) const;
    std::int64_t get_integer(std::string_view key, std::int64_t min, std::int64_t max,
                             std::int64_t fallback) const;
    double get_quantity(std::string_view key, dimension d) const;
    // A plain number (TOML integer or float) for a dimensionless key.
    double get_number(std::string_view key, double fallback) const;
    double number_of(const toml_value& v, std::string_view key) const;
    double get_quantity(std::string_view key, dimension d, double fallback) const;
    // A quantity given as a TOML string value `v` found under `key`.
    double quantity_of(const toml_value& v, std::string_view key, dimension d) const;

    toml_table_reader sub_table(std::string_view key) const;
    // The keys and values of the table, in key order.
    const toml_value::table_type& table_view() const { return table_.as_table(); }

private:
    std::string dotted(std::string_view key) const;

    const toml_value& table_;
    std::string origin_;
    std::string path_;
};

} // namespace ranvier
