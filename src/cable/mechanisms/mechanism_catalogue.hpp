// The set of mechanism types a model can use, by name. A catalogue makes a
// fresh mechanism object (no instances) per cell group; the builder asks it.
#pragma once

#include "cable/mechanisms/mechanism.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ranvier::cable {

class mechanism_catalogue {
public:
    using factory = std::unique_ptr<mechanism> (*)();

    // Registers (or replaces) `name`. The order of registration is the order
    // in which a group evaluates mechanism currents.
    void add(const std::string& name, factory make);
    bool contains(const std::string& name) const;
    // Throws user_error naming the mechanism and listing the known ones.
    std::unique_ptr<mechanism> make(const std::string& name) const;
    // Position of `name` in registration order, -1 if unknown.
    int rank(const std::string& name) const;
    std::vector<std::string> names() const;

private:
    std::vector<std::pair<std::string, factory>> entries_;
};

// pas, hh, IClamp, ExpSyn, Exp2Syn.
mechanism_catalogue builtin_catalogue();

// Names of the integrated states a tolerance can be given for: "v" and
// "<mechanism>.<state>" for every state of every mechanism in `catalogue`.
std::vector<std::string> tolerance_state_names(const mechanism_catalogue& catalogue);

} // namespace ranvier::cable
