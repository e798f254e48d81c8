"""DEFINE, FROM loops and array variables (cabpump's `DEFINE NANN 10`,
`STATE ca[NANN]`, `FROM i = 0 TO NANN-1 { ... }`), rewritten in the .mod
text before it is parsed, so that the rest of the translator sees scalars:

- `DEFINE NAME n` (an integer): NAME replaced by n (as nocmodl's macro);
- `FROM i = lo TO hi [BY step] { body }` with bounds that are integers once
  DEFINEs are replaced: unrolled (i replaced by each value; NEURON runs the
  body for i = lo, lo + step, ... while i <= hi). Debian's python3-nmodl has
  no LoopUnrollVisitor in its Python bindings, and its KineticBlockVisitor
  drops reactions inside loops and ignores an indexed COMPARTMENT, so the
  unrolling is done here;
- arrays `name[n]` declared in STATE, ASSIGNED or a top-level LOCAL: every
  element becomes a scalar `name_k`, every `name[expr]` (expr an integer
  expression once unrolled) that element, and `name` alone in GLOBAL/RANGE
  or a COMPARTMENT's species list all elements;
- `COMPARTMENT i, expr {species}`: one COMPARTMENT per element, i replaced.

The text keeps its lines (an unrolled loop is written on the FROM's line,
the loop's other lines left empty; comments are dropped), so the line of
anything reported later is still the file's. `display` maps each element's
scalar name to NEURON's spelling (`ca_0` -> `ca[0]`), the name probes use.
"""

import ast as pyast
import re

from source_lines import code_lines, matching_brace

WORD = r"[A-Za-z_][A-Za-z_0-9]*"


def integer(text, where, fail, line):
    """The value of an integer expression (numbers, + - * / // % and
    parentheses; nothing else), or a user error."""
    try:
        tree = pyast.parse(text.strip(), mode="eval")
    except SyntaxError:
        tree = None
    allowed = (pyast.Expression, pyast.BinOp, pyast.UnaryOp, pyast.Constant, pyast.Add, pyast.Sub,
               pyast.Mult, pyast.Div, pyast.FloorDiv, pyast.Mod, pyast.USub, pyast.UAdd)
    if tree is None or not all(isinstance(n, allowed) for n in pyast.walk(tree)):
        fail(f"{where} '{text.strip()}' must be an integer constant (numbers and DEFINEs)", line)
    value = eval(compile(tree, "<index>", "eval"), {"__builtins__": {}})  # (only arithmetic on numbers)
    if float(value) != int(value):
        fail(f"{where} '{text.strip()}' is not an integer ({value})", line)
    return int(value)


def needs_expansion(text):
    code = "\n".join(c for _, c in code_lines(text))
    return bool(re.search(r"\bDEFINE\b|\bFROM\b[^\n]*\{|" + WORD + r"\s*\[", code))


def line_of(code, position):
    return code.count("\n", 0, position) + 1


def expand(text, fail):
    """(text with DEFINEs, FROM loops and arrays rewritten, display names)."""
    if not needs_expansion(text):
        return text, {}
    lines = {n: c for n, c in code_lines(text)}
    count = len(text.splitlines())
    code = "\n".join(lines.get(n, "") for n in range(1, count + 1))

    # DEFINE NAME n
    defines = {}
    for m in re.finditer(rf"\bDEFINE\s+({WORD})\s+([^\n]*)", code):
        defines[m.group(1)] = integer(m.group(2), f"DEFINE {m.group(1)}", fail, line_of(code, m.start()))
    code = re.sub(rf"\bDEFINE\s+{WORD}\s+[^\n]*", "", code)
    for name, value in defines.items():
        code = re.sub(rf"\b{name}\b", str(value), code)

    # FROM loops, outermost first (an inner loop is unrolled in a later pass).
    loop = re.compile(rf"\bFROM\s+({WORD})\s*=\s*([^{{}}\n]+?)\s+TO\s+([^{{}}\n]+?)(?:\s+BY\s+([^{{}}\n]+?))?\s*\{{")
    while True:
        m = loop.search(code)
        if m is None:
            break
        line = line_of(code, m.start())
        var = m.group(1)
        lo = integer(m.group(2), "FROM's lower bound", fail, line)
        hi = integer(m.group(3), "FROM's upper bound", fail, line)
        step = integer(m.group(4), "FROM's step (BY)", fail, line) if m.group(4) else 1
        if step <= 0:
            fail(f"FROM {var} ... BY {step}: the step must be positive", line)
        close = matching_brace(code, m.end() - 1)
        if close < 0:
            fail("FROM: no closing brace", line)
        body = code[m.end():close].replace("\n", " ")
        copies = [re.sub(rf"\b{var}\b", f"({k})", body) for k in range(lo, hi + 1, step)]
        newlines = code.count("\n", m.start(), close + 1)
        code = code[:m.start()] + " ".join(copies) + "\n" * newlines + code[close + 1:]

    # Array declarations: name[n] in STATE, ASSIGNED, PARAMETER (refused), LOCAL.
    arrays = {}
    for block in ("STATE", "ASSIGNED", "PARAMETER"):
        for b in re.finditer(rf"\b{block}\s*\{{", code):
            close = matching_brace(code, b.end() - 1)
            inner = code[b.end():close]
            for d in re.finditer(rf"({WORD})\s*\[([^\[\]]+)\]", inner):
                where = line_of(code, b.end() + d.start())
                if block == "PARAMETER":
                    fail(f"PARAMETER {d.group(1)}[...]: array parameters are not supported", where)
                arrays[d.group(1)] = integer(d.group(2), f"the size of {d.group(1)}", fail, where)
    for d in re.finditer(rf"(?m)^\s*LOCAL\b([^\n]*)", code):
        for a in re.finditer(rf"({WORD})\s*\[([^\[\]]+)\]", d.group(1)):
            arrays[a.group(1)] = integer(a.group(2), f"the size of {a.group(1)}", fail, line_of(code, d.start()))
    if not arrays:
        return code + "\n", {}
    existing = set(re.findall(WORD, code))
    display = {}
    for name, size in arrays.items():
        if size <= 0:
            fail(f"array {name}[{size}]: the size must be positive", 0)
        for k in range(size):
            flat = f"{name}_{k}"
            if flat in existing:
                fail(f"array {name}: its element {name}[{k}] would be named {flat}, which the file "
                     "already uses; rename one", 0)
            display[flat] = f"{name}[{k}]"
    names = "|".join(sorted(arrays, key=len, reverse=True))

    # COMPARTMENT i, expr {species}: one per element (i in the array's range).
    def compartment(m):
        var, volume, species = m.group(1), m.group(2), m.group(3).split()
        out = []
        for s in species:
            for k in range(arrays.get(s, 0)):
                at_k = re.sub(rf"\b{var}\b", f"({k})", volume)
                out.append(f"COMPARTMENT {at_k} {{{s}[{k}]}}")
            if s not in arrays:
                out.append(f"COMPARTMENT {volume} {{{s}}}")
        return " ".join(out)
    code = re.sub(rf"\bCOMPARTMENT\s+({WORD})\s*,\s*([^{{}}\n]+?)\s*\{{([^{{}}]*)\}}", compartment, code)

    # Declarations: one scalar per element (same unit, bounds).
    def declaration(m):
        name, rest = m.group(1), (m.group(3) or "") + (m.group(4) or "")
        return " ".join(f"{name}[{k}]{rest}" for k in range(arrays[name]))
    for block in ("STATE", "ASSIGNED"):
        for b in list(re.finditer(rf"\b{block}\s*\{{", code))[::-1]:
            close = matching_brace(code, b.end() - 1)
            # (the element's unit and tolerance follow it: `ca[NANN] (mM) <1e-6>`)
            inner = re.sub(rf"\b({names})\s*\[([^\[\]]+)\](\s*\([^()\n]*\))?(\s*<[^<>\n]*>)?",
                           declaration, code[b.end():close])
            code = code[:b.end()] + inner + code[close:]
    code = re.sub(rf"(?m)^(\s*LOCAL\b)([^\n]*)", lambda m: m.group(1) + re.sub(
        rf"\b({names})\s*\[[^\[\]]+\]", lambda a: ", ".join(f"{a.group(1)}[{k}]" for k in range(arrays[a.group(1)])),
        m.group(2)), code)

    # Whole arrays named in GLOBAL, RANGE and COMPARTMENT species lists.
    def whole(text, separator):
        return re.sub(rf"\b({names})\b(?!\s*\[)", lambda a: separator.join(
            f"{a.group(1)}[{k}]" for k in range(arrays[a.group(1)])), text)
    code = re.sub(r"\b(GLOBAL|RANGE)\b[^\n]*", lambda m: whole(m.group(0), ", "), code)
    code = re.sub(r"(\bCOMPARTMENT\b[^{}\n]*)\{([^{}]*)\}",
                  lambda m: m.group(1) + "{" + whole(m.group(2), " ") + "}", code)

    # Every element reference: name[integer expression] -> name_k.
    def element(m):
        name = m.group(1)
        where = line_of(code, m.start())
        k = integer(m.group(2), f"the index of {name}", fail, where)
        if not 0 <= k < arrays[name]:
            fail(f"{name}[{k}]: index out of range (0 to {arrays[name] - 1})", where)
        return f"{name}_{k}"
    while re.search(rf"\b({names})\s*\[", code):
        code = re.sub(rf"\b({names})\s*\[([^\[\]]+)\]", element, code)
    for name in arrays:
        for m in re.finditer(rf"(?m)^(?!\s*USEION\b)[^\n]*?\b({name})\b", code):  # (USEION ca: the ion)
            fail(f"array {name} used without an index (only GLOBAL, RANGE and COMPARTMENT lists may name "
                 "a whole array)", line_of(code, m.start()))
    return code + "\n", display
