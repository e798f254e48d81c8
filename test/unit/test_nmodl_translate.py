"""src/nmodl/translate.py on files it must refuse: the message names the
file, the line and the construct (docs/nmodl.md), and nothing is written."""
import os
import pathlib
import subprocess
import sys

SOURCE = pathlib.Path(os.environ.get("RANVIER_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
TRANSLATE = SOURCE / "src" / "nmodl" / "translate.py"

HEADER = """NEURON {
    SUFFIX leak
    NONSPECIFIC_CURRENT i
    RANGE g
}
PARAMETER { g = .001 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) }
"""


def translate(tmp_path, text, name="m.mod"):
    mod = tmp_path / name
    mod.write_text(text)
    out = tmp_path / "out.cpp"
    r = subprocess.run([sys.executable, str(TRANSLATE), str(mod), "--cpp", str(out)],
                       capture_output=True, text=True)
    return r, mod, out


def test_translates_a_leak(tmp_path):
    r, _, out = translate(tmp_path, HEADER + "BREAKPOINT { i = g*(v + 65) }\n")
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "ctx.g[node_index[inst]] += (g);" in code
    assert "ctx.i[node_index[inst]] += (i);" in code


def test_verbatim_names_file_line_and_construct(tmp_path):
    text = HEADER + "BREAKPOINT {\n    i = g*v\n: VERBATIM in a comment is fine\nVERBATIM\n  x = 1;\nENDVERBATIM\n}\n"
    r, mod, out = translate(tmp_path, text)
    assert r.returncode == 1
    assert f"{mod}:11: error: VERBATIM" in r.stderr
    assert not out.exists()


def test_pointer_is_refused_with_its_line(tmp_path):
    text = HEADER.replace("    RANGE g\n", "    RANGE g\n    POINTER p\n") + "BREAKPOINT { i = g*v }\n"
    r, mod, _ = translate(tmp_path, text)
    assert r.returncode == 1
    assert f"{mod}:5: error: POINTER" in r.stderr


def test_comment_blocks_are_skipped(tmp_path):
    text = "COMMENT\nVERBATIM and POINTER are only words here\nENDCOMMENT\n" + HEADER + \
        "BREAKPOINT { i = g*(v + 65) }\n"
    r, _, _ = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr


def test_other_methods_are_refused(tmp_path):
    text = HEADER.replace("ASSIGNED", "STATE { x }\nASSIGNED") + \
        "BREAKPOINT {\n SOLVE s METHOD runge\n i = g*x*v\n}\nDERIVATIVE s { x' = -x }\n"
    r, mod, _ = translate(tmp_path, text)
    assert r.returncode == 1
    assert "METHOD runge: the methods supported are cnexp, derivimplicit, sparse (KINETIC) and euler" in r.stderr


def test_implicit_methods_use_newton(tmp_path):
    # derivimplicit on a nonlinear equation: backward Euler solved by Newton
    # (NMODL's SympySolverVisitor writes the system); CVODE gets the ODE as written.
    text = HEADER.replace("ASSIGNED", "STATE { x }\nASSIGNED") + \
        "BREAKPOINT {\n SOLVE s METHOD derivimplicit\n i = g*x*v\n}\nDERIVATIVE s { x' = 1 - x*x }\n"
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "if (newton_update<1>(nmodl_eigen_j, nmodl_eigen_f, nmodl_eigen_x)) break;" in code
    assert "out_0[inst] = 1.0 - x * x;" in code
    assert "out_0[inst] = -2*x;" in code
    # euler: forward Euler from the derivatives at the step's start.
    r, _, out = translate(tmp_path, text.replace("derivimplicit", "euler"))
    assert r.returncode == 0, r.stderr
    assert "x = x + dt * d_x;" in out.read_text()


def test_kinetic_scheme_with_steady_state(tmp_path):
    text = """NEURON { SUFFIX two NONSPECIFIC_CURRENT i RANGE g }
PARAMETER { g = 0.001 (S/cm2) kb = 0.1 (/ms) }
ASSIGNED { v (mV) i (mA/cm2) kf (/ms) }
STATE { c o }
INITIAL { SOLVE scheme STEADYSTATE sparse }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    i = g*o*(v + 80)
}
KINETIC scheme {
    kf = 0.2*exp(v/20)
    ~ c <-> o (kf, kb)
    CONSERVE c + o = 1
}
"""
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "const double dt = 1e9;" in code  # STEADYSTATE: the implicit step with a huge dt
    assert code.count("newton_update<2>(") == 1  # INITIAL's steady state: Newton to 1e-14
    # advance_states: NEURON's sparse, one solve for a linear scheme
    assert code.count("sparse_update<2>(nmodl_eigen_j, nmodl_eigen_f, nmodl_eigen_x, false);") == 1
    assert "break; // a linear scheme: one solve" in code
    r, _, _ = translate(tmp_path, text.replace("STEADYSTATE sparse", "METHOD cnexp"))
    assert r.returncode == 1 and "only SOLVE <the BREAKPOINT's block> STEADYSTATE" in r.stderr
    # COMPARTMENT divides each species' equation by its volume (NMODL's KineticBlockVisitor).
    r, _, out = translate(tmp_path, text.replace("    CONSERVE c + o = 1\n", "    COMPARTMENT 2 {c o}\n")
                          .replace("INITIAL { SOLVE scheme STEADYSTATE sparse }", "INITIAL { c = 1 }"))
    assert r.returncode == 0, r.stderr
    assert "out_0[inst] = ((-1.0 * (kf * c - kb * o))) * (1.0 / (2.0));" in out.read_text()


def test_nonlinear_state_equation_is_refused_for_cnexp(tmp_path):
    text = HEADER.replace("ASSIGNED", "STATE { x }\nASSIGNED") + \
        "BREAKPOINT {\n SOLVE s METHOD cnexp\n i = g*x*v\n}\nDERIVATIVE s { x' = -x*x }\n"
    r, _, _ = translate(tmp_path, text)
    assert r.returncode == 1
    assert "METHOD cnexp needs an ODE linear in x" in r.stderr


def test_syntax_error_has_its_line(tmp_path):
    r, mod, _ = translate(tmp_path, HEADER + "BREAKPOINT { i = = g }\n")
    assert r.returncode == 1
    assert f"{mod}:8: error: syntax error" in r.stderr


def test_assigned_values_persist_between_blocks(tmp_path):
    # ASSIGNED values are kept per instance (as in NEURON): ginf set in INITIAL
    # is read in BREAKPOINT from the stored value.
    text = HEADER.replace("i (mA/cm2) }", "i (mA/cm2) ginf }") + \
        "INITIAL { ginf = 2 }\nBREAKPOINT { i = g*ginf*v }\n"
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "assigned_0[inst] = ginf;" in code
    assert "double ginf = assigned_0[inst];" in code


RATES = """NEURON {
    SUFFIX rt
    NONSPECIFIC_CURRENT i
    RANGE g, e
    GLOBAL ztau
}
PARAMETER { g = .001 (S/cm2) e = -65 (mV) ztau = 5 (ms) }
ASSIGNED { v (mV) i (mA/cm2) celsius (degC) xinf xtau yinf }
STATE { x z }
INITIAL { rates(v) x = xinf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g*x*yinf*(v - e)
}
DERIVATIVE states {
    rates(v)
    x' = (xinf - x)/xtau
    z' = (1 - z)/ztau
}
PROCEDURE rates(v (mV)) {
    LOCAL q10
    q10 = 3^((celsius - 6.3)/10)
    xinf = 1/(1 + exp(-(v + 40)/5))
    xtau = 1/q10
    if (v > 0) { yinf = 1 }
}
"""


def test_loops_get_restrict_pointers_gathered_v_and_invariants_before_the_loop(tmp_path):
    r, _, out = translate(tmp_path, RATES)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    advance = code[code.index("void advance_states"):code.index("void state_derivatives")]
    # xinf, xtau are assigned before every read: locals, never stored; yinf,
    # read by BREAKPOINT and only set when v > 0, is kept per instance.
    assert "double xinf = 0, xtau = 0;" in advance
    assert "double yinf = assigned_0[inst];" in advance and "assigned_0[inst] = yinf;" in advance
    assert "xinf = assigned" not in code and "= xinf;" not in advance.replace("x = xinf", "")
    assert "double* __restrict state_0 = data_.states[0].data();" in advance
    assert "gathered_v[inst] = v_of_node[node_index[inst]];" in advance
    assert "const double v = gathered_v[inst];" in advance
    # 3^((celsius - 6.3)/10) once per call, before the loop; exp guarded inline.
    # (division by a constant: multiplication by its reciprocal, folded by the compiler)
    hoisted = "const double invariant_0 = std::pow(3.0, ((celsius - 6.3) * (1.0 / 10.0)));"
    assert advance.index(hoisted) < advance.index("for (std::size_t inst = 0; inst < count_; ++inst) {\n"
                                                   "            [[maybe_unused]] const double v = gathered_v")
    assert "q10 = invariant_0;" in advance
    # cnexp's factor 1 - exp(dt J) with J of globals only: also once per call.
    assert "const double invariant_1 = (1.0 - ranvier::cable::guarded_exp(dt * (-1/ztau)));" in advance
    assert "z = z + invariant_1 * ((1) - z);" in advance
    assert "std::exp" not in code and "ranvier::cable::guarded_exp(-(v_in_" in advance


REWRITES = """NEURON {
    SUFFIX rw
    NONSPECIFIC_CURRENT i
    RANGE g
    GLOBAL vh, k
}
PARAMETER { g = .001 (S/cm2) vh = -30 (mV) k = 4 (mV) }
ASSIGNED { v (mV) i (mA/cm2) xinf xtau }
STATE { x }
INITIAL { rates(v) x = xinf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g*x*(v + 65)
}
DERIVATIVE states {
    rates(v)
    x' = (xinf - x)/xtau
}
PROCEDURE rates(v (mV)) {
    LOCAL a, b, c, y
    y = 10
    a = exp(-(v + 40)/y) + exp(-(v + 35)/10) + exp(-(v - vh)/10)
    b = exp(-(v + 65)/80) * exp(-(v + 65)/20) + exp(v/7) + v/k
    if (v > 0) { c = v } else { c = 2*v }
    b = b + exp(c/10)
    xinf = a/(a + b)
    xtau = 1/(a + b)
}
"""


def test_exponentials_grouped_and_divisions_replaced(tmp_path):
    # src/nmodl/rewrite.py and the Emitter's values (docs/nmodl.md, "What is generated").
    r, _, out = translate(tmp_path, REWRITES)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    advance = code[code.index("void advance_states"):code.index("void state_derivatives")]
    exp = "ranvier::cable::guarded_exp"
    # Arguments affine in v with slopes in integer ratio share one exp: the
    # smallest slope is a base (-1/80), -1/20 = 4 * (-1/80) its fourth power;
    # -1/10 (the first occurrence's offset, -4) another base, whose offsets
    # differ by a number (e^0.5, a literal) or a global (hoisted per call).
    assert f"const double exp_group_0 = {exp}(-1.0/80.0*(v + 65));" in advance
    assert f"const double exp_group_1 = {exp}(-1.0/10.0*(v + 40));" in advance
    assert "a = exp_group_1 + (exp_group_1 * 1.6487212707001282) + (exp_group_1 * invariant_0);" in advance
    assert f"const double invariant_0 = {exp}((1.0/10.0)*vh + 4); // loop invariant" in advance
    assert "b = exp_group_0 * ((exp_group_0 * exp_group_0) * (exp_group_0 * exp_group_0))" in advance
    # A slope alone (1/7) and an argument assigned under a condition stay calls.
    assert f"{exp}(v_in_1 * (1.0 / 7.0))" in advance and f"{exp}(c * (1.0 / 10.0))" in advance
    # Divisions by a number, a local holding one, or a global: multiplications.
    assert "v_in_1 * invariant_1" in advance and "const double invariant_1 = 1.0 / (k);" in advance
    assert "/ y" not in advance and "/ 10" not in advance.replace("(1.0 / 10.0)", "")
    # cnexp's rate -1/xtau with xtau = 1/(a + b): -(a + b), no division.
    assert "reciprocal_of_0 = (a + b);" in advance
    assert f"x = x + (1.0 - {exp}(dt * (-reciprocal_of_0))) * ((xinf) - x);" in advance
    # CVODE's right-hand side groups the same way.
    derivatives = code[code.index("void state_derivatives"):code.index("void state_jacobian_diagonal")]
    assert "exp_group_1 * 1.6487212707001282" in derivatives


def test_names_of_the_generated_code_are_refused(tmp_path):
    for name in ("param_0", "gathered_v", "invariant_3", "count_"):
        r, mod, out = translate(tmp_path, HEADER.replace("RANGE g", f"RANGE g, {name}").replace(
            "g = .001 (S/cm2) }", f"g = .001 (S/cm2) {name} = 1 }}") + "BREAKPOINT { i = g*v }\n")
        assert r.returncode == 1
        assert f"the name '{name}' is reserved" in r.stderr, r.stderr


POINT = """NEURON {
    POINT_PROCESS Syn
    RANGE tau, e, i
    NONSPECIFIC_CURRENT i
}
PARAMETER { tau = 2 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) }
STATE { g (uS) }
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
"""


def test_cnexp_factor_of_parameters_is_cached_per_instance_until_dt_changes(tmp_path):
    # g' = -g/tau: 1 - exp(-dt/tau) depends on a parameter only (fixed after
    # INITIAL): computed per instance when dt differs from the last call's
    # (NaN after initialise), not per step; v is not read, so not gathered.
    r, _, out = translate(tmp_path, POINT)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    initialise = code[code.index("void initialise"):code.index("void current")]
    advance = code[code.index("void advance_states"):code.index("void state_derivatives")]
    assert "cnexp_dt_ = std::numeric_limits<double>::quiet_NaN();" in initialise
    assert "if (dt != cnexp_dt_) {" in advance
    assert "cnexp_factor_0[inst] = (1.0 - ranvier::cable::guarded_exp(dt * (-1/tau)));" in advance
    assert "g = g + cnexp_factor_0[inst] * ((0) - g);" in advance
    assert "gathered_v" not in advance


def test_point_process_with_net_receive(tmp_path):
    r, _, out = translate(tmp_path, POINT + "NET_RECEIVE(weight (uS), w2) { g = g + weight + w2 }\n")
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "mechanism_kind::point" in code
    assert "void receive_event(std::size_t inst, double weight) override" in code
    # Every argument is read from the event's arguments (the connection's storage),
    # 0 beyond what the event carries.
    assert "double w2 = args.size() > 1 ? args[1] : 0.0;" in code
    assert 't.event_arguments = {"weight", "w2"};' in code
    assert "t.assigns_event_arguments" not in code  # read only: no write back
    assert "args[1] = w2" not in code
    assert "ctx.i[node_index[inst]] += mfact * (i);" in code  # nA scaled by 100/area


NET_RECEIVE_ALL = """NET_RECEIVE(w (uS), scale, tlast (ms)) {
    INITIAL { tlast = -1 }
    if (flag == 0) {
        g = g + w*scale
        tlast = t
        net_send(2, 1)
    } else if (flag == 1) {
        net_event(t)
    }
}
"""


def test_net_receive_arguments_initial_flag_net_send_net_event(tmp_path):
    text = POINT.replace("INITIAL { g = 0 }", "INITIAL {\n    g = 0\n    net_send(5, 3)\n}")
    r, _, out = translate(tmp_path, text + NET_RECEIVE_ALL)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert 't.event_arguments = {"w", "scale", "tlast"};' in code
    for flag in ("assigns_event_arguments", "has_net_receive_initial", "sends_self_events", "emits_spikes"):
        assert f"t.{flag} = true;" in code
    # Assigned arguments are written back to the connection's storage, the others not.
    assert "if (args.size() > 2) args[2] = tlast;" in code
    assert "args[0] = w" not in code and "args[1] = scale" not in code
    assert "if (flag == 0.0) {" in code
    # net_send in NET_RECEIVE carries the event's arguments; in INITIAL none.
    assert "mechanism::net_send(inst, t, 2.0, 1.0, args);" in code
    assert "mechanism::net_send(inst, t, 5.0, 3.0, std::span<double>());" in code
    assert "mechanism::net_event(inst, t);" in code
    # NET_RECEIVE's INITIAL becomes net_receive_initial, not part of net_receive.
    initial = code[code.index("void net_receive_initial"):]
    assert "tlast = -1.0;" in initial and "if (args.size() > 2) args[2] = tlast;" in initial
    receive = code[code.index("void net_receive(std::size_t inst"):code.index("void net_receive_initial")]
    assert "tlast = -1.0;" not in receive


def test_net_receive_without_initial_or_assignment_keeps_no_storage(tmp_path):
    r, _, out = translate(tmp_path, POINT + "NET_RECEIVE(w, w2) { g = g + w*w2 }\n")
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "t.has_net_receive_initial" not in code and "t.assigns_event_arguments" not in code


def test_event_constructs_that_are_refused(tmp_path):
    r, mod, _ = translate(tmp_path, POINT + "NET_RECEIVE(weight) {\n    g = g + weight\n    net_move(t + 1)\n}\n")
    assert r.returncode == 1
    assert f"{mod}:17: error: net_move" in r.stderr
    assert "supported in an ARTIFICIAL_CELL only" in r.stderr
    r, _, _ = translate(tmp_path, POINT + "NET_RECEIVE(weight) { INITIAL { net_send(1, 1) } g = g + weight }\n")
    assert r.returncode == 1 and "net_send/net_event in NET_RECEIVE's INITIAL block is not supported" in r.stderr
    bp = POINT.replace("    i = g*(v - e)\n", "    i = g*(v - e)\n    net_send(1, 1)\n")
    r, _, _ = translate(tmp_path, bp + "NET_RECEIVE(weight) { g = g + weight }\n")
    assert r.returncode == 1 and "only NET_RECEIVE and INITIAL can send self-events" in r.stderr
    ini = POINT.replace("INITIAL { g = 0 }", "INITIAL { net_event(t) }")
    r, _, _ = translate(tmp_path, ini + "NET_RECEIVE(weight) { g = g + weight }\n")
    assert r.returncode == 1 and "only NET_RECEIVE can emit a spike" in r.stderr
    r, _, _ = translate(tmp_path, POINT.replace("INITIAL { g = 0 }", "INITIAL { net_send(1, 1) }"))
    assert r.returncode == 1 and "net_send needs a NET_RECEIVE block" in r.stderr
    r, _, _ = translate(tmp_path, POINT + "NET_RECEIVE(weight) { net_send(1) }\n")
    assert r.returncode == 1 and "net_send takes (delay, flag)" in r.stderr
    r, _, _ = translate(tmp_path, POINT + "NET_RECEIVE(weight) { g = g + flg }\n")
    assert r.returncode == 1 and "NET_RECEIVE: unknown name 'flg'" in r.stderr
    r, _, _ = translate(tmp_path, HEADER + "BREAKPOINT { i = g*v }\nNET_RECEIVE(w) { }\n")
    assert r.returncode == 1 and "only a POINT_PROCESS can receive events" in r.stderr


def test_electrode_current_and_time(tmp_path):
    text = """NEURON { POINT_PROCESS Pulse RANGE amp, i ELECTRODE_CURRENT i }
PARAMETER { amp = 1 (nA) }
ASSIGNED { i (nA) }
BREAKPOINT {
    at_time(1)
    if (t < 1) { i = amp } else { i = 0 }
}
"""
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "return -i;" in code  # an electrode current enters the cell
    assert "times.push_back(1.0);" in code  # at_time: a discontinuity for CVODE
    assert "const double i_plus = breakpoint(v + 0.001);" in code  # NEURON's numerical di/dv


def test_unknown_names_are_refused_before_cpp(tmp_path):
    r, _, _ = translate(tmp_path, HEADER + "BREAKPOINT { i = g*(v - erev) }\n")
    assert r.returncode == 1
    assert "BREAKPOINT: unknown name 'erev'" in r.stderr
    r, _, _ = translate(tmp_path, HEADER + "BREAKPOINT { i = g*v*t }\n")
    assert r.returncode == 0, r.stderr  # t is available in BREAKPOINT
    r, _, _ = translate(tmp_path, HEADER.replace("ASSIGNED", "STATE { x }\nASSIGNED") +
                        "BREAKPOINT {\n SOLVE s METHOD cnexp\n i = g*x*v\n}\nDERIVATIVE s { x' = -x*t }\n")
    assert r.returncode == 1
    assert "DERIVATIVE s: unknown name 't' (t and dt are available in BREAKPOINT" in r.stderr


POOL = """NEURON {
    SUFFIX pool
    USEION ca READ ica WRITE cai
    RANGE tau
}
UNITS { FARADAY = (faraday) (coulombs) }
PARAMETER { tau = 100 (ms) }
ASSIGNED { ica (mA/cm2) }
STATE { cai (mM) }
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states { cai' = -ica/(2*FARADAY*0.1) - (cai - 1e-4)/tau }
INITIAL { cai = 1e-4 }
"""


def test_calcium_pool_writes_its_state_into_the_ion(tmp_path):
    r, _, out = translate(tmp_path, POOL)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    # NEURON 8.2's FARADAY (h.FARADAY), the ion use with cai held by state 0.
    assert "constexpr double FARADAY = 96485.33212331001;" in code
    assert 't.ions.push_back({"ca", 0, false, false, false, true, false, true, false, 0, -1});' in code
    # ica is read from the ion at the instance's node; no current is written.
    assert "const double ica = ions_[0]->i[node_index[inst]];" in code
    assert "ctx.i[" not in code


def test_ion_currents_accumulate_into_the_ion(tmp_path):
    text = """NEURON {
    SUFFIX cachan
    USEION ca READ eca, cai WRITE ica
    RANGE g
}
PARAMETER { g = .001 (S/cm2) }
ASSIGNED { v (mV) eca (mV) cai (mM) ica (mA/cm2) }
BREAKPOINT { ica = g*(v - eca) }
"""
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "const double eca = ions_[0]->e[node_index[inst]];" in code
    assert "const double cai = ions_[0]->ci[node_index[inst]];" in code
    assert "double* ion_i_0 = ions_[0]->i.data();" in code
    assert "ion_i_0[node_index[inst]] += ica;" in code
    assert "ion_didv_0[node_index[inst]] += (g);" in code


def test_unknown_ion_needs_its_valence(tmp_path):
    text = HEADER.replace("    RANGE g\n", "    RANGE g\n    USEION xx READ exx\n") + "BREAKPOINT { i = g*(v - exx) }\n"
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 1
    assert "USEION xx: an ion other than na, k, ca needs its valence" in r.stderr
    assert not out.exists()
    r, _, out = translate(tmp_path, text.replace("READ exx", "READ exx VALENCE -1"))
    assert r.returncode == 0, r.stderr
    assert 't.ions.push_back({"xx", -1, true,' in out.read_text()


def test_writing_a_reversal_potential_is_refused(tmp_path):
    text = POOL.replace("WRITE cai", "WRITE eca")
    r, _, _ = translate(tmp_path, text)
    assert r.returncode == 1 and "USEION ca WRITE eca: a mechanism can write ica, cai, cao" in r.stderr


def test_an_assigned_concentration_beside_states_is_refused(tmp_path):
    # Not implemented (NEURON computes it in nrn_cur with currents, and
    # nocmodl refuses the assignment after a SOLVE without currents), so
    # refused with the USEION's line.
    text = POOL.replace("WRITE cai", "WRITE cai, cao").replace("ASSIGNED { ica (mA/cm2) }",
                                                                "ASSIGNED { ica (mA/cm2) cao (mM) }")
    r, mod, _ = translate(tmp_path, text)
    assert r.returncode == 1
    assert f"{mod}:3: error: USEION ... WRITE cao: a concentration written as an ASSIGNED value" in r.stderr
    assert "is supported only as `cao = <a STATE>` in the state block" in r.stderr


def test_an_assigned_concentration_with_currents_is_stored_by_the_current(tmp_path):
    # With currents NEURON computes it in nrn_cur and stores it into the ion
    # at the end; there is then no update in advance_states.
    text = EQUILIBRIUM.replace("RANGE k", "RANGE k\n    NONSPECIFIC_CURRENT il").replace(
        "ica (mA/cm2)", "ica (mA/cm2) il (mA/cm2) v (mV)").replace("BREAKPOINT { update() }",
                                                                   "BREAKPOINT { update() il = 1e-4*v }")
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    current = code[code.index("void current"):code.index("double observe")]
    # (a PROCEDURE call: NEURON's numerical di/dv, cai left as computed at v)
    assert current.index("ctx.i[node_index[inst]] += i_at;") < current.index("ions_[0]->ci[node_index[inst]] = cai;")
    assert "void advance_states" not in code


EQUILIBRIUM = """NEURON {
    SUFFIX eq
    USEION ca READ ica WRITE cai
    RANGE k
}
PARAMETER { k = 0.1 (mM cm2/mA) }
ASSIGNED { ica (mA/cm2) cai (mM) }
INITIAL { update() }
BREAKPOINT { update() }
PROCEDURE update() { cai = 1e-4 - k*ica }
"""


def test_an_assigned_concentration_is_the_ions_value(tmp_path):
    # As nocmodl: loaded from the ion at a block's start, stored back at its
    # end; with no STATEs and currents the BREAKPOINT runs in advance_states
    # (NEURON's nrn_state), and the ion use names no state for cai.
    r, _, out = translate(tmp_path, EQUILIBRIUM)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert 't.ions.push_back({"ca", 0, false, false, false, true, false, true, false, -1, -1});' in code
    assert code.count("double cai = ions_[0]->ci[node_index[inst]];") == 3  # INITIAL, observe, update
    assert code.count("ions_[0]->ci[node_index[inst]] = cai;") == 2  # INITIAL and the update
    update = code[code.index("void advance_states"):]
    assert "cai = 1e-4 - k * ica;" in update and "ions_[0]->ci[node_index[inst]] = cai;" in update


CASYN = """NEURON {
    POINT_PROCESS CaSyn
    USEION ca READ eca WRITE ica
    RANGE g
}
PARAMETER { g = 0.001 (uS) }
ASSIGNED { v (mV) eca (mV) ica (nA) }
BREAKPOINT { ica = g*(v - eca) }
"""


def test_a_point_process_ion_current_is_a_density_at_its_node(tmp_path):
    # NEURON: the nA current over the segment's area (100/area), into the
    # node's accumulated ica and di/dv as well as its membrane current.
    r, _, out = translate(tmp_path, CASYN)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "const double eca = ions_[0]->e[node_index[inst]];" in code
    assert "ion_i_0[node_index[inst]] += mfact * ica;" in code
    assert "ion_didv_0[node_index[inst]] += mfact * (g);" in code
    assert "ctx.i[node_index[inst]] += mfact * (ica);" in code


def test_a_point_process_writing_a_concentration_is_refused(tmp_path):
    text = CASYN.replace("WRITE ica", "WRITE ica, cai").replace("ica (nA) }", "ica (nA) cai (mM) }")
    r, mod, _ = translate(tmp_path, text)
    assert r.returncode == 1
    assert f"{mod}:3: error: USEION ca WRITE cai: a POINT_PROCESS writing a concentration" in r.stderr


def test_read_ion_values_cannot_be_assigned(tmp_path):
    text = POOL.replace("INITIAL { cai = 1e-4 }", "INITIAL { cai = 1e-4 ica = 0 }")
    r, _, _ = translate(tmp_path, text)
    assert r.returncode == 1 and "INITIAL: assignment to 'ica' is not supported" in r.stderr


TABLED = """NEURON {
    SUFFIX tk
    USEION k READ ek WRITE ik
    RANGE gbar
    GLOBAL shift, ninf, ntau
}
PARAMETER { gbar = 0.01 (S/cm2) shift = 0 (mV) }
STATE { n }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) ninf ntau (ms) }
INITIAL { rates(v) n = ninf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n*(v - ek)*scale(v)
}
DERIVATIVE states { rates(v) n' = (ninf - n)/ntau }
PROCEDURE rates(v (mV)) {
    TABLE ninf, ntau DEPEND shift FROM -100 TO 100 WITH 200
    ninf = 1/(1 + exp(-(v - shift + 50)/4))
    ntau = 1 + 4*exp(-((v + 50)/10)^2)
}
FUNCTION scale(v (mV)) {
    TABLE FROM -70 TO 0 WITH 3
    scale = 1 + 0.5*tanh((v + 40)/15)
}
"""


def test_tables_are_looked_up_in_every_block(tmp_path):
    # TABLE in a PROCEDURE and a FUNCTION (src/nmodl/tables.py): every call,
    # including CVODE's derivatives and Jacobian, goes through the lookup,
    # which falls back to the body when the global usetable is 0.
    r, _, out = translate(tmp_path, TABLED)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert '{"usetable", "1", 1.0}' in code  # a global, default 1 as NEURON's usetable_<suffix>
    assert code.count("table_rates(v, ninf, ntau);") == 4  # INITIAL, cnexp, derivatives, Jacobian
    assert "table_scale(v)" in code
    assert "build_table_rates();" in code and "build_table_scale();" in code
    assert "for (int i = 0; i < 201; x += dx, ++i) {" in code  # NEURON's points, by repeated addition
    assert "if (xi >= 3.0) return tb[3];" in code  # clamped above
    assert "const double i_plus = breakpoint(v + 0.001" in code  # tabled function: numerical di/dv


def test_table_refusals_name_file_line_and_reason(tmp_path):
    # DEPEND on a RANGE variable: NEURON would tabulate the first instance's value.
    r, mod, _ = translate(tmp_path, TABLED.replace("RANGE gbar", "RANGE gbar, shift")
                          .replace("GLOBAL shift, ninf", "GLOBAL ninf"))
    assert r.returncode == 1
    assert f"{mod}:17: error: TABLE in PROCEDURE rates: DEPEND shift: shift is a RANGE variable" in r.stderr
    # A body reading a per-instance value.
    r, mod, _ = translate(tmp_path, TABLED.replace("ntau = 1 + 4", "ntau = gbar + 4"))
    assert r.returncode == 1
    assert f"{mod}:17: error: PROCEDURE rates (tabled): unknown name 'gbar'" in r.stderr
    assert "first instance" in r.stderr
    # Two arguments.
    r, mod, _ = translate(tmp_path, TABLED.replace("FUNCTION scale(v (mV))", "FUNCTION scale(v (mV), w)")
                          .replace("scale(v)\n", "scale(v, 1)\n"))
    assert r.returncode == 1
    assert f"{mod}:22: error: TABLE in FUNCTION scale: a table needs exactly one argument" in r.stderr
    # The name usetable is Ranvier's switch.
    r, _, _ = translate(tmp_path, TABLED.replace("shift = 0 (mV) }", "shift = 0 (mV) usetable = 1 }"))
    assert r.returncode == 1 and "the name 'usetable' is Ranvier's switch of the TABLEs" in r.stderr


def test_corpus_constructs(tmp_path):
    # Numbers with units (the number, as nocmodl), UNITS (k) and (e) with
    # NEURON 8.2's values, top-level LOCALs as per-type statics, PROTECT,
    # UNITSOFF, an ion variable in PARAMETER (still the ion's).
    text = """NEURON { SUFFIX q USEION k READ ek WRITE ik RANGE g }
UNITS { k = (k) (joule/degC) e = (e) (coulombs) }
PARAMETER { g = .001 (S/cm2) ek (mV) }
ASSIGNED { v (mV) ik (mA/cm2) celsius (degC) }
LOCAL s
BREAKPOINT {
    UNITSOFF
    PROTECT s = s + 1
    ik = g*(v - ek)*exp(.01(/mV)*e/k*1e-20*v)
}
"""
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "constexpr double k = 1.380649e-23;" in code
    assert "constexpr double e = 1.602176634e-19;" in code
    assert "mutable double s = 0;" in code and "s = s + 1.0;" in code
    assert "0.01 * e / k" in code
    assert "ions_[0]->e[node_index[inst]]" in code and '"ek"' not in code


def test_a_mechanism_writing_nothing_translates(tmp_path):
    # NEURON's release.mod: states driven by cai, no current, no concentration written.
    text = """NEURON { SUFFIX rel USEION ca READ cai }
ASSIGNED { cai (mM) }
STATE { x }
BREAKPOINT { SOLVE s METHOD cnexp }
DERIVATIVE s { x' = cai - x }
"""
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    assert "(void)ctx;" in out.read_text()


def test_table_over_two_lines_and_a_header_quoted_in_a_comment(tmp_path):
    # TABLE's FROM on the next line is not a FROM loop; a COMMENT quoting
    # `PROCEDURE rates(` does not take the place of the definition.
    text = "COMMENT\nPROCEDURE rates(v) is quoted here\nENDCOMMENT\n" + TABLED.replace(
        "DEPEND shift FROM", "DEPEND shift\n        FROM")
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    assert out.read_text().count("table_rates(v, ninf, ntau);") == 4
    # A FROM loop whose bounds are not constants is refused with its line.
    loop = TABLED.replace("INITIAL { rates(v) n = ninf }", "INITIAL {\n rates(v)\n FROM i = 0 TO g { n = ninf }\n}")
    r, mod, _ = translate(tmp_path, loop)
    assert r.returncode == 1 and f"{mod}:12: error: FROM's upper bound 'g' must be an integer constant" in r.stderr


ANNULI = """NEURON {
    SUFFIX ann
    USEION ca READ cao, ica WRITE cai, ica
    GLOBAL vol
}
DEFINE N 3
CONSTANT { scale = 2 (1) }
PARAMETER { D = .6 (um2/ms) k = 1 (/ms) }
ASSIGNED { diam (um) cao (mM) cai (mM) ica (mA/cm2) vol[N] fl (mM/ms) }
STATE { c[N] (mM) }
LOCAL w[N]
INITIAL {
    FROM i = 0 TO N-1 {
        vol[i] = scale*diam*(i + 1)
        w[i] = i
        c[i] = cai
    }
}
BREAKPOINT {
    SOLVE s METHOD sparse
    ica = 0
}
KINETIC s {
    COMPARTMENT i, vol[i] {c}
    ~ c[0] << (-ica*k)
    fl = f_flux
    FROM i = 0 TO N-2 {
        ~ c[i] <-> c[i+1] (D*w[i+1], D)
    }
    cai = c[0]
}
FUNCTION steady() {
    SOLVE s STEADYSTATE sparse
    steady = cai
}
"""


def test_arrays_defines_loops_and_compartments(tmp_path):
    # cabpump's constructs, each general: DEFINE, CONSTANT, STATE/ASSIGNED/LOCAL
    # arrays with FROM loops (unrolled), an indexed COMPARTMENT, a flux reaction
    # (<<), f_flux, diam at the node, cai = c[0] (the ion's value is the state's),
    # ica read as the ion's current outside BREAKPOINT, and an uncalled FUNCTION
    # with a SOLVE dropped with a note.
    r, _, out = translate(tmp_path, ANNULI)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert '{"c[0]", "mM", 0.0}, {"c[1]", "mM", 0.0}, {"c[2]", "mM", 0.0}' in code  # probes name c[0]
    assert "constexpr double scale = 2.0;" in code
    assert "const double diam = diam_[node_index[inst]];" in code
    assert "vol_2 = scale * diam * ((2.0) + 1.0);" in code  # the loop unrolled, i replaced
    assert "mutable double w_0 = 0, w_1 = 0, w_2 = 0;" in code  # a top-level LOCAL array: per-type statics
    assert 't.ions.push_back({"ca", 0, false, false, true, true, true, true, false, 0, -1});' in code
    assert "double ica = ions_[0]->i[node_index[inst]];" in code  # the ion's current in the KINETIC block
    assert "sparse_update<3>(nmodl_eigen_j, nmodl_eigen_f, nmodl_eigen_x, false);" in code
    assert "// FUNCTION steady (line 32) is not translated: it contains a SOLVE" in code
    # Called, the FUNCTION with a SOLVE is refused with its line.
    r, mod, _ = translate(tmp_path, ANNULI.replace("    ica = 0\n", "    ica = 0*steady()\n"))
    assert r.returncode == 1 and f"{mod}:32: error: FUNCTION steady: a SOLVE inside a FUNCTION" in r.stderr


def test_array_errors_name_their_line(tmp_path):
    cases = [
        (ANNULI.replace("vol[i] = scale", "vol[i+3] = scale"), 13, "vol[3]: index out of range (0 to 2)"),  # (an unrolled loop: the FROM's line)
        (ANNULI.replace("    cai = c[0]\n", "    cai = c[0] + c\n"), 30, "array c used without an index"),
        (ANNULI.replace("FROM i = 0 TO N-2", "FROM i = 0 TO D"), 27, "FROM's upper bound 'D'"),
        (ANNULI.replace("PARAMETER { D", "PARAMETER { q[2] D"), 8, "PARAMETER q[...]: array parameters"),
        (ANNULI.replace("    cai = c[0]\n", "    cai = c[0]*2\n"), 3, "USEION ... WRITE cai: a concentration"),
        # NEURON gives b_flux = the flux after a << reaction, NMODL's visitor 0: refused.
        (ANNULI.replace("    fl = f_flux\n", "    fl = b_flux\n"), 26, "b_flux after a flux reaction"),
    ]
    for text, line, message in cases:
        r, mod, _ = translate(tmp_path, text)
        assert r.returncode == 1, message
        assert f"{mod}:{line}: error: {message}" in r.stderr, (message, r.stderr)


def test_nonlinear_sparse_iterates_as_neuron(tmp_path):
    # A reaction of two species: NEURON's sparse iterates while the sum of
    # |dx| > 1e-6, keeps states >= 0, and evaluates the block once more at
    # the new states (what it assigns from them ends there).
    text = ANNULI.replace("    cai = c[0]\n", "    ~ c[0] + c[1] <-> c[2] (k, k)\n    cai = c[0]\n")
    r, _, out = translate(tmp_path, text)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "if (!(sparse_update<3>(nmodl_eigen_j, nmodl_eigen_f, nmodl_eigen_x, true) > 1e-6)) break;" in code
    assert "// The block's assignments at the new states" in code
    assert "if (ctx.variable_step) {" in code  # nrn_cur's KINETIC prelude under CVODE


def test_state_tolerances_are_cvode_atol_factors(tmp_path):
    # STATE { c[N] (mM) <1e-6> }: NEURON multiplies atol by it per state.
    r, _, out = translate(tmp_path, ANNULI.replace("STATE { c[N] (mM) }", "STATE { c[N] (mM) <1e-6> }"))
    assert r.returncode == 0, r.stderr
    assert "t.state_atol_scale = {1e-06, 1e-06, 1e-06};" in out.read_text()
    r, _, out = translate(tmp_path, ANNULI)
    assert "state_atol_scale" not in out.read_text()


ARTIFICIAL = """NEURON {
    ARTIFICIAL_CELL Leaky
    RANGE tau, m
}
PARAMETER { tau = 10 (ms) }
ASSIGNED { m t0 (ms) }
INITIAL { m = 0 t0 = t net_send(5, 1) }
NET_RECEIVE(w) {
    m = m*exp(-(t - t0)/tau) + w
    t0 = t
    if (flag == 1) {
        net_event(t)
        net_send(5, 1)
    } else {
        net_move(t + 5)
    }
}
"""


def test_artificial_cell_is_a_point_process_without_breakpoint(tmp_path):
    r, _, out = translate(tmp_path, ARTIFICIAL)
    assert r.returncode == 0, r.stderr
    code = out.read_text()
    assert "t.artificial_cell = true;" in code and "t.moves_self_events = true;" in code
    assert "mechanism::net_move(inst, t, t + 5.0);" in code
    assert "ranvier::cable::mechanism_kind::point" in code


def test_artificial_cell_refuses_what_needs_a_membrane(tmp_path):
    for extra, word in (("BREAKPOINT { m = 1 }\n", "BREAKPOINT"), ("STATE { x }\n", "STATE"),
                        ("PROCEDURE p() { m = v }\n", "v"),
                        ("DERIVATIVE d { m' = -m }\n", "DERIVATIVE")):
        r, mod, _ = translate(tmp_path, ARTIFICIAL + extra)
        assert r.returncode == 1 and f"{mod}:18: error: {word}:" in r.stderr, (word, r.stderr)
    r, mod, _ = translate(tmp_path, ARTIFICIAL.replace("RANGE tau, m", "RANGE tau, m\n    USEION ca READ cai"))
    assert r.returncode == 1 and f"{mod}:4: error: USEION" in r.stderr, r.stderr
    r, mod, _ = translate(tmp_path, ARTIFICIAL.replace("t0 = t net_send(5, 1)", "t0 = t net_move(5)"))
    assert r.returncode == 1 and "net_move: only NET_RECEIVE can move its self-event" in r.stderr, r.stderr
