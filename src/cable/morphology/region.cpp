// Regions (include/ranvier/morphology_region.hpp): a small expression tree
// evaluated node by node over a cv_tree, and its text parser.
#include <ranvier/errors.hpp>
#include <ranvier/morphology_region.hpp>

#include "cable/cv_tree.hpp"
#include "cable/morphology/region_nodes.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace ranvier {

struct region::expr {
    enum class kind { all, tag, section, distance, unite, intersect } k = kind::all;
    int value = 0;           // tag or section index
    double lo = 0, hi = 0;   // µm, distance band
    std::shared_ptr<const expr> a, b;

    bool contains(const cable::cv_tree& t, std::size_t i) const {
        switch (k) {
        case kind::all: return true;
        case kind::tag: return t.tag[i] == value;
        case kind::section: return t.section[i] == value;
        case kind::distance: return t.distance[i] >= lo && t.distance[i] <= hi;
        case kind::unite: return a->contains(t, i) || b->contains(t, i);
        case kind::intersect: return a->contains(t, i) && b->contains(t, i);
        }
        return false;
    }
};

namespace {
using kind = region::expr::kind;
}

static std::shared_ptr<const region::expr> make_expr(kind k, int value, double lo, double hi,
                                              std::shared_ptr<const region::expr> a,
                                              std::shared_ptr<const region::expr> b) {
    auto e = std::make_shared<region::expr>();
    e->k = k;
    e->value = value;
    e->lo = lo;
    e->hi = hi;
    e->a = std::move(a);
    e->b = std::move(b);
    return e;
}

region region::all() { return region(make_expr(kind::all, 0, 0, 0, nullptr, nullptr)); }
region region::tag(int t) { return region(make_expr(kind::tag, t, 0, 0, nullptr, nullptr)); }
region region::section(int s) { return region(make_expr(kind::section, s, 0, 0, nullptr, nullptr)); }
region region::distance(double lo, double hi) {
    if (!(lo <= hi)) {
        throw user_error("region distance(" + std::to_string(lo) + ", " + std::to_string(hi) +
                         "): the lower bound must not exceed the upper (µm)");
    }
    return region(make_expr(kind::distance, 0, lo, hi, nullptr, nullptr));
}
region operator|(const region& a, const region& b) { return region(make_expr(kind::unite, 0, 0, 0, a.e_, b.e_)); }
region operator&(const region& a, const region& b) {
    return region(make_expr(kind::intersect, 0, 0, 0, a.e_, b.e_));
}

std::vector<std::int32_t> cable::region_nodes(const region& r, const cv_tree& t) {
    std::vector<std::int32_t> out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (r.expression().contains(t, i)) out.push_back(static_cast<std::int32_t>(i));
    }
    return out;
}

namespace {

constexpr const char* valid_names = "all, soma, axon, dend, apic, tag(N), section(N), branch(N), distance(lo, hi)";

class region_parser {
public:
    region_parser(const std::string& text, const std::string& where) : s_(text), where_(where) {}

    region parse() {
        region r = union_expr();
        skip();
        if (i_ != s_.size()) fail("unexpected '" + s_.substr(i_) + "'");
        return r;
    }

private:
    const std::string& s_;
    const std::string& where_;
    std::size_t i_ = 0;

    [[noreturn]] void fail(const std::string& what) const {
        throw user_error(source_location{"", 0, where_},
                         "region \"" + s_ + "\" at column " + std::to_string(i_ + 1) + ": " + what);
    }
    void skip() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    bool eat(char c) {
        skip();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!eat(c)) fail(std::string("expected '") + c + "'");
    }
    double number() {
        skip();
        double v = 0;
        auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
        if (ec != std::errc() || !std::isfinite(v)) fail("expected a number");
        i_ = static_cast<std::size_t>(p - s_.data());
        return v;
    }
    int integer() {
        const std::size_t at = i_;
        const double v = number();
        if (v != std::floor(v) || v < 0 || v > 1e9) {
            i_ = at;
            fail("expected a non-negative integer");
        }
        return static_cast<int>(v);
    }
    region union_expr() {
        region r = intersect_expr();
        while (eat('|')) r = r | intersect_expr();
        return r;
    }
    region intersect_expr() {
        region r = atom();
        while (eat('&')) r = r & atom();
        return r;
    }
    region atom() {
        if (eat('(')) {
            region r = union_expr();
            expect(')');
            return r;
        }
        skip();
        const std::size_t start = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
        const std::string word = s_.substr(start, i_ - start);
        if (word.empty()) fail("expected a region name (" + std::string(valid_names) + ")");
        if (word == "all") return region::all();
        if (word == "soma") return region::tag(1);
        if (word == "axon") return region::tag(2);
        if (word == "dend") return region::tag(3);
        if (word == "apic") return region::tag(4);
        if (word == "tag" || word == "section" || word == "branch") {
            expect('(');
            const int v = integer();
            expect(')');
            return word == "tag" ? region::tag(v) : region::section(v);
        }
        if (word == "distance") {
            expect('(');
            const double lo = number();
            expect(',');
            const double hi = number();
            expect(')');
            if (!(lo <= hi)) fail("distance(lo, hi) needs lo <= hi (µm)");
            return region::distance(lo, hi);
        }
        i_ = start;
        fail("unknown region name '" + word + "'; valid: " + valid_names);
    }
};

} // namespace

region parse_region(const std::string& text, const std::string& where) {
    return region_parser(text, where).parse();
}

} // namespace ranvier
