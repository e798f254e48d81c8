// Typed access to TOML tables with located, explanatory errors.
#include "model/toml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <memory>

namespace ranvier {

std::string describe_toml_type(const toml_value& v) {
    switch (v.type()) {
    case toml::value_t::boolean: return "a boolean";
    case toml::value_t::integer: return "an integer";
    case toml::value_t::floating: return "a number without unit";
    case toml::value_t::string: return "a string";
    case toml::value_t::array: return "an array";
    case toml::value_t::table: return "a table";
    case toml::value_t::empty: return "nothing";
    default: return "a date or time";
    }
}

namespace {

std::string hex_byte(unsigned char c) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%02X", c);
    return buffer;
}

// Length of the well-formed sequence starting at text[i], or 0 with `why` set.
std::size_t utf8_sequence(std::string_view text, std::size_t i, std::string& why) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF; // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;  // below: overlong
        if (lead == 0xED) high = 0x9F; // above: UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;  // below: overlong
        if (lead == 0xF4) high = 0x8F; // above: beyond U+10FFFF
    } else {
        why = lead < 0xC0   ? "the byte " + hex_byte(lead) + " continues a multi-byte character that did not start"
              : lead < 0xC2 ? "the bytes starting with " + hex_byte(lead) + " are an overlong (non-shortest) encoding"
                            : "the byte " + hex_byte(lead) + " never occurs in UTF-8";
        return 0;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if (i + k >= text.size() || (byte(i + k) & 0xC0) != 0x80) {
            why = "the byte " + hex_byte(lead) + " starts a " + std::to_string(length) +
                  "-byte character that is cut short";
            return 0;
        }
    }
    const unsigned char second = byte(i + 1);
    if (second < low || second > high) {
        why = lead == 0xED ? "the bytes starting with 0xED encode a UTF-16 surrogate (U+D800..U+DFFF), "
                             "which is not a character"
              : lead == 0xF4 ? "the bytes starting with 0xF4 encode a code point beyond U+10FFFF"
                             : "the bytes starting with " + hex_byte(lead) +
                                   " are an overlong (non-shortest) encoding";
        return 0;
    }
    return length;
}

} // namespace

void check_utf8(std::string_view text, const std::string& origin) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < text.size();) {
        std::string why;
        const std::size_t n = utf8_sequence(text, i, why);
        if (n == 0)
            throw user_error(source_location{origin, line, ""},
                             "invalid UTF-8 at column " + std::to_string(column) + ": " + why +
                                 " (model files must be UTF-8 text)");
        if (text[i] == '\n') ++line, column = 1;
        else ++column;
        i += n;
    }
}

std::string format_number(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.10g", x);
    return buffer;
}

void rethrow_with_hint(const user_error& e, const std::string& hint) {
    const std::string message = std::string(e.what()).substr(user_error::format(e.where(), "").size());
    throw user_error(e.where(), message + " " + hint);
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += separator;
        out += w;
    }
    return out;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Levenshtein distance over lower-cased letters, one row at a time.
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            const std::size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = row[j];
            row[j] = next;
        }
    }
    return row[b.size()];
}

} // namespace

std::string closest_word(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_distance) best_distance = d, best = c;
    }
    // A plausible typo changes at most a third of the word (and at least 2
    // letters are allowed, so "tau" -> "tau_m" is not suggested but "tua_m" is).
    const std::size_t tolerance = std::max<std::size_t>(2, word.size() / 3);
    return best_distance <= tolerance ? best : std::string();
}

toml_table_reader::toml_table_reader(const toml_value& table, std::string origin, std::string path)
    : table_(table), origin_(std::move(origin)), path_(std::move(path)) {
    if (!table_.is_table())
        throw user_error(source_location{origin_, line_of(table_), path_},
                         "expected a table, got " + describe_toml_type(table_));
}

namespace {

// Line starts of the document last asked about on this thread, so that the
// line of a value is a binary search by its byte offset. (toml11's own
// location().line() counts the newlines from the start of the file every
// time, and copies the value's whole line: loading 80,000 explicit pairs
// took 21 s.) The document is held weakly: a new one is indexed anew.
struct line_index {
    std::weak_ptr<const std::vector<char>> source;
    std::vector<std::size_t> starts; // byte offset of each line's first byte

    int line_at(const std::shared_ptr<const std::vector<char>>& text, std::size_t offset) {
        if (source.expired() || source.lock() != text) {
            source = text;
            starts.assign(1, 0);
            for (std::size_t i = 0; i < text->size(); ++i)
                if ((*text)[i] == '\n') starts.push_back(i + 1);
        }
        return static_cast<int>(std::upper_bound(starts.begin(), starts.end(), offset) - starts.begin());
    }
};

} // namespace

int toml_table_reader::line_of(const toml_value& v) const {
    const auto* region = dynamic_cast<const toml::detail::region*>(toml::detail::get_region(v));
    if (region && region->source()) {
        thread_local line_index index;
        return index.line_at(region->source(), static_cast<std::size_t>(region->first() - region->begin()));
    }
    return 0; // a value made by a program (model_builder), not read from a file: no line
}

int toml_table_reader::line() const { return line_of(table_); }

std::string toml_table_reader::dotted(std::string_view key) const {
    if (key.empty()) return path_;
    if (path_.empty()) return std::string(key);
    return path_ + "." + std::string(key);
}

source_location toml_table_reader::where(std::string_view key) const {
    const toml_value* v = find(key);
    return {origin_, v ? line_of(*v) : line(), dotted(key)};
}

source_location toml_table_reader::where_line(int line, std::string_view key) const {
    return {origin_, line, dotted(key)};
}

void toml_table_reader::fail(std::string_view key, const std::string& message) const {
    throw user_error(where(key), message);
}

void toml_table_reader::reject_unknown_keys(const std::vector<std::string>& allowed) const {
    for (const auto& [key, value] : table_.as_table()) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        const std::string suggestion = closest_word(key, allowed);
        std::string where_text = path_.empty() ? "at the top level" : "in [" + path_ + "]";
        throw user_error(source_location{origin_, line_of(value), dotted(key)},
                         "unknown key " + where_text +
                             (suggestion.empty() ? std::string()
                                                 : "; did you mean '" + suggestion + "'?") +
                             " (valid keys: " + join(allowed) + ")");
    }
}

const toml_value* toml_table_reader::find(std::string_view key) const {
    const auto& t = table_.as_table();
    const auto it = t.find(std::string(key));
    return it == t.end() ? nullptr : &it->second;
}

const toml_value& toml_table_reader::require(std::string_view key, std::string_view what) const {
    const toml_value* v = find(key);
    if (!v)
        throw user_error(source_location{origin_, line(), dotted(key)},
                         "missing required key in [" + path_ + "]: give " + std::string(what));
    return *v;
}

std::string toml_table_reader::get_string(std::string_view key) const {
    const toml_value& v = require(key, "a string");
    if (!v.is_string()) fail(key, "expected a string, got " + describe_toml_type(v));
    return v.as_string().str;
}

std::string toml_table_reader::get_string(std::string_view key, std::string fallback) const {
    return has(key) ? get_string(key) : fallback;
}

std::vector<std::string> toml_table_reader::get_name_list(std::string_view key) const {
    const toml_value& v = require(key, "a population name or a list of names");
    std::vector<std::string> names;
    if (v.is_string()) {
        names.push_back(v.as_string().str);
    } else if (v.is_array()) {
        for (const auto& item : v.as_array()) {
            if (!item.is_string())
                fail(key, "expected a population name or a list of names such as [\"E\", \"I\"], "
                          "but an element is " + describe_toml_type(item));
            const std::string& name = item.as_string().str;
            if (std::find(names.begin(), names.end(), name) != names.end())
                fail(key, "population '" + name + "' is listed twice");
            names.push_back(name);
        }
        if (names.empty()) fail(key, "the list of populations is empty; name at least one");
    } else {
        fail(key, "expected a population name or a list of names such as [\"E\", \"I\"], got " +
                      describe_toml_type(v));
    }
    return names;
}

bool toml_table_reader::get_bool(std::string_view key, bool fallback) const {
    const toml_value* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) fail(key, "expected true or false, got " + describe_toml_type(*v));
    return v->as_boolean();
}

std::int64_t toml_table_reader::get_integer(std::string_view key, std::int64_t min,
                                            std::int64_t max) const {
    const toml_value& v = require(key, "an integer");
    if (!v.is_integer())
        fail(key, "expected an integer (without quotes or unit), got " + describe_toml_type(v));
    const std::int64_t x = v.as_integer();
    if (x < min || x > max)
        fail(key, "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                      "], got " + std::to_string(x));
    return x;
}

std::int64_t toml_table_reader::get_integer(std::string_view key, std::int64_t min, std::int64_t max,
                                            std::int64_t fallback) const {
    return has(key) ? get_integer(key, min, max) : fallback;
}

double toml_table_reader::quantity_of(const toml_value& v, std::string_view key, dimension d) const {
    const source_location at{origin_, line_of(v), dotted(key)};
    if (!v.is_string())
        throw user_error(at, "expected a " + to_string(d) + " such as \"" + example_quantity(d) +
                                 "\" (a string with a unit), got " + describe_toml_type(v));
    return parse_quantity(v.as_string().str, d, at);
}

double toml_table_reader::get_quantity(std::string_view key, dimension d) const {
    const toml_value& v = require(key, "a " + to_string(d) + " such as \"" + example_quantity(d) + "\"");
    return quantity_of(v, key, d);
}

double toml_table_reader::get_quantity(std::string_view key, dimension d, double fallback) const {
    const toml_value* v = find(key);
    return v ? quantity_of(*v, key, d) : fallback;
}

double toml_table_reader::number_of(const toml_value& v, std::string_view key) const {
    if (v.is_floating()) return v.as_floating();
    if (v.is_integer()) return static_cast<double>(v.as_integer());
    throw user_error(where_line(line_of(v), key),
                     "expected a plain number such as 1e-3, got " + describe_toml_type(v));
}

double toml_table_reader::get_number(std::string_view key, double fallback) const {
    const toml_value* v = find(key);
    return v ? number_of(*v, key) : fallback;
}

toml_table_reader toml_table_reader::sub_table(std::string_view key) const {
    const toml_value& v = require(key, "a table");
    if (!v.is_table())
        fail(key, "expected a table such as { key = value, ... }, got " + describe_toml_type(v));
    return toml_table_reader(v, origin_, dotted(key));
}

} // namespace ranvier
