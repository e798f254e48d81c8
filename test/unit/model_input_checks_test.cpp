// Bad inputs found by fuzzing and probing the model-file loader (issue 8):
// each must be a user_error naming the file, the line and the key (or the
// column), never a crash, an out-of-bounds read or a silently wrong model.
#include <ranvier/network_model.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace ranvier;

namespace {

// The user_error that parsing `text` throws (fails the test if none).
user_error load_error(const std::string& text, const std::string& origin = "m.toml") {
    try {
        parse_network_model(text, origin);
    } catch (const user_error& e) {
        return e;
    }
    ADD_FAILURE() << "loaded without error:\n" << text;
    return user_error("none");
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

const std::string population = "[[population]]\nname = \"E\"\nsize = 2\n";

} // namespace

// ---- UTF-8 -----------------------------------------------------------------

TEST(ModelUtf8, OneTruncatedLeadByteIsLocated) {
    // Once a heap-buffer-overflow inside the TOML library.
    const user_error e = load_error("\xE5");
    EXPECT_EQ(e.where().file, "m.toml");
    EXPECT_EQ(e.where().line, 1);
    EXPECT_EQ(std::string(e.what()),
              "m.toml:1: invalid UTF-8 at column 1: the byte 0xE5 starts a 3-byte character that is "
              "cut short (model files must be UTF-8 text)");
}

TEST(ModelUtf8, BadByteInAStringIsLocated) {
    // Once "basic_string::_M_create" in Release builds.
    const user_error e = load_error("a='\xE5'");
    EXPECT_EQ(e.where().line, 1);
    EXPECT_TRUE(contains(e.what(), "m.toml:1: invalid UTF-8 at column 4: the byte 0xE5")) << e.what();
}

TEST(ModelUtf8, ColumnCountsCharactersAndLineCountsNewlines) {
    // Two 2-byte characters and one 3-byte character before the bad byte on line 3.
    const user_error e = load_error("# ok\n[[population]]\nname = \"\xC3\xA9\xC2\xB5\xE2\x82\xAC\x80\"\n");
    EXPECT_EQ(e.where().line, 3);
    EXPECT_TRUE(contains(e.what(), "at column 12: the byte 0x80 continues a multi-byte character "
                                   "that did not start"))
        << e.what();
}

TEST(ModelUtf8, MalformedSequencesAreRejected) {
    struct bad {
        const char* bytes;
        const char* says;
    };
    const bad cases[] = {
        {"\xC0\xAF", "0xC0 are an overlong"},         // '/' in two bytes
        {"\xC1\xBF", "0xC1 are an overlong"},
        {"\xE0\x80\xAF", "0xE0 are an overlong"},     // '/' in three bytes
        {"\xF0\x80\x80\xAF", "0xF0 are an overlong"}, // '/' in four bytes
        {"\xED\xA0\x80", "UTF-16 surrogate"},         // U+D800
        {"\xED\xBF\xBF", "UTF-16 surrogate"},         // U+DFFF
        {"\xF4\x90\x80\x80", "beyond U+10FFFF"},      // U+110000
        {"\xF5\x80\x80\x80", "0xF5 never occurs"},
        {"\xFF", "0xFF never occurs"},
        {"\xFE", "0xFE never occurs"},
        {"\xBF", "0xBF continues"},
        {"\xC3", "0xC3 starts a 2-byte character that is cut short"},
        {"\xE2\x82", "0xE2 starts a 3-byte character that is cut short"},
        {"\xF0\x9F\x98", "0xF0 starts a 4-byte character that is cut short"},
        {"\xE2\x82x", "0xE2 starts a 3-byte character that is cut short"},
    };
    for (const bad& b : cases) {
        // In a comment after a valid model: the check does not depend on where.
        const user_error e = load_error(population + "# " + b.bytes + "\n");
        EXPECT_EQ(e.where().line, 4) << b.says;
        EXPECT_TRUE(contains(e.what(), "m.toml:4: invalid UTF-8 at column 3: ")) << e.what();
        EXPECT_TRUE(contains(e.what(), b.says)) << "expected '" << b.says << "' in: " << e.what();
    }
}

TEST(ModelUtf8, WellFormedCharactersAreAccepted) {
    // The boundaries of each sequence length, in a comment and in a name.
    const std::string text = "# \x7E \xC2\x80 \xDF\xBF \xE0\xA0\x80 \xED\x9F\xBF \xEE\x80\x80 \xEF\xBF\xBF "
                             "\xF0\x90\x80\x80 \xF4\x8F\xBF\xBF\n"
                             "[[population]]\nname = \"\xCE\xB1\xF0\x9F\xA7\xA0\"\nsize = 2\n";
    const network_model m = parse_network_model(text, "m.toml");
    ASSERT_EQ(m.populations.size(), 1u);
    EXPECT_EQ(m.populations[0].name, "\xCE\xB1\xF0\x9F\xA7\xA0");
}

// ---- Poisson rates -----------------------------------------------------------

namespace {

std::string poisson(const std::string& rate, const std::string& count) {
    return population + "\n[[poisson]]\ntarget = \"E\"\nrate = \"" + rate + "\"\n" +
           (count.empty() ? "" : "count = " + count + "\n") + "weight = \"0.1 mV\"\n";
}

} // namespace

TEST(ModelPoisson, MergedRateThatOverflowsIsRejectedAtTheCount) {
    // 1e300 Hz * 1e9 trains was inf; now the rate alone is over the limit.
    const user_error huge = load_error(poisson("1e300 Hz", "1000000000"));
    EXPECT_EQ(huge.where().line, 7);
    EXPECT_EQ(huge.where().key, "poisson.rate");
    EXPECT_TRUE(contains(huge.what(), "m.toml:7: 'poisson.rate': must be at most 1000000000 Hz (1000000 events per ms onto each cell), got 1e+300 Hz")) << huge.what();

    // Each factor sane, their product not.
    const user_error product = load_error(poisson("2e6 Hz", "1000"));
    EXPECT_EQ(product.where().line, 8);
    EXPECT_EQ(product.where().key, "poisson.count");
    EXPECT_TRUE(contains(product.what(), "rate * count = 2000000 Hz * 1000 = 2000000000 Hz exceeds the limit of 1000000000 Hz per cell"))
        << product.what();
}

TEST(ModelPoisson, NonFiniteRateIsRejected) {
    for (const char* rate : {"inf Hz", "nan Hz", "1e999 Hz"}) {
        const user_error e = load_error(poisson(rate, ""));
        EXPECT_EQ(e.where().line, 7) << rate;
        EXPECT_EQ(e.where().key, "poisson.rate") << e.what();
    }
}

TEST(ModelPoisson, RatesUpToTheLimitLoad) {
    const network_model m = parse_network_model(poisson("1e6 Hz", "1000"), "m.toml");
    ASSERT_EQ(m.poisson_inputs.size(), 1u);
    EXPECT_EQ(m.poisson_inputs[0].rate * static_cast<double>(m.poisson_inputs[0].count), 1e9);
}
