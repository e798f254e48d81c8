"""TABLE statements of NMODL PROCEDUREs and FUNCTIONs, with NEURON's semantics
(read from the C nocmodl 8.2 writes for a TABLE; docs/nmodl.md, "TABLE"):

- `TABLE [vars] [DEPEND g1, g2] FROM lo TO hi WITH n` in a PROCEDURE (vars:
  the ASSIGNED values it computes) or a FUNCTION (its value) of one argument.
- The table holds n + 1 values at x = lo, lo + dx, ... with dx = (hi - lo)/n,
  x advanced by repeated addition of dx (as NEURON, so the points carry its
  roundoff), computed by the PROCEDURE/FUNCTION body itself.
- A lookup at x: xi = (x - lo) / dx written as (1/dx) (x - lo); NaN gives NaN;
  xi <= 0 the first value, xi >= n the last (clamped, no extrapolation);
  otherwise i = (int) xi, theta = xi - i, t[i] + theta (t[i+1] - t[i]).
- `usetable_<suffix>` (a GLOBAL, default 1): 0 evaluates the body directly.
  Here the mechanism's global `usetable`.
- The table is one per mechanism type in NEURON, built before the run by the
  first instance's data and rebuilt when a DEPEND value changed. DEPEND names
  must therefore be GLOBALs (or celsius); a RANGE variable in DEPEND, or a
  body reading any per-instance value besides its argument, would tabulate the
  first instance's value for all, and is refused. In Ranvier globals are fixed
  during a run and every mechanism object is made for one simulation, so the
  table is built at each initialise (when usetable != 0), after the globals
  are set.

The translator renames a tabled block `name` to `name__direct` before parsing,
so NMODL's inliner leaves calls of `name` in place; the generator emits them
as calls of the member `table_<name>` (lookup or direct evaluation),
`direct_<name>` (the body) and `build_table_<name>` (at initialise)."""

import re

from nmodl import dsl
from nmodl.dsl import ast, visitor

from source_lines import code_lines

DIRECT = "__direct"


class Table:
    def __init__(self, name, kind, args, variables, depend, lo, hi, n, line):
        self.name = name          # PROCEDURE or FUNCTION name
        self.kind = kind          # "PROCEDURE" or "FUNCTION"
        self.args = args          # argument names (exactly one)
        self.variables = variables  # PROCEDURE: ASSIGNED names it tabulates
        self.depend = depend
        self.lo, self.hi = lo, hi  # FROM/TO expressions (AST nodes)
        self.n = n                # WITH
        self.line = line
        self.body = None          # statement block of name__direct, after inlining


def table_lines(text):
    """Lines of the TABLE keywords outside comments, in file order."""
    lines = []
    for number, code in code_lines(text):
        lines += [number] * len(re.findall(r"\bTABLE\b", code))
    return lines


def find_tables(program, text, fail):
    """The TABLEs of a parsed (not yet inlined) program, and the source text
    with each tabled block renamed to name__direct."""
    lines = table_lines(text)
    found = []
    lookup = visitor.AstLookupVisitor()
    blocks = [b for b in program.blocks if b.is_procedure_block() or b.is_function_block()]
    statements = lookup.lookup(program, ast.AstNodeType.TABLE_STATEMENT)
    by_block = {}
    for b in blocks:
        inner = lookup.lookup(b, ast.AstNodeType.TABLE_STATEMENT)
        if inner:
            by_block[b.get_node_name()] = (b, inner)
    k = 0
    for s in statements:
        line = lines[k] if k < len(lines) else 0
        k += 1
        owner = None
        for name, (b, inner) in by_block.items():
            if any(dsl.to_nmodl(x) == dsl.to_nmodl(s) for x in inner):
                owner = b
        if owner is None:
            fail("TABLE: only allowed in a PROCEDURE or FUNCTION", line)
        name = owner.get_node_name()
        kind = "FUNCTION" if owner.is_function_block() else "PROCEDURE"
        if len(by_block[name][1]) > 1:
            fail(f"TABLE: {kind} {name} has more than one TABLE statement", line)
        args = [a.get_node_name() for a in owner.parameters]
        if len(args) != 1:
            fail(f"TABLE in {kind} {name}: a table needs exactly one argument (the table's "
                 f"independent variable), {name} has {len(args)}", line)
        # The TABLE must come first: NEURON tabulates the whole body.
        first = [st for st in owner.statement_block.statements
                 if st.get_node_type_name() not in ("LocalListStatement", "LineComment", "BlockComment",
                                                    "UnitState")]
        if not first or not first[0].is_table_statement():
            fail(f"TABLE in {kind} {name}: the TABLE statement must precede the body's statements", line)
        variables = [v.get_node_name() for v in s.table_vars]
        if kind == "FUNCTION" and variables:
            fail(f"TABLE {', '.join(variables)} in FUNCTION {name}: a FUNCTION's table holds its value "
                 "(TABLE without names)", line)
        if kind == "PROCEDURE" and not variables:
            fail(f"TABLE in PROCEDURE {name}: name the ASSIGNED values it computes (TABLE a, b FROM ...)",
                 line)
        with_text = dsl.to_nmodl(getattr(s, "with")).strip()
        if not re.fullmatch(r"\d+", with_text) or int(with_text) < 1:
            fail(f"TABLE in {kind} {name}: WITH {with_text}: the number of intervals must be a "
                 "positive integer", line)
        found.append(Table(name, kind, args, variables, [d.get_node_name() for d in s.depend_vars],
                           getattr(s, "from"), s.to, int(with_text), line))
    return found, rename_definitions(text, found)


def rename_definitions(text, found):
    """`PROCEDURE name(` -> `PROCEDURE name__direct(` for each table, outside
    comments (a COMMENT may quote the header)."""
    out, in_comment = [], False
    pending = {(t.kind, t.name) for t in found}
    for raw in text.split("\n"):
        if in_comment:
            in_comment = not re.match(r"\s*ENDCOMMENT\b", raw)
        elif re.match(r"\s*COMMENT\b", raw):
            in_comment = True
        else:
            parts = re.split(r"([:?])", raw, maxsplit=1)  # ':' and '?' start comments
            code, sep, rest = parts if len(parts) == 3 else (raw, "", "")
            for kind, name in sorted(pending):
                pattern = rf"\b({kind})(\s+){re.escape(name)}(\s*\()"
                if re.search(pattern, code):
                    code = re.sub(pattern, rf"\1\2{name}{DIRECT}\3", code, count=1)
                    pending.discard((kind, name))
            raw = code + sep + rest
        out.append(raw)
    return "\n".join(out)


def attach(mech, program, tables, fail):
    """After inlining: the bodies, checks against the mechanism's names, and
    the `usetable` global."""
    mech.tables = tables
    if not tables:
        return
    names = {t.name for t in tables}
    globals_ = {g[0] for g in mech.globals}
    params = {p[0] for p in mech.parameters}
    for t in tables:
        for b in program.blocks:
            if (b.is_procedure_block() or b.is_function_block()) and b.get_node_name() == t.name + DIRECT:
                t.body = b.statement_block
        calls = {c.get_node_name() for c in
                 visitor.AstLookupVisitor().lookup(t.body, ast.AstNodeType.FUNCTION_CALL)}
        if calls & names:
            fail(f"TABLE in {t.kind} {t.name}: its body calls the tabled {sorted(calls & names)[0]}() "
                 "(not supported)", t.line)
        for d in t.depend:
            if d in params:
                fail(f"TABLE in {t.kind} {t.name}: DEPEND {d}: {d} is a RANGE variable (one value per "
                     "instance), but NEURON keeps one table per mechanism type, built from the first "
                     f"instance's {d}; make {d} GLOBAL or remove the TABLE", t.line)
            if d not in globals_:
                fail(f"TABLE in {t.kind} {t.name}: DEPEND {d}: only GLOBALs (or celsius) can be "
                     "DEPEND variables", t.line)
        for v in t.variables:
            if v not in mech.assigned:
                fail(f"TABLE {v} in PROCEDURE {t.name}: a tabulated name must be an ASSIGNED value",
                     t.line)
    if "usetable" in globals_ | params | set(mech.assigned):
        fail("the name 'usetable' is Ranvier's switch of the TABLEs (NEURON's usetable_<suffix>); rename it")
    mech.globals.append(("usetable", "1", 1.0))


def cpp_calls(mech):
    """Tabled names -> the C++ member that evaluates a call."""
    return {t.name: f"table_{t.name}" for t in getattr(mech, "tables", [])}


def procedure_call(mech, call):
    """The C++ statement of a call of a tabled PROCEDURE, and the names it sets;
    None if `call` is not one."""
    for t in getattr(mech, "tables", []):
        if t.kind == "PROCEDURE" and t.name == call:
            return t
    return None


def members(mech, emitter_class, cpp_expression, fail):
    """Class members: per table its direct evaluation, lookup and builder."""
    lines = []
    g_index = {g[0]: k for k, g in enumerate(mech.globals)}
    use = g_index.get("usetable")
    for t in getattr(mech, "tables", []):
        known = set(g_index) | set(mech.constants) | set(t.args) | set(t.variables)
        if t.kind == "FUNCTION":
            known.add(t.name)
        em = emitter_class(mech, f"{t.kind} {t.name} (tabled)")
        em.known = known
        try:
            em.block(t.body, 3)
            bounds = []
            for e in (t.lo, t.hi):
                em.check_reads(e)
                bounds.append(cpp_expression(e))
        except Exception as e:  # the message says what the body reads
            if hasattr(e, "line") and not e.line:
                fail(f"{e} (a tabled body may read its argument, GLOBALs and constants only: NEURON "
                     "builds one table per mechanism type from the first instance)", t.line)
            raise
        gl = [f"        [[maybe_unused]] const double {n} = data_.globals[{k}];" for n, k in g_index.items()]
        arg = t.args[0]
        n = t.n
        pre = f"{t.name}_table"
        lines.append(f"    // TABLE of {t.kind} {t.name} ({mech.path}:{t.line}), {n + 1} points: "
                     "NEURON's lookup (src/nmodl/tables.py).")
        if t.kind == "FUNCTION":
            lines.append(f"    double direct_{t.name}(double {arg}) const {{")
            lines += gl
            lines.append(f"        double {t.name} = 0;")
            lines += em.lines
            lines.append(f"        return {t.name};")
            lines.append("    }")
            lines.append(f"    double table_{t.name}(double x) const {{")
            lines.append(f"        if (data_.globals[{use}] == 0) return direct_{t.name}(x);")
            lines.append(f"        const double xi = {pre}_mfac_ * (x - {pre}_tmin_);")
            lines.append("        if (std::isnan(xi)) return xi;")
            lines.append(f"        const double* tb = {pre}_[0].data();")
            lines.append("        if (xi <= 0.0) return tb[0];")
            lines.append(f"        if (xi >= {n}.0) return tb[{n}];")
            lines.append("        const int i = static_cast<int>(xi);")
            lines.append("        const double theta = xi - static_cast<double>(i);")
            lines.append("        return tb[i] + theta * (tb[i + 1] - tb[i]);")
            lines.append("    }")
        else:
            outs = ", ".join(f"double& {v}" for v in t.variables)
            lines.append(f"    void direct_{t.name}(double {arg}, {outs}) const {{")
            lines += gl
            lines += em.lines
            lines.append("    }")
            lines.append(f"    void table_{t.name}(double x, {outs}) const {{")
            names = ", ".join(t.variables)
            lines.append(f"        if (data_.globals[{use}] == 0) {{ direct_{t.name}(x, {names}); return; }}")
            lines.append(f"        const double xi = {pre}_mfac_ * (x - {pre}_tmin_);")
            lines.append("        if (std::isnan(xi)) {")
            lines += [f"            {v} = xi;" for v in t.variables]
            lines.append("            return;")
            lines.append("        }")
            lines.append(f"        const int last = {n};")
            lines.append("        const int i = xi <= 0.0 ? 0 : xi >= last ? last : static_cast<int>(xi);")
            lines.append("        if (xi <= 0.0 || xi >= last) {")
            lines += [f"            {v} = {pre}_[{k}][i];" for k, v in enumerate(t.variables)]
            lines.append("            return;")
            lines.append("        }")
            lines.append("        const double theta = xi - static_cast<double>(i);")
            for k, v in enumerate(t.variables):
                lines.append(f"        {v} = {pre}_[{k}][i] + theta * ({pre}_[{k}][i + 1] - {pre}_[{k}][i]);")
            lines.append("    }")
        count = len(t.variables) if t.kind == "PROCEDURE" else 1
        lines.append(f"    void build_table_{t.name}() {{")
        lines.append(f"        if (data_.globals[{use}] == 0) return; // usetable 0: never looked up")
        lines += gl
        lines.append(f"        {pre}_.assign({count}, std::vector<double>({n + 1}, 0.0));")
        lines.append(f"        {pre}_tmin_ = {bounds[0]};")
        lines.append(f"        const double tmax = {bounds[1]};")
        lines.append(f"        const double dx = (tmax - {pre}_tmin_) / {n}.0;")
        lines.append(f"        {pre}_mfac_ = 1.0 / dx;")
        lines.append("        // x advanced by repeated addition, as NEURON (the points carry its roundoff).")
        lines.append(f"        double x = {pre}_tmin_;")
        lines.append(f"        for (int i = 0; i < {n + 1}; x += dx, ++i) {{")
        if t.kind == "FUNCTION":
            lines.append(f"            {pre}_[0][i] = direct_{t.name}(x);")
        else:
            lines.append("            double " + ", ".join(f"{v} = 0" for v in t.variables) + ";")
            lines.append(f"            direct_{t.name}(x, {', '.join(t.variables)});")
            lines += [f"            {pre}_[{k}][i] = {v};" for k, v in enumerate(t.variables)]
        lines.append("        }")
        lines.append("    }")
        lines.append(f"    double {pre}_tmin_ = 0, {pre}_mfac_ = 0;")
        lines.append(f"    std::vector<std::vector<double>> {pre}_; // [name][point]")
        lines.append("")
    return lines


def build_calls(mech):
    """Statements at the start of initialise: (re)build every table."""
    return [f"        build_table_{t.name}();" for t in getattr(mech, "tables", [])]
