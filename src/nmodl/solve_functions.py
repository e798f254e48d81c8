"""FUNCTIONs and PROCEDUREs containing a SOLVE (cabpump's `FUNCTION ss()
{ SOLVE state STEADYSTATE sparse  ss = cai }`). NEURON lets hoc call them;
Ranvier has no interpreter that calls mechanism functions, and the inliner
cannot place a SOLVE where a call is. So such a block is dropped when
nothing in the file calls it (the generated code says so in a comment), and
refused, with its line, when something does."""

import re

from nmodl.dsl import ast, visitor

from source_lines import code_lines, matching_brace


def drop_uncalled(program, text, fail):
    """(text without the uncalled blocks that contain a SOLVE, [(kind, name,
    line)] dropped); the text keeps its lines."""
    lookup = visitor.AstLookupVisitor()
    calls = {c.get_node_name() for c in lookup.lookup(program, ast.AstNodeType.FUNCTION_CALL)}
    lines = {n: c for n, c in code_lines(text)}
    count = len(text.splitlines())
    code = "\n".join(lines.get(n, "") for n in range(1, count + 1))
    dropped = []
    for b in program.blocks:
        if not (b.is_function_block() or b.is_procedure_block()):
            continue
        if not lookup.lookup(b, ast.AstNodeType.SOLVE_BLOCK):
            continue
        kind = "FUNCTION" if b.is_function_block() else "PROCEDURE"
        name = b.get_node_name()
        m = re.search(rf"\b{kind}\s+{name}\b", code)
        line = code.count("\n", 0, m.start()) + 1 if m else 0
        if name in calls:
            fail(f"{kind} {name}: a SOLVE inside a {kind} is not supported when the {kind} is called "
                 "(Ranvier cannot solve a block where a call is; NEURON's hoc calls of it have no "
                 "counterpart either)", line)
        open_at = code.index("{", m.end())
        close = matching_brace(code, open_at)
        code = code[:m.start()] + "\n" * code.count("\n", m.start(), close + 1) + code[close + 1:]
        dropped.append((kind, name, line))
    if not dropped:
        return text, []
    return code + "\n", dropped
