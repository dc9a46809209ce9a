"""A VCD reader independent of nvr-vp's writer, for the trace checks: scopes, $var, time stamps,
scalar and vector value changes (IEEE 1364 section 18)."""


def read(path):
    """Signal names and their value changes [(time, value)], parsed independently of nvr-vp."""
    ids, scope, changes, now = {}, [], {}, 0
    with open(path) as f:
        tokens = f.read().split()
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t == "$scope":
            scope.append(tokens[i + 2])
            i += 3
        elif t == "$upscope":
            scope.pop()
            i += 1
        elif t == "$var":
            ids[tokens[i + 3]] = ".".join(scope + [tokens[i + 4]])
            i += 5
        elif t.startswith("#"):
            now = int(t[1:])
            i += 1
        elif t.startswith("b") and i + 1 < len(tokens) and tokens[i + 1] in ids:
            changes.setdefault(ids[tokens[i + 1]], []).append((now, int(t[1:], 2)))
            i += 2
        elif t[0] in "01" and t[1:] in ids:
            changes.setdefault(ids[t[1:]], []).append((now, int(t[0])))
            i += 1
        else:
            i += 1
    return set(ids.values()), changes


_XZ_TO_0 = bytes.maketrans(b"xXzZ", b"0000")


def read_signals(path, wanted=None, info=None):
    """Like read(), but line by line and only for the signals in `wanted` (a set of names, or a
    predicate on a name; all when None): fast enough for tens of megabytes (nvr-timeline). Expects
    one value change per line, as IEEE 1364 writers (and nvr-vp) produce; x and z read as 0. Raises
    ValueError on a malformed file. A dict passed as `info` receives "end" (the last time stamp)
    and "timescale" (its text)."""
    ids, scope, changes = {}, [], {}
    with open(path, "rb") as f:
        # Header: tokens up to $enddefinitions.
        header_done = False
        pending = []
        for raw in f:
            pending.extend(raw.decode("ascii", "replace").split())
            if "$enddefinitions" in pending:
                header_done = True
                break
        if not header_done:
            raise ValueError("no $enddefinitions: not a VCD file")
        i = 0
        while i < len(pending):
            t = pending[i]
            if t == "$scope" and i + 2 < len(pending):
                scope.append(pending[i + 2])
                i += 3
            elif t == "$upscope":
                if scope:
                    scope.pop()
                i += 1
            elif t == "$var" and i + 4 < len(pending):
                name = ".".join(scope + [pending[i + 4]])
                if wanted is None or (wanted(name) if callable(wanted) else name in wanted):
                    ids[pending[i + 3].encode()] = name
                i += 5
            elif t == "$timescale":
                j = pending.index("$end", i) if "$end" in pending[i:] else len(pending)
                if info is not None:
                    info["timescale"] = "".join(pending[i + 1:j])
                i = j + 1
            else:
                i += 1
        lists = {ident: [] for ident in ids}
        now = 0
        for line in f:
            c = line[0] if line else 0
            if c == 35:  # '#'
                now = int(line[1:])
            elif c == 98 or c == 66:  # 'b' vector: value, space, id
                space = line.find(b" ", 1)
                out = lists.get(line[space + 1:].strip())
                if out is not None:
                    out.append((now, line[1:space]))
            elif c in (48, 49, 120, 88, 122, 90):  # 0 1 x X z Z scalar
                out = lists.get(line[1:].strip())
                if out is not None:
                    out.append((now, b"1" if c == 49 else b"0"))
    if info is not None:
        info["end"] = now
    for ident, values in lists.items():
        lists[ident] = [(t, int(v, 2) if v.isdigit() else int(v.translate(_XZ_TO_0), 2)) for t, v in values]
    for ident, values in lists.items():
        if values:
            changes[ids[ident]] = values
    return set(ids.values()), changes
