// The set of mechanism types a model can use, by name. A catalogue knows each
// type's declaration (names, units, defaults) without making anything, and
// makes a fresh mechanism object (no instances) per cell group when asked.
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

    // Registers (or replaces) the type named type.name, whose objects `make`
    // builds. The order of registration is the order in which a group
    // evaluates mechanism currents. `source` says where the type comes from
    // in messages ("built-in", or the .mod file of a user mechanism).
    void add(mechanism_type type, factory make, std::string source = "built-in");
    bool contains(const std::string& name) const;
    // Where `name` comes from (add's `source`); throws like type().
    const std::string& source(const std::string& name) const;
    // Both throw user_error naming the mechanism and listing the known ones.
    const mechanism_type& type(const std::string& name) const;
    std::unique_ptr<mechanism> make(const std::string& name) const;
    // Position of `name` in registration order, -1 if unknown.
    int rank(const std::string& name) const;
    std::vector<std::string> names() const;

private:
    struct entry {
        mechanism_type type;
        factory make;
        std::string source;
    };
    int checked_rank(const std::string& name) const;
    std::vector<entry> entries_;
};

// pas, hh, IClamp, ExpSyn, Exp2Syn.
mechanism_catalogue builtin_catalogue();

// The catalogue a model's cable cells use: `model` (recipe::mechanisms(),
// network_model::mechanisms), or the built-in one when it is null. The
// built-in one is made once per process.
const mechanism_catalogue& catalogue_of(const std::shared_ptr<const mechanism_catalogue>& model);
std::shared_ptr<const mechanism_catalogue> shared_builtin_catalogue();

// Names of the integrated states a tolerance can be given for: "v" and
// "<mechanism>.<state>" for every state of every mechanism in `catalogue`.
std::vector<std::string> tolerance_state_names(const mechanism_catalogue& catalogue);

// What is wrong with an atol_scale entry {name, factor} for `catalogue` ("v"
// or "<mechanism>.<state>" of a known mechanism, factor finite and > 0), or
// "" if nothing. The one check behind the model file, the C++ API and Python;
// callers add where the entry came from.
std::string atol_scale_problem(const mechanism_catalogue& catalogue, const std::string& name,
                               double factor);

} // namespace ranvier::cable
