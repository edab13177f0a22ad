# SPDX-License-Identifier: Apache-2.0
"""int8_gradient_export.py — what an exported int8 model header (int8_export.py) gains for dJ/dx in
integers (include/ugrad/tflite/backward/): a tape (the forward's arena after a region of kept masks
and argmaxes), the plan of the int32 gradient buffers, and the members

    tape_bytes, gradient_words, input_gradient_offset, tape_input(tape), tape_output(tape),
    forward_keeping(tape), input_gradient(tape, gradient, label = -1)

    ext = int8_gradient_export.extension(model, steps, offset, arena, name, calls)
    ext["consts"] (a namespace NAME_gradient_data of Q15 factors), ext["members"] (struct members)

The backward reads the weights (NAME_data::opK_weights, the forward's own), shapes, strides, padding,
clamps, zero points and scales; never a bias. Each real factor f (scale ratios, 1/n) is a Q15 integer
m <= 2^15 and a power E, f = (m/2^15)·2^E (factor()). The loss: a model ending in SOFTMAX is a
classifier, J = −log ŷ_label of ugrad's fixed-point softmax of its int8 logits (the SOFTMAX's input);
any other model is an autoencoder, J = ‖ŷ − x‖²/n (its output and input of the same size).
"""
import math

import numpy as np

import int8_export as X
import int8_reference as R


def factor(values):
    """(power E, [m]) with v ≈ (m/2^15)·2^E, E from the largest: m <= 2^15."""
    values = [float(v) for v in values]
    top = max(values)
    _, e = math.frexp(top)  # top = q·2^e, q ∈ [0.5, 1)
    return e, [int(math.floor(v * 2.0 ** (15 - e) + 0.5)) for v in values]


def _scale(t):
    return float(t.quantization.scale[0])


def _zp(t):
    return int(t.quantization.zero_point[0])


def weighted_factors(model, op):
    """dy_code/dacc per output channel: s_x·s_w[c]/s_y (one value for a per-tensor weight scale)."""
    x, w, y = (model.tensors[i] for i in (op.inputs[0], op.inputs[1], op.outputs[0]))
    return [_scale(x) * float(s) / _scale(y) for s in w.quantization.scale]


def narrow(rng):
    return tuple(rng) != (-128, 127)


def plan_gradients(model, steps):
    """The backward's buffers: {key: (first, last)} over forward operator indices (the head at
    len(steps)), sizes in int32 words; keys are tensor roots and ('tmp', k, tensor) for a second
    contribution; returns (alias, life, size, contributions)."""
    alias, _, _ = X._lifetimes(model, steps)
    root = lambda i: alias.get(i, i)  # noqa: E731
    n = len(steps)
    T = model.tensors
    classifier = steps[-1][0].opcode == "SOFTMAX"
    for k, (op, _) in enumerate(steps):
        if op.opcode == "SOFTMAX" and k != n - 1:
            raise X.Refused(f"operator {op.index} SOFTMAX is not the last; the int8 gradient takes the loss at "
                            f"the last SOFTMAX's input only")
        if op.opcode == "ADD" and root(op.inputs[0]) == root(op.inputs[1]):
            raise X.Refused(f"operator {op.index} ADD adds a tensor to itself")
    if root(steps[-1][0].outputs[0]) != root(model.outputs[0]):
        raise X.Refused("the last operator does not write the graph output")
    seed = root(steps[-1][0].inputs[0]) if classifier else root(model.outputs[0])
    producer = {root(model.inputs[0]): -1}
    for k, (op, _) in enumerate(steps):
        producer.setdefault(root(op.outputs[0]), k)
    life, size, written = {}, {}, set()
    first_write = {}

    def touch(key, k, words):
        size[key] = words
        lo, hi = life.get(key, (k, k))
        life[key] = (min(lo, k), max(hi, k))

    # the head
    touch(seed, n, X._size(T[seed].shape))
    written.add(seed)
    inp = root(model.inputs[0])
    if not classifier:
        touch(inp, n, X._size(T[inp].shape))
        written.add(inp)
    temps = {}
    for k in range(n - 1, -1, -1):
        op, _ = steps[k]
        if op.opcode in ("SOFTMAX", "RESHAPE"):
            continue
        y = root(op.outputs[0])
        if y not in written:
            raise X.Refused(f"operator {op.index} {op.opcode}: its output takes no part in the loss")
        touch(y, k, size[y])
        ins = [root(op.inputs[0])] + ([root(op.inputs[1])] if op.opcode == "ADD" else [])
        for t in ins:
            words = X._size(T[t].shape)
            touch(t, k, words)
            if t in written:
                temps[(k, t)] = ("tmp", k, t)
                touch(("tmp", k, t), k, words)
            else:
                written.add(t)
                first_write[t] = k
    for t in list(life):
        if not isinstance(t, tuple):
            lo, hi = life[t]
            life[t] = (min(lo, producer.get(t, lo)), hi)
    return root, life, size, temps, classifier, seed


def extension(model, steps, offset, arena, name, calls):
    """The gradient's constants and members; for a graph the forward takes but the gradient does not
    (no SOFTMAX at the end and an output unlike the input, an operator off the loss's path), a header
    with the forward alone and a comment saying why."""
    try:
        return _extension(model, steps, offset, arena, name, calls)
    except X.Refused as e:
        why = str(e).replace("\n", " ")
        return {"consts": "", "members": f"\n    // no input_gradient: {why}\n", "tape_bytes": 0,
                "gradient_words": 0, "kept_bytes": 0}


def _extent(life, full, half, i, lo, hi):
    """The most words item i takes over the steps [lo, hi]: full at its last step (the backward step
    that first writes it, in int32 before packing), half before."""
    return full[i] if lo <= life[i][1] <= hi else half[i]


def region(i, k, offset, high, life, full, half):
    """The words [start, stop) buffer i takes at step k: its int32 words [offset, offset + full) at
    its last step (the backward step that writes it), then its packed half: the first half words, or
    the last ones for a buffer in high (bw::renormalize_packed_high)."""
    if k == life[i][1]:
        return offset[i], offset[i] + full[i]
    start = offset[i] + (full[i] - half[i] if i in high else 0)
    return start, start + half[i]


def _place(order, life, full, half):
    placed, offset = [], {}
    for i in order:
        f, l = life[i]
        busy = []
        for j in placed:
            lo, hi = max(f, life[j][0]), min(l, life[j][1])
            if lo <= hi:
                busy.append((offset[j], offset[j] + _extent(life, full, half, j, lo, hi),
                             _extent(life, full, half, i, lo, hi)))
        at = 0  # first fit: the lowest offset overlapping no busy interval
        for c in sorted({0} | {stop for _, stop, _ in busy}):
            if all(c + mine <= start or stop <= c for start, stop, mine in busy):
                at = c
                break
        offset[i] = at
        placed.append(i)
    return offset


def packed_sizes(final, life, size):
    """Each buffer's words once packed: half (rounded up), but the result's (final) and the temporaries'."""
    return {i: size[i] if (i == final or isinstance(i, tuple)) else (size[i] + 1) // 2 for i in life}


def words_live(life, full, half):
    """The lower bound: the most words live at one step."""
    steps = sorted({k for f, l in life.values() for k in (f, l)})
    return max(sum(full[i] if k == life[i][1] else half[i] for i in life if life[i][0] <= k <= life[i][1])
               for k in steps)


class _OverBudget(Exception):
    pass


def _fit(order, life, full, half, capacity, budget):
    """A plan of every buffer within capacity words, or None: depth-first in order (the backward's
    order of writes), each buffer at an offset where one of its steps' words starts at 0 or at the end
    of a placed buffer's, or ends at the capacity or at the start of a placed buffer's, its packed half
    low or high; None as well once budget placements were tried."""
    offset, high = {}, set()
    placed = []
    tried = [0]

    def fits(i):
        for j in placed:
            lo, hi = max(life[i][0], life[j][0]), min(life[i][1], life[j][1])
            for k in range(lo, hi + 1):
                a0, a1 = region(i, k, offset, high, life, full, half)
                b0, b1 = region(j, k, offset, high, life, full, half)
                if a0 < b1 and b0 < a1:
                    return False
        return True

    def candidates(i):
        f, l = life[i]
        edges = {0, capacity}
        for j in placed:
            if max(f, life[j][0]) <= min(l, life[j][1]):
                for k in range(max(f, life[j][0]), min(l, life[j][1]) + 1):
                    edges.update(region(j, k, offset, high, life, full, half))
        out = set()
        for k in range(f, l + 1):
            offset[i] = 0
            s0, s1 = region(i, k, offset, high, life, full, half)
            for e in edges:
                out.update((e - s0, e - s1))
        return sorted(o for o in out if 0 <= o <= capacity - full[i])

    def place(n):
        if n == len(order):
            return True
        i = order[n]
        for up in ([False, True] if half[i] < full[i] else [False]):
            if up:
                high.add(i)
            for o in candidates(i):
                tried[0] += 1
                if tried[0] > budget:
                    raise _OverBudget
                offset[i] = o
                if fits(i):
                    placed.append(i)
                    if place(n + 1):
                        return True
                    placed.pop()
            high.discard(i)
        del offset[i]
        return False

    try:
        return (dict(offset), set(high)) if place(0) else None
    except _OverBudget:
        return None


def plan_buffers(life, full, half, budget=50000):
    """({key: offset}, words, high): the buffers' offsets, the words of them all, and the buffers whose
    packed half sits at the top of their int32 words (the others' at the bottom).

    Packing a buffer always at its bottom misses the lower bound (words_live) in a chain of three or
    more layers of F int32 words each (H = F/2 packed, KWS's): at each step the layer's output
    gradient (H, packed) and its input's (F, int32) are live, so the bound is F + H; in F + H words
    the input's F must sit at the bottom or the top, and the next step's F words must avoid its
    packed H — possible only if that H is at the outer edge: bottom for a buffer at the bottom, top for
    one at the top (packed at the bottom, a buffer at the top leaves its H in the middle, and a chain
    packed only at the bottom needs 2F words). So each buffer
    packs low or high, and the plan is searched depth-first within the bound (_fit); if that fails
    within budget placements, the smallest first-fit over a few orders with every buffer packed low."""
    keys = list(life)
    bound = words_live(life, full, half)
    backward = sorted(keys, key=lambda i: (-life[i][1], -full[i], life[i][0], str(i)))
    found = _fit(backward, life, full, half, bound, budget)
    if found is not None:
        offset, high = found
        return offset, max(offset[i] + full[i] for i in offset), high
    orders = [sorted(keys, key=lambda i: (-full[i], life[i][0], str(i))),
              sorted(keys, key=lambda i: (life[i][0] - life[i][1], -full[i], str(i))),
              sorted(keys, key=lambda i: (-life[i][1], -full[i], str(i))),
              sorted(keys, key=lambda i: (-half[i], -life[i][1], str(i)))]
    plans = [_place(o, life, full, half) for o in orders]
    best = min(plans, key=lambda p: max(p[i] + full[i] for i in p))
    return best, max(best[i] + full[i] for i in best), set()


def _extension(model, steps, offset, arena, name, calls):
    T = model.tensors
    n = len(steps)
    root, life, size, temps, classifier, seed = plan_gradients(model, steps)
    inp = model.inputs[0]
    half = packed_sizes(root(inp), life, size)
    goff, words, high = plan_buffers(life, size, half)
    out = model.outputs[0]
    gns = f"{name}_gradient_data"
    consts = []

    def const(cname, values):
        consts.append(f"inline constexpr int32_t {cname}[{len(values)}] = {X._c_ints(values)};")
        return f"{gns}::{cname}"

    # the tape: kept records, then the arena
    keep = 0
    kept = {}  # k -> ('mask'|'arg', offset)
    record = {}
    input_copy = None
    if not classifier:
        input_copy = keep
        keep += X._size(T[inp].shape)
    for k, (op, f) in enumerate(steps):
        y = T[op.outputs[0]]
        ny = X._size(y.shape)
        at = lambda i: f"arena + {offset[i]}"  # noqa: E731
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD") or \
                (op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D") and narrow(f["range"])):
            lo, hi = f["range"]
            kept[k] = ("mask", keep)
            record[k] = f"        bw::record_mask({at(y.index)}, {ny}, {lo}, {hi}, keep + {keep});"
            keep += (ny + 7) // 8
        if op.opcode == "MAX_POOL_2D":
            x = T[op.inputs[0]]
            o = op.options
            targs = [x.shape[1], x.shape[2], x.shape[3], f["oh"], f["ow"], o["filter_h"], o["filter_w"],
                     o["stride_h"], o["stride_w"], f["pt"], f["pl"]]
            kept[(k, "arg")] = ("arg", keep)
            record[k] = record.get(k, "") + ("\n" if k in record else "") + \
                f"        bw::record_argmax<{', '.join(map(str, targs))}>({at(x.index)}, keep + {keep});"
            keep += ny
    tape_bytes = keep + arena

    fwd = ["        namespace bw = ugrad::tflite::backward;",
           "        uint8_t* keep = reinterpret_cast<uint8_t*>(tape);",
           f"        int8_t* arena = tape + {keep};"]
    if input_copy is not None:
        fwd.append(f"        for (size_t i = 0; i < input_size; ++i) keep[{input_copy} + i] = uint8_t(arena[{offset[inp]} + i]);")
    for k, c in enumerate(calls):
        fwd.append(c)
        if k in record:
            fwd.append(record[k])
    if keep == 0:
        fwd[1] = "        uint8_t* keep = nullptr; (void)keep;"

    # the walk back
    # gw(key): where the backward writes key's int32 words; g(key): its packed words after (the top
    # half for a buffer in high: the pack functions' _high forms)
    gw = lambda key: f"gradient + {goff[key]}"  # noqa: E731
    g = lambda key: f"gradient + {goff[key] + (size[key] - half[key] if key in high else 0)}"  # noqa: E731
    hi = lambda key: "_high" if key in high else ""  # noqa: E731
    ev = lambda t: f"e{t}"  # noqa: E731
    bwd = ["        namespace bw = ugrad::tflite::backward;",
           "        const uint8_t* keep = reinterpret_cast<const uint8_t*>(tape);",
           f"        const int8_t* arena = tape + {keep};",
           "        (void)keep;"]
    declared = set()

    def decl(t):
        if t in declared:
            return ev(t)
        declared.add(t)
        return f"int32_t {ev(t)}"

    if classifier:
        lt = T[steps[-1][0].inputs[0]]
        nout = X._size(lt.shape)
        te, tm = factor([4096.0 * _scale(lt)])
        se, sm = factor([_scale(lt)])
        if te > 22:  # θ_q12 = (l − z)·m·2^(E − 15) must stay within the q8 head's 2^30
            raise X.Refused(f"logit scale {_scale(lt):g}: above 8 nats a step, the Q12 logits leave int32")
        bwd += [f"        if (label < 0) label = bw::predicted_class<{nout}>({'arena + ' + str(offset[lt.index])});",
                f"        if (label >= {nout}) return {{ugrad::Status::label_out_of_range, 0, label}};",
                f"        {decl(seed)} = bw::softmax_seed<{nout}>(arena + {offset[lt.index]}, {_zp(lt)}, "
                f"bw::Factor{{{tm[0]}, {te}}}, bw::Factor{{{sm[0]}, {se}}}, label, {gw(seed)});",
                f"        bw::pack{hi(seed)}({gw(seed)}, {nout});"]
    else:
        xt, yt = T[inp], T[out]
        if X._size(xt.shape) != X._size(yt.shape):
            raise X.Refused(f"{name}: no SOFTMAX at the end and the output's size differs from the input's; "
                            f"the int8 gradient knows classifiers and autoencoders")
        nn = X._size(yt.shape)
        de, (my, mx) = factor([_scale(yt), _scale(xt)])
        cye, cym = factor([2.0 * _scale(yt) / nn])
        cxe, cxm = factor([2.0 * _scale(xt) / nn])
        bwd += ["        label = -1;",
                f"        const bw::AutoencoderExponents head = bw::autoencoder_seed<{nn}>(arena + {offset[out]}, {_zp(yt)}, "
                f"bw::Factor{{{my}, {de}}}, reinterpret_cast<const int8_t*>(keep + {input_copy}), "
                f"{_zp(xt)}, bw::Factor{{{mx}, {de}}}, bw::Factor{{{cym[0]}, {cye}}}, bw::Factor{{{cxm[0]}, {cxe}}}, "
                f"{gw(root(out))}, {gw(root(inp))});",
                f"        bw::pack{hi(root(out))}({gw(root(out))}, {nn});",
                f"        {decl(root(out))} = head.output;",
                f"        {decl(root(inp))} = head.input;"]

    final = root(inp)  # the result: int32; every other gradient packed two codes to a word

    def finish(k, t, n_words, dst, e):
        """The C++ line taking the int32 sums at dst (exponent expression e) into t's gradient."""
        if temps.get((k, t)) is None:
            fn = "renormalize" if t == final else "renormalize_packed" + hi(t)
            return f"        {decl(t)} = bw::{fn}({dst}, {n_words}, {e});"
        fn = "block_add" if t == final else "block_add_packed"
        return f"        {ev(t)} = bw::{fn}({g(t)}, {ev(t)}, {dst}, bw::renormalize({dst}, {n_words}, {e}), {n_words});"

    def write_to(k, t, n_words, produce):
        """produce(dst) → C++ lines computing int32 sums into dst and an expression of their exponent."""
        key = temps.get((k, t))
        dst = gw(t) if key is None else gw(key)
        lines, e = produce(dst)
        return lines + [finish(k, t, n_words, dst, e)]

    for k in range(n - 1, -1, -1):
        op, f = steps[k]
        if op.opcode in ("SOFTMAX", "RESHAPE"):
            continue
        x, y = T[op.inputs[0]], T[op.outputs[0]]
        tx, ty = root(x.index), root(y.index)
        nx, ny = X._size(x.shape), X._size(y.shape)
        gy, ey = g(ty), ev(ty)
        o = op.options
        bwd.append(f"        // {op.index} {op.opcode} {X._shape_comment(x)} -> {X._shape_comment(y)}")
        mask = f"keep + {kept[k][1]}" if k in kept else "nullptr"
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            E, ms = factor(weighted_factors(model, op))
            fac = const(f"op{op.index}_factor", ms)
            weights = f"{name}_data::op{op.index}_weights"
            per = "true" if len(ms) > 1 else "false"
            if op.opcode == "FULLY_CONNECTED":
                chans, fn = f["n_out"], f"fully_connected_backward<{f['n_in']}, {f['n_out']}>"
            else:
                chans = f["channels"]
                if op.opcode == "CONV_2D":
                    targs = [x.shape[1], x.shape[2], x.shape[3], f["oh"], f["ow"], f["channels"], f["kh"], f["kw"],
                             o["stride_h"], o["stride_w"], o["dilation_h"], o["dilation_w"], f["pt"], f["pl"]]
                    fn = f"conv2d_backward<{', '.join(map(str, targs))}>"
                else:
                    targs = [x.shape[1], x.shape[2], x.shape[3], f["oh"], f["ow"], f["kh"], f["kw"],
                             o["stride_h"], o["stride_w"], o["dilation_h"], o["dilation_w"], f["pt"], f["pl"]]
                    fn = f"depthwise_conv2d_backward<{', '.join(map(str, targs))}>"
            bwd.append(f"        bw::scale_masked<{ny // chans}, {chans}, {per}>({gy}, {mask}, {fac});")
            bwd += write_to(k, tx, nx, lambda dst, fn=fn, weights=weights, E=E, nx=nx, gy=gy, ey=ey: (
                [f"        bw::{fn}({gy}, {weights}, {dst});"], f"{ey} + {E}"))
        elif op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            targs = [x.shape[1], x.shape[2], x.shape[3], f["oh"], f["ow"], o["filter_h"], o["filter_w"],
                     o["stride_h"], o["stride_w"], f["pt"], f["pl"]]
            if k in kept:
                bwd.append(f"        bw::apply_mask({gy}, {ny}, {mask});")
            if op.opcode == "AVERAGE_POOL_2D":
                sargs = [x.shape[1], x.shape[2], f["oh"], f["ow"], o["filter_h"], o["filter_w"],
                         o["stride_h"], o["stride_w"], f["pt"], f["pl"]]
                call = f"bw::average_pool2d_backward<{', '.join(map(str, targs))}>({gy}, DST);"
                shift = f"bw::average_pool_exponent<{', '.join(map(str, sargs))}>()"
            else:
                call = f"bw::max_pool2d_backward<{', '.join(map(str, targs))}>({gy}, keep + {kept[(k, 'arg')][1]}, DST);"
                shift = "0"
            bwd += write_to(k, tx, nx, lambda dst, call=call, shift=shift, nx=nx, ey=ey: (
                [f"        {call.replace('DST', dst)}"], f"{ey} + {shift}"))
        elif op.opcode == "ADD":
            b = T[op.inputs[1]]
            tb = root(b.index)
            E, (ma, mb) = factor([_scale(x) / _scale(y), _scale(b) / _scale(y)])
            bwd.append(f"        bw::apply_mask({gy}, {ny}, {mask});")
            ka, kb = temps.get((k, tx)), temps.get((k, tb))
            da, db = gw(ka if ka else tx), gw(kb if kb else tb)
            bwd.append(f"        bw::add_backward<{ny}>({gy}, {ma}, {mb}, {da}, {db});")
            for t, d in ((tx, da), (tb, db)):
                bwd.append(finish(k, t, ny, d, f"{ey} + {E}"))
    ein = ev(root(inp))
    bwd.append(f"        return {{ugrad::Status::ok, {ein} == bw::zero_exponent ? 0 : {ein}, label}};")

    members = f"""
    // ---- dJ/dx in integers (include/ugrad/tflite/backward/; tools/tflite/int8_gradient_export.py) ----
    // alignas(4) int8_t tape[{name}.tape_bytes]; int32_t gradient[{name}.gradient_words];
    // write the input at tape_input(tape), forward_keeping(tape) (the forward, and the masks the
    // backward needs: {keep} B before the arena), then input_gradient(tape, gradient, label):
    // dJ/dx_i = gradient[input_gradient_offset + i]·2^exponent per input code.
    static constexpr size_t tape_bytes = {tape_bytes};
    static constexpr size_t kept_bytes = {keep};
    static constexpr size_t gradient_words = {words};
    static constexpr size_t input_gradient_offset = {goff[root(inp)]};

    int8_t* tape_input(int8_t* tape) const noexcept {{ return tape + kept_bytes + input_offset; }}
    const int8_t* tape_output(const int8_t* tape) const noexcept {{ return tape + kept_bytes + output_offset; }}

    void forward_keeping(int8_t* tape) const noexcept {{
{chr(10).join(fwd)}
    }}

    ugrad::tflite::backward::InputGradient input_gradient(const int8_t* tape, int32_t* gradient, int label = -1) const noexcept {{
{chr(10).join(bwd)}
    }}
"""
    if classifier:
        members += own_head_members(model, steps, offset)
    text = f"namespace {gns} {{\n" + "\n".join(consts) + f"\n}}  // namespace {gns}\n"
    return {"consts": text, "members": members, "tape_bytes": tape_bytes, "gradient_words": words,
            "kept_bytes": keep}


def own_head_members(model, steps, offset):
    """A classifier's members for ugrad's own head (include/ugrad/tflite/own_head.hpp) on the int8
    logits, the SOFTMAX's input, which forward leaves in the arena (the SOFTMAX writes elsewhere)."""
    T = model.tensors
    op = steps[-1][0]
    lt, yt = T[op.inputs[0]], T[op.outputs[0]]
    nout = X._size(lt.shape)
    lo, hi = offset[lt.index], offset[lt.index] + nout
    if offset[yt.index] < hi and lo < offset[yt.index] + X._size(yt.shape):
        raise X.Refused(f"operator {op.index} SOFTMAX writes over its logits")
    te, (tm,) = factor([4096.0 * _scale(lt)])
    return f"""
    // ---- ugrad's own head (include/ugrad/tflite/own_head.hpp) beside TFLite's int8 softmax ----
    // On the int8 logits forward leaves at logits(arena): probabilities_q15, ŷ in Q15 (ŷ_k·2^15);
    // loss, J = −log ŷ_label in float, to float's relative accuracy also where ŷ_label rounds to 1
    // (label_out_of_range and NaN for a label outside [0, classes)).
    static constexpr size_t classes = {nout};
    static constexpr float logit_scale = {float(np.float32(_scale(lt))).hex()}f;
    static constexpr int32_t logit_zero_point = {_zp(lt)};
    const int8_t* logits(const int8_t* arena) const noexcept {{ return arena + {lo}; }}
    void probabilities_q15(const int8_t* arena, int32_t (&y_hat)[classes]) const noexcept {{
        ugrad::tflite::probabilities_q15<classes>(logits(arena), logit_zero_point,
                                                  ugrad::tflite::backward::Factor{{{tm}, {te}}}, y_hat);
    }}
    ugrad::Status loss(const int8_t* arena, int label, float& J) const noexcept {{
        return ugrad::tflite::loss<classes>(logits(arena), logit_zero_point, logit_scale, label, J);
    }}
"""
