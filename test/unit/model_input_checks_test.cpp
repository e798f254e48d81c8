// Bad inputs found by fuzzing and probing the model-file loader (issue 8):
// each must be a user_error naming the file, the line and the key (or the
// column), never a crash, an out-of-bounds read or a silently wrong model.
#include "cable/discretization.hpp"
#include "model/toml_reader.hpp"

#include <ranvier/morphology.hpp>
#include <ranvier/network_model.hpp>
#include <ranvier/simulation.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

using namespace ranvier;

namespace {

// The user_error that parsing `text` throws (fails the test if none).
user_error load_error(const std::string& text, const std::string& origin = "m.toml") {
    try {
        parse_model_file(text, origin);
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
    const model_file m = parse_model_file(text, "m.toml");
    ASSERT_EQ(m.network.populations.size(), 1u);
    EXPECT_EQ(m.network.populations[0].name, "\xCE\xB1\xF0\x9F\xA7\xA0");
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
    const model_file m = parse_model_file(poisson("1e6 Hz", "1000"), "m.toml");
    ASSERT_EQ(m.network.poisson_inputs.size(), 1u);
    EXPECT_EQ(m.network.poisson_inputs[0].rate * static_cast<double>(m.network.poisson_inputs[0].count), 1e9);
}

// ---- segment counts of cable cells -----------------------------------------------

namespace {

// A soma and one cylindrical dendrite of `length` um, diameter 2 um.
morphology soma_and_dendrite(double length) {
    morphology_builder b;
    b.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
    b.add_section({3, length, 2, {}, 0, 1.0, "dend"});
    return b.build();
}

cable::discretization_policy d_lambda_policy() {
    cable::discretization_policy p;
    p.rule = cable::nseg_rule::d_lambda;
    p.d_lambda = 0.1;
    return p;
}

std::string discretize_error(const morphology& m, const cable::discretization_policy& p) {
    try {
        cable::discretize(m, p);
    } catch (const user_error& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST(CableSegments, AbsurdLengthsAreRefusedNotWrapped) {
    // 1e12 um once wrapped to nseg 1, 1.5e11 um to a negative nseg, 2e10 um
    // asked for 3e8 segments.
    for (const double length : {1e12, 1.5e11, 2e10, 1e300}) {
        const std::string e = discretize_error(soma_and_dendrite(length), d_lambda_policy());
        EXPECT_TRUE(contains(e, "'d_lambda': section dend (length ")) << e;
        EXPECT_TRUE(contains(e, "segments by the d_lambda rule")) << e;
        EXPECT_TRUE(contains(e, "at most 32767 per section")) << e;
    }
    // lambda_f = 0 (an infinite frequency): unboundedly many.
    cable::discretization_policy p = d_lambda_policy();
    p.frequency_hz = std::numeric_limits<double>::infinity();
    EXPECT_TRUE(contains(discretize_error(soma_and_dendrite(100), p), "would need unboundedly many segments"));
}

TEST(CableSegments, TheLimitIsNeuronsNsegLimit) {
    // lambda_f of a 2 um dendrite at 100 Hz (Ra 35.4, cm 1) and the length
    // whose d_lambda count is exactly 32767, then one count more.
    const double lambda = 1e5 * std::sqrt(2 / (4 * 3.14159265358979323846 * 100 * 35.4 * 1));
    const double at_limit = (32766 / 2 + 0.5) * 2 * 0.1 * lambda; // int((x + 0.9)/2) = 16383
    const cable::cv_tree t = cable::discretize(soma_and_dendrite(at_limit), d_lambda_policy());
    EXPECT_EQ(t.sec_nseg.at(1), 32767);
    const std::string e = discretize_error(soma_and_dendrite(at_limit + 2 * 0.1 * lambda), d_lambda_policy());
    EXPECT_TRUE(contains(e, "would need 32769 segments")) << e;

    cable::discretization_policy fixed;
    fixed.nseg = 32768;
    EXPECT_TRUE(contains(discretize_error(soma_and_dendrite(100), fixed), "'nseg': must be in [1, 32767]"));
    fixed.nseg = 1;
    fixed.nseg_for_section[1] = 40000;
    EXPECT_TRUE(contains(discretize_error(soma_and_dendrite(100), fixed),
                         "'nseg_for_section[1]': must be in [1, 32767], got 40000"));
}

TEST(CableSegments, TotalSegmentsOfACellAreBounded) {
    morphology_builder b;
    b.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
    for (int k = 0; k < 40; ++k) b.add_section({3, 100, 2, {}, 0, 1.0, ""});
    const morphology m = b.build();
    cable::discretization_policy p;
    p.nseg = 30000; // 41 sections: 1,230,000 segments
    const std::string e = discretize_error(m, p);
    EXPECT_TRUE(contains(e, "'nseg': the cell would have 1230000 segments in 41 sections")) << e;
    EXPECT_TRUE(contains(e, "at most 1000000 per cell")) << e;
    p.nseg = 24000; // 984,000: allowed
    EXPECT_EQ(cable::discretize(m, p).sec_nseg.size(), 41u);
}

TEST(CableSegments, ModelFileNamesFilePopulationAndSection) {
    const std::string cable_population = R"toml([[population]]
name = "pyr"
size = 2
cell = "cable"
sections = [
    { name = "soma", length = "20 um", diam = "20 um" },
    { name = "dend", parent = "soma", length = "1.5e11 um", diam = "2 um" },
]
)toml";
    // Without d_lambda the section gets nseg 1: loads.
    EXPECT_NO_THROW(parse_model_file(cable_population, "m.toml"));
    const user_error e = load_error(cable_population + "discretization = { d_lambda = 0.1 }\n");
    EXPECT_EQ(e.where().line, 9);
    EXPECT_EQ(e.where().key, "population.discretization");
    EXPECT_TRUE(contains(e.what(), "m.toml:9: 'population.discretization': section dend (length 1.5e+11 um"))
        << e.what();
}

TEST(CableSegments, GeometryErrorsAreReportedAtLoad) {
    // A diameter of 1e300 um makes the axial resistance underflow to 0: the
    // engine's check used to say only "cell 0: morphology: 'cv_tree.node[2]':
    // r_parent must be > 0 MΩ" when the simulation was built.
    const std::string text = R"toml([[population]]
name = "pyr"
size = 2
cell = "cable"
sections = [
    { name = "soma", length = "20 um", diam = "20 um" },
    { name = "dend", parent = "soma", length = "100 um", diam = "1e300 um" },
]
)toml";
    const user_error e = load_error(text);
    EXPECT_EQ(e.where().line, 5);
    EXPECT_EQ(e.where().key, "population.sections");
    EXPECT_TRUE(contains(e.what(), "m.toml:5: 'population.sections': section dend (length 100 um) has a geometry "
                                   "that gives an axial resistance of 0 MOhm"))
        << e.what();
}

// ---- lines of values -------------------------------------------------------------

namespace {

// Compares the reader's line of every value under `v` (found by binary
// search in an index of line starts) with toml11's own count of newlines.
void expect_same_lines(const toml_table_reader& r, const toml_value& v, int& compared) {
    EXPECT_EQ(r.line_of(v), static_cast<int>(v.location().line())) << v.location().line_str();
    ++compared;
    if (v.is_array())
        for (const auto& item : v.as_array()) expect_same_lines(r, item, compared);
    if (v.is_table())
        for (const auto& [key, item] : v.as_table()) expect_same_lines(r, item, compared);
}

} // namespace

TEST(ModelLines, LineOfEveryValueAgreesWithTheTomlLibrary) {
    const std::string text = "# comment\r\n[simulation]\r\nt_stop = \"10 ms\"\n\n"
                             "[[population]]\nname = \"E\"\nsize = 3\n"
                             "V_init = { distribution = \"uniform\", low = \"0 mV\", high = \"1 mV\" }\n"
                             "note = \"\"\"\nmulti\nline\n\"\"\"\n"
                             "[[projection]]\npairs = [\n  [0, 1], [1,\n 2],\n\n  [2, 0],\n]\n"
                             "[a.b.c]\nd = [[1], [2, [3,\n4]]]\n";
    std::istringstream stream(text);
    const toml_value document = toml::parse<toml::discard_comments, std::map, std::vector>(stream, "m.toml");
    const toml_table_reader top(document, "m.toml", "");
    int compared = 0;
    for (const auto& [key, v] : document.as_table()) expect_same_lines(top, v, compared);
    EXPECT_GE(compared, 25);
    // Spot checks against the text itself.
    const auto& pairs = document.as_table().at("projection").as_array().at(0).as_table().at("pairs").as_array();
    EXPECT_EQ(top.line_of(pairs.at(0)), 15);
    EXPECT_EQ(top.line_of(pairs.at(1)), 15); // [1,\n 2] starts on line 15
    EXPECT_EQ(top.line_of(pairs.at(1).as_array().at(1)), 16);
    EXPECT_EQ(top.line_of(pairs.at(2)), 18);
}

TEST(ModelLines, SyntaxErrorsNameTheFile) {
    // The TOML library parses under a short name; its messages show the file's.
    const user_error e = load_error("[simulation]\nt_stop = \"1 ms\n", "/some/long/path/to/a/model.toml");
    EXPECT_EQ(e.where().line, 2);
    EXPECT_TRUE(contains(e.what(), "/some/long/path/to/a/model.toml:2: TOML syntax error: ")) << e.what();
    EXPECT_TRUE(contains(e.what(), " --> /some/long/path/to/a/model.toml\n")) << e.what();
    EXPECT_FALSE(contains(e.what(), "<model>")) << e.what();
}

// ---- files that never end ----------------------------------------------------------

TEST(ModelFiles, EndlessFilesAreRefused) {
    // /dev/zero as the model or as an SWC morphology was read until memory ran out.
    try {
        load_model_file("/dev/zero");
        ADD_FAILURE() << "/dev/zero loaded";
    } catch (const user_error& e) {
        EXPECT_EQ(e.where().file, "/dev/zero");
        EXPECT_TRUE(contains(e.what(), "larger than 256 MB")) << e.what();
    }
    const user_error e = load_error(population + "cell = \"cable\"\nmorphology = \"/dev/zero\"\n");
    EXPECT_EQ(e.where().line, 5);
    EXPECT_EQ(e.where().key, "population.morphology");
    EXPECT_TRUE(contains(e.what(), "/dev/zero: the SWC file is larger than 64 MB")) << e.what();
}

// ---- times beyond the step counter ---------------------------------------------------

namespace {

std::uint64_t spikes_of(const std::string& text) {
    const model_file m = parse_model_file(text, "m.toml");
    const auto r = make_recipe(m);
    simulation sim(*r, m.options);
    sim.run(m.t_stop);
    return sim.statistics().spikes;
}

} // namespace

TEST(ModelTimes, InputTimesBeyondTheStepCounterMeanNever) {
    // Found by the UBSan build while fuzzing: a time whose step does not fit
    // an int64 was converted anyway (undefined; INT64_MIN on x86), so a
    // current ending at 1e300 ms ended at once and the cell never fired.
    const std::string dc = "[simulation]\nt_stop = \"50 ms\"\n" + population +
                           "[[current]]\ntarget = \"E\"\nkind = \"dc\"\namplitude = \"1000 pA\"\nstop = ";
    const std::uint64_t reference = spikes_of(dc + "\"1e6 ms\"\n");
    EXPECT_GT(reference, 0u);
    EXPECT_EQ(spikes_of(dc + "\"1e300 ms\"\n"), reference);
    EXPECT_EQ(spikes_of(dc + "\"1e18 ms\"\n"), reference); // 1e19 steps: just beyond int64
    // Poisson inputs starting beyond any run never start.
    const std::string poisson_late = "[simulation]\nt_stop = \"50 ms\"\n" + population +
                                     "[[poisson]]\ntarget = \"E\"\nrate = \"1000 Hz\"\ncount = 100\n"
                                     "weight = \"5 mV\"\nstart = \"1e300 ms\"\nstop = \"1e301 ms\"\n";
    EXPECT_EQ(spikes_of(poisson_late), 0u);
}

TEST(CableSegments, GeometryBeyondTheNumbersNamesTheSection) {
    // Points beyond single precision (3-d points are stored as floats, as in
    // NEURON) gave an infinite length; the engine then said only
    // "cv_tree.node[3]: r_parent must be > 0".
    morphology_builder b;
    b.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
    b.add_section({3, 0, 0, {{0, 0, 0, 1}, {1e39, 0, 0, 1}}, 0, 1.0, "far"});
    const std::string far = discretize_error(b.build(), cable::discretization_policy{});
    EXPECT_TRUE(contains(far, "'section': section far (length inf um) has a geometry that gives")) << far;
    // A diameter whose cross-section overflows: the axial resistance is 0.
    const std::string wide = discretize_error(soma_and_dendrite(100), cable::discretization_policy{});
    EXPECT_EQ(wide, "(no error)");
    morphology_builder w;
    w.add_section({1, 20, 20, {}, -1, 1.0, "soma"});
    w.add_section({3, 100, 1e300, {}, 0, 1.0, "wide"});
    const std::string e = discretize_error(w.build(), cable::discretization_policy{});
    EXPECT_TRUE(contains(e, "section wide (length 100 um) has a geometry that gives an axial resistance of 0 MOhm"))
        << e;
}
