// Tests of parse_quantity: every dimension's units, spellings, and each error.
#include <ranvier/units.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace ranvier;

namespace {

// Conversions are products of exactly representable powers of ten with
// values like 1.5: a relative error of a few ulps is all rounding can add.
void expect_value(const char* text, dimension d, double expected) {
    SCOPED_TRACE(text);
    EXPECT_NEAR(parse_quantity(text, d), expected, 1e-12 * std::abs(expected) + 1e-300);
}

std::string error_of(const std::string& text, dimension d, const source_location& where = {}) {
    try {
        parse_quantity(text, d, where);
    } catch (const user_error& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(Units, Time) {
    expect_value("20 ms", dimension::time, 20);
    expect_value("1.5e-3 s", dimension::time, 1.5);
    expect_value("250 us", dimension::time, 0.25);
    expect_value("2ms", dimension::time, 2);         // space optional
    expect_value("  +3 ms  ", dimension::time, 3);   // surrounding blanks, explicit sign
    expect_value("1e3 ms", dimension::time, 1000);
}

TEST(Units, Voltage) {
    expect_value("-70 mV", dimension::voltage, -70);
    expect_value("0.1 mV", dimension::voltage, 0.1);
    expect_value("-0.065 V", dimension::voltage, -65);
    expect_value("500 uV", dimension::voltage, 0.5);
}

TEST(Units, Current) {
    expect_value("0.1 nA", dimension::current, 100);
    expect_value("376 pA", dimension::current, 376);
    expect_value("2 uA", dimension::current, 2e6);
}

TEST(Units, Capacitance) {
    expect_value("250 pF", dimension::capacitance, 250);
    expect_value("0.25 nF", dimension::capacitance, 250);
    expect_value("1 uF", dimension::capacitance, 1e6);
}

TEST(Units, Conductance) {
    expect_value("10 nS", dimension::conductance, 10);
    expect_value("2 uS", dimension::conductance, 2000);
    expect_value("1 mS", dimension::conductance, 1e6);
    expect_value("1 S", dimension::conductance, 1e9);
}

TEST(Units, Frequency) {
    expect_value("20 Hz", dimension::frequency, 20);
    expect_value("1.5 kHz", dimension::frequency, 1500);
}

TEST(Units, Length) {
    expect_value("100 um", dimension::length, 100);
    expect_value("2 mm", dimension::length, 2000);
    expect_value("1 cm", dimension::length, 1e4);
    expect_value("500 nm", dimension::length, 0.5);
}

TEST(Units, CableQuantities) {
    expect_value("1 uF/cm2", dimension::specific_capacitance, 1);
    expect_value("1 uF/cm^2", dimension::specific_capacitance, 1);
    expect_value("0.12 S/cm2", dimension::specific_conductance, 0.12);
    expect_value("36 mS/cm2", dimension::specific_conductance, 0.036);
    expect_value("100 ohm cm", dimension::resistivity, 100);
    expect_value("100 Ohm*cm", dimension::resistivity, 100);
    expect_value("100 ohm * cm", dimension::resistivity, 100);
    expect_value("6.3 degC", dimension::temperature, 6.3);
    expect_value("300 K", dimension::temperature, 300 - 273.15);
    expect_value("2 mM", dimension::concentration, 2);
    expect_value("500 uM", dimension::concentration, 0.5);
}

TEST(Units, MicroSigns) {
    expect_value("250 \xC2\xB5s", dimension::time, 0.25);    // U+00B5 MICRO SIGN
    expect_value("250 \xCE\xBCs", dimension::time, 0.25);    // U+03BC GREEK MU
    expect_value("1 \xC2\xB5" "F/cm2", dimension::specific_capacitance, 1);
    expect_value("100 \xCE\xA9 cm", dimension::resistivity, 100); // Ω
}

TEST(Units, AcceptedUnitsListEveryUnitOfTheDimension) {
    EXPECT_EQ(accepted_units(dimension::time), "ms, s, us");
    EXPECT_EQ(canonical_unit(dimension::conductance), "nS");
    EXPECT_EQ(to_string(dimension::specific_capacitance), "specific capacitance");
}

TEST(UnitsErrors, MissingUnit) {
    const std::string msg = error_of("20", dimension::time);
    EXPECT_NE(msg.find("expected a time such as \"20 ms\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("without a unit"), std::string::npos) << msg;
}

TEST(UnitsErrors, WrongDimension) {
    const std::string msg = error_of("20 mV", dimension::time);
    EXPECT_NE(msg.find("expected a time such as \"20 ms\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("which is a voltage"), std::string::npos) << msg;
}

TEST(UnitsErrors, UnknownUnit) {
    const std::string msg = error_of("20 sec", dimension::time);
    EXPECT_NE(msg.find("unknown unit 'sec'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ms, s, us"), std::string::npos) << msg;
}

TEST(UnitsErrors, UnitsAreCaseSensitive) {
    // "MS" would be megasiemens, not milliseconds: no guessing.
    EXPECT_NE(error_of("20 MS", dimension::time).find("unknown unit"), std::string::npos);
    EXPECT_NE(error_of("1 mv", dimension::voltage).find("unknown unit"), std::string::npos);
}

TEST(UnitsErrors, NotANumber) {
    EXPECT_NE(error_of("ms", dimension::time).find("does not start with a number"), std::string::npos);
    EXPECT_NE(error_of("", dimension::time).find("(empty)"), std::string::npos);
    EXPECT_NE(error_of("abc mV", dimension::voltage).find("does not start with a number"), std::string::npos);
}

TEST(UnitsErrors, NonFinite) {
    EXPECT_NE(error_of("inf ms", dimension::time).find("must be finite"), std::string::npos);
    EXPECT_NE(error_of("nan mV", dimension::voltage).find("must be finite"), std::string::npos);
    EXPECT_NE(error_of("1e400 ms", dimension::time).find("must be finite"), std::string::npos);
}

TEST(UnitsErrors, MessageCarriesTheLocation) {
    const std::string msg = error_of("20", dimension::time, {"model.toml", 12, "population.tau_m"});
    EXPECT_EQ(msg.rfind("model.toml:12: 'population.tau_m': expected a time", 0), 0u) << msg;
}
