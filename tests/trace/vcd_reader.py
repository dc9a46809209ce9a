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
