// SWC text -> checked, ordered samples. Each problem is reported with the
// file name and line and what a valid line would look like.
#include "cable/morphology/swc_samples.hpp"

#include <ranvier/errors.hpp>
#include <ranvier/morphology_swc.hpp>

#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <queue>
#include <sstream>
#include <unordered_map>

namespace ranvier::swc {
namespace {

constexpr const char* columns[] = {"id", "type", "x", "y", "z", "radius", "parent"};

[[noreturn]] void fail(const std::string& file, int line, const std::string& what) {
    throw user_error(source_location{file, line, ""}, what);
}

double number(std::string_view tok, int col, const std::string& file, int line) {
    double v = 0;
    const char* b = tok.data();
    const char* e = tok.data() + tok.size();
    if (!tok.empty() && *b == '+') ++b; // from_chars rejects a leading '+'
    auto [ptr, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || ptr != e || !std::isfinite(v)) {
        fail(file, line, "column " + std::to_string(col + 1) + " (" + columns[col] + ") is not a number: '" +
                             std::string(tok) + "'");
    }
    return v;
}

long long integer(std::string_view tok, int col, const std::string& file, int line) {
    const double v = number(tok, col, file, line);
    if (v != std::floor(v) || std::fabs(v) > 9e15) {
        fail(file, line, "column " + std::to_string(col + 1) + " (" + columns[col] + ") must be an integer, got '" +
                             std::string(tok) + "'");
    }
    return static_cast<long long>(v);
}

sample parse_line(std::string_view body, const std::string& file, int line) {
    std::vector<std::string_view> toks;
    std::size_t i = 0;
    while (i < body.size()) {
        while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r')) ++i;
        std::size_t j = i;
        while (j < body.size() && body[j] != ' ' && body[j] != '\t' && body[j] != '\r') ++j;
        if (j > i) toks.push_back(body.substr(i, j - i));
        i = j;
    }
    if (toks.size() != 7) {
        fail(file, line, "expected 7 columns (id type x y z radius parent), found " + std::to_string(toks.size()));
    }
    sample s;
    s.line = line;
    s.id = integer(toks[0], 0, file, line);
    const long long type = integer(toks[1], 1, file, line);
    s.x = number(toks[2], 2, file, line);
    s.y = number(toks[3], 3, file, line);
    s.z = number(toks[4], 4, file, line);
    const double radius = number(toks[5], 5, file, line);
    s.parent_id = integer(toks[6], 6, file, line);
    if (s.id < 0) fail(file, line, "sample id must be >= 0, got " + std::to_string(s.id));
    if (type < 1 || type > 1000000) {
        fail(file, line, "unknown SWC type " + std::to_string(type) +
                             " (valid: 1 soma, 2 axon, 3 dend, 4 apic, >= 5 custom)");
    }
    s.type = static_cast<int>(type);
    if (!(radius > 0)) fail(file, line, "radius must be positive (µm), got " + std::string(toks[5]));
    s.diam = 2 * radius; // NEURON's Import3d doubles the radius the same way
    if (s.parent_id < -1) {
        fail(file, line, "parent id must be -1 (root) or the id of another sample, got " + std::to_string(s.parent_id));
    }
    if (s.parent_id == s.id) fail(file, line, "sample " + std::to_string(s.id) + " is its own parent");
    return s;
}

} // namespace

std::vector<sample> read_samples(std::string_view text, const std::string& file) {
    std::vector<sample> raw;
    int line = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view body = text.substr(pos, nl - pos);
        ++line;
        pos = nl + 1;
        if (const auto hash = body.find('#'); hash != std::string_view::npos) body = body.substr(0, hash);
        if (body.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        raw.push_back(parse_line(body, file, line));
    }
    if (raw.empty()) fail(file, 0, "no samples (the file is empty or has only comments)");

    std::unordered_map<long long, int> by_id;
    for (int i = 0; i < static_cast<int>(raw.size()); ++i) {
        auto [it, fresh] = by_id.emplace(raw[i].id, i);
        if (!fresh) {
            fail(file, raw[i].line, "duplicate sample id " + std::to_string(raw[i].id) + " (first defined at line " +
                                        std::to_string(raw[it->second].line) + ")");
        }
    }
    int root = -1;
    std::vector<std::vector<int>> children(raw.size());
    for (int i = 0; i < static_cast<int>(raw.size()); ++i) {
        if (raw[i].parent_id == -1) {
            if (root >= 0) {
                fail(file, raw[i].line, "second root sample (parent -1); the first is at line " +
                                            std::to_string(raw[root].line) + " and a cell must be one tree");
            }
            root = i;
            continue;
        }
        const auto it = by_id.find(raw[i].parent_id);
        if (it == by_id.end()) {
            fail(file, raw[i].line, "parent id " + std::to_string(raw[i].parent_id) + " of sample " +
                                        std::to_string(raw[i].id) + " is not defined in the file");
        }
        children[it->second].push_back(i);
    }

    // Parents before children, smallest ready id first.
    std::vector<int> order;
    std::vector<char> seen(raw.size(), 0);
    if (root >= 0) {
        auto later = [&](int a, int b) { return raw[a].id > raw[b].id; };
        std::priority_queue<int, std::vector<int>, decltype(later)> ready(later);
        ready.push(root);
        while (!ready.empty()) {
            const int i = ready.top();
            ready.pop();
            seen[i] = 1;
            order.push_back(i);
            for (int c : children[i]) ready.push(c);
        }
    }
    if (order.size() != raw.size()) {
        // Samples not reached from the root lie on or under a cycle: follow
        // parents from the first such sample until one repeats.
        int i = 0;
        while (seen[i]) ++i;
        std::unordered_map<int, int> step;
        std::vector<int> path;
        while (!step.count(i)) {
            step[i] = static_cast<int>(path.size());
            path.push_back(i);
            i = by_id.at(raw[i].parent_id);
        }
        std::string ring;
        for (std::size_t k = step[i]; k < path.size(); ++k) ring += std::to_string(raw[path[k]].id) + " -> ";
        ring += std::to_string(raw[i].id);
        fail(file, raw[i].line, "parent links form a cycle (sample ids " + ring + ")" +
                                    (root < 0 ? "; there is no root sample with parent -1" : ""));
    }
    std::vector<sample> out;
    std::vector<int> new_index(raw.size());
    out.reserve(raw.size());
    for (int k = 0; k < static_cast<int>(order.size()); ++k) {
        new_index[order[k]] = k;
        out.push_back(raw[order[k]]);
    }
    for (auto& s : out) s.parent = s.parent_id == -1 ? -1 : new_index[by_id.at(s.parent_id)];
    return out;
}

} // namespace ranvier::swc

namespace ranvier {

morphology parse_swc(std::string_view text, const std::string& name) {
    return swc::import3d_sections(swc::read_samples(text, name), name);
}

morphology load_swc(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw user_error(source_location{path, 0, ""}, "cannot open SWC file");
    // Read in pieces up to a bound: a path such as /dev/zero would otherwise
    // be read until memory runs out. (The largest reconstructions are a few MB.)
    constexpr std::size_t max_bytes = std::size_t{64} << 20;
    std::string text;
    char piece[1 << 16];
    while (in.read(piece, sizeof piece) || in.gcount() > 0) {
        text.append(piece, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_bytes)
            throw user_error(source_location{path, 0, ""},
                             "the SWC file is larger than 64 MB (or endless, like a device): "
                             "not a morphology");
    }
    return parse_swc(text, path);
}

} // namespace ranvier
