#!/usr/bin/env python3
"""Writes the data of crates/rcffi/tests/typed/sizes.rs: for each size 1..64 bytes, a struct
(members chosen so that integer, SSE, mixed and memory classes, and the stack, all occur), in C
(sizes.c: the library taking, returning and calling back with each; sizes.cdef: its
declarations) and in Rust (sizes_structs.rs: one `sized!` line per struct). Run it again after
changing it; the output is committed."""

import os

UNITS = {
    8: [("double", "f64"), ("long long", "i64"), ("float[2]", "[f32; 2]"), ("int[2]", "[i32; 2]")],
    4: [("float", "f32"), ("int", "i32"), ("unsigned short[2]", "[u16; 2]")],
    2: [("short", "i16"), ("unsigned char[2]", "[u8; 2]")],
    1: [("signed char", "i8"), ("unsigned char", "u8")],
}


def members(n):
    """(c_type, rust_type) members whose struct has size n."""
    for unit in (8, 4, 2):
        if n % unit == 0:
            kinds = UNITS[unit]
            return [kinds[i % len(kinds)] for i in range(n // unit)]
    return [UNITS[1][i % 2] for i in range(n)]


def split(c):
    if c.endswith("]"):
        base, cnt = c[:-1].split("[")
        return base, int(cnt)
    return c, None


here = os.path.join(os.path.dirname(__file__), "..", "crates", "rcffi", "tests", "typed")
c_lines = ["/* Structs of every size 1..64, by value both ways (scripts/gen-typed-sizes.py). */"]
cdef_lines = ["/* The declarations of sizes.c (scripts/gen-typed-sizes.py). */"]
rust_lines = ["// One struct of each size 1..64 bytes, as sizes.c declares it (scripts/gen-typed-sizes.py).",
              "// `sized!(RustName, \"c_name\", size; member: type, ...)`: see sizes.rs."]
for n in range(1, 65):
    cfields, rfields, bump = [], [], []
    for i, (c, r) in enumerate(members(n)):
        base, cnt = split(c)
        name = f"m{i}"
        cfields.append(f"{base} {name}" + (f"[{cnt}]" if cnt else "") + ";")
        rfields.append(f"{name}: {r}")
        if cnt:
            bump.append(f"for (int j = 0; j < {cnt}; j++) v.{name}[j] += ({base})(k + j);")
        else:
            bump.append(f"v.{name} += ({base})k;")
    decl = f"typedef struct {{ {' '.join(cfields)} }} s{n}_t;"
    c_lines += [decl,
                f"s{n}_t echo{n}(s{n}_t v, int k) {{ {' '.join(bump)} return v; }}",
                f"s{n}_t back{n}(s{n}_t (*cb)(s{n}_t, int), s{n}_t v, int k) {{ return cb(v, k); }}"]
    cdef_lines += [decl, f"s{n}_t echo{n}(s{n}_t v, int k);",
                   f"s{n}_t back{n}(s{n}_t (*cb)(s{n}_t, int), s{n}_t v, int k);"]
    rust_lines.append(f"sized!(S{n}, \"s{n}_t\", {n}; {', '.join(rfields)});")

for name, lines in [("sizes.c", c_lines), ("sizes.cdef", cdef_lines), ("sizes_structs.rs", rust_lines)]:
    with open(os.path.join(here, name), "w") as f:
        f.write("\n".join(lines) + "\n")
