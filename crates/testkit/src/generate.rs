//! Seeded generators of C records for the gcc oracle: structs and unions nesting earlier ones,
//! arrays, bitfields of every width (including unnamed and `:0`), `packed` and `aligned(N)` on
//! records and members — written in each place gcc reads them: after a record's body or its
//! keyword, after a member's name, its type (after a tag, a number or a pointer's `*`) or
//! before its type — `#pragma pack(N)`, anonymous members, flexible array members, and enums
//! of every range (including `packed` ones).
//!
//! The same seed gives the same text on every machine (gcc's struct-layout-1 has its own PRNG
//! for the same reason); a failing batch is reproduced from its seed.

use std::fmt::Write as _;

/// SplitMix64: a tiny, well-known generator; enough for test inputs and stable across
/// versions (a crate's generator could change its output between releases).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// An integer type usable for bitfields: spelling and width in bits.
const INT_TYPES: [(&str, u32); 12] = [
    ("char", 8),
    ("signed char", 8),
    ("unsigned char", 8),
    ("short", 16),
    ("unsigned short", 16),
    ("int", 32),
    ("unsigned int", 32),
    ("long", 64),
    ("unsigned long", 64),
    ("long long", 64),
    ("unsigned long long", 64),
    ("_Bool", 1),
];

const SCALARS: [&str; 18] = [
    "char",
    "signed char",
    "unsigned char",
    "short",
    "unsigned short",
    "int",
    "unsigned int",
    "long",
    "unsigned long",
    "long long",
    "float",
    "double",
    "long double",
    "_Bool",
    "void *",
    "char *",
    "double _Complex",
    "__int128",
];

/// A generated batch: C text that is also valid cdef text, and the names it declares.
#[derive(Clone, Debug)]
pub struct Batch {
    /// The declarations.
    pub text: String,
    /// Number of records.
    pub records: usize,
    /// Number of enums.
    pub enums: usize,
}

struct Gen {
    rng: Rng,
    out: String,
    /// Records that can be used as member types: (spelling, usable in arrays).
    records: Vec<String>,
    /// Enums with their underlying width in bits, for bitfields.
    enums: Vec<(String, u32)>,
    prefix: String,
    nrec: usize,
    nenum: usize,
    /// Member names are numbered across the whole batch, so that members of anonymous
    /// members never collide.
    nfield: usize,
}

/// Generates `count` records (and some enums) from `seed`; names start with `prefix`.
pub fn records(seed: u64, count: usize, prefix: &str) -> Batch {
    let mut g = Gen {
        rng: Rng::new(seed),
        out: String::new(),
        records: Vec::new(),
        enums: Vec::new(),
        prefix: prefix.to_string(),
        nrec: 0,
        nenum: 0,
        nfield: 0,
    };
    while g.nrec < count {
        if g.rng.chance(15) {
            g.enumeration();
        }
        g.record();
    }
    Batch {
        text: g.out,
        records: g.nrec,
        enums: g.nenum,
    }
}

impl Gen {
    fn enumeration(&mut self) {
        let name = format!("{}e{}", self.prefix, self.nenum);
        self.nenum += 1;
        let kinds: [(i128, i128); 8] = [
            (0, 10),
            (-5, 5),
            (0, 0xFFFF_FFFF),
            (i128::from(i32::MIN), i128::from(i32::MAX)),
            (0, 0xFFFF_FFFF_FFFF),
            (-(1 << 40), 1 << 40),
            (0, i128::from(u64::MAX)),
            (i128::from(i64::MIN), 0),
        ];
        let (lo, hi) = *self.rng.pick(&kinds);
        let packed = self.rng.chance(25);
        let n = 1 + self.rng.below(4);
        let mut items = Vec::new();
        let mut values = Vec::new();
        for i in 0..n {
            let span = (hi - lo) as u128;
            let v = if i == 0 {
                lo
            } else if i == 1 {
                hi
            } else {
                lo + (u128::from(self.rng.next_u64()) % (span + 1)) as i128
            };
            let lit = if v < 0 {
                if v == i128::from(i64::MIN) {
                    "(-9223372036854775807LL - 1)".to_string()
                } else {
                    format!("({v}LL)")
                }
            } else {
                format!("{v}ULL")
            };
            items.push(format!("{name}_{i} = {lit}"));
            values.push(v);
        }
        let attr = if packed {
            self.spelled(" __attribute__((packed))")
        } else {
            String::new()
        };
        let _ = writeln!(self.out, "enum{attr} {name} {{ {} }};", items.join(", "));
        // The underlying width, as gcc picks it.
        let min = values.iter().copied().min().unwrap_or(0);
        let max = values.iter().copied().max().unwrap_or(0);
        let bits = if packed {
            if min >= 0 {
                match max {
                    0..=0xff => 8,
                    0x100..=0xffff => 16,
                    0x1_0000..=0xffff_ffff => 32,
                    _ => 64,
                }
            } else if min >= -128 && max <= 127 {
                8
            } else if min >= -32768 && max <= 32767 {
                16
            } else if min >= i128::from(i32::MIN) && max <= i128::from(i32::MAX) {
                32
            } else {
                64
            }
        } else if (min >= 0 && max <= 0xffff_ffff)
            || (min >= i128::from(i32::MIN) && max <= i128::from(i32::MAX))
        {
            32
        } else {
            64
        };
        self.enums.push((format!("enum {name}"), bits));
    }

    fn member_type(&mut self) -> String {
        let r = self.rng.below(100);
        if r < 15 && !self.records.is_empty() {
            let i = self.rng.below(self.records.len() as u64) as usize;
            return self.records[i].clone();
        }
        if r < 22 && !self.enums.is_empty() {
            let i = self.rng.below(self.enums.len() as u64) as usize;
            return self.enums[i].0.clone();
        }
        self.rng.pick(&SCALARS).to_string()
    }

    fn field_attr(&mut self) -> String {
        if self.rng.chance(6) {
            let n = *self.rng.pick(&[1u32, 2, 4, 8, 16, 32]);
            return format!(" __attribute__((aligned({n})))");
        }
        if self.rng.chance(5) {
            return " __attribute__((packed))".to_string();
        }
        String::new()
    }

    fn bitfield(&mut self, idx: usize) -> String {
        let (ty, bits) = if !self.enums.is_empty() && self.rng.chance(10) {
            let i = self.rng.below(self.enums.len() as u64) as usize;
            self.enums[i].clone()
        } else {
            let (t, b) = *self.rng.pick(&INT_TYPES);
            (t.to_string(), b)
        };
        let unnamed = self.rng.chance(15);
        let width = if unnamed && self.rng.chance(40) {
            0
        } else {
            1 + self.rng.below(u64::from(bits)) as u32
        };
        let packed = if self.rng.chance(5) {
            " __attribute__((packed))"
        } else {
            ""
        };
        if unnamed || width == 0 {
            format!("{ty} :{width};")
        } else {
            format!("{ty} f{idx}:{width}{packed};")
        }
    }

    /// Members of a body; `depth` limits anonymous nesting.
    fn body(&mut self, depth: u32, allow_flex: bool) -> (String, bool) {
        let n = 1 + self.rng.below(7) as usize;
        let mut members = Vec::new();
        let mut named = 0;
        let mut flex = false;
        for _ in 0..n {
            let r = self.rng.below(100);
            let idx = self.nfield;
            self.nfield += 1;
            if r < 30 {
                let b = self.bitfield(idx);
                if !b.contains(" :") {
                    named += 1;
                }
                members.push(b);
            } else if r < 36 && depth < 2 {
                let kw = if self.rng.chance(50) {
                    "struct"
                } else {
                    "union"
                };
                let (inner, _) = self.body(depth + 1, false);
                members.push(format!("{kw} {{ {inner} }};"));
                named += 1;
            } else {
                let ty = self.member_type();
                let arr = match self.rng.below(10) {
                    0..=5 => String::new(),
                    6..=7 => format!("[{}]", 1 + self.rng.below(4)),
                    8 => format!("[{}][{}]", 1 + self.rng.below(3), 1 + self.rng.below(3)),
                    _ => "[0]".to_string(),
                };
                let attr = self.field_attr();
                // The attribute after the type instead, sometimes: after a tag or a number
                // (`struct s3 __attribute__((packed)) m;`) gcc gives it to the member all the
                // same; after a pointer's `*` to the pointer type (`char *
                // __attribute__((aligned(4))) m;`: lower or higher, as a typedef), which an
                // array's items may not be aligned past their size (gcc's error).
                // Or before the type (`__attribute__((aligned(8))) char m;`), the member's too.
                // C23's `[[gnu::...]]` means the same before the type and after a plain name
                // (after an array it is the array type's, which a GNU one there is not).
                if !attr.is_empty() && (!ty.ends_with('*') || arr.is_empty()) && self.rng.chance(30)
                {
                    members.push(format!("{ty}{attr} m{idx}{arr};"));
                } else if !attr.is_empty() && self.rng.chance(20) {
                    let attr = self.spelled(&attr);
                    members.push(format!("{} {ty} m{idx}{arr};", attr.trim_start()));
                } else {
                    let attr = if arr.is_empty() {
                        self.spelled(&attr)
                    } else {
                        attr
                    };
                    members.push(format!("{ty} m{idx}{arr}{attr};"));
                }
                named += 1;
            }
        }
        if named == 0 {
            members.push(format!("int m{}_last;", self.nfield));
            self.nfield += 1;
        }
        if allow_flex && self.rng.chance(8) {
            let ty = *self.rng.pick(&["char", "int", "double", "short"]);
            members.push(format!("{ty} flex[];"));
            flex = true;
        }
        // The names of anonymous members' members must not repeat: they are unique by index.
        (members.join(" "), flex)
    }

    /// GNU attributes ` __attribute__((a, b))` as they are, or, a quarter of the time, in
    /// C23's spelling ` [[gnu::a, gnu::b]]` (where the two mean the same).
    fn spelled(&mut self, attr: &str) -> String {
        if attr.is_empty() || !self.rng.chance(25) {
            return attr.to_string();
        }
        c23_spelling(attr)
    }

    fn record(&mut self) {
        let name = format!("{}r{}", self.prefix, self.nrec);
        let union = self.rng.chance(20);
        let kw = if union { "union" } else { "struct" };
        let (body, flex) = self.body(0, !union);
        let mut pre = String::new();
        let mut post = String::new();
        let mut attrs = Vec::new();
        if self.rng.chance(12) {
            attrs.push("packed".to_string());
        }
        if self.rng.chance(10) {
            attrs.push(format!(
                "aligned({})",
                self.rng.pick(&[1u32, 2, 4, 8, 16, 32])
            ));
        }
        let attr = if attrs.is_empty() {
            String::new()
        } else {
            format!(" __attribute__(({}))", attrs.join(", "))
        };
        if self.rng.chance(12) {
            let n = self.rng.pick(&[1u32, 2, 4, 8, 16]);
            pre = format!("#pragma pack(push, {n})\n");
            post = "\n#pragma pack(pop)".to_string();
        }
        // The record's attributes after its keyword instead, sometimes (`struct
        // __attribute__((packed)) r3 { ... };`), as gcc also reads them, and in C23's spelling
        // there, which means the same. C23's after the body mean nothing without a declared
        // name (gcc: "ignoring attributes applied to 'struct r3' after definition").
        if !attr.is_empty() && self.rng.chance(30) {
            let attr = self.spelled(&attr);
            let _ = writeln!(self.out, "{pre}{kw}{attr} {name} {{ {body} }};{post}");
        } else if !attr.is_empty() && self.rng.chance(5) {
            let c23 = c23_spelling(&attr);
            let _ = writeln!(self.out, "{pre}{kw} {name} {{ {body} }}{c23};{post}");
        } else {
            let _ = writeln!(self.out, "{pre}{kw} {name} {{ {body} }}{attr};{post}");
        }
        self.nrec += 1;
        if !flex {
            self.records.push(format!("{kw} {name}"));
        }
    }
}

/// ` __attribute__((a, b(1)))` as ` [[gnu::a, gnu::b(1)]]` (the generator's attributes have no
/// comma inside their arguments).
fn c23_spelling(attr: &str) -> String {
    let inner = attr
        .trim()
        .trim_start_matches("__attribute__((")
        .trim_end_matches("))");
    let scoped: Vec<String> = inner.split(", ").map(|a| format!("gnu::{a}")).collect();
    format!(" [[{}]]", scoped.join(", "))
}

/// A cdef text of about `decls` declarations in cffi's subset (what cffi's `ffi.cdef` accepts
/// too): `#define`s, enums, structs with typedefs, bitfields, arrays sized by constants,
/// pointers between structs, and functions. About 46 bytes a declaration, as the 277 kB of
/// 6,000 declarations cffi's parsing figures were measured on.
pub fn cffi_subset(decls: usize) -> String {
    let mut out = String::with_capacity(decls * 48);
    let units = decls.div_ceil(7);
    for i in 0..units {
        let prev = if i == 0 {
            "void".to_string()
        } else {
            format!("struct s{} ", i - 1)
        };
        let _ = writeln!(out, "#define CONST_{i} {}", i % 50 + 1);
        let _ = writeln!(out, "enum e{i} {{ E{i}_A, E{i}_B = CONST_{i}, E{i}_C }};");
        let _ = writeln!(
            out,
            "typedef struct s{i} {{ int a; char name[CONST_{i} + 1]; double x; {prev}*prev; unsigned flags : 3; enum e{i} kind; }} s{i}_t;"
        );
        let _ = writeln!(out, "struct p{i} {{ s{i}_t *items; size_t n; }};");
        let _ = writeln!(out, "int f{i}(s{i}_t *p, const char *name, int n);");
        let _ = writeln!(out, "s{i}_t *make{i}(void);");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_text() {
        assert_eq!(records(7, 20, "t").text, records(7, 20, "t").text);
        assert_ne!(records(7, 20, "t").text, records(8, 20, "t").text);
    }
}
