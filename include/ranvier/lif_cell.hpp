// Description of a current-based leaky integrate-and-fire point neuron.
//
// The three synapse kinds follow the semantics of NEST's iaf_psc_delta,
// iaf_psc_exp and iaf_psc_alpha: a spike arriving with weight w
//   delta: makes V jump by w (mV),
//   exp:   adds w (pA) to a synaptic current decaying with tau_syn,
//   alpha: starts an alpha-shaped current of peak w (pA) at t = tau_syn.
// Positive weights use tau_syn_ex, negative ones tau_syn_in. During the
// refractory period V is clamped at V_reset and delta inputs are discarded
// (synaptic currents of exp/alpha keep evolving, as in NEST).
#pragma once

#include <string>

namespace ranvier {

enum class lif_synapse { delta, exp, alpha };

struct lif_cell {
    lif_synapse synapse = lif_synapse::delta;
    double tau_m = 10.0;      // ms, membrane time constant
    double C_m = 250.0;       // pF, membrane capacitance
    double E_L = -70.0;       // mV, resting potential
    double V_th = -55.0;      // mV, spike threshold
    double V_reset = -70.0;   // mV, reset potential
    double t_ref = 2.0;       // ms, absolute refractory period
    double I_e = 0.0;         // pA, constant external current
    double tau_syn_ex = 2.0;  // ms, excitatory synaptic time constant (exp, alpha)
    double tau_syn_in = 2.0;  // ms, inhibitory synaptic time constant (exp, alpha)
    double V_init = -70.0;    // mV, membrane potential at t = 0
};

// Throws user_error naming `where` and the offending parameter if a value is
// non-finite or out of range (tau_m, C_m, tau_syn > 0; t_ref >= 0; V_reset < V_th).
void validate(const lif_cell& cell, const std::string& where);

std::string to_string(lif_synapse kind);

} // namespace ranvier
