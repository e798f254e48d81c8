// Hand-written implementations of the built-in mechanisms, each with NEURON
// 8.2 semantics: pas, hh (hh.mod without its rate table, i.e. usetable_hh =
// 0), ExpSyn, Exp2Syn, IClamp. Ranvier's built-ins are the translations of
// src/cable/mechanisms/builtin/*.mod; these were the built-ins before that
// and stay as an independent second implementation that
// nmodl_translation_test compares the translations with (declarations,
// currents, di/dv, state updates and CVODE terms to 1e-15 relative).
#pragma once

#include "cable/mechanisms/mechanism.hpp"

#include <memory>

namespace ranvier::cable::reference {

// Each type's declaration (what its NEURON/PARAMETER/STATE blocks say).
mechanism_type pas_type();
mechanism_type hh_type();
mechanism_type expsyn_type();
mechanism_type exp2syn_type();
mechanism_type iclamp_type();

std::unique_ptr<mechanism> make_pas();
std::unique_ptr<mechanism> make_hh();
std::unique_ptr<mechanism> make_expsyn();
std::unique_ptr<mechanism> make_exp2syn();
std::unique_ptr<mechanism> make_iclamp();

} // namespace ranvier::cable::reference
