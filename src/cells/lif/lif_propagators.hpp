// Exact-integration propagators of the current-based LIF neuron over one time
// step h (Rotter & Diesmann 1999). With V measured from E_L and synaptic
// currents I (exp) or (dI, I) (alpha) held in pA, one step is linear:
//   V(t+h) = P22 V + P20 (I_e + I_ext) + [exp] P21 I  + [alpha] P31 dI + P32 I
// Computed once per run; written to stay accurate when tau_syn ~ tau_m.
#pragma once

namespace ranvier::lif {

struct membrane_propagators {
    double P22; // 1, decay of V over h: exp(-h/tau_m)
    double P20; // mV/pA, response of V to a constant current over h
};

struct exp_synapse_propagators {
    double P11; // 1, decay of I over h: exp(-h/tau_syn)
    double P21; // mV/pA, response of V to I(t) decaying over h
};

struct alpha_synapse_propagators {
    double P11; // 1, decay of dI (and I) over h: exp(-h/tau_syn)
    double P21; // ms, dI -> I over h: h exp(-h/tau_syn)
    double P31; // mV/(pA/ms), dI -> V over h
    double P32; // mV/pA, I -> V over h
    double jump; // 1/ms, e/tau_syn: dI jump per pA of weight (peak current = weight)
};

membrane_propagators membrane(double h, double tau_m, double C_m);
exp_synapse_propagators exp_synapse(double h, double tau_m, double C_m, double tau_syn);
alpha_synapse_propagators alpha_synapse(double h, double tau_m, double C_m, double tau_syn);

} // namespace ranvier::lif
