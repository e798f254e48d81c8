"""Algebraic rewrites of the generated loop bodies (SymPy only, no C++ text):
exponentials that share a variable part computed once, and the division
count of expressions. Every rewrite is exact algebra, so results change at
roundoff level only (docs/nmodl.md, "What is generated"). translate.py
decides where they apply and prints them.
"""

import sympy as sp

# exp(n R + b) is formed as exp(R + b0)^n exp(b - n b0) for 1 <= n <= MAX_POWER:
# up to two multiplications instead of an exponential (each about 45
# operations), and the relative error grows with n, so n stays small.
MAX_POWER = 4


def rational(expr):
    """expr with its floating-point numbers as the exact rationals of their
    decimal text (0.1 -> 1/10), so that ratios of coefficients are exact."""
    return sp.nsimplify(expr, rational=True)


def affine_parts(arg, invariant):
    """(R, b) with arg = R + b, R = sum of c_i s_i over per-instance symbols
    s_i with numeric c_i, b a function of the names in `invariant` (globals,
    UNITS constants) and numbers; None when arg is not of that form or has
    no per-instance part."""
    variable, offset = sp.Integer(0), sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(arg)):
        if {str(s) for s in term.free_symbols} <= invariant:
            offset += term
            continue
        coefficient, rest = term.as_coeff_Mul()
        if not (rest.is_Symbol and coefficient.is_Rational):
            return None
        variable += term
    if variable == 0:
        return None
    return variable, offset


def direction(variable):
    """(symbols, their coefficients divided by the first one's), and that
    first coefficient (the scale): R = scale * direction."""
    coefficients = variable.as_coefficients_dict()
    symbols = tuple(sorted(coefficients, key=str))
    scale = coefficients[symbols[0]]
    return (symbols, tuple(coefficients[s] / scale for s in symbols)), scale


def plan_exp_groups(args, invariant):
    """Which exponentials are derived from others. args: the arguments of
    the exp calls of a block, in program order (SymPy, in the values the
    block starts with). Returns (bases, uses): bases a list of arguments whose
    exp is computed once; uses maps each argument derived from a base to
    (index in bases, n, delta) with exp(arg) = exp(bases[index])^n exp(delta).

    Arguments whose variable parts are proportional form a family; the
    smallest scales (in magnitude) become bases, the others use the base of
    which they are a small integer multiple (hh: exp(-(v+65)/20) =
    exp(-(v+65)/80)^4, exp(-(v+55)/10) = exp(-(v+40)/10) e^-1.5). A base's
    offset is that of its scale's first occurrence, so that one call keeps
    its argument as written. Families with a single distinct argument are
    left alone (the compiler shares identical calls itself)."""
    families = {}
    for arg in dict.fromkeys(args):  # distinct, in order
        parts = affine_parts(arg, invariant)
        if parts is None:
            continue
        key, scale = direction(parts[0])
        families.setdefault(key, []).append((arg, scale, parts[1]))
    bases, uses = [], {}
    for members in families.values():
        if len(members) < 2:
            continue
        chosen = []  # (scale, offset, index in bases)
        for arg, scale, offset in sorted(members, key=lambda m: abs(m[1])):
            n, base = smallest_multiple(scale, chosen)
            if base is None:
                first = next(m for m in members if m[1] == scale)  # program order
                bases.append(first[0])
                base = (scale, first[2], len(bases) - 1)
                chosen.append(base)
                n = 1
            uses[arg] = (base[2], n, sp.simplify(offset - n * base[1]))
    return shared_only(bases, uses)


def shared_only(bases, uses):
    """The bases that serve two or more distinct arguments, renumbered, and
    their uses: a base serving only its own argument would just move that
    call to the start of the block."""
    counts = [0] * len(bases)
    for k, _, _ in uses.values():
        counts[k] += 1
    kept = [k for k in range(len(bases)) if counts[k] >= 2]
    index = {k: j for j, k in enumerate(kept)}
    return ([bases[k] for k in kept],
            {arg: (index[k], n, delta) for arg, (k, n, delta) in uses.items() if k in index})


def smallest_multiple(scale, chosen):
    """(n, base) for the base of `chosen` of which scale is n times the
    scale with the smallest n in 1..MAX_POWER; (None, None) when none is."""
    for n in range(1, MAX_POWER + 1):
        for base in chosen:
            if scale == n * base[0]:
                return n, base
    return None, None


def divisions(expr):
    """How many divisions expr's C++ would have (SymPy writes a/b as
    a * b^-1; a negative power prints as a division)."""
    return sum(1 for p in sp.preorder_traversal(expr) if p.is_Pow and p.exp.is_negative)
