//! The generated values as rcffi sees them: the [`Value`] rcffi is given for each leaf, whole
//! arguments built from their leaves, and the check of a value rcffi hands back (a call's
//! result, a callback's argument) against the leaves it should hold — shared by the call and
//! callback tests.

use rcffi::{CData, Ffi, Value};

use super::{CallLib, Func, Leaf, LeafValue, Member, Scalar, Ty};

/// The value rcffi is given for a scalar leaf.
pub fn leaf_value(ffi: &Ffi, s: Scalar, v: &LeafValue) -> Value {
    match (s, v) {
        (Scalar::Char, LeafValue::Int(i)) => Value::Bytes(vec![*i as u8].into()),
        (Scalar::Bool, LeafValue::Int(i)) => Value::Bool(*i != 0),
        (Scalar::UInt128, LeafValue::Int(i)) => Value::from(*i as u128),
        (_, LeafValue::Int(i)) => Value::Int(*i),
        (_, LeafValue::Float(x)) => Value::Float(*x),
        (_, LeafValue::Ptr(p)) => Value::CData(ffi.cast("void *", *p).expect("cast")),
        // A long double with more bits than an f64: its exact hexadecimal text.
        (_, LeafValue::Dyadic(k, shift)) => Value::Text(super::dyadic_text(*k, *shift)),
        (_, LeafValue::Complex(re, im)) => Value::List(vec![Value::Float(*re), Value::Float(*im)]),
    }
}

/// The value of type `t` built from the leaves, in order (structs as nested lists).
pub fn build(ffi: &Ffi, g: &CallLib, t: Ty, leaves: &mut std::slice::Iter<'_, Leaf>) -> Value {
    match t {
        Ty::Scalar(s) => {
            let l = leaves.next().expect("a leaf per scalar");
            leaf_value(ffi, s, &l.value)
        }
        Ty::Struct(i) => Value::List(
            g.structs[i]
                .members
                .iter()
                .map(|m| match m {
                    Member::Scalar(s) | Member::Bits(s, _) => build(ffi, g, Ty::Scalar(*s), leaves),
                    Member::Array(s, n) => Value::List(
                        (0..*n)
                            .map(|_| build(ffi, g, Ty::Scalar(*s), leaves))
                            .collect(),
                    ),
                    Member::Struct(j) => build(ffi, g, Ty::Struct(*j), leaves),
                    // A union takes its first member, in a one-item list.
                    Member::Union(ms) => {
                        Value::List(vec![build(ffi, g, Ty::Scalar(ms[0]), leaves)])
                    }
                })
                .collect(),
        ),
    }
}

/// `ret f<i>(T0 a0, ...)`, for messages.
pub fn prototype(g: &CallLib, f: &Func) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .enumerate()
        .map(|(k, t)| format!("{} a{k}", super::c_type(&g.structs, *t)))
        .collect();
    let ret = f
        .ret
        .map_or("void".to_string(), |t| super::c_type(&g.structs, t));
    format!("{ret} {}({})", f.name, params.join(", "))
}

/// Checks `got`, a value of type `t` rcffi handed back (`what` names it in messages), against
/// the leaves it should hold: scalars by value (`long double`s exactly, unless
/// `x87_as_double`: valgrind's x87 is 64 bits wide), records by the bytes of each leaf and
/// bitfields by value.
pub fn check_value(
    ffi: &Ffi,
    g: &CallLib,
    t: Ty,
    leaves: &[Leaf],
    got: &Value,
    what: &str,
    x87_as_double: bool,
) -> Result<(), String> {
    match t {
        Ty::Scalar(s) => {
            let want = &leaves[0].value;
            let ok = match (s, want, got) {
                (Scalar::LongDouble, LeafValue::Dyadic(k, shift), Value::CData(c)) => {
                    let text = super::dyadic_text(*k, *shift);
                    let want = rcffi::LongDouble::parse(&text, super::long_double_format()).ok();
                    if cfg!(target_arch = "x86_64") && x87_as_double {
                        c.to_f64().ok() == want.map(|w| w.to_f64())
                    } else {
                        c.to_long_double().ok() == want
                    }
                }
                (Scalar::Ptr, LeafValue::Ptr(p), Value::CData(c)) => c.address() as u64 == *p,
                _ => leaf_value(ffi, s, want) == *got,
            };
            if ok {
                Ok(())
            } else {
                Err(format!("{what}: expected {want:?}, got {got}"))
            }
        }
        Ty::Struct(i) => {
            let c: CData = got.clone().cdata().map_err(|e| e.to_string())?;
            let bytes = ffi
                .addressof(&c, "")
                .and_then(|p| ffi.buffer(&p, None))
                .and_then(|b| b.to_vec())
                .map_err(|e| e.to_string())?;
            let name = format!("struct {}", g.structs[i].name);
            for l in leaves {
                // A bitfield has no offset: compared by its value.
                if l.bitfield {
                    let got = c.field(&l.path[1..]).map_err(|e| e.to_string())?;
                    if got != leaf_value(ffi, l.scalar, &l.value) {
                        return Err(format!(
                            "{what}{}: expected {:?}, got {got}",
                            l.path, l.value
                        ));
                    }
                    continue;
                }
                let off = ffi
                    .offsetof(name.as_str(), &l.path[1..])
                    .map_err(|e| e.to_string())? as usize;
                let want = l.value.bytes(l.scalar);
                let have = &bytes[off..off + want.len()];
                if want != have {
                    return Err(format!(
                        "{what}{}: {}: expected bytes {want:02x?}, got {have:02x?}",
                        l.path,
                        l.scalar.c_name()
                    ));
                }
            }
            Ok(())
        }
    }
}
