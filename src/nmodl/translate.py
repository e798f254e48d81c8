#!/usr/bin/python3
"""Translates an NMODL mechanism (.mod) into a C++ class implementing Ranvier's
mechanism interface (src/cable/mechanisms/mechanism.hpp).

Front end: Debian's python3-nmodl (the NMODL framework's parser, AST, symbol
table and inliner). Back end: this file. SymPy (a dependency of python3-nmodl)
gives the exact di/dv of the currents, the Jacobian diagonal of each ODE and
the cnexp solution. See docs/nmodl.md for the supported subset and the plan.

    /usr/bin/python3 src/nmodl/translate.py FILE.mod --cpp OUT.cpp --hpp OUT.hpp

Prints `file:line: message` and exits 1 when the file uses what is not
supported (yet); exits 2 on a bad command line.
"""

import argparse
import contextlib
import os
import re
import sys

import sympy as sp
from sympy.printing.c import C99CodePrinter
from sympy.printing.precedence import precedence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import tables  # TABLE statements (src/nmodl/tables.py)
    from nmodl import dsl
    from nmodl.dsl import ast, symtab, visitor
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("translate.py: python3-nmodl is not installed (scripts/setup.sh installs it)\n")
    sys.exit(1)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arrays  # noqa: E402  (DEFINE, FROM loops, array variables: rewritten as scalars)
import flux_names  # noqa: E402  (b_flux after a flux reaction: refused)
import net_receive  # noqa: E402  (NET_RECEIVE's arguments, flags, net_send, net_event)
import solve_functions  # noqa: E402  (uncalled FUNCTIONs with a SOLVE: dropped)
import artificial  # noqa: E402  (ARTIFICIAL_CELL, net_move)
import rewrite  # noqa: E402  (exponentials grouped, divisions counted: SymPy only)
from source_lines import code_lines  # noqa: E402  (the text outside comments)


class TranslationError(Exception):
    """A problem with the user's file: reported as file:line: message."""

    def __init__(self, message, line=0):
        super().__init__(message)
        self.line = line


# ---------------------------------------------------------------------------
# Constructs refused with their line. Debian's python3-nmodl 0.5 does not
# expose token positions to Python, so refused keywords are located by a
# lexical scan of the source (comments skipped), before parsing.

REFUSED_KEYWORDS = {
    "VERBATIM": "VERBATIM blocks (C code inside NMODL) cannot be translated",
    "POINTER": "POINTER variables (references into other mechanisms) are not supported",
    "BBCOREPOINTER": "BBCOREPOINTER variables are not supported",
    "EXTERNAL": "EXTERNAL variables are not supported",
    "LONGITUDINAL_DIFFUSION": "LONGITUDINAL_DIFFUSION is not supported",
    "LINEAR": "LINEAR blocks are not supported yet",
    "NONLINEAR": "NONLINEAR blocks are not supported yet",
    "FUNCTION_TABLE": "FUNCTION_TABLE is not supported",
    "WATCH": "WATCH statements are not supported",
    "FOR_NETCONS": "FOR_NETCONS is not supported",
    "LAG": "LAG statements are not supported",
    "DISCRETE": "DISCRETE blocks are not supported",
    "PARTIAL": "PARTIAL blocks are not supported",
    "TERMINAL": "TERMINAL blocks are not supported",
    "MATCH": "MATCH blocks are not supported",
    "CONSTRUCTOR": "CONSTRUCTOR blocks are not supported",
    "DESTRUCTOR": "DESTRUCTOR blocks are not supported",
    "BEFORE": "BEFORE blocks are not supported",
    "AFTER": "AFTER blocks are not supported",
    "WHILE": "WHILE loops are not supported yet",
}


def scan_refused(text):
    """First refused keyword outside comments: (keyword, line) or None."""
    in_table = False  # between TABLE and its WITH (a TABLE may span lines)
    for number, line in code_lines(text):
        words = re.findall(r"[A-Za-z_][A-Za-z_0-9]*", line)
        for word in words:
            if word in ("TABLE", "WITH"):
                in_table = word == "TABLE"
            if word == "FROM" and in_table:
                continue  # TABLE ... FROM lo TO hi WITH n (src/nmodl/tables.py), not a loop
            if word in REFUSED_KEYWORDS:
                return word, number
    return None


# ---------------------------------------------------------------------------
# Names

CPP_RESERVED = set("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t
char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
co_return co_yield decltype default delete do double dynamic_cast else enum explicit export
extern false float for friend goto if inline int long mutable namespace new noexcept not not_eq
nullptr operator or or_eq private protected public register reinterpret_cast requires return
short signed sizeof static static_assert static_cast struct switch template this thread_local
throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t while
xor xor_eq std inst count node ctx states dstates jacobian data_ size exp pow fabs log sqrt
v_of_node node_index param
""".split())

# Names the generated code declares around the user's (array pointers,
# gathered values, hoisted invariants).
GENERATED_NAME = re.compile(
    r"(param|state|assigned|out|invariant|ion_i|ion_didv|cnexp_factor|exp_group|reciprocal_of)_\d+|gathered_\w+|count_")


def reserved(name):
    return name in CPP_RESERVED or GENERATED_NAME.fullmatch(name) is not None


MATH_FUNCTIONS = {
    # exp: fast_exp.hpp's polynomial, guarded (within 1 ulp of std::exp over the
    # whole range): a library call would keep the loops from vectorising.
    "exp": "ranvier::cable::guarded_exp", "log": "std::log", "log10": "std::log10", "sqrt": "std::sqrt",
    "fabs": "std::fabs", "sin": "std::sin", "cos": "std::cos", "tan": "std::tan",
    "tanh": "std::tanh", "sinh": "std::sinh", "cosh": "std::cosh", "atan": "std::atan",
    "asin": "std::asin", "acos": "std::acos", "pow": "std::pow", "floor": "std::floor",
    "ceil": "std::ceil", "fmin": "std::fmin", "fmax": "std::fmax",
}

SYMPY_FUNCTIONS = {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "fabs": sp.Abs, "sin": sp.sin,
                   "cos": sp.cos, "tan": sp.tan, "tanh": sp.tanh, "sinh": sp.sinh,
                   "cosh": sp.cosh, "pow": sp.Pow}

# NEURON's built-in ions and their valences; any other ion needs USEION ... VALENCE.
BUILTIN_VALENCE = {"na": 1, "k": 1, "ca": 2}

# UNITS factors (NAME = (unit1) (unit2)) the translator knows: NEURON 8.2's
# values (CODATA 2018, h.FARADAY and h.R), as the value of unit1 in unit2.
UNIT_FACTORS = {
    ("faraday", "coulombs"): 96485.33212331001,
    ("faraday", "coulomb"): 96485.33212331001,
    ("faraday", "kilocoulombs"): 96.48533212331001,
    ("k-mole", "joule/degC"): 8.31446261815324,
    ("k-mole", "joule/degK"): 8.31446261815324,
    ("k-mole", "millijoule/degC"): 8314.46261815324,
    # Boltzmann's constant and the elementary charge (SI 2019, exact): the
    # doubles nocmodl 8.2 writes (0x1.0b0e6d55e647cp-76, 0x1.7a4da290c1653p-63).
    ("k", "joule/degC"): float.fromhex("0x1.0b0e6d55e647cp-76"),
    ("k", "joule/degK"): float.fromhex("0x1.0b0e6d55e647cp-76"),
    ("e", "coulombs"): float.fromhex("0x1.7a4da290c1653p-63"),
    ("e", "coulomb"): float.fromhex("0x1.7a4da290c1653p-63"),
    ("pi", "1"): float.fromhex("0x1.921fb54442d18p+1"),
}


def ion_variables(ion):
    """NEURON's names of an ion's variables: (e, inside, outside, current)."""
    return ("e" + ion, ion + "i", ion + "o", "i" + ion)


def name_of(node):
    return node.get_node_name()


def unit_text(unit_node):
    if unit_node is None:
        return "1"
    text = dsl.to_nmodl(unit_node).strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text or "1"


def number_text(value):
    """A C++ double literal for an NMODL number (every NMODL number is a double)."""
    text = str(value)
    if re.fullmatch(r"[+-]?\d+", text):
        return text + ".0"
    if text.startswith("."):
        text = "0" + text
    return text


# ---------------------------------------------------------------------------
# The mechanism as read from the AST

class Mechanism:
    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.suffix = None
        self.point = False     # POINT_PROCESS (currents in nA) rather than SUFFIX
        self.electrode = []    # ELECTRODE_CURRENT names (inward: counted with a minus sign)
        self.net_receive = None  # the NET_RECEIVE block
        self.implicit = None     # DERIVATIVE block solved by NMODL (derivimplicit, sparse)
        self.steady_state = False  # INITIAL has SOLVE ... STEADYSTATE
        self.newton_used = False
        self.parameters = []   # (name, unit, default) per instance (RANGE PARAMETERs)
        self.globals = []      # (name, unit, default) one per group
        self.states = []       # (name, unit)
        self.state_tolerances = []  # per state, the file's <tol> (CVODE's atol factor), 1 if none
        self.assigned = []     # ASSIGNED values, kept per instance between blocks
        self.ions = []         # (ion, reads, writes, valence or 0)
        self.ion_reads = {}    # name -> (ion index, field: e, ci, co, i): values loaded from the ion
        # Written concentrations that are ASSIGNED, not STATEs: name -> (ion index,
        # field ci or co). As NEURON, the ion's value itself: loaded at the start of
        # a block and stored back at its end.
        self.ion_assigned = {}
        self.constants = {}    # UNITS factors (FARADAY, R) and CONSTANTs: name -> value
        self.display = {}      # array elements: scalar name -> NEURON's spelling (ca_0 -> ca[0])
        self.dropped = []      # (kind, name, line) of uncalled FUNCTIONs/PROCEDUREs with a SOLVE
        self.uses_diam = False  # reads `diam`, the segment's diameter (µm) at the instance's node
        # Ion currents both READ and WRITTEN (cabpump's ica): outside BREAKPOINT
        # the ion's accumulated current at the node (NEURON's `ica = _ion_ica`).
        self.current_reads = {}
        # Concentrations written as ASSIGNED values that the state block sets
        # to a STATE (`cai = ca[0]` in KINETIC): name -> state. As NEURON's
        # _ode_synonym, the ion's value is that state's (mechanism_type's ci_state).
        self.synonyms = {}
        self.nonspecific = []  # current names
        self.currents = []     # every current the BREAKPOINT writes
        self.solve = None      # (block, method)
        self.breakpoint = None
        self.initial = None
        self.derivative = None

    def known_names(self):
        """Every name a block may use: v, parameters, globals, states,
        ASSIGNED values, currents and read reversal potentials."""
        return ({"v"} | {p[0] for p in self.parameters + self.globals} | {st[0] for st in self.states}
                | set(self.assigned) | set(self.currents) | set(self.ion_reads) | set(self.ion_assigned)
                | set(self.constants) | ({"diam"} if self.uses_diam else set())
                | set(getattr(self, "module_locals", ())))


@contextlib.contextmanager
def quiet_output():
    """Silences the NMODL library's own log lines (its inliner reports every
    renamed variable as a warning on stdout) at the file-descriptor level."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def fail(message, line=0):
    raise TranslationError(message, line)


def source_line(text, pattern):
    """Line of the first match of the regex `pattern` outside comments (0 if
    none): python3-nmodl gives no token positions (see scan_refused)."""
    for number, code in code_lines(text):
        if re.search(pattern, code):
            return number
    return 0


def read_mechanism(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    refused = scan_refused(text)
    if refused:
        fail(f"{refused[0]}: {REFUSED_KEYWORDS[refused[0]]}", refused[1])

    text_to_parse, is_artificial = artificial.prepare(text, fail)
    artificial.check_net_move(text, is_artificial, fail)

    driver = dsl.NmodlDriver()
    drivers = []  # (kept alive: a driver owns its AST, and its next parse replaces it)

    def parse(source):
        try:
            drivers.append(dsl.NmodlDriver())
            return drivers[-1].parse_string(source)
        except RuntimeError as e:
            match = re.search(r"\[Location : (\d+)\.", str(e))
            first = str(e).splitlines()[0]
            fail(first.replace("NMODL Parser Error : ", "syntax error: "), int(match.group(1)) if match else 0)
    program = parse(text_to_parse)  # (syntax errors with the file's own lines first)
    # DEFINE, FROM loops and arrays become scalars; uncalled FUNCTIONs with a
    # SOLVE are dropped. Both keep the text's lines (src/nmodl/arrays.py).
    expanded, display = arrays.expand(text_to_parse, fail)
    if expanded is not text_to_parse:
        program = parse(expanded)
    flux_names.check(expanded, fail)
    expanded, dropped = solve_functions.drop_uncalled(program, expanded, fail)
    if dropped:
        program = parse(expanded)
    text_for_tables = expanded
    # Tabled PROCEDUREs/FUNCTIONs are renamed name__direct so that the inliner
    # keeps their calls (evaluated by the table's lookup, src/nmodl/tables.py).
    found_tables, renamed = tables.find_tables(program, text_for_tables, fail)
    if found_tables:
        program = driver.parse_string(renamed)
    with quiet_output():
        symtab.SymtabVisitor().visit_program(program)
        # KINETIC schemes become DERIVATIVE blocks (NMODL's KineticBlockVisitor:
        # reactions to ODEs, CONSERVE kept for the implicit solver).
        visitor.KineticBlockVisitor().visit_program(program)
        symtab.SymtabVisitor().visit_program(program)
        # PROCEDUREs and FUNCTIONs are inlined where they are called (NMODL's
        # InlineVisitor), so every block becomes straight-line code plus IFs.
        visitor.InlineVisitor().visit_program(program)
        symtab.SymtabVisitor().visit_program(program)

    mech = Mechanism(path, text)
    mech.display = display
    mech.dropped = dropped
    mech.artificial = is_artificial
    lookup = visitor.AstLookupVisitor()

    suffixes = lookup.lookup(program, ast.AstNodeType.SUFFIX)
    if not suffixes:
        fail("the NEURON block has no SUFFIX")
    kind = name_of(suffixes[0].type)
    if kind not in ("SUFFIX", "POINT_PROCESS"):
        fail(f"{kind}: only density mechanisms (SUFFIX) and POINT_PROCESS are supported")
    mech.point = kind == "POINT_PROCESS"
    mech.suffix = name_of(suffixes[0].name)

    range_names = set()
    for r in lookup.lookup(program, ast.AstNodeType.RANGE):
        range_names.update(name_of(v) for v in r.variables)
    global_names = set()
    for g in lookup.lookup(program, ast.AstNodeType.GLOBAL):
        global_names.update(name_of(v) for v in g.variables)
    for e in lookup.lookup(program, ast.AstNodeType.ELECTRODE_CURRENT):
        mech.electrode.extend(name_of(c) for c in e.currents)

    for u in lookup.lookup(program, ast.AstNodeType.USEION):
        ion = name_of(u.name)
        reads = [name_of(x) for x in u.readlist]
        writes = [name_of(x) for x in u.writelist]
        valence = 0
        if u.valence is not None:
            m = re.search(r"VALENCE\s+([-+]?[\d.]+)", dsl.to_nmodl(u.valence))
            if not m or float(m.group(1)) != int(float(m.group(1))) or int(float(m.group(1))) == 0:
                fail(f"USEION {ion}: VALENCE must be a non-zero integer")
            valence = int(float(m.group(1)))
            if ion in BUILTIN_VALENCE and valence != BUILTIN_VALENCE[ion]:
                fail(f"USEION {ion} VALENCE {valence}: NEURON's {ion} ion has valence {BUILTIN_VALENCE[ion]}")
        elif ion not in BUILTIN_VALENCE:
            fail(f"USEION {ion}: an ion other than na, k, ca needs its valence (USEION {ion} ... VALENCE z)")
        e, ci, co, i = ion_variables(ion)
        for r in reads:
            if r not in (e, ci, co, i):
                fail(f"USEION {ion} READ {r}: an ion's variables are {e}, {ci}, {co}, {i}")
        for w in writes:
            if w not in (ci, co, i):
                fail(f"USEION {ion} WRITE {w}: a mechanism can write {i}, {ci}, {co}"
                     + (f" ({e} follows the concentrations by Nernst)" if w == e else ""))
        index = len(mech.ions)
        fields = {e: "e", ci: "ci", co: "co", i: "i"}
        for r in reads:
            if r not in writes:
                mech.ion_reads[r] = (index, fields[r])
            elif r == i:
                mech.current_reads[r] = index
        mech.ions.append((ion, reads, writes, valence))
    for f in lookup.lookup(program, ast.AstNodeType.FACTOR_DEF):
        name = name_of(f.name)
        if f.value is not None or f.unit2 is None:
            continue  # a plain unit definition, or a number given in the file (below)
        key = (unit_text(f.unit1), unit_text(f.unit2))
        if key not in UNIT_FACTORS:
            fail(f"UNITS {name} = ({key[0]}) ({key[1]}): unit factors known are "
                 + ", ".join(f"({a}) ({b})" for a, b in UNIT_FACTORS))
        mech.constants[name] = UNIT_FACTORS[key]
    for c in lookup.lookup(program, ast.AstNodeType.CONSTANT_VAR):
        # CONSTANT { volo = 1 (liter) }: a named constant (nocmodl's static double).
        mech.constants[name_of(c.name)] = float(dsl.to_nmodl(c.value))
    for ns in lookup.lookup(program, ast.AstNodeType.NONSPECIFIC):
        mech.nonspecific.extend(name_of(c) for c in ns.currents)

    for p in lookup.lookup(program, ast.AstNodeType.PARAM_ASSIGN):
        name = name_of(p.name)
        if name in ("celsius", "v", "dt", "t"):
            continue
        if any(name in ion_variables(ion) for ion, reads, writes, _ in mech.ions if name in reads + writes):
            continue  # khhchan's `ek (mV)` in PARAMETER: still the ion's value (as NEURON)
        value = float(dsl.to_nmodl(p.value)) if p.value is not None else 0.0
        entry = (name, unit_text(p.unit), value)
        # A point process's PARAMETERs are per instance unless GLOBAL (NEURON).
        per_instance = name in range_names or (mech.point and name not in global_names)
        (mech.parameters if per_instance else mech.globals).append(entry)

    for block in lookup.lookup(program, ast.AstNodeType.STATE_BLOCK):
        for d in block.definitions:
            if d.length is not None:
                fail(f"STATE {name_of(d.name)}[...]: array states are not supported")
            mech.states.append((name_of(d.name), unit_text(d.unit)))
            # `<1e-6>`: the state's factor of CVODE's atol (NEURON's), 1 if none.
            mech.state_tolerances.append(float(dsl.to_nmodl(d.abstol)) if d.abstol is not None else 1.0)

    uses_celsius = any(name_of(n) == "celsius" for n in lookup.lookup(program, ast.AstNodeType.VAR_NAME))
    # diam (NEURON's segment diameter, µm): read at the instance's node (mechanism::diam_).
    mech.uses_diam = any(name_of(n) == "diam" for n in lookup.lookup(program, ast.AstNodeType.VAR_NAME))
    if uses_celsius:
        mech.globals.insert(0, ("celsius", "degC", 6.3))

    state_names = {s[0] for s in mech.states}
    ion_names = {r for _, reads, _, _ in mech.ions for r in reads}
    current_names = (set(mech.nonspecific) | set(mech.electrode)
                     | {w for ion, _, writes, _ in mech.ions for w in writes if w == "i" + ion})
    # Written concentrations: STATEs (copied into the ion by the base class)
    # or ASSIGNED values (the ion's own value, mech.ion_assigned).
    mech.ion_uses = []
    for index, (ion, reads, writes, valence) in enumerate(mech.ions):
        e, ci, co, i = ion_variables(ion)
        useion_line = source_line(text, rf"\bUSEION\s+{ion}\b")
        use = {"ion": ion, "valence": valence, "read_e": e in reads, "read_ci": ci in reads,
               "read_co": co in reads, "read_i": i in reads, "write_i": i in writes,
               "write_ci": ci in writes, "write_co": co in writes, "ci_state": -1, "co_state": -1}
        for name, key in ((ci, "ci_state"), (co, "co_state")):
            if name in writes:
                if mech.point:
                    # NEURON would let every instance at a node overwrite the
                    # node's value; not validated here, so refused.
                    fail(f"USEION {ion} WRITE {name}: a POINT_PROCESS writing a concentration is not "
                         f"supported (a point process may READ {e}, {ci}, {co}, {i} and WRITE {i})",
                         useion_line)
                if name in state_names:
                    use[key] = [st[0] for st in mech.states].index(name)
                else:
                    mech.ion_assigned[name] = (index, key[:2])
        mech.ion_uses.append(use)
    mech.units = {}
    declared_assigned = []  # every ASSIGNED name, in the file's order
    for block in lookup.lookup(program, ast.AstNodeType.ASSIGNED_BLOCK):
        for d in block.definitions:
            n = name_of(d.name)
            mech.units[n] = unit_text(d.unit)
            declared_assigned.append(n)
            if (n in ("v", "celsius", "dt", "t", "diam") or n in ion_names or n in current_names
                    or n in state_names or n in mech.ion_assigned):
                continue
            mech.assigned.append(n)

    for b in program.blocks:
        if b.is_breakpoint_block():
            mech.breakpoint = b
        elif b.is_initial_block():
            mech.initial = b
        elif b.is_net_receive_block():
            if not mech.point:
                fail("NET_RECEIVE: only a POINT_PROCESS can receive events")
            mech.net_receive = b
    if mech.breakpoint is None:
        fail("the mechanism has no BREAKPOINT block")
    solves = lookup.lookup(mech.breakpoint, ast.AstNodeType.SOLVE_BLOCK)
    if len(solves) > 1:
        fail("more than one SOLVE in BREAKPOINT is not supported")
    if solves:
        method = name_of(solves[0].method) if solves[0].method is not None else "(none)"
        target = name_of(solves[0].block_name)
        if method not in ("cnexp", "derivimplicit", "sparse", "euler"):
            fail(f"SOLVE {target} METHOD {method}: the methods supported are cnexp, derivimplicit, "
                 "sparse (KINETIC) and euler")
        for d in lookup.lookup(program, ast.AstNodeType.DERIVATIVE_BLOCK):
            if name_of(d.name) == target:
                mech.derivative = d
        if mech.derivative is None:
            fail(f"SOLVE {target}: there is no DERIVATIVE or KINETIC block named {target}")
        mech.solve = (target, method)
        if method in ("derivimplicit", "sparse"):
            # Backward Euler with Newton's method, as NEURON: NMODL's
            # SympySolverVisitor writes the system and its analytic Jacobian
            # (EIGEN_NEWTON_SOLVE) on a copy; the ODEs of `program` stay as
            # written for CVODE.
            solved = program.clone()
            with quiet_output():
                symtab.SymtabVisitor().visit_program(solved)
                visitor.SympySolverVisitor().visit_program(solved)
            for d in lookup.lookup(solved, ast.AstNodeType.DERIVATIVE_BLOCK):
                if name_of(d.name) == target:
                    mech.implicit = d
            if not lookup.lookup(mech.implicit, ast.AstNodeType.EIGEN_NEWTON_SOLVER_BLOCK):
                fail(f"SOLVE {target} METHOD {method}: NMODL's solver did not give a Newton system "
                     "for this block (not supported yet)")
    elif mech.states:
        fail("the mechanism has STATEs but its BREAKPOINT has no SOLVE")
    if mech.initial is not None:
        for s in lookup.lookup(mech.initial, ast.AstNodeType.SOLVE_BLOCK):
            steady = name_of(s.steadystate) if getattr(s, "steadystate", None) is not None else None
            if steady is None or mech.solve is None or name_of(s.block_name) != mech.solve[0] \
                    or mech.implicit is None:
                fail(f"INITIAL: SOLVE {name_of(s.block_name)}: only SOLVE <the BREAKPOINT's block> "
                     "STEADYSTATE sparse|derivimplicit is supported in INITIAL")
            mech.steady_state = True

    mech.currents = (mech.nonspecific + [w for ion, _, writes, _ in mech.ions for w in writes if w == "i" + ion]
                     + mech.electrode)
    # Ion currents the BREAKPOINT adds into its ions: name -> ion index.
    mech.ion_currents = {"i" + ion: k for k, (ion, _, writes, _) in enumerate(mech.ions) if "i" + ion in writes}
    # What a probe can record ("ExpSyn.i", "Exp2Syn.g"): the currents, then
    # the RANGE ASSIGNED values, in the units the file declares.
    # Currents in the order the file declares them (ASSIGNED), as probes list them.
    declared = ([c for c in declared_assigned if c in mech.currents]
                + [c for c in mech.currents if c not in declared_assigned])
    mech.observables = [(c, mech.units.get(c, "nA" if mech.point else "mA/cm2")) for c in declared]
    mech.observables += [(a, mech.units.get(a, "1")) for a in mech.assigned if a in range_names]
    if mech.ion_assigned and mech.states:
        find_synonyms(mech, text)
    if mech.net_receive is not None:
        args = list(mech.net_receive.parameters)
        if not args:
            fail("NET_RECEIVE needs at least one argument (the weight)")
        mech.net_args = [name_of(a) for a in args]

    # Top-level LOCALs (capump's Q, s_celsius): NEURON's static variables,
    # one per mechanism type (per thread), 0 at start, kept across blocks
    # and instances; here members of the group's mechanism object.
    mech.module_locals = [name_of(v) for b in program.blocks if b.get_node_type_name() == "LocalListStatement"
                          for v in b.variables]
    tables.attach(mech, program, found_tables, fail)
    for n in ([p[0] for p in mech.parameters + mech.globals] + list(state_names) + mech.assigned
              + mech.currents + list(mech.constants) + mech.module_locals):
        if reserved(n):
            fail(f"the name '{n}' is reserved in the generated C++; rename it")
    return mech


def scheme_nonlinear(mech):
    """Some ODE of the state block is nonlinear in the states (a reaction of
    two species, cabpump's `ca[0] + pump <-> pumpca`): NEURON's sparse then
    iterates and keeps states >= 0 (nocmodl's linflag 0)."""
    states = {sp.Symbol(s, real=True) for s, _ in mech.states}
    for d in visitor.AstLookupVisitor().lookup(mech.derivative, ast.AstNodeType.DIFF_EQ_EXPRESSION):
        f = sympy_of(d.expression.rhs, None)
        if any(sp.diff(f, x).free_symbols & states for x in states):
            return True
    return False


def assignments_read_states(mech):
    """The state block assigns a value computed from the states (not an ODE)."""
    states = {s for s, _ in mech.states}
    lookup = visitor.AstLookupVisitor()
    for s in lookup.lookup(mech.derivative, ast.AstNodeType.EXPRESSION_STATEMENT):
        e = s.expression
        if e.get_node_type_name() == "BinaryExpression" and e.op.eval() == "=":
            if {name_of(n) for n in lookup.lookup(e.rhs, ast.AstNodeType.VAR_NAME)} & states or (
                    e.rhs.get_node_type_name() == "VarName" and name_of(e.rhs) in states):
                return True
    return False


def find_synonyms(mech, text):
    """A concentration written as an ASSIGNED value in a mechanism with
    STATEs: supported when the state block sets it to a STATE (cabpump's
    `cai = ca[0]` in its KINETIC block) and no other block assigns it. nocmodl
    8.2 then makes the ion's value that state's for CVODE (_ode_synonym:
    `_ion_cai = ca[0]`) and, at fixed step, stores the block's `cai` after its
    last evaluation at the new states (sparse's final call): the same value.
    So here the ion's value is the state's (ion_use::ci_state), copied as for a
    STATE concentration. Anything else stays refused (NEURON would compute it
    in nrn_cur with currents, or refuse it without)."""
    lookup = visitor.AstLookupVisitor()

    def assignments(block, name):
        return [e for e in lookup.lookup(block, ast.AstNodeType.BINARY_EXPRESSION)
                if e.op.eval() == "=" and e.lhs.get_node_type_name() == "VarName" and name_of(e.lhs) == name]
    state_names = [s[0] for s in mech.states]
    for name, (index, field) in mech.ion_assigned.items():
        top = [s.expression for s in (mech.derivative.statement_block.statements if mech.derivative else [])
               if s.get_node_type_name() == "ExpressionStatement"]
        direct = [e for e in top if e.get_node_type_name() == "BinaryExpression" and e.op.eval() == "="
                  and e.lhs.get_node_type_name() == "VarName" and name_of(e.lhs) == name
                  and e.rhs.get_node_type_name() == "VarName" and name_of(e.rhs) in state_names]
        elsewhere = sum(len(assignments(b, name)) for b in (mech.initial, mech.breakpoint, mech.net_receive)
                        if b is not None)
        if len(direct) != 1 or len(assignments(mech.derivative, name)) != 1 or elsewhere:
            fail(f"USEION ... WRITE {name}: a concentration written as an ASSIGNED value in a mechanism with "
                 f"STATEs is supported only as `{name} = <a STATE>` in the state block (cabpump's "
                 f"`cai = ca[0]`, which NEURON makes the ion's value for CVODE) and assigned nowhere else; "
                 "without STATEs its BREAKPOINT may compute it (docs/nmodl.md); make it a STATE or move "
                 "it to a mechanism of its own",
                 source_line(text, r"\bUSEION\b.*\bWRITE\b.*\b" + name + r"\b"))
        state = name_of(direct[0].rhs)
        mech.synonyms[name] = state
        mech.ion_uses[index][field + "_state"] = state_names.index(state)


# ---------------------------------------------------------------------------
# Expressions and statements to C++

# The arrays of NMODL's Newton systems (EIGEN_NEWTON_SOLVE): unknowns, residuals,
# Jacobian (column-major).
NEWTON_ARRAYS = ("nmodl_eigen_x", "nmodl_eigen_f", "nmodl_eigen_j")

# Solves J dx = f (J column-major, N unknowns; partial pivoting) and sets
# x -= dx; true once every |dx| <= 1e-14 (1 + |x|). Emitted into every
# generated file that needs it (the library includes only mechanism.hpp).
NEWTON_HELPER = """template <int N>
void newton_step(const double* jacobian, const double* f, double* dx) {
    double a[N][N + 1];
    for (int r = 0; r < N; ++r) {
        for (int c = 0; c < N; ++c) a[r][c] = jacobian[r + N * c];
        a[r][N] = f[r];
    }
    for (int c = 0; c < N; ++c) {
        int p = c;
        for (int r = c + 1; r < N; ++r)
            if (std::fabs(a[r][c]) > std::fabs(a[p][c])) p = r;
        if (p != c)
            for (int k = 0; k <= N; ++k) std::swap(a[c][k], a[p][k]);
        for (int r = c + 1; r < N; ++r) {
            const double m = a[r][c] / a[c][c];
            for (int k = c; k <= N; ++k) a[r][k] -= m * a[c][k];
        }
    }
    for (int r = N - 1; r >= 0; --r) {
        double s = a[r][N];
        for (int k = r + 1; k < N; ++k) s -= a[r][k] * dx[k];
        dx[r] = s / a[r][r];
    }
}

template <int N>
bool newton_update(const double* jacobian, const double* f, double* x) {
    double dx[N];
    newton_step<N>(jacobian, f, dx);
    bool converged = true;
    for (int r = 0; r < N; ++r) {
        x[r] -= dx[r];
        if (!(std::fabs(dx[r]) <= 1e-14 * (1.0 + std::fabs(x[r])))) converged = false;
    }
    return converged;
}

// One iteration of NEURON's METHOD sparse (scopmath's sparse: x += its
// solution, states of a nonlinear scheme that fall below 0 set to 0):
// returns the sum of |dx|, which NEURON iterates on until <= 1e-6.
template <int N>
double sparse_update(const double* jacobian, const double* f, double* x, bool nonlinear) {
    double dx[N];
    newton_step<N>(jacobian, f, dx);
    double err = 0;
    for (int r = 0; r < N; ++r) {
        x[r] -= dx[r];
        if (nonlinear && x[r] < 0.0) x[r] = 0.0;
        err += std::fabs(dx[r]);
    }
    return err;
}
"""


# Tabled FUNCTIONs/PROCEDUREs of the mechanism being generated -> the C++
# member evaluating a call (set by generate()).
TABLE_CALLS = {}


# While a loop body is generated: costly subexpressions (powers, math
# functions) of globals, UNITS constants and numbers only, C++ text -> the name
# of a local computed once before the loop (q10 = 3^((celsius - 6.3)/10) in
# hh.mod). The same expression evaluated once gives the same value.
HOIST = None
INVARIANT_NAMES = set()  # the globals and constants of the mechanism being generated


def loop_invariant(node):
    """node is an expensive expression of invariant names only."""
    t = node.get_node_type_name()
    costly = (t == "BinaryExpression" and node.op.eval() == "^") or (
        t == "FunctionCall" and name_of(node) in MATH_FUNCTIONS)
    if not costly:
        return False
    lookup = visitor.AstLookupVisitor()
    if any(name_of(c) not in MATH_FUNCTIONS for c in lookup.lookup(node, ast.AstNodeType.FUNCTION_CALL)):
        return False
    return all(name_of(n) in INVARIANT_NAMES for n in lookup.lookup(node, ast.AstNodeType.VAR_NAME))


def begin_hoisting(invariant_names):
    global HOIST
    HOIST = {}
    INVARIANT_NAMES.clear()
    INVARIANT_NAMES.update(invariant_names)


def end_hoisting(indent):
    """The hoisted locals' definitions (placed before the loop, after the globals)."""
    global HOIST
    pad = "    " * indent
    out = [f"{pad}const double {name} = {text}; // loop invariant" for text, name in HOIST.items()]
    HOIST = None
    return out


def hoisted_name(text):
    """The local holding `text` (C++ of invariant names and dt only) before the loop."""
    if text not in HOIST:
        HOIST[text] = f"invariant_{len(HOIST)}"
    return HOIST[text]


# The Emitter whose statements are being printed (its values of the locals
# known so far: Emitter.value_of), or None outside a block.
ACTIVE = None

NUMBER_NODES = ("Double", "Integer", "Float", "DoubleUnit")


def numeric_only(node):
    """node is an expression of numbers only (no names, no calls)."""
    if node.get_node_type_name() in NUMBER_NODES:
        return True
    lookup = visitor.AstLookupVisitor()
    return not (lookup.lookup(node, ast.AstNodeType.VAR_NAME) or lookup.lookup(node, ast.AstNodeType.FUNCTION_CALL))


def invariant_only(node):
    """node is an expression of globals, UNITS constants, numbers and math
    functions, while a loop body is generated."""
    if HOIST is None:
        return False
    lookup = visitor.AstLookupVisitor()
    if any(name_of(c) not in MATH_FUNCTIONS for c in lookup.lookup(node, ast.AstNodeType.FUNCTION_CALL)):
        return False
    names = [name_of(n) for n in lookup.lookup(node, ast.AstNodeType.VAR_NAME)]
    if node.get_node_type_name() == "VarName":
        names.append(name_of(node))
    return all(n in INVARIANT_NAMES for n in names)


def constant_reciprocal(divisor, text):
    """C++ of 1/divisor when that is a constant (a number, a local holding a
    number, folded by the compiler), a loop invariant (computed once before
    the loop) or a name set to c / D whose D a local holds (Emitter.reciprocals),
    so that `a / divisor` becomes a multiplication: division is
    the slowest arithmetic operation, and vector division barely faster
    than two scalar ones. None for other divisors. Changes results by
    roundoff only (a * (1/c) is not always a / c rounded)."""
    if numeric_only(divisor):
        return f"(1.0 / {text})"
    if divisor.get_node_type_name() == "VarName" and ACTIVE is not None:
        value = ACTIVE.value_of(divisor)
        if value is not None and value.is_Rational and value != 0:
            return f"(1.0 / {number_literal(value)})"
        if name_of(divisor) in ACTIVE.reciprocals:  # divisor = c / D: a / divisor = a D / c
            c, local = ACTIVE.reciprocals[name_of(divisor)]
            return local if c == 1 else f"({local} * (1.0 / {number_literal(c)}))"
    if invariant_only(divisor):
        return hoisted_name(f"1.0 / ({text})")
    return None


def number_literal(value):
    """A C++ double literal of a SymPy number: the nearest double."""
    return repr(float(value)) if not value.is_Integer else f"{int(value)}.0"


def cpp_expression(node):
    if HOIST is not None and loop_invariant(node):
        saved, text = HOIST, None
        try:
            globals()["HOIST"] = None  # the expression itself, unhoisted
            text = cpp_expression(node)
        finally:
            globals()["HOIST"] = saved
        if text not in HOIST:
            HOIST[text] = f"invariant_{len(HOIST)}"
        return HOIST[text]
    t = node.get_node_type_name()
    if t == "WrappedExpression" or t == "ParenExpression":
        inner = cpp_expression(node.expression)
        return inner if t == "WrappedExpression" else f"({inner})"
    if t == "BinaryExpression":
        op = node.op.eval()
        lhs, rhs = cpp_expression(node.lhs), cpp_expression(node.rhs)
        if op == "^":
            return f"std::pow({lhs}, {rhs})"
        if op == "/":
            reciprocal = constant_reciprocal(node.rhs, rhs)
            if reciprocal is not None:
                return f"{lhs} * {reciprocal}"
        return f"{lhs} {op} {rhs}"
    if t == "UnaryExpression":
        return f"{node.op.eval()}{cpp_expression(node.expression)}"
    if t in ("Double", "Integer", "Float"):
        return number_text(node.value)
    if t == "DoubleUnit":  # `.08(/mV)`: the number (nocmodl writes 0.08; units are checked, not applied)
        return cpp_expression(node.value)
    if t == "VarName":
        if node.name.get_node_type_name() == "IndexedName":
            base = name_of(node.name.name)
            if base not in NEWTON_ARRAYS:
                fail(f"indexed variable {dsl.to_nmodl(node)} is not supported")
            return f"{base}[{int(dsl.to_nmodl(node.name.length))}]"
        if node.index is not None:
            fail(f"indexed variable {dsl.to_nmodl(node)} is not supported")
        return name_of(node)
    if t == "Name":
        return name_of(node)
    if t == "FunctionCall":
        f = name_of(node)
        if f in TABLE_CALLS:
            args = ", ".join(cpp_expression(a) for a in node.arguments)
            return f"{TABLE_CALLS[f]}({args})"
        if f not in MATH_FUNCTIONS:
            fail(f"call of {f}(): only inlinable FUNCTIONs/PROCEDUREs and math functions are supported")
        if f == "exp" and ACTIVE is not None:
            grouped = ACTIVE.exp_call(node)
            if grouped is not None:
                return grouped
        args = ", ".join(cpp_expression(a) for a in node.arguments)
        return f"{MATH_FUNCTIONS[f]}({args})"
    fail(f"expression '{dsl.to_nmodl(node)}' ({t}) is not supported")


def exp_factor(delta):
    """C++ of exp(delta): "" for 0, the nearest double for a number, a loop
    invariant for an expression of globals; None outside a loop."""
    if delta == 0:
        return ""
    if delta.is_number:
        return repr(float(sp.exp(delta).evalf(40)))
    if HOIST is None:
        return None
    return hoisted_name(f"{MATH_FUNCTIONS['exp']}({ccode(delta)})")


class Emitter:
    """Statements of one block, as C++ lines, inside the loop over instances."""

    def __init__(self, mech, block_name, on_ode=None, extra=(), writable=(), read_only=(), calls=None,
                 reciprocal_temps=False):
        self.mech = mech
        # What is known of the values (for the rewrites: constant divisors,
        # grouped exponentials, cnexp's rates): name -> SymPy value in the
        # values the block starts with, or None when unknown (assigned under a
        # condition, by a call, by an ODE). Names absent keep their starting value.
        self.env = {}
        self.untracked = False      # after a Newton system or a steady state: nothing known
        self.conditional = 0        # depth of IF branches being emitted
        self.exp_args = None        # first pass: the exp arguments met (rewrite.plan_exp_groups)
        self.exp_plan = None        # second pass: (bases, uses) of rewrite.plan_exp_groups
        self.prelude = []           # lines placed before the block's own (finish())
        # `x = c / D` assignments keep D in a local (`reciprocal_of_k`) so that
        # cnexp's rate -1/x and divisions by x are written without dividing
        # (-D/c, a D/c): name -> (c, local).
        self.reciprocal_temps = reciprocal_temps
        self.reciprocals = {}
        self.reciprocal_locals = []
        # Statement calls handled by a hook: name -> f(emitter, call, pad) -> lines
        # (net_send, net_event: src/nmodl/net_receive.py).
        self.calls = calls or {}
        self.block_name = block_name
        self.on_ode = on_ode  # callback(state, rhs_node, indent) -> lines, for DERIVATIVE blocks
        self.lines = []
        self.set_here = set()  # names this block has assigned
        # Names the block may use: the mechanism's, `extra` ("t", "dt", NET_RECEIVE's
        # arguments); grows with LOCAL declarations.
        self.known = set(mech.known_names()) | set(extra)
        self.writable = set(writable)   # parameters this block may assign (INITIAL)
        # Names it may not assign: `read_only`, ion values read (not written), UNITS constants.
        self.read_only = set(read_only) | set(mech.ion_reads) | set(mech.constants) | {"diam"}
        self.at_times = []               # at_time(expr) arguments, C++
        self.steady = None               # INITIAL: the implicit block SOLVE ... STEADYSTATE runs
        # METHOD sparse in BREAKPOINT: NEURON's iteration (None: Newton to 1e-14;
        # False/True: the scheme is linear/nonlinear in its states).
        self.sparse_nonlinear = None

    def check_reads(self, expression):
        names = {name_of(n) for n in visitor.AstLookupVisitor().lookup(expression, ast.AstNodeType.VAR_NAME)}
        if expression.get_node_type_name() == "VarName":
            names.add(name_of(expression))
        for n in sorted(names):
            if n not in self.known:
                fail(f"{self.block_name}: unknown name '{n}'" + (
                    f" (t and dt are available in BREAKPOINT and INITIAL (t), and in cnexp updates (dt), "
                    f"not in {self.block_name} yet)" if n in ("t", "dt") else ""))

    def newton(self, e, indent):
        """NMODL's EIGEN_NEWTON_SOLVE: backward Euler's system solved per
        instance by Newton's method with the analytic Jacobian."""
        pad = "    " * indent
        n = int(dsl.to_nmodl(e.n_state_vars))
        self.mech.newton_used = True
        # Values are followed in straight-line code only: the functor block
        # runs once per iteration, reading what the previous one assigned.
        self.untracked = True
        self.known.update(NEWTON_ARRAYS)
        self.lines.append(pad + "{")
        inner = "    " * (indent + 1)
        self.lines.append(f"{inner}double nmodl_eigen_x[{n}] = {{}}, nmodl_eigen_f[{n}] = {{}}, "
                          f"nmodl_eigen_j[{n * n}] = {{}};")
        for part in (e.variable_block, e.initialize_block, e.setup_x_block):
            self.block(part, indent + 1)
        if self.sparse_nonlinear is None:
            self.lines.append(f"{inner}for (int newton_iteration = 0; newton_iteration < 100; ++newton_iteration) {{")
            self.block(e.functor_block, indent + 2)
            self.lines.append(f"{inner}    if (newton_update<{n}>(nmodl_eigen_j, nmodl_eigen_f, nmodl_eigen_x)) break;")
        else:
            # NEURON's sparse (scopmath): one solve for a linear scheme; a
            # nonlinear one iterates while the sum of |dx| > 1e-6 (CONVERGE), at
            # most 22 times (NEURON then stops the run: MAXSTEPS; here the step
            # keeps the last iterate), states kept >= 0.
            self.lines.append(f"{inner}for (int newton_iteration = 0; newton_iteration < 22; ++newton_iteration) {{")
            self.block(e.functor_block, indent + 2)
            if self.sparse_nonlinear:
                self.lines.append(f"{inner}    if (!(sparse_update<{n}>(nmodl_eigen_j, nmodl_eigen_f, "
                                  "nmodl_eigen_x, true) > 1e-6)) break;")
            else:
                self.lines.append(f"{inner}    sparse_update<{n}>(nmodl_eigen_j, nmodl_eigen_f, nmodl_eigen_x, false);")
                self.lines.append(f"{inner}    break; // a linear scheme: one solve")
        self.lines.append(f"{inner}}}")
        for part in (e.update_states_block, e.finalize_block):
            self.block(part, indent + 1)
        self.lines.append(pad + "}")

    def block(self, statement_block, indent, skip_solve=True):
        global ACTIVE
        saved, ACTIVE = ACTIVE, self
        try:
            for s in statement_block.statements:
                self.statement(s, indent, skip_solve)
        finally:
            ACTIVE = saved

    def finish(self, indent):
        """Puts the prelude (grouped exponentials' bases, reciprocal locals)
        before the block's lines."""
        pad = "    " * indent
        self.lines[:0] = [pad + line for line in self.prelude]
        self.prelude = []

    def scoped_block(self, statement_block, indent, skip_solve):
        """A nested block: its LOCALs end with it (an outer name they shadow
        keeps what was known of it)."""
        declared = {name_of(v) for st in statement_block.statements
                    if st.get_node_type_name() == "LocalListStatement" for v in st.variables}
        outer = {n: (n in self.env, self.env.get(n)) for n in declared}
        self.block(statement_block, indent, skip_solve)
        for n, (was_known, value) in outer.items():
            if was_known:
                self.env[n] = value
            else:
                self.env.pop(n, None)

    def branch(self, statement_block, indent, skip_solve, before):
        """One branch of an IF, from the values known `before` it; returns
        the names it assigned."""
        self.env = dict(before)
        self.conditional += 1
        self.scoped_block(statement_block, indent, skip_solve)
        self.conditional -= 1
        return {n for n, value in self.env.items() if n not in before or before[n] is not value}

    def assignment(self, target, rhs, pad):
        """`target = rhs`. With reciprocal_temps, an unconditional
        `target = c / D` (c a number) keeps D in a local declared in the
        prelude, so that cnexp can rewrite its rate -1/target as -D/c."""
        node = rhs.expression if rhs.get_node_type_name() == "WrappedExpression" else rhs
        if (self.reciprocal_temps and not self.conditional and not self.untracked
                and node.get_node_type_name() == "BinaryExpression" and node.op.eval() == "/"
                and numeric_only(node.lhs) and not numeric_only(node.rhs)):
            local = f"reciprocal_of_{len(self.reciprocal_locals)}"
            self.reciprocal_locals.append(local)
            self.prelude.append(f"double {local} = 0;")
            self.lines.append(f"{pad}{local} = {cpp_expression(node.rhs)};")
            self.lines.append(f"{pad}{target} = {cpp_expression(node.lhs)} / {local};")
            self.assigned(target, rhs)
            self.reciprocals[target] = (rewrite.rational(sympy_of(node.lhs, None)), local)
            return
        self.lines.append(f"{pad}{target} = {cpp_expression(rhs)};")
        self.assigned(target, rhs)

    # -- what is known of the values ------------------------------------

    def value_of(self, node):
        """The SymPy value of an expression in the block's starting values,
        or None when it reads a value not known here."""
        if self.untracked:
            return None
        try:
            expr = rewrite.rational(sympy_of(node, None))
        except (sp.SympifyError, TypeError, ValueError, SyntaxError):
            return None
        replace = {}
        for symbol in expr.free_symbols:
            if str(symbol) in self.env:
                if self.env[str(symbol)] is None:
                    return None
                replace[symbol] = self.env[str(symbol)]
        expr = expr.xreplace(replace)
        return expr if sp.count_ops(expr) <= 200 else None  # (not worth a long analysis)

    def assigned(self, name, node=None):
        """`name` now holds node's value (None: an unknown value)."""
        # (inside an IF branch: known in the branch, unknown after the IF)
        self.env[name] = None if node is None else self.value_of(node)
        self.reciprocals.pop(name, None)

    def exp_call(self, node):
        """C++ of exp(arg) derived from a grouped exponential, or None to
        write the call (first pass: the argument is recorded)."""
        if self.exp_args is None and self.exp_plan is None:
            return None
        arg = self.value_of(node.arguments[0])
        if arg is None:
            return None
        if self.exp_args is not None:
            self.exp_args.append(arg)
            return None
        bases, uses = self.exp_plan
        if arg not in uses:
            return None
        k, n, delta = uses[arg]
        factor = exp_factor(delta)
        if factor is None:
            return None
        base = f"exp_group_{k}"
        power = {1: base, 2: f"({base} * {base})", 3: f"({base} * {base} * {base})",
                 4: f"(({base} * {base}) * ({base} * {base}))"}[n]
        return power if factor == "" else f"({power} * {factor})"

    def plan_exps(self, args):
        """Second pass: derive the exponentials of `args` (the first pass's)
        from shared bases, computed first."""
        self.exp_plan = rewrite.plan_exp_groups(args, INVARIANT_NAMES)
        for k, arg in enumerate(self.exp_plan[0]):
            self.prelude.append(f"[[maybe_unused]] const double exp_group_{k} = "
                                f"{MATH_FUNCTIONS['exp']}({ccode(sp.factor(arg))});")

    def statement(self, s, indent, skip_solve):
        pad = "    " * indent
        t = s.get_node_type_name()
        if t == "LocalListStatement":
            names = [name_of(v) for v in s.variables]
            self.known.update(names)
            for n in names:
                if reserved(n):
                    fail(f"the name '{n}' is reserved in the generated C++; rename it")
            self.lines.append(pad + "double " + ", ".join(f"{n} = 0" for n in names) + ";")
            self.env.update({n: sp.Integer(0) for n in names})
            for n in names:
                self.reciprocals.pop(n, None)
        elif t == "ExpressionStatement":
            e = s.expression
            et = e.get_node_type_name()
            if et == "WrappedExpression":
                e = e.expression
                et = e.get_node_type_name()
            if et == "SolveBlock":
                if self.steady is not None and getattr(e, "steadystate", None) is not None:
                    # SOLVE ... STEADYSTATE: the implicit step with dt = 1e9 ms,
                    # whose fixed point is the steady state (as NEURON).
                    self.lines.append(pad + "{")
                    self.lines.append(pad + "    [[maybe_unused]] const double dt = 1e9;")
                    self.known.add("dt")
                    self.untracked = True  # (the implicit block's values: not followed)
                    self.block(self.steady.statement_block, indent + 1, skip_solve)
                    self.lines.append(pad + "}")
                return
            if et == "EigenNewtonSolverBlock":
                self.newton(e, indent)  # (its values and those after it are not followed)
                return
            if et == "StatementBlock":  # an inlined PROCEDURE or FUNCTION body
                self.statement(e, indent, skip_solve)
                return
            if et == "DiffEqExpression":
                b = e.expression
                prime = b.lhs.name if b.lhs.get_node_type_name() == "VarName" else b.lhs
                if prime.get_node_type_name() != "PrimeName" or prime.order.eval() != 1:
                    fail(f"'{dsl.to_nmodl(e)}': only first-order ODEs are supported")
                if self.on_ode is None:
                    fail(f"'{dsl.to_nmodl(e)}': an ODE outside a DERIVATIVE block")
                self.check_reads(b.rhs)
                self.lines.extend(self.on_ode(name_of(prime), b.rhs, pad))
                self.assigned(name_of(prime))
                return
            if et == "InitialBlock":
                fail(f"{self.block_name}: an INITIAL block inside NET_RECEIVE is not supported yet")
            if et == "BinaryExpression" and e.op.eval() == "=":
                target = cpp_expression(e.lhs)
                if target.split("[")[0] not in self.known:
                    fail(f"{self.block_name}: assignment to unknown name '{target}'")
                params = {p[0] for p in self.mech.parameters + self.mech.globals}
                if (target in params and target not in self.writable) or target in self.read_only:
                    fail(f"{self.block_name}: assignment to '{target}' is not supported "
                         "(parameters can be assigned in INITIAL only; ion values only READ and "
                         "UNITS constants cannot be assigned)")
                self.check_reads(e.rhs)
                self.set_here.add(target)
                self.assignment(target, e.rhs, pad)
                return
            if et == "FunctionCall" and name_of(e) == "at_time":
                # NEURON's at_time(x): a discontinuity at t = x for variable-step
                # integration (here: mechanism::discontinuities); no effect otherwise.
                self.check_reads(e.arguments[0])
                self.at_times.append(cpp_expression(e.arguments[0]))
                return
            if et == "FunctionCall" and name_of(e) in self.calls:
                self.lines.extend(self.calls[name_of(e)](self, e, pad))
                return
            if et == "FunctionCall" and tables.procedure_call(self.mech, name_of(e)) is not None:
                table = tables.procedure_call(self.mech, name_of(e))
                for a in e.arguments:
                    self.check_reads(a)
                args = ", ".join([cpp_expression(a) for a in e.arguments] + table.variables)
                self.set_here.update(table.variables)
                self.lines.append(f"{pad}{TABLE_CALLS[table.name]}({args});")
                for name in table.variables:
                    self.assigned(name)
                return
            if et == "FunctionCall" and name_of(e) in ("net_send", "net_event"):
                fail(f"{self.block_name}: {name_of(e)} is allowed in NET_RECEIVE (and net_send in INITIAL) only")
            if et == "FunctionCall":
                fail(f"call of {name_of(e)}() as a statement was not inlined (recursive or unknown)")
            fail(f"statement '{dsl.to_nmodl(s)}' is not supported")
        elif t == "StatementBlock":
            self.lines.append(pad + "{")
            self.scoped_block(s, indent + 1, skip_solve)
            self.lines.append(pad + "}")
        elif t == "IfStatement":
            self.check_reads(s.condition)
            before = dict(self.env)
            changed = set()
            self.lines.append(f"{pad}if ({cpp_expression(s.condition)}) {{")
            changed |= self.branch(s.statement_block, indent + 1, skip_solve, before)
            for ei in s.elseifs:
                self.check_reads(ei.condition)
                self.lines.append(f"{pad}}} else if ({cpp_expression(ei.condition)}) {{")
                changed |= self.branch(ei.statement_block, indent + 1, skip_solve, before)
            if s.elses is not None:
                self.lines.append(f"{pad}}} else {{")
                changed |= self.branch(s.elses.statement_block, indent + 1, skip_solve, before)
            self.lines.append(pad + "}")
            self.env = before
            for name in changed:  # (which branch ran is not known here)
                self.assigned(name)
        elif t == "ProtectStatement":  # (PROTECT: a mutex in NEURON's threads; one thread here)
            self.statement(ast.ExpressionStatement(s.expression), indent, skip_solve)
        elif t in ("ConductanceHint", "LineComment", "BlockComment", "Conserve", "TableStatement",
                   "UnitState"):
            # (TABLE: handled by src/nmodl/tables.py; UNITSOFF/UNITSON: unit checking only)
            return  # (CONSERVE: used by NMODL's solver; the ODEs keep the sum for CVODE)
        else:
            fail(f"statement '{dsl.to_nmodl(s).strip()}' ({t}) is not supported")


# ---------------------------------------------------------------------------
# Symbolic parts (SymPy)

def sympy_of(node, names):
    """The SymPy expression of an NMODL expression; every identifier a real symbol."""
    # A number with a unit, `1(/mV)`, is the number (as nocmodl).
    text = re.sub(r"(?<![A-Za-z_0-9.])((?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\([^()]*\)", r"\1",
                  dsl.to_nmodl(node))
    local = {n: sp.Symbol(n, real=True) for n in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text)}
    for f in re.findall(r"([A-Za-z_][A-Za-z_0-9]*)\s*\(", text):
        local[f] = sp.Function(f)  # a tabled FUNCTION's call: an unknown function of its argument
    for f, fn in SYMPY_FUNCTIONS.items():
        local[f] = fn
    return sp.sympify(text.replace("^", "**"), locals=local)


class _Printer(C99CodePrinter):
    """SymPy's C printer, with small integer powers as products (std::pow
    with an integer exponent is a library call unless -ffast-math)."""

    def _print_Pow(self, expr):
        if expr.exp.is_Integer and 2 <= int(expr.exp) <= 4:
            base = self.parenthesize(expr.base, precedence(expr))
            return "(" + "*".join([base] * int(expr.exp)) + ")"
        return super()._print_Pow(expr)


def ccode(expr):
    code = _Printer().doprint(expr)
    for f, member in TABLE_CALLS.items():  # a tabled FUNCTION inside an ODE's right-hand side
        code = re.sub(rf"\b{f}\(", member + "(", code)
    # SymPy writes C's unqualified math functions; the generated file uses std::.
    code = re.sub(r"\b(pow|fabs|log|sqrt|sin|cos|tan|tanh|sinh|cosh)\(", r"std::\1(", code)
    return re.sub(r"(?<![\w:])exp\(", MATH_FUNCTIONS["exp"] + "(", code)


def exposed_reads(block, assigned_in_every_path=None):
    """Names `block` may read before assigning them (upward-exposed uses):
    a read counts as covered only after an unconditional assignment, or
    one in every branch of an IF with an ELSE; whatever is not understood
    (Newton systems, calls) counts as read. `assigned_in_every_path`, a set
    if given, receives the names the block assigns on every path."""
    lookup = visitor.AstLookupVisitor()
    out = set()
    if assigned_in_every_path is None:
        assigned_in_every_path = set()

    def reads(node, defined):
        names = {name_of(n) for n in lookup.lookup(node, ast.AstNodeType.VAR_NAME)}
        if node.get_node_type_name() == "VarName":
            names.add(name_of(node))
        out.update(names - defined)

    def walk(statements, defined):
        for s in statements:
            t = s.get_node_type_name()
            if t == "ExpressionStatement":
                e = s.expression
                if e.get_node_type_name() == "WrappedExpression":
                    e = e.expression
                et = e.get_node_type_name()
                if et == "SolveBlock":
                    continue
                if et == "StatementBlock":
                    walk(e.statements, defined)
                elif (et == "BinaryExpression" and e.op.eval() == "=" and e.lhs.get_node_type_name() == "VarName"
                      and e.lhs.name.get_node_type_name() != "IndexedName"):
                    reads(e.rhs, defined)
                    defined.add(name_of(e.lhs))
                elif et == "FunctionCall" and tables.procedure_call(MECH_FOR_FLOW[0], name_of(e)) is not None:
                    for a in e.arguments:
                        reads(a, defined)
                    defined.update(tables.procedure_call(MECH_FOR_FLOW[0], name_of(e)).variables)
                else:
                    reads(e, defined)
            elif t == "StatementBlock":
                walk(s.statements, defined)
            elif t == "IfStatement":
                reads(s.condition, defined)
                branches = [s.statement_block] + [ei.statement_block for ei in s.elseifs]
                for ei in s.elseifs:
                    reads(ei.condition, defined)
                if s.elses is not None:
                    branches.append(s.elses.statement_block)
                after = []
                for b in branches:
                    d = set(defined)
                    walk(b.statements, d)
                    after.append(d)
                if s.elses is not None:
                    defined |= set.intersection(*after)
            elif t in ("LocalListStatement", "LineComment", "BlockComment", "UnitState", "TableStatement",
                       "ConductanceHint", "Conserve"):
                continue
            else:
                reads(s, defined)

    walk(block.statement_block.statements, assigned_in_every_path)
    return out


MECH_FOR_FLOW = [None]


def persistent_assigned(mech):
    """The ASSIGNED values kept per instance between blocks: those some block
    may read before assigning them, and the observables (observe() returns
    them)."""
    MECH_FOR_FLOW[0] = mech
    # observe() runs the BREAKPOINT first: what it assigns on every path
    # needs no storage of its own (hh's gna, gk).
    by_breakpoint = set()
    if mech.breakpoint is not None:
        exposed_reads(mech.breakpoint, by_breakpoint)
    needed = {a for a, _ in mech.observables if a not in by_breakpoint}
    for block in (mech.initial, mech.breakpoint, mech.derivative, mech.implicit, mech.net_receive):
        if block is not None:
            needed |= exposed_reads(block)
    return {a for a in mech.assigned if a in needed}


def current_conductances(mech):
    """(di/dv of the BREAKPOINT's total outward current, {current: its di/dv}),
    exact, when the BREAKPOINT is straight-line assignments and the current is
    linear in v; None otherwise (then the generated code takes NEURON's
    numerical derivative)."""
    v = sp.Symbol("v", real=True)
    substitutions = {}
    total = sp.Integer(0)
    each = {}
    statements = mech.breakpoint.statement_block.statements
    assignments = {}
    for s in statements:
        e = s.expression if s.get_node_type_name() == "ExpressionStatement" else None
        if e is not None and e.get_node_type_name() == "BinaryExpression" and e.op.eval() == "=":
            assignments[name_of(e.lhs)] = assignments.get(name_of(e.lhs), 0) + 1
    for s in statements:
        if s.get_node_type_name() != "ExpressionStatement":
            if s.get_node_type_name() == "LocalListStatement":
                continue
            return None
        e = s.expression
        if e.get_node_type_name() == "SolveBlock":
            continue
        if not (e.get_node_type_name() == "BinaryExpression" and e.op.eval() == "="):
            return None
        target = name_of(e.lhs)
        value = sympy_of(e.rhs, None).subs(substitutions)
        # A value that does not depend on v, assigned once, stays a name: the
        # derivative then reads the local holding it (hh's gna, gk) instead
        # of computing it again.
        if value.has(v) or assignments[target] > 1 or target in mech.currents:
            substitutions[sp.Symbol(target, real=True)] = value
        if target in mech.currents:
            total += -value if target in mech.electrode else value
            each[target] = value
    conductance = sp.simplify(sp.diff(total, v))
    if conductance.has(v):
        return None
    per_current = {}
    for c, value in each.items():
        g = sp.simplify(sp.diff(value, v))
        if g.has(v):
            return None
        per_current[c] = g
    return conductance, per_current


def rate_without_reciprocals(jac, reciprocals):
    """cnexp's rate J with each name set to c / D (Emitter.reciprocals) written
    as that, when this removes divisions: hh's -1/mtau with mtau = 1/(q10 sum)
    becomes -(q10 sum), read from the local holding it, and mtau's own
    division is then dead code. Exact algebra (roundoff-level change)."""
    replace = {sp.Symbol(name, real=True): c / sp.Symbol(local, real=True)
               for name, (c, local) in reciprocals.items()}
    if not replace or not (jac.free_symbols & set(replace)):
        return jac
    rewritten = jac.xreplace(replace)
    return rewritten if rewrite.divisions(rewritten) < rewrite.divisions(jac) else jac


def ode_parts(state, rhs_node):
    """(rhs, dRhs/dstate, steady state or None) of state' = rhs, linear in state."""
    x = sp.Symbol(state, real=True)
    f = sympy_of(rhs_node, None)
    jac = sp.simplify(sp.diff(f, x))
    if jac.has(x):
        fail(f"{state}' = {dsl.to_nmodl(rhs_node)}: METHOD cnexp needs an ODE linear in {state} "
             "(use derivimplicit, planned)")
    steady = None if jac == 0 else sp.simplify(x - f / jac)
    if steady is not None and steady.has(x):
        fail(f"{state}' = {dsl.to_nmodl(rhs_node)}: could not solve for the steady state")
    return f, jac, steady


# ---------------------------------------------------------------------------
# Code generation


def stateless_update(mech, hoisted, loads, stores, emitted):
    """advance_states of a mechanism without STATEs and currents that writes
    a concentration as an ASSIGNED value: its BREAKPOINT, which NEURON runs in
    nrn_state for a mechanism without currents (after the step's solve, the
    ion values it reads those of the step's current evaluation), then the
    concentration stored into the ion. cable_state calls it in the fixed step
    and before every CVODE step (NEURON's Cvode::do_nonode)."""
    L = ["", "    void advance_states(const double* v_of_node, double dt) override {",
         "        (void)dt;"]
    L.extend(hoisted(2))
    begin_hoisting(set())
    B = loads(3, None, False)
    em = emitted(lambda: Emitter(mech, "BREAKPOINT"), mech.breakpoint.statement_block, 3)
    B.extend(em.lines)
    B.extend(stores(3, states=False, written=em.set_here, ions=True))
    L.extend(end_hoisting(2))
    L.append("        for (std::size_t inst = 0; inst < count_; ++inst) {")
    L.extend(B)
    L.append("        }")
    L.append("    }")
    return L

def generate(mech, namespace):
    s_index = {name: k for k, (name, _) in enumerate(mech.states)}
    p_index = {p[0]: k for k, p in enumerate(mech.parameters)}
    g_index = {g[0]: k for k, g in enumerate(mech.globals)}
    # ASSIGNED values no block reads before assigning them need no storage
    # (hh's minf, mtau, ...: set by rates() and used in the same block).
    persistent = persistent_assigned(mech)
    # ASSIGNED values a block other than BREAKPOINT may read before assigning.
    read_elsewhere = set()
    for block in (mech.derivative, mech.implicit, mech.net_receive):
        if block is not None:
            read_elsewhere |= exposed_reads(block)
    a_index = {a: k for k, a in enumerate(a for a in mech.assigned if a in persistent)}
    transient = [a for a in mech.assigned if a not in persistent]
    # advance_states gathers v and the ion values its block reads.
    state_block = mech.implicit if mech.implicit is not None else mech.derivative
    gathered_ions = [] if state_block is None else [n for n in mech.ion_reads if n in exposed_reads(state_block)]
    gather_v = state_block is not None and "v" in exposed_reads(state_block)
    gathered_count = 1 + len(gathered_ions)
    invariants = set(g_index) | set(mech.constants)
    klass = f"{mech.suffix}_mechanism"
    kind = "point" if mech.point else "density"
    TABLE_CALLS.clear()
    TABLE_CALLS.update(tables.cpp_calls(mech))

    cached_factors = []  # (C++ of cnexp's 1 - exp(dt J), the parameters J reads), filled by cnexp()

    def emitted(make, statement_block, indent):
        """A new Emitter (make()) having written statement_block, with its
        exponentials grouped: a first pass records the exp arguments, a second
        writes the block with rewrite.plan_exp_groups' plan (which needs every
        argument before the first call is written)."""
        saved_hoist, saved_factors = dict(HOIST), list(cached_factors)
        first = make()
        first.exp_args = []
        first.block(statement_block, indent)
        HOIST.clear()
        HOIST.update(saved_hoist)
        cached_factors[:] = saved_factors
        em = make()
        em.plan_exps(first.exp_args)
        em.block(statement_block, indent)
        em.finish(indent)
        return em

    def quantity_list(items):
        # (array elements under NEURON's spelling, ca[0]: what probes and atol_scale name)
        return "{" + ", ".join(f'{{"{mech.display.get(n, n)}", "{u}", {float(d)!r}}}' for n, u, d in items) + "}"

    def hoisted(indent, states=None, gather=False):
        """Before the loop over instances: the loop count, one `__restrict`
        pointer per array the loop reads or writes (all distinct vectors, so
        GCC may vectorise the loop), the globals, and with `gather` v and the
        ion values read copied from their nodes into contiguous scratch
        arrays. states: (C++ array of state arrays, mutable) or None."""
        pad = "    " * indent
        mu = "[[maybe_unused]] "
        out = [f"{pad}{mu}const std::size_t count_ = size();",
               f"{pad}{mu}const std::int32_t* __restrict node_index = data_.node_index.data();"]
        out += [f"{pad}{mu}double* __restrict param_{k} = const_cast<double*>(data_.parameters[{k}].data());"
                for k in p_index.values()]
        out += [f"{pad}{mu}double* __restrict assigned_{k} = const_cast<double*>(assigned_[{k}].data());"
                for k in a_index.values()]
        if states is not None:
            source, mutable = states
            kw = "double" if mutable else "const double"
            out += [f"{pad}{mu}{kw}* __restrict state_{k} = {source}[{k}]{'.data()' if source == 'data_.states' else ''};"
                    for k in s_index.values()]
        for n, k in g_index.items():
            out.append(f"{pad}{mu}const double {n} = data_.globals[{k}];")
        if gather:
            # Scratch sized at initialise (gathered_count per instance).
            if gather_v:
                out.append(f"{pad}double* __restrict gathered_v = scratch_.data();")
            for m, n in enumerate(gathered_ions, start=1):
                out.append(f"{pad}double* __restrict gathered_{n} = scratch_.data() + {m} * count_;")
            if not gather_v and not gathered_ions:
                return out
            out.append(f"{pad}for (std::size_t inst = 0; inst < count_; ++inst) {{")
            if gather_v:
                out.append(f"{pad}    gathered_v[inst] = v_of_node[node_index[inst]];")
            for n in gathered_ions:
                j, field = mech.ion_reads[n]
                out.append(f"{pad}    gathered_{n}[inst] = ions_[{j}]->{field}[node_index[inst]];")
            out.append(f"{pad}}}")
        return out

    def loads(indent, state_source, states_mutable, with_v=True, params_mutable=(), with_currents=True,
              gathered=False):
        """Per instance: the values a block reads, as locals. state_source
        "ptr": through hoisted()'s state pointers."""
        pad = "    " * indent
        mu = "[[maybe_unused]] "
        out = []
        if with_v:
            out.append(f"{pad}{mu}const double v = " + ("gathered_v[inst];" if gathered and gather_v else
                                                         "v_of_node[node_index[inst]];"))
        for n, k in p_index.items():
            kw = "double" if n in params_mutable else "const double"
            out.append(f"{pad}{mu}{kw} {n} = param_{k}[inst];")
        if state_source is not None:
            for n, k in s_index.items():
                kw = "double" if states_mutable else "const double"
                where = f"state_{k}[inst]" if state_source == "ptr" else f"{state_source}[{k}][inst]"
                out.append(f"{pad}{mu}{kw} {n} = {where};")
        for n, (j, field) in mech.ion_reads.items():
            where = f"gathered_{n}[inst]" if gathered and n in gathered_ions else f"ions_[{j}]->{field}[node_index[inst]]"
            out.append(f"{pad}{mu}const double {n} = {where};")
        for n, (j, field) in mech.ion_assigned.items():  # NEURON's `cai = _ion_cai` at a block's start
            out.append(f"{pad}{mu}double {n} = ions_[{j}]->{field}[node_index[inst]];")
        if mech.uses_diam:
            out.append(f"{pad}{mu}const double diam = diam_[node_index[inst]]; // µm, the segment's")
        for n, k in a_index.items():
            # ASSIGNED values persist per instance between blocks (as in NEURON)
            # when some block reads them before assigning them.
            out.append(f"{pad}{mu}double {n} = assigned_{k}[inst];")
        if transient:  # always assigned before read: locals of each block
            out.append(pad + mu + "double " + ", ".join(f"{n} = 0" for n in transient) + ";")
        if with_currents and mech.currents:
            # Currents outside BREAKPOINT: scratch values, except one the
            # mechanism also READs, which is the ion's accumulated current at the
            # node (NEURON's `ica = _ion_ica`: every mechanism's, this one's too).
            out.append(pad + mu + "double " + ", ".join(
                f"{c} = ions_[{mech.current_reads[c]}]->i[node_index[inst]]" if c in mech.current_reads
                else f"{c} = 0" for c in mech.currents) + ";")
        return out

    def stores(indent, states=True, params=(), via_pointers=False, written=None, ions=False):
        """Per instance: states, ASSIGNED values (only those in `written`, the
        names the block may assign, when given: the others are unchanged) and
        the parameters `params` back into their arrays; with `ions`, the
        concentrations written as ASSIGNED values into the ion (NEURON's
        `_ion_cai = cai` at the end of nrn_init and nrn_state)."""
        pad = "    " * indent
        out = []
        if states:
            out += [(f"{pad}state_{k}[inst] = {n};" if via_pointers else f"{pad}data_.states[{k}][inst] = {n};")
                    for n, k in s_index.items()]
        out += [f"{pad}assigned_{k}[inst] = {n};" for n, k in a_index.items() if written is None or n in written]
        out += [f"{pad}param_{p_index[n]}[inst] = {n};" for n in params]
        if ions:
            out += [f"{pad}ions_[{j}]->{field}[node_index[inst]] = {n};"
                    for n, (j, field) in mech.ion_assigned.items()
                    if (written is None or n in written) and n not in mech.synonyms]
        return out

    L = []
    L.append(f"// Generated by src/nmodl/translate.py from {mech.path}. Do not edit.")
    for block_kind, name, line in mech.dropped:
        L.append(f"// {block_kind} {name} (line {line}) is not translated: it contains a SOLVE and nothing in the")
        L.append("// file calls it (NEURON's hoc could; Ranvier has no interpreter that calls mechanism functions).")
    L.append("#include \"cable/mechanisms/fast_exp.hpp\"")
    L.append("#include \"cable/mechanisms/mechanism.hpp\"")
    L.append("")
    L.append("#include <cmath>")
    L.append("#include <cstddef>")
    L.append("#include <cstdint>")
    L.append("#include <limits>")
    L.append("#include <memory>")
    L.append("#include <span>")
    L.append("#include <utility>")
    L.append("#include <vector>")
    L.append("")
    L.append(f"namespace {namespace} {{")
    L.append("")
    L.append("ranvier::cable::mechanism_type type() {")
    L.append(f'    ranvier::cable::mechanism_type t{{"{mech.suffix}",')
    L.append(f"        ranvier::cable::mechanism_kind::{kind},")
    L.append(f"        {quantity_list(mech.parameters)},")
    L.append(f"        {quantity_list([(n, u, 0.0) for n, u in mech.states])},")
    L.append(f"        {quantity_list(mech.globals)},")
    L.append(f"        {'true' if mech.net_receive is not None else 'false'},")
    L.append(f"        {quantity_list([(n, u, 0.0) for n, u in mech.observables])}}};")
    if mech.electrode:
        L.append("    t.electrode_current = true; // not a membrane current: i_membrane_ leaves it out")
    for u in mech.ion_uses:
        flags = ", ".join("true" if u[k] else "false" for k in
                          ("read_e", "read_ci", "read_co", "read_i", "write_i", "write_ci", "write_co"))
        L.append(f'    t.ions.push_back({{"{u["ion"]}", {u["valence"]}, {flags}, '
                 f'{u["ci_state"]}, {u["co_state"]}}});')
    if any(x != 1.0 for x in mech.state_tolerances):
        L.append("    t.state_atol_scale = {" + ", ".join(repr(x) for x in mech.state_tolerances) + "};")
    L.extend(net_receive.type_lines(mech))
    L.append("    return t;")
    L.append("}")
    L.append("")
    L.append("namespace {")
    L.append("")
    if mech.implicit is not None:
        L.append(NEWTON_HELPER)
    for n, value in mech.constants.items():
        L.append(f"constexpr double {n} = {value!r}; // UNITS factor, NEURON 8.2's value")
    if mech.constants:
        L.append("")
    L.append(f"class {klass} final : public ranvier::cable::mechanism {{")
    L.append("public:")
    # Qualified: inside the class, type() would name mechanism::type().
    L.append(f"    {klass}() : mechanism(::{namespace}::type()) {{}}")
    L.append("")

    # INITIAL (t = 0, as after NEURON's finitialize)
    initial_writes = set()
    initial_set = set()
    L.append("    void initialise(const double* v_of_node) override {")
    L.extend(tables.build_calls(mech))
    if a_index:
        L.append("        for (auto& a : assigned_) a.resize(size(), 0.0);")
    if mech.derivative is not None:
        L.append(f"        scratch_.assign({gathered_count} * size(), 0.0);")
        # (cnexp factors cached per instance: recomputed at the next step, INITIAL may set parameters)
        L.append("        for (auto& f : cnexp_factor_) f.assign(size(), 0.0);")
        L.append("        cnexp_dt_ = std::numeric_limits<double>::quiet_NaN();")
    L.extend(hoisted(2, states=("data_.states", True)))
    begin_hoisting(invariants)
    body = []
    # NEURON starts every STATE s at the parameter s0 before INITIAL runs
    # (cabpump's `pump = pump0`; an array's elements at its base's: ca[i] = ca0)
    # when the file declares one (NEURON's implicit s0 globals are 0).
    for s, _ in mech.states:
        base = mech.display.get(s, s).split("[")[0]
        if base + "0" in p_index or base + "0" in g_index:
            body.append(f"            {s} = {base}0; // (NEURON's initial value of a STATE: {base}0)")
    if mech.initial is not None:
        params = [p[0] for p in mech.parameters]
        em = Emitter(mech, "INITIAL", extra=("t",), writable=params, calls=net_receive.initial_calls(mech))
        if mech.steady_state:
            em.steady = mech.implicit
        em.block(mech.initial.statement_block, 3)
        body += em.lines
        initial_writes = {n for n in em.set_here if n in p_index}
        initial_set = em.set_here
    L.extend(end_hoisting(2))
    L.append("        [[maybe_unused]] const double t = 0;")
    L.append("        for (std::size_t inst = 0; inst < count_; ++inst) {")
    L.extend(loads(3, "ptr", True, params_mutable=initial_writes))
    L.extend(body)
    L.extend(stores(3, params=sorted(initial_writes, key=p_index.get), via_pointers=True, written=initial_set,
                    ions=True))
    L.append("        }")
    L.append("    }")
    L.append("")

    # BREAKPOINT: current and di/dv (point processes: nA, scaled by 100/area to mA/cm²);
    # ion currents also added into their ions (NEURON's ion i and di/dv).
    conductances = current_conductances(mech)
    conductance = None if conductances is None else conductances[0]

    def assigned_concentration_stores():
        # With currents NEURON computes an ASSIGNED concentration in nrn_cur
        # and stores it into the ion at its end (`_ion_cai = cai`), after the
        # evaluation at v (the last, when di/dv is numerical): the mechanisms
        # after it in the same current evaluation read the new value.
        return [f"            ions_[{j}]->{field}[node_index[inst]] = {n};"
                for n, (j, field) in mech.ion_assigned.items() if n not in mech.synonyms]
    total = " + ".join(f"-{c}" if c in mech.electrode else c for c in mech.currents)
    L.append("    void current(const ranvier::cable::current_context& ctx,")
    L.append("                 ranvier::cable::state_view states) const override {")
    em = Emitter(mech, "BREAKPOINT", extra=("t",))
    breakpoint_emitter = lambda: Emitter(mech, "BREAKPOINT", extra=("t",))  # noqa: E731
    if not mech.currents:
        # (a mechanism writing only a concentration: nothing to add)
        L.append("        (void)ctx;")
        L.append("        (void)states;")
    else:
        L.extend(hoisted(2, states=("states", False)))
        L.append("        const double* v_of_node = ctx.v;")
        L.append("        [[maybe_unused]] const double t = ctx.t;")
        # The accumulated node arrays (not __restrict: several ions' arrays
        # are distinct, but the scatter through node_index does not vectorise anyway).
        for j in sorted(set(mech.ion_currents.values())):
            L.append(f"        double* ion_i_{j} = ions_[{j}]->i.data();")
            L.append(f"        double* ion_didv_{j} = ions_[{j}]->didv.data();")
        begin_hoisting(invariants)
        B = loads(3, "ptr", False, with_currents=False)
        prelude_set = set()
        if mech.synonyms and mech.derivative is not None:
            # nocmodl's nrn_cur for a KINETIC block that sets a concentration
            # (cai = ca[0]) runs the block (_ode_spec1) first under CVODE, so the
            # values the current reads (cabpump's ica_pmp) are those of the
            # states being evaluated; at fixed step they are the last update's.
            pre = Emitter(mech, f"DERIVATIVE {mech.solve[0]} (before the current, CVODE)", lambda *args: [],
                          extra=("t",))
            pre.block(mech.derivative.statement_block, 4)
            B.append("            if (ctx.variable_step) {")
            B.extend(pre.lines)
            B.append("            }")
            prelude_set = pre.set_here
        if mech.point:
            B.append("            const double mfact = 100.0 / ctx.area[node_index[inst]]; // nA -> mA/cm²")
            scale = "mfact * "
        else:
            scale = ""
        ion_currents = list(mech.ion_currents.items())
        if conductance is not None:
            B.append("            double " + ", ".join(f"{c} = 0" for c in mech.currents) + ";")
            em = emitted(breakpoint_emitter, mech.breakpoint.statement_block, 3)
            B.extend(em.lines)
            B.append("            // di/dv exact: the current is linear in v (derived by SymPy).")
            B.append(f"            ctx.g[node_index[inst]] += {scale}({ccode(conductance)});")
            B.append(f"            ctx.i[node_index[inst]] += {scale}({total});")
            for c, j in ion_currents:
                B.append(f"            ion_i_{j}[node_index[inst]] += {scale}{c};")
                B.append(f"            ion_didv_{j}[node_index[inst]] += {scale}({ccode(conductances[1][c])});")
            B.extend(assigned_concentration_stores())
        else:
            # NEURON's di/dv: (i(v + 0.001) - i(v)) / 0.001, evaluated in that order
            # (ASSIGNED values end as computed at v).
            n_ion = len(ion_currents)
            ion_arg = ", double* ion_out" if n_ion else ""
            B.append(f"            auto breakpoint = [&](const double v{ion_arg}) -> double {{")
            B.append("                double " + ", ".join(f"{c} = 0" for c in mech.currents) + ";")
            em = emitted(breakpoint_emitter, mech.breakpoint.statement_block, 4)
            B.extend(em.lines)
            for m, (c, _) in enumerate(ion_currents):
                B.append(f"                ion_out[{m}] = {c};")
            B.append(f"                return {total};")
            B.append("            };")
            if n_ion:
                B.append(f"            double ion_plus[{n_ion}], ion_at[{n_ion}];")
                B.append("            const double i_plus = breakpoint(v + 0.001, ion_plus);")
                B.append("            const double i_at = breakpoint(v, ion_at);")
            else:
                B.append("            const double i_plus = breakpoint(v + 0.001);")
                B.append("            const double i_at = breakpoint(v);")
            B.append(f"            ctx.g[node_index[inst]] += {scale}((i_plus - i_at) / 0.001);")
            B.append(f"            ctx.i[node_index[inst]] += {scale}i_at;")
            for m, (c, j) in enumerate(ion_currents):
                B.append(f"            ion_i_{j}[node_index[inst]] += {scale}ion_at[{m}];")
                B.append(f"            ion_didv_{j}[node_index[inst]] += {scale}((ion_plus[{m}] - ion_at[{m}]) / 0.001);")
            B.extend(assigned_concentration_stores())
        # ASSIGNED values the current evaluation sets and another block reads
        # before setting (cabpump's ica_pmp_last, read by the KINETIC block's
        # flux) are stored, as NEURON's nrn_cur stores them in its _p.
        for a, k in a_index.items():
            if (a in em.set_here and a in read_elsewhere) or a in prelude_set:
                B.append(f"            assigned_{k}[inst] = {a};")
        L.extend(end_hoisting(2))
        L.append("        for (std::size_t inst = 0; inst < count_; ++inst) {")
        L.extend(B)
        L.append("        }")
    L.append("    }")
    at_times = em.at_times

    # Observables: BREAKPOINT's values for one instance at (v, states, t).
    L.append("")
    L.append("    double observe(std::size_t what, std::size_t inst, double v_here,")
    L.append("                   ranvier::cable::state_view states, double t) const override {")
    L.extend(hoisted(2))
    L.append("        [[maybe_unused]] const double v = v_here;")
    L.extend(loads(2, "states", False, with_v=False))
    em_obs = Emitter(mech, "BREAKPOINT", extra=("t",))
    em_obs.block(mech.breakpoint.statement_block, 2)
    L.extend(em_obs.lines)
    L.append("        switch (what) {")
    for k, (n, _) in enumerate(mech.observables):
        L.append(f"        case {k}: return {n};")
    L.append("        default: return mechanism::observe(what, inst, v, states, t);")
    L.append("        }")
    L.append("    }")

    if at_times:
        L.append("")
        L.append("    void discontinuities(std::vector<double>& times) const override {")
        L.extend(hoisted(2))
        L.append("        for (std::size_t inst = 0; inst < size(); ++inst) {")
        L.extend(loads(3, None, False, with_v=False, with_currents=False))
        for x in at_times:
            L.append(f"            times.push_back({x});")
        L.append("        }")
        L.append("    }")

    if mech.net_receive is not None:
        L.extend(net_receive.generate_net_receive(mech, hoisted, loads, stores, Emitter))

    if set(mech.ion_assigned) - set(mech.synonyms) and not mech.currents:
        L.extend(stateless_update(mech, hoisted, loads, stores, emitted))

    if mech.derivative is not None:
        def cnexp(state, rhs, pad):
            f, jac, steady = ode_parts(state, rhs)
            if steady is None:
                return [f"{pad}{state} = {state} + dt * ({ccode(f)});"]
            jac = rate_without_reciprocals(jac, ACTIVE.reciprocals)
            # Exact for rates fixed over the step: x += (1 - exp(dt J)) (x_inf - x).
            factor = f"(1.0 - {MATH_FUNCTIONS['exp']}(dt * ({ccode(jac)})))"
            names = {str(x) for x in jac.free_symbols}
            if HOIST is not None and names <= INVARIANT_NAMES:
                factor = hoisted_name(factor)  # J of globals only (sk's -1/ztau): once per call
            elif names <= set(p_index) | set(mech.constants):
                # J of parameters (ExpSyn's -1/tau), fixed after INITIAL: the factor
                # per instance, recomputed when dt changes and after initialise.
                k = len(cached_factors)
                cached_factors.append((factor, sorted(names & set(p_index))))
                factor = f"cnexp_factor_{k}[inst]"
            return [f"{pad}{state} = {state} + {factor} * (({ccode(steady)}) - {state});"]

        def derivative(state, rhs, pad):
            return [f"{pad}out_{s_index[state]}[inst] = {cpp_expression(rhs)};"]

        def jacobian(state, rhs, pad):
            # d(state')/d(state), any ODE (for CVODE's diagonal preconditioner).
            x = sp.Symbol(state, real=True)
            jac = rate_without_reciprocals(sp.simplify(sp.diff(sympy_of(rhs, None), x)), ACTIVE.reciprocals)
            return [f"{pad}out_{s_index[state]}[inst] = {ccode(jac)};"]

        def euler(state, rhs, pad):
            return [f"{pad}d_{state} = {cpp_expression(rhs)};"]

        method = mech.solve[1]
        L.append("")
        L.append("    void advance_states(const double* v_of_node, double dt) override {")
        # v and the ion values gathered first: the loop then reads contiguous arrays.
        L.extend(hoisted(2, states=("data_.states", True), gather=True))
        begin_hoisting(invariants)
        B = loads(3, "ptr", True, gathered=True)
        block_name = f"DERIVATIVE {mech.solve[0]}"
        if method == "cnexp":
            em = emitted(lambda: Emitter(mech, block_name, cnexp, extra=("dt",), reciprocal_temps=True),
                         mech.derivative.statement_block, 3)
        elif method == "euler":
            # Forward Euler: every derivative at the step's start, then the updates.
            B.append("            double " + ", ".join(f"d_{n} = 0" for n in s_index) + ";")
            em = emitted(lambda: Emitter(mech, block_name, euler, extra=("dt",), reciprocal_temps=True),
                         mech.derivative.statement_block, 3)
            em.lines += [f"            {n} = {n} + dt * d_{n};" for n in s_index]
        else:
            # derivimplicit, sparse: backward Euler solved by Newton's method
            # (sparse: with NEURON's iteration, Emitter.newton).
            def make_implicit():
                e = Emitter(mech, f"{block_name} ({method})", extra=("dt",))
                if method == "sparse":
                    e.sparse_nonlinear = scheme_nonlinear(mech)
                return e
            em = emitted(make_implicit, mech.implicit.statement_block, 3)
        B.extend(em.lines)
        written = set(em.set_here)
        if method == "sparse" and assignments_read_states(mech):
            # NEURON's sparse calls the KINETIC block once more at the converged
            # states: what it assigns from them (cabpump's ica_pmp from the pump's
            # flux, cai = ca[0]) ends at the new states, not the step's start.
            again = Emitter(mech, f"{block_name} (at the new states)", lambda *args: [], extra=("dt",))
            again.block(mech.derivative.statement_block, 3)
            B.append("            // The block's assignments at the new states (NEURON's sparse evaluates it once more).")
            B.extend(again.lines)
            written |= again.set_here
        B.extend(stores(3, via_pointers=True, written=written))
        for k in range(len(cached_factors)):
            L.append(f"        double* __restrict cnexp_factor_{k} = cnexp_factor_[{k}].data();")
        if cached_factors:
            L.append("        if (dt != cnexp_dt_) { // (NaN after initialise)")
            L.append("            for (std::size_t inst = 0; inst < count_; ++inst) {")
            used = sorted({n for _, ns in cached_factors for n in ns}, key=p_index.get)
            for n in used:
                L.append(f"                const double {n} = param_{p_index[n]}[inst];")
            for k, (text, _) in enumerate(cached_factors):
                L.append(f"                cnexp_factor_{k}[inst] = {text};")
            L.append("            }")
            L.append("            cnexp_dt_ = dt;")
            L.append("        }")
        L.extend(end_hoisting(2))
        L.append("        for (std::size_t inst = 0; inst < count_; ++inst) {")
        L.extend(B)
        L.append("        }")
        L.append("    }")
        for fn, cb, out in (("state_derivatives", derivative, "dstates"),
                            ("state_jacobian_diagonal", jacobian, "jacobian")):
            L.append("")
            L.append(f"    void {fn}(const double* v_of_node, ranvier::cable::state_view states,")
            L.append(f"                 ranvier::cable::state_out {out}) const override {{")
            L.extend(hoisted(2, states=("states", False)))
            L.extend(f"        double* __restrict out_{k} = {out}[{k}];" for k in s_index.values())
            begin_hoisting(invariants)
            B = loads(3, "ptr", False)
            em = emitted(lambda: Emitter(mech, block_name, cb, reciprocal_temps=True),
                         mech.derivative.statement_block, 3)
            B.extend(em.lines)
            L.extend(end_hoisting(2))
            L.append("        for (std::size_t inst = 0; inst < count_; ++inst) {")
            L.extend(B)
            L.append("        }")
            L.append("    }")

    table_members = tables.members(mech, Emitter, cpp_expression, fail)
    if table_members or mech.module_locals:
        L.append("")
        L.append("private:")
        L.extend(table_members)
    if mech.module_locals:
        L.append("    // Top-level LOCALs: NEURON's per-type statics (0 at start, kept between calls).")
        L.append("    mutable double " + ", ".join(f"{n} = 0" for n in mech.module_locals) + ";")
    if a_index or mech.derivative is not None:
        L.append("")
        L.append("private:")
    if a_index:
        L.append("    // ASSIGNED values read before assigned by some block, per instance")
        L.append("    // ([name][instance], sized at initialise): " + ", ".join(a_index) + ".")
        L.append(f"    std::vector<double> assigned_[{len(a_index)}];")
    if mech.derivative is not None:
        L.append(f"    // advance_states' gathered v and ion values ([{gathered_count} * instances], sized at initialise).")
        L.append("    std::vector<double> scratch_;")
        L.append("    // cnexp's 1 - exp(dt J) per instance for J of parameters, at dt = cnexp_dt_")
        L.append("    // (at least one array: initialise() is written before the count is known).")
        L.append(f"    std::vector<double> cnexp_factor_[{max(1, len(cached_factors))}];")
        L.append("    double cnexp_dt_ = std::numeric_limits<double>::quiet_NaN();")
    L.append("};")
    L.append("")
    L.append("} // namespace")
    L.append("")
    L.append("std::unique_ptr<ranvier::cable::mechanism> make() {")
    L.append(f"    return std::make_unique<{klass}>();")
    L.append("}")
    L.append("")
    L.append(f"}} // namespace {namespace}")
    return "\n".join(L) + "\n"


def generate_header(mech, namespace):
    return "\n".join([
        f"// Generated by src/nmodl/translate.py from {mech.path}. Do not edit.",
        "#pragma once",
        "",
        "#include \"cable/mechanisms/mechanism.hpp\"",
        "",
        "#include <memory>",
        "",
        f"namespace {namespace} {{",
        "ranvier::cable::mechanism_type type();",
        "std::unique_ptr<ranvier::cable::mechanism> make();",
        f"}} // namespace {namespace}",
        "",
    ])


net_receive.bind(TranslationError, cpp_expression)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mod_file")
    parser.add_argument("--cpp", required=True, help="C++ source to write")
    parser.add_argument("--hpp", help="header to write (declares type() and make())")
    parser.add_argument("--namespace", help="C++ namespace (default ranvier::cable::nmodl_<SUFFIX>)")
    args = parser.parse_args(argv)
    try:
        mech = read_mechanism(args.mod_file)
        namespace = args.namespace or f"ranvier::cable::nmodl_{mech.suffix}"
        code = generate(mech, namespace)
        header = generate_header(mech, namespace)
    except TranslationError as e:
        where = f"{args.mod_file}:{e.line}" if e.line else args.mod_file
        sys.stderr.write(f"{where}: error: {e}\n")
        return 1
    except OSError as e:
        sys.stderr.write(f"{args.mod_file}: error: {e.strerror}\n")
        return 1
    with open(args.cpp, "w", encoding="utf-8") as f:
        f.write(code)
    if args.hpp:
        with open(args.hpp, "w", encoding="utf-8") as f:
            f.write(header)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
