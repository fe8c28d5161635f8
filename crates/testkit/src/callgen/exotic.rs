//! Records whose ABI class rcffi works out itself (`abi::proxy` in the runtime): packed, aligned
//! to 16 or 32 bytes, with bitfields of every integer type and width, with `__int128` and
//! `unsigned __int128` members — generated after the structs of every size, which they nest.

use super::{Member, Scalar, StructDef, member_layout};
use crate::generate::Rng;

/// A struct's attribute.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Attr {
    /// None.
    None,
    /// `__attribute__((packed))`.
    Packed,
    /// `__attribute__((aligned(n)))`.
    Aligned(usize),
}

impl Attr {
    /// The attribute's C text, with a trailing space (empty for none).
    pub(super) fn c_text(self) -> String {
        match self {
            Attr::None => String::new(),
            Attr::Packed => "__attribute__((packed)) ".into(),
            Attr::Aligned(n) => format!("__attribute__((aligned({n}))) "),
        }
    }
}

/// How many such records a library has (half with bitfields: enough for every width up to 128
/// bits).
const EXOTIC: usize = 96;

/// Integer types of bitfields.
const BIT_TYPES: [Scalar; 10] = [
    Scalar::SChar,
    Scalar::UChar,
    Scalar::Short,
    Scalar::UShort,
    Scalar::Int,
    Scalar::UInt,
    Scalar::LLong,
    Scalar::ULLong,
    Scalar::Int128,
    Scalar::UInt128,
];

/// Scalar members besides bitfields.
const SCALARS: [Scalar; 9] = [
    Scalar::Char,
    Scalar::Short,
    Scalar::Int,
    Scalar::LLong,
    Scalar::Float,
    Scalar::Double,
    Scalar::DoubleComplex,
    Scalar::Int128,
    Scalar::UInt128,
];

/// Appends [`EXOTIC`] records to `structs` (whose plain structs they may nest), in turn
/// packed, aligned to 16, aligned to 32 and three with bitfields.
pub(super) fn gen_exotic(rng: &mut Rng, structs: &mut Vec<StructDef>) {
    let plain = structs.len();
    // Bitfield widths in turn 1, 2, ... 128 (each of a random type that has the bits).
    let mut width = 0u32;
    for k in 0..EXOTIC {
        let attr = match k % 6 {
            0 => Attr::Packed,
            1 => Attr::Aligned(16),
            2 => Attr::Aligned(32),
            _ => Attr::None,
        };
        let n = if attr == Attr::None {
            2 + rng.below(7)
        } else {
            1 + rng.below(5)
        } as usize;
        let members: Vec<Member> = (0..n)
            .map(|_| match rng.below(10) {
                0..=6 if attr == Attr::None => {
                    width = width % 128 + 1;
                    let wide: Vec<Scalar> = BIT_TYPES
                        .iter()
                        .copied()
                        .filter(|t| t.size_align().0 as u32 * 8 >= width)
                        .collect();
                    Member::Bits(*rng.pick(&wide), width)
                }
                0..=3 => Member::Scalar(*rng.pick(&SCALARS)),
                5 => Member::Union((0..2).map(|_| *rng.pick(&SCALARS)).collect()),
                6 => Member::Array(*rng.pick(&SCALARS), 1 + rng.below(3) as usize),
                7 => {
                    let j = rng.below(plain as u64) as usize;
                    if structs[j].size <= 24 {
                        Member::Struct(j)
                    } else {
                        Member::Scalar(Scalar::Int)
                    }
                }
                _ => Member::Scalar(*rng.pick(&SCALARS)),
            })
            .collect();
        let (size, align) = layout(&members, attr, structs);
        structs.push(StructDef {
            name: format!("x{k}"),
            members,
            size,
            align,
            attr,
        });
    }
}

/// Size and alignment as gcc lays the record out on LP64 System V and AAPCS64 targets (only
/// used to choose where a record may go: C itself checks every byte).
fn layout(members: &[Member], attr: Attr, structs: &[StructDef]) -> (usize, usize) {
    let (mut bit, mut align) = (0usize, 1usize);
    for m in members {
        match m {
            Member::Bits(t, w) => {
                let (size, a) = t.size_align();
                let (unit, w) = (size * 8, *w as usize);
                // A bitfield does not straddle an aligned unit of its type.
                if bit / unit != (bit + w - 1) / unit {
                    bit = bit.div_ceil(a * 8) * a * 8;
                }
                bit += w;
                align = align.max(a);
            }
            other => {
                let (size, a) = member_layout(other, structs);
                let a = if attr == Attr::Packed { 1 } else { a };
                bit = bit.div_ceil(a * 8) * a * 8 + size * 8;
                align = align.max(a);
            }
        }
    }
    if let Attr::Aligned(n) = attr {
        align = align.max(n);
    }
    (bit.div_ceil(8).div_ceil(align) * align, align)
}

/// A value for a bitfield of type `t` and width `w` (for `unsigned __int128` its bits).
pub(super) fn bits_value(rng: &mut Rng, t: Scalar, w: u32) -> super::LeafValue {
    let signed = matches!(
        t,
        Scalar::SChar | Scalar::Short | Scalar::Int | Scalar::LLong | Scalar::Int128
    );
    let raw = u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64());
    let u = if w >= 128 {
        raw
    } else {
        raw & ((1u128 << w) - 1)
    };
    // Signed: the low `w` bits sign-extended.
    let v = if signed {
        ((u << (128 - w)) as i128) >> (128 - w)
    } else {
        u as i128
    };
    super::LeafValue::Int(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitfield_values_fit_their_width() {
        let mut rng = Rng::new(1);
        for _ in 0..1000 {
            let t = *rng.pick(&BIT_TYPES);
            let w = 1 + rng.below(t.size_align().0 as u64 * 8) as u32;
            let super::super::LeafValue::Int(v) = bits_value(&mut rng, t, w) else {
                panic!("an integer");
            };
            if w < 127 {
                assert!(v < 1i128 << w && v >= -(1i128 << w), "{t:?}:{w} = {v}");
            }
        }
    }

    #[test]
    fn a_library_draws_every_kind_of_record() {
        let g = super::super::generate(0x5eed, 500);
        for needle in [
            "__attribute__((packed))",
            "__attribute__((aligned(16)))",
            "__attribute__((aligned(32)))",
            "unsigned __int128 m",
            "__int128 m",
            "long long m",
        ] {
            assert!(g.c_source.contains(needle), "no {needle}");
        }
        let widths: std::collections::BTreeSet<u32> = g
            .structs
            .iter()
            .flat_map(|s| &s.members)
            .filter_map(|m| match m {
                Member::Bits(_, w) => Some(*w),
                _ => None,
            })
            .collect();
        assert_eq!(widths, (1..=128).collect(), "bitfield widths");
        let used = |arg: bool| {
            g.funcs
                .iter()
                .flat_map(|f| {
                    if arg {
                        f.params.clone()
                    } else {
                        f.ret.into_iter().collect()
                    }
                })
                .filter(|t| matches!(t, super::super::Ty::Struct(k) if !g.structs[*k].is_plain()))
                .count()
        };
        assert!(
            used(true) >= EXOTIC * 3 / 4 && used(false) >= EXOTIC,
            "{} {}",
            used(true),
            used(false)
        );
    }

    #[test]
    fn layouts_of_packed_aligned_and_bitfield_records() {
        let i = Member::Scalar(Scalar::Int);
        let c = Member::Scalar(Scalar::Char);
        assert_eq!(layout(&[c.clone(), i.clone()], Attr::Packed, &[]), (5, 1));
        assert_eq!(
            layout(std::slice::from_ref(&i), Attr::Aligned(32), &[]),
            (32, 32)
        );
        let b = |w| Member::Bits(Scalar::Int, w);
        // 20 + 20 bits straddle an int: the second starts at bit 32.
        assert_eq!(layout(&[b(20), b(20)], Attr::None, &[]), (8, 4));
        assert_eq!(layout(&[b(3), c], Attr::None, &[]), (4, 4));
    }
}
