"""NET_RECEIVE for src/nmodl/translate.py: several arguments kept per
connection, NET_RECEIVE's INITIAL block, flags, net_send self-events and
net_event spikes (docs/nmodl.md, "Events"). Kept apart from translate.py's
generate() so that it only calls in here.

Semantics, as NEURON 8.2 (checked against nocmodl's output and runs):
- NET_RECEIVE(w, w2, ...): the arguments are the connection's (NetCon
  weight[0], weight[1], ...), read in and, if assigned, written back to the
  connection's storage, so they persist per connection.
- `flag` is 0 for a connection's event and net_send's flag for a self-event;
  `t` is the event's time.
- net_send(delay, flag) in NET_RECEIVE sends an event back to the same
  instance at t + delay, carrying the sending event's arguments; in the
  mechanism's INITIAL block at 0 + delay, with no arguments (NEURON passes
  none there: reading them crashes NEURON; here they read 0).
- INITIAL { } inside NET_RECEIVE runs once per connection after the
  mechanism's INITIAL blocks; it may assign the arguments.
- net_event(t) emits a spike of the cell carrying the point process.
- net_move(tt) (ARTIFICIAL_CELL only) moves the instance's pending flag-1
  self-event to tt (NEURON: the last one sent with flag 1, none once it was
  received; tt before t is an error).
"""

from nmodl import dsl
from nmodl.dsl import ast, visitor


# translate.py's error class and expression printer (bind(): translate.py
# runs as a script, so importing it from here would load a second copy).
_error = None
_cpp = None


def bind(error_class, cpp_expression):
    global _error, _cpp
    _error, _cpp = error_class, cpp_expression


def _fail(message):
    raise _error(message)


def _calls(node, name):
    return [c for c in visitor.AstLookupVisitor().lookup(node, ast.AstNodeType.FUNCTION_CALL)
            if c.get_node_name() == name]


def _initial_of(block):
    """The INITIAL block inside NET_RECEIVE, or None."""
    found = [s for s in block.statement_block.statements
             if s.get_node_type_name() == "ExpressionStatement"
             and s.expression.get_node_type_name() == "InitialBlock"]
    if len(found) > 1:
        _fail("NET_RECEIVE: more than one INITIAL block")
    return found[0].expression if found else None


def analyse(mech, program_blocks=None):
    """Sets mech.nr: what NET_RECEIVE and INITIAL use (cached)."""
    if getattr(mech, "nr", None) is not None:
        return mech.nr
    info = {"args": [], "assigns": False, "initial": None, "sends": False, "emits": False, "moves": False}
    nr = mech.net_receive
    if nr is not None:
        info["args"] = list(mech.net_args)
        info["initial"] = _initial_of(nr)
        for e in visitor.AstLookupVisitor().lookup(nr, ast.AstNodeType.BINARY_EXPRESSION):
            if e.op.eval() == "=" and e.lhs.get_node_type_name() == "VarName" \
                    and e.lhs.get_node_name() in info["args"]:
                info["assigns"] = True
        if info["initial"] is not None:
            info["assigns"] = True  # its storage must exist to be initialised
            if _calls(info["initial"], "net_send") or _calls(info["initial"], "net_event"):
                _fail("NET_RECEIVE: net_send/net_event in NET_RECEIVE's INITIAL block is not supported "
                      "(use the mechanism's INITIAL block)")
        info["sends"] = bool(_calls(nr, "net_send"))
        info["emits"] = bool(_calls(nr, "net_event"))
        info["moves"] = bool(_calls(nr, "net_move"))
    for block in (mech.initial, mech.breakpoint, mech.derivative):
        if block is None:
            continue
        if _calls(block, "net_event"):
            _fail("net_event: only NET_RECEIVE can emit a spike (net_event)")
        if _calls(block, "net_move"):
            _fail("net_move: only NET_RECEIVE can move its self-event")
        if block is not mech.initial and _calls(block, "net_send"):
            _fail("net_send: only NET_RECEIVE and INITIAL can send self-events")
        if block is mech.initial and _calls(block, "net_send"):
            if nr is None:
                _fail("INITIAL: net_send needs a NET_RECEIVE block to receive the self-event")
            info["sends"] = True
    mech.nr = info
    return info


def type_lines(mech):
    """Statements of type() declaring the event interface."""
    info = analyse(mech)
    out = []
    if info["args"]:
        out.append("    t.event_arguments = {" + ", ".join(f'"{a}"' for a in info["args"]) + "};")
    if info["assigns"]:
        out.append("    t.assigns_event_arguments = true;")
    if info["initial"] is not None:
        out.append("    t.has_net_receive_initial = true;")
    if info["sends"]:
        out.append("    t.sends_self_events = true;")
    if info["emits"]:
        out.append("    t.emits_spikes = true;")
    if info["moves"]:
        out.append("    t.moves_self_events = true;")
    if getattr(mech, "artificial", False):
        out.append("    t.artificial_cell = true;")
    return out


def _net_send(args_expr):
    """The Emitter call hook of net_send(delay, flag): t + delay, with the
    arguments `args_expr` (C++, a std::span<double>)."""
    def emit(emitter, call, pad):
        if len(call.arguments) != 2:
            _fail(f"{emitter.block_name}: net_send takes (delay, flag)")
        for a in call.arguments:
            emitter.check_reads(a)
        delay, flag = (_cpp(a) for a in call.arguments)
        return [f"{pad}mechanism::net_send(inst, t, {delay}, {flag}, {args_expr});"]
    return emit


def _net_event(emitter, call, pad):
    if len(call.arguments) != 1:
        _fail(f"{emitter.block_name}: net_event takes (t)")
    emitter.check_reads(call.arguments[0])
    return [f"{pad}mechanism::net_event(inst, {_cpp(call.arguments[0])});"]


def _net_move(emitter, call, pad):
    """net_move(tt): the instance's pending flag-1 self-event moves to tt
    (NEURON's artcell_net_move; the group applies it, src/cells/artificial)."""
    if len(call.arguments) != 1:
        _fail(f"{emitter.block_name}: net_move takes (time)")
    emitter.check_reads(call.arguments[0])
    return [f"{pad}mechanism::net_move(inst, t, {_cpp(call.arguments[0])});"]


def initial_calls(mech):
    """Call hooks of the mechanism's INITIAL block (net_send without arguments)."""
    return {"net_send": _net_send("std::span<double>()")}


def generate_net_receive(mech, hoisted, loads, stores, emitter_class):
    """The net_receive, receive_event and net_receive_initial methods."""
    info = analyse(mech)
    args = info["args"]
    nr = mech.net_receive
    L = []

    def arg_loads(pad):
        return [f"{pad}[[maybe_unused]] double {a} = args.size() > {k} ? args[{k}] : 0.0;"
                for k, a in enumerate(args)]

    def arg_stores(pad, assigned):
        # Written back to the connection's storage (arguments it does not
        # have, e.g. a plain event's, are dropped).
        return [f"{pad}if (args.size() > {k}) args[{k}] = {a};"
                for k, a in enumerate(args) if a in assigned]

    L.append("")
    L.append(f"    void receive_event(std::size_t inst, double weight) override {{")
    L.append("        double a[1] = {weight};")
    L.append("        net_receive(inst, std::span<double>(a, 1), 0.0, 0.0);")
    L.append("    }")
    L.append("")
    L.append("    void net_receive(std::size_t inst, std::span<double> args, double flag, double t) override {")
    L.append("        (void)flag;")
    L.append("        (void)t;")
    L.extend(hoisted(2))
    L.append("        [[maybe_unused]] const double* v_of_node = nullptr;")
    L.extend(loads(2, "data_.states", True, with_v=False))
    L.extend(arg_loads("        "))
    em = emitter_class(mech, "NET_RECEIVE", extra=list(args) + ["flag", "t"],
                       calls={"net_send": _net_send("args"), "net_event": _net_event,
                              "net_move": _net_move})
    for s in nr.statement_block.statements:
        if s.get_node_type_name() == "ExpressionStatement" and s.expression.get_node_type_name() == "InitialBlock":
            continue
        em.statement(s, 2, True)
    L.extend(em.lines)
    L.extend(arg_stores("        ", em.set_here))
    L.extend(stores(2))
    L.append("    }")

    if info["initial"] is not None:
        L.append("")
        L.append("    void net_receive_initial(std::size_t inst, std::span<double> args) override {")
        L.append("        [[maybe_unused]] const double t = 0;")
        L.extend(hoisted(2))
        L.append("        [[maybe_unused]] const double* v_of_node = nullptr;")
        L.extend(loads(2, "data_.states", True, with_v=False))
        L.extend(arg_loads("        "))
        em = emitter_class(mech, "NET_RECEIVE INITIAL", extra=list(args) + ["t"])
        em.block(info["initial"].statement_block, 2)
        L.extend(em.lines)
        L.extend(arg_stores("        ", em.set_here))
        L.extend(stores(2))
        L.append("    }")
    return L
