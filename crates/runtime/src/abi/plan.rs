//! Call plans: for each function type, once, what each argument and the result convert
//! through and the libffi call interface (`Cif`) — so a call does no type work. A variadic
//! function gets one interface per shape of its variadic part (the promoted types of the extra
//! arguments), cached the same way, and found again through a per-thread list without a lock.
//!
//! # Safety
//!
//! A variadic shape, once in its plan's cache, is never removed or replaced: it lives in its
//! `Arc` as long as the plan (which lives as long as its universe). So a reference to it may
//! be handed out for as long as the plan is borrowed, and a pointer to it kept per thread, keyed
//! by the universe's id (never reused) and the plan's address, is valid whenever a caller
//! holding that universe finds it. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::cell::RefCell;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use foldhash::fast::RandomState;
use rcffi_cdef::CTypeKind;

use super::FfiCif;
use super::RetReg;
use super::closure_args::ClosureArgs;
use super::ffitype::{Position, ffi_type};
use super::param::{Conv, Param, param};
use crate::error::{Error, Result};
use crate::types::Repr;
use crate::types::{Ffi, TypeRef};

/// The call interface of one complete argument list.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) cif: FfiCif,
    /// A variadic call's parameters: the fixed ones, then the variadic part's promoted types;
    /// empty for fixed signatures (the plan's are theirs).
    pub(crate) params: Box<[Param]>,
    /// For a variadic call whose arguments all travel in registers or stack words and whose
    /// result comes back in registers: which register each goes in (the call then skips
    /// libffi, as a fixed signature's does with `CallPlan::native`).
    pub(crate) native: Option<super::registers::Native>,
    /// At most how many bytes of stack libffi takes for the arguments ([`arg_stack`]).
    pub(crate) stack: usize,
}

/// The most stack one call's arguments may take: libffi copies the arguments there (records
/// by value whole) with no stack probes, so a signature needing more is refused, and a call
/// needing more than a page touches its stack first (`call::probe`).
pub(crate) const MAX_ARG_STACK: usize = 64 * 1024;

/// An upper bound on the stack libffi takes for these parameters' arguments: each rounded up to
/// 16 bytes plus a slot (AArch64 passes the copy of a big record by a pointer), and libffi's
/// own frame. Refused past [`MAX_ARG_STACK`].
fn arg_stack<'p>(name: &str, params: impl Iterator<Item = &'p Param>) -> Result<usize> {
    let need = params.fold(1024usize, |n, p| {
        n.saturating_add(p.size.div_ceil(16).saturating_mul(16).saturating_add(16))
    });
    if need > MAX_ARG_STACK {
        return Err(Error::Unsupported(
            format!(
                "'{name}': its arguments would take up to {need} bytes of stack, and rcffi passes \
             at most {} KiB in one call (pass large records by pointer)",
                MAX_ARG_STACK / 1024
            )
            .into(),
        ));
    }
    Ok(need)
}

/// Everything a call of one function type needs, built once.
pub(crate) struct CallPlan {
    /// The function pointer type's C name, for messages (`int(*)(int, int)`).
    pub(crate) name: Box<str>,
    pub(crate) params: Box<[Param]>,
    pub(crate) ret: Param,
    /// The interface of a fixed signature.
    pub(crate) fixed: Option<Shape>,
    /// Interfaces of a variadic one, by the types of the variadic part.
    pub(crate) variadic: Option<ShapeCache>,
    /// A fixed signature of at most 16 plain numbers, pointers and small structs (at most 32
    /// bytes), returning one of those or `void`: calls take the direct path
    /// (`invoke::simple`) when their arguments allow.
    pub(crate) simple: bool,
    /// For a simple signature whose arguments all travel in registers: which register each
    /// goes in (calls then skip libffi).
    pub(crate) native: Option<super::registers::Native>,
    /// For a variadic function of at most 16 fixed parameters whose result comes back in
    /// registers: the fixed parameters' register assignment, after which a tuple of plain
    /// arguments (`call::plain`) places its variadic part in order, as the promoted
    /// parameters its Rust types make (both conventions pass variadic arguments as named ones).
    pub(crate) variadic_native: Option<super::registers::Native>,
    /// Whether a parameter is an out-parameter for a pointer (`Param::out`).
    pub(crate) has_out: bool,
    /// Whether a parameter is a function pointer: a callback may run during the call, and
    /// pointers it gets into the arguments' memory are views of it (`callback::running`).
    pub(crate) passes_callback: bool,
    /// The Rust function pointer types already checked against this signature (`call_as`).
    pub(crate) checked: CheckedTypes,
    /// Why C cannot call a callback of this type through libffi's closure, if it cannot
    /// (`closure_args`).
    pub(crate) closure_refusal: Option<Box<str>>,
    /// The interface libffi's closures use, where it differs from the calls' one
    /// (`closure_args`: x86-64 records libffi's closures would misread).
    pub(crate) closure: Option<ClosureShape>,
}

/// A callback's own interface: records of 9 to 16 bytes that arrive in one register shown to
/// libffi as that register's 8 bytes (`closure_args`).
#[derive(Debug)]
pub(crate) struct ClosureShape {
    pub(crate) cif: FfiCif,
    /// Which arguments arrive as their first 8 bytes only (the rest is padding).
    pub(crate) short: Box<[bool]>,
}

/// Rust types (by `TypeId`) already checked against one C signature: the first in a cell read
/// without a lock, up to [`CheckedTypes::MORE`] others behind a lock; past those, types are
/// checked at each use (bounded memory whatever a program does).
#[derive(Default)]
pub(crate) struct CheckedTypes {
    first: std::sync::OnceLock<std::any::TypeId>,
    more: RwLock<Vec<std::any::TypeId>>,
}

impl CheckedTypes {
    /// How many types past the first are remembered.
    const MORE: usize = 32;

    /// Whether `t` was checked.
    #[inline]
    pub(crate) fn contains(&self, t: std::any::TypeId) -> bool {
        self.first.get() == Some(&t) || self.contains_more(t)
    }

    #[inline(never)]
    fn contains_more(&self, t: std::any::TypeId) -> bool {
        self.first.get().is_some() && self.more.read().is_ok_and(|m| m.contains(&t))
    }

    /// Remembers that `t` matches.
    pub(crate) fn insert(&self, t: std::any::TypeId) {
        if self.first.set(t).is_err() && self.first.get() != Some(&t) {
            let mut more = self.more.write().unwrap_or_else(|e| e.into_inner());
            if more.len() < Self::MORE && !more.contains(&t) {
                more.push(t);
            }
        }
    }
}

/// Arguments up to this count live on the stack of a call; a simple plan has at most this many.
pub(crate) const INLINE_ARGS: usize = 16;

/// Variadic interfaces by the promoted types of the variadic part.
pub(crate) type ShapeCache = RwLock<HashMap<Box<[TypeRef]>, Arc<Shape>, RandomState>>;

impl std::fmt::Debug for CallPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CallPlan({})", self.name)
    }
}

impl CallPlan {
    /// The plan of function type `func` (a realized `Repr::Function`), named `name` in
    /// messages.
    pub(crate) fn build(uni: &Ffi, func: TypeRef, name: &str) -> Result<CallPlan> {
        let id = func.get(&uni.inner).id;
        let sig = {
            let reg = uni.inner.read();
            match reg.kind(reg.strip_aligned(id)) {
                CTypeKind::Function(sig) => sig.clone(),
                _ => {
                    return Err(Error::Type(
                        format!("ctype '{name}' is not a function type").into(),
                    ));
                }
            }
        };
        let name = &*message_name(name, sig.params.len());
        let mut params = Vec::with_capacity(sig.params.len());
        let mut types = Vec::with_capacity(sig.params.len());
        for (i, p) in sig.params.iter().enumerate() {
            let t = uni.realize(*p);
            let pos = Position::Arg(i + 1);
            types.push(ffi_type(uni, t, pos).map_err(|e| e.context(format!("'{name}'")))?);
            params.push(param(uni, t, pos)?);
        }
        let rt = uni.realize(sig.ret);
        let ret_type =
            ffi_type(uni, rt, Position::Result).map_err(|e| e.context(format!("'{name}'")))?;
        let ret = param(uni, rt, Position::Result)?;
        let (fixed, variadic) = if sig.variadic {
            (None, Some(RwLock::new(HashMap::default())))
        } else {
            let stack = arg_stack(name, params.iter())?;
            let cif =
                FfiCif::new(types, ret_type, None).map_err(|e| e.context(format!("'{name}'")))?;
            (
                Some(Shape {
                    cif,
                    params: Box::new([]),
                    native: None,
                    stack,
                }),
                None,
            )
        };
        let (closure, closure_refusal) = if sig.variadic {
            (None, None)
        } else {
            closure_shape(uni, name, &params, sig.ret, &sig.params)?
        };
        let plain = |p: &Param| match p.conv {
            Conv::Fast(_) | Conv::Pointer => true,
            Conv::Struct => p.size <= 32 && p.align <= 16,
            _ => false,
        };
        let simple = fixed.is_some()
            && params.len() <= INLINE_ARGS
            && params.iter().all(plain)
            && (plain(&ret) || ret.conv == Conv::Void);
        // The register path decides for itself which parameters it can take (plain numbers,
        // pointers, structs: see `registers`), whatever their size.
        let native = if fixed.is_some() && params.len() <= INLINE_ARGS {
            super::registers::Native::of(uni, &params, &ret).map(|n| n.last_struct_far(&params))
        } else {
            None
        };
        let variadic_native = if variadic.is_some() && params.len() <= INLINE_ARGS {
            super::registers::Native::of(uni, &params, &ret)
                .filter(|n| n.far.is_none() && !matches!(n.ret, RetReg::Memory | RetReg::X87))
        } else {
            None
        };
        Ok(CallPlan {
            name: name.into(),
            ret,
            fixed,
            variadic,
            simple,
            native,
            variadic_native,
            has_out: params.iter().any(|p| !p.out.is_empty()),
            passes_callback: sig.params.iter().any(|p| {
                let info = uni.realize(*p).get(&uni.inner);
                uni.pointee(info)
                    .is_some_and(|q| matches!(q.get(&uni.inner).repr, Repr::Function { .. }))
            }),
            params: params.into_boxed_slice(),
            checked: CheckedTypes::default(),
            closure_refusal,
            closure,
        })
    }

    /// The interface for a call with `n` arguments (for a variadic function, by the types
    /// `promoted(i)` gives the extra arguments after C's promotions: built the first time a
    /// shape is seen).
    #[inline]
    pub(crate) fn shape(
        &self,
        uni: &Ffi,
        n: usize,
        promoted: impl Fn(usize) -> Result<TypeRef>,
    ) -> Result<&Shape> {
        match &self.fixed {
            Some(s) if n == self.params.len() => Ok(s),
            _ => self.other_shape(uni, n, promoted),
        }
    }

    #[inline(never)]
    fn other_shape(
        &self,
        uni: &Ffi,
        n_args: usize,
        promoted: impl Fn(usize) -> Result<TypeRef>,
    ) -> Result<&Shape> {
        if self.fixed.is_some() {
            return Err(Error::Type(
                format!(
                    "'{}' expects {} arguments, got {}",
                    self.name,
                    self.params.len(),
                    n_args
                )
                .into(),
            ));
        }
        let Some(cache) = &self.variadic else {
            unreachable!("a plan is fixed or variadic");
        };
        let n = self.params.len();
        if n_args < n {
            return Err(Error::Type(
                format!(
                    "'{}' expects at least {} arguments, got {}",
                    self.name, n, n_args
                )
                .into(),
            ));
        }
        let promoted_at = |i: usize| {
            promoted(i).map_err(|e| {
                e.context(format!(
                    "argument {} passed in the variadic part of '{}'",
                    i + 1,
                    self.name
                ))
            })
        };
        // The promoted types on the stack (up to 8 of them: no allocation on a hit).
        let mut stack: [Option<TypeRef>; 8] = [None; 8];
        let key: Vec<TypeRef> = if n_args - n <= stack.len() {
            for i in n..n_args {
                stack[i - n] = Some(promoted_at(i)?);
            }
            Vec::new()
        } else {
            (n..n_args).map(promoted_at).collect::<Result<_>>()?
        };
        let short = &stack[..if key.is_empty() { n_args - n } else { 0 }];
        let this = (uni.inner.id, std::ptr::from_ref(self) as usize);
        // This thread's last shapes first: no lock, no reference count.
        // `try_with`: gone in a thread-local's destructor at thread exit (then skipped).
        if let Ok(Some(p)) = RECENT_SHAPES.try_with(|r| r.borrow().find(this, short, &key)) {
            // SAFETY: the pointer was taken from this plan's cache (same universe id, never
            // reused, and same plan), whose entries live as long as the plan (module docs).
            return Ok(unsafe { &*p });
        }
        let key: Vec<TypeRef> = if key.is_empty() {
            short.iter().map(|t| t.expect("filled above")).collect()
        } else {
            key
        };
        let found = cache
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key[..])
            .map(Arc::as_ptr);
        let p = match found {
            Some(p) => p,
            None => {
                let shape = Arc::new(self.variadic_shape(uni, &key)?);
                let mut map = cache.write().unwrap_or_else(|e| e.into_inner());
                // Another thread may have made it meanwhile: theirs stays, never replaced.
                Arc::as_ptr(map.entry(key.clone().into_boxed_slice()).or_insert(shape))
            }
        };
        let _ = RECENT_SHAPES.try_with(|r| r.borrow_mut().insert(this, key.into_boxed_slice(), p));
        // SAFETY: `p` points into an `Arc` held by this plan's cache, never removed (module
        // docs): valid while `self` is borrowed.
        Ok(unsafe { &*p })
    }

    fn variadic_shape(&self, uni: &Ffi, extra: &[TypeRef]) -> Result<Shape> {
        let name = &self.name;
        let mut types = Vec::with_capacity(self.params.len() + extra.len());
        for (i, p) in self.params.iter().enumerate() {
            types.push(ffi_type(uni, p.ty, Position::Arg(i + 1))?);
        }
        let mut params = Vec::with_capacity(self.params.len() + extra.len());
        for (i, p) in self.params.iter().enumerate() {
            params.push(param(uni, p.ty, Position::Arg(i + 1))?);
        }
        for (i, t) in extra.iter().enumerate() {
            let pos = Position::Arg(self.params.len() + i + 1);
            types.push(ffi_type(uni, *t, pos).map_err(|e| e.context(format!("'{name}'")))?);
            params.push(param(uni, *t, pos)?);
        }
        let stack = arg_stack(name, params.iter())?;
        let ret = ffi_type(uni, self.ret.ty, Position::Result)?;
        let cif = FfiCif::new(types, ret, Some(self.params.len()))
            .map_err(|e| e.context(format!("'{name}'")))?;
        // Variadic arguments travel as named ones do on both conventions the register path
        // knows; a result in memory or in `st0` keeps libffi's path (no variadic form of
        // those calls here).
        let native = super::registers::Native::of(uni, &params, &self.ret)
            .filter(|n| n.far.is_none() && !matches!(n.ret, RetReg::Memory | RetReg::X87));
        Ok(Shape {
            cif,
            params: params.into_boxed_slice(),
            native,
            stack,
        })
    }
}

thread_local! {
    /// The variadic shapes this thread used last.
    static RECENT_SHAPES: RefCell<RecentShapes> = const { RefCell::new(RecentShapes::new()) };
}

/// A thread's last variadic shapes: (universe id, plan address, promoted types) -> shape.
struct RecentShapes {
    entries: Vec<RecentShape>,
    next: usize,
}

/// One remembered shape: (universe id, plan address), the promoted types, the shape.
type RecentShape = ((u64, usize), Box<[TypeRef]>, *const Shape);

impl RecentShapes {
    const SIZE: usize = 8;

    const fn new() -> RecentShapes {
        RecentShapes {
            entries: Vec::new(),
            next: 0,
        }
    }

    /// The shape for these promoted types: `short` (on the stack) or, when it is empty and
    /// the variadic part is not, `long`.
    fn find(
        &self,
        this: (u64, usize),
        short: &[Option<TypeRef>],
        long: &[TypeRef],
    ) -> Option<*const Shape> {
        self.entries
            .iter()
            .find(|(t, k, _)| {
                *t == this
                    && if long.is_empty() {
                        k.len() == short.len() && k.iter().zip(short).all(|(a, b)| Some(*a) == *b)
                    } else {
                        **k == *long
                    }
            })
            .map(|e| e.2)
    }

    fn insert(&mut self, this: (u64, usize), key: Box<[TypeRef]>, p: *const Shape) {
        if self.entries.len() < Self::SIZE {
            self.entries.push((this, key, p));
        } else {
            self.entries[self.next] = (this, key, p);
            self.next = (self.next + 1) % Self::SIZE;
        }
    }
}

/// The interface a callback of this signature needs of its own, or why it cannot be one
/// (`closure_args`).
fn closure_shape(
    uni: &Ffi,
    name: &str,
    params: &[Param],
    ret: rcffi_cdef::CTypeId,
    ids: &[rcffi_cdef::CTypeId],
) -> Result<(Option<ClosureShape>, Option<Box<str>>)> {
    let found = super::closure_args::closure_args(&uni.inner.read(), ids, ret);
    let shorts = match found {
        ClosureArgs::Same => return Ok((None, None)),
        ClosureArgs::Unknown => {
            let why = format!(
                "{name}: libffi's closures read a record whose second eightbyte is padding only \
                 from the wrong registers, and rcffi cannot place this signature's arguments \
                 to avoid it (calls pass it)"
            );
            return Ok((None, Some(why.into())));
        }
        ClosureArgs::Short(v) => v,
    };
    let mut types = Vec::with_capacity(params.len());
    let mut short = Vec::with_capacity(params.len());
    for (i, (p, proxy)) in params.iter().zip(shorts).enumerate() {
        short.push(proxy.is_some());
        types.push(match proxy {
            Some(t) => t,
            None => ffi_type(uni, p.ty, Position::Arg(i + 1))?,
        });
    }
    let rt = uni.realize(ret);
    let cif = FfiCif::new(types, ffi_type(uni, rt, Position::Result)?, None)
        .map_err(|e| e.context(format!("'{name}'")))?;
    Ok((
        Some(ClosureShape {
            cif,
            short: short.into_boxed_slice(),
        }),
        None,
    ))
}

/// The call plan of function type `func`, built at the first call and kept with the type.
#[inline]
pub(crate) fn plan_of(uni: &Ffi, func: TypeRef) -> Result<&CallPlan> {
    let info = func.get(&uni.inner);
    let Repr::Function { plan } = &info.repr else {
        return Err(Error::Type(
            format!("ctype '{}' is not a function type", info.name).into(),
        ));
    };
    if let Some(p) = plan.get().and_then(|p| p.downcast_ref::<CallPlan>()) {
        return Ok(p);
    }
    build_plan(uni, func, plan)
}

/// The longest function type name a plan's messages quote whole.
const MESSAGE_NAME: usize = 200;

/// A function type's name as its plan's messages quote it: whole up to [`MESSAGE_NAME`]
/// bytes, else its start up to a parameter's end, then how many parameters it has (a type of
/// thousands of parameters made each message of its calls as many words long).
fn message_name(name: &str, params: usize) -> std::borrow::Cow<'_, str> {
    if name.len() <= MESSAGE_NAME {
        return name.into();
    }
    let end = (0..=MESSAGE_NAME)
        .rev()
        .find(|&i| name.is_char_boundary(i))
        .unwrap_or(0);
    // (", " is ASCII: a cut before it is a character boundary too.)
    let cut = name[..end].rfind(", ").unwrap_or(end);
    format!("{}, … ({params} parameters)", &name[..cut]).into()
}

#[cold]
fn build_plan<'u>(
    uni: &'u Ffi,
    func: TypeRef,
    slot: &'u crate::types::PlanSlot,
) -> Result<&'u CallPlan> {
    let ptr = uni.pointer_to(func);
    let name = ptr.get(&uni.inner).name.to_string();
    let built = CallPlan::build(uni, func, &name)?;
    // Another thread may have built it first; either plan is the same.
    let _ = slot.set(Box::new(built));
    slot.get()
        .and_then(|b| b.downcast_ref::<CallPlan>())
        .ok_or_else(|| Error::Runtime("call plan not stored".into()))
}

#[cfg(test)]
mod tests {
    use crate::Ffi;

    /// A call of a function type of 20,000 parameters is refused (its stack), in a message
    /// that quotes the type's start and its parameter count, not 140 KB of its name; a short
    /// name is quoted whole.
    #[test]
    #[cfg_attr(miri, ignore = "builds libffi interfaces, which Miri cannot run")]
    fn a_long_function_type_is_quoted_by_its_start_and_parameter_count() {
        let ffi = Ffi::default();
        let params = vec!["long"; 20_000].join(", ");
        let t = ffi.parse(&format!("long(*)({params})")).unwrap();
        let f = ffi.pointee(t.get(&ffi.inner)).unwrap();
        let e = crate::abi::plan_of(&ffi, f).unwrap_err().to_string();
        assert!(e.len() < 400, "{} bytes: {}", e.len(), &e[..400]);
        assert!(e.starts_with("'long(*)(long, long, "), "{e}");
        assert!(e.contains(", … (20000 parameters)'"), "{e}");
        assert!(e.contains("64 KiB"), "{e}");
        assert_eq!(super::message_name("int(*)(int)", 1), "int(*)(int)");
        // A name without a parameter's end before the limit is cut at a character boundary.
        let wide = format!("struct {}", "é".repeat(150));
        let quoted = super::message_name(&wide, 1);
        assert!(quoted.len() < super::MESSAGE_NAME + 30, "{quoted}");
        assert!(quoted.ends_with(", … (1 parameters)"), "{quoted}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "builds libffi interfaces, which Miri cannot run")]
    fn scalar_signatures_are_simple() {
        let ffi = Ffi::default();
        let t = ffi.parse("int(*)(int, int)").unwrap();
        let f = ffi.pointee(t.get(&ffi.inner)).unwrap();
        let plan = crate::abi::plan_of(&ffi, f).unwrap();
        assert!(plan.simple, "{:?}", plan.params);
    }

    /// The register classes of small structs, as the x86-64 System V ABI assigns them (the
    /// fixture tests check the same functions against direct calls).
    #[test]
    #[cfg_attr(miri, ignore = "builds libffi interfaces, which Miri cannot run")]
    #[cfg(target_arch = "x86_64")]
    fn small_structs_travel_in_registers_by_class() {
        use crate::abi::{Class, Reg, RetReg};
        let ffi = Ffi::default();
        ffi.cdef(
            "struct pt { int x, y; }; struct dfi { double x; float y; int z; };
             struct f3 { float a, b, c; }; struct big { long long a[3]; };
             struct cd { char c; double d; };
             struct w64 { long long a[64]; }; struct w65 { long long a[65]; };
             struct w20 { long long a[20]; };",
        )
        .unwrap();
        let native = |sig: &str| registers_of(&ffi, sig);
        assert_eq!(
            native("struct pt(*)(struct pt, struct pt)"),
            Some((vec![Reg::Int(0), Reg::Int(1)], RetReg::Int))
        );
        assert_eq!(
            native("struct dfi(*)(int, struct dfi)"),
            Some((
                vec![Reg::Int(0), Reg::Float(0), Reg::Int(1)],
                RetReg::Two(Class::Float, Class::Int)
            ))
        );
        assert_eq!(
            native("struct f3(*)(struct f3, double)"),
            Some((
                vec![Reg::Float(0), Reg::Float(1), Reg::Float(2)],
                RetReg::Two(Class::Float, Class::Float)
            ))
        );
        assert_eq!(
            native("struct cd(*)(struct cd)"),
            Some((
                vec![Reg::Int(0), Reg::Float(0)],
                RetReg::Two(Class::Int, Class::Float)
            ))
        );
        // More than 16 bytes go through memory: copied onto the stack (an argument), or
        // written at a hidden address (a result).
        assert_eq!(
            native("long long(*)(struct big)").map(|n| n.0),
            Some(vec![Reg::Stack(0)])
        );
        assert_eq!(
            native("long long(*)(int, struct big, double, struct big)").map(|n| n.0),
            Some(vec![
                Reg::Int(0),
                Reg::Stack(0),
                Reg::Float(0),
                Reg::Stack(3)
            ])
        );
        assert_eq!(
            native("struct big(*)(long)").map(|n| (n.0, n.1)),
            Some((vec![Reg::Int(0)], RetReg::Memory))
        );
        // Up to 512 bytes (the 64 stack words) in stack words; one struct past them (larger,
        // or after them) copied from its memory by the call (`Far`: no piece), as is one of
        // more than 16 words last on the stack; two past them, libffi's path.
        assert_eq!(
            native(&format!(
                "long long(*)(struct w20{})",
                ", long long".repeat(7)
            ))
            .map(|n| n.0[0]),
            Some(Reg::Stack(0))
        );
        assert_eq!(
            native("long long(*)(struct w64)"),
            Some((vec![], RetReg::Int))
        );
        assert_eq!(
            native("long long(*)(struct w65)"),
            Some((vec![], RetReg::Int))
        );
        assert_eq!(
            native("long long(*)(struct w64, int, struct big)").map(|n| n.0),
            Some(vec![Reg::Stack(0), Reg::Int(0)])
        );
        assert_eq!(native("long long(*)(struct w65, struct w65)"), None);
        // Out of integer registers: a struct goes whole onto the stack, in stack words.
        assert_eq!(
            native("int(*)(long, long, long, long, long, struct pt, struct pt)").map(|n| n.0[6]),
            Some(Reg::Stack(0))
        );
        assert!(native("int(*)(long, long, long, long, long, long)").is_some());
        assert_eq!(
            native("int(*)(long, long, long, long, long, long, long)").map(|n| n.0[6]),
            Some(Reg::Stack(0))
        );
    }

    /// The registers (or stack words) of each piece, and the result's class, of the function
    /// pointer type `sig`; `None` off the register path.
    #[cfg(target_arch = "x86_64")]
    fn registers_of(ffi: &Ffi, sig: &str) -> Option<(Vec<crate::abi::Reg>, crate::abi::RetReg)> {
        let t = ffi.parse(sig).unwrap();
        let f = ffi.pointee(t.get(&ffi.inner)).unwrap();
        let plan = crate::abi::plan_of(ffi, f).unwrap();
        plan.native
            .as_ref()
            .map(|n| (n.pieces.iter().map(|p| p.reg).collect::<Vec<_>>(), n.ret))
    }

    /// `char`, `_Bool`, enums and `__int128` take the register path too, and arguments aligned
    /// to 16 take an even stack word; what GCC does with them (`gcc -O2 -S` of the same
    /// functions), and the fixture tests check by calling.
    #[test]
    #[cfg_attr(miri, ignore = "builds libffi interfaces, which Miri cannot run")]
    #[cfg(target_arch = "x86_64")]
    fn scalars_and_aligned_arguments_travel_in_registers() {
        use crate::abi::{Class, Reg, RetReg};
        let ffi = Ffi::default();
        ffi.cdef(
            "enum e { A = -1, B = 1 }; struct __attribute__((aligned(16))) s { long long x; };",
        )
        .unwrap();
        let native = |sig: &str| registers_of(&ffi, sig);
        assert_eq!(
            native("_Bool(*)(char, enum e, wchar_t)"),
            Some((vec![Reg::Int(0), Reg::Int(1), Reg::Int(2)], RetReg::Int))
        );
        assert_eq!(
            native("__int128(*)(__int128, long)"),
            Some((
                vec![Reg::Int(0), Reg::Int(1), Reg::Int(2)],
                RetReg::Two(Class::Int, Class::Int)
            ))
        );
        // The second eightbyte of `struct s` is padding: it takes no register (`b` is in rsi).
        assert_eq!(
            native("struct s(*)(struct s, long)"),
            Some((vec![Reg::Int(0), Reg::Int(1)], RetReg::Int))
        );
        // One register left: `__int128` goes to the stack (words 0 and 1), the long after
        // it takes the register.
        assert_eq!(
            native("__int128(*)(long, long, long, long, long, __int128, long)").map(|n| n.0),
            Some(vec![
                Reg::Int(0),
                Reg::Int(1),
                Reg::Int(2),
                Reg::Int(3),
                Reg::Int(4),
                Reg::Stack(0),
                Reg::Stack(1),
                Reg::Int(5)
            ])
        );
        // After one stack word, an argument aligned to 16 skips to word 2.
        assert_eq!(
            native("long(*)(long, long, long, long, long, long, long, struct s, long)")
                .map(|n| (n.0[7], n.0[8])),
            Some((Reg::Stack(2), Reg::Stack(4)))
        );
        // `float _Complex` is one floating eightbyte, `double _Complex` two.
        assert_eq!(
            native("double _Complex(*)(float _Complex, double _Complex)"),
            Some((
                vec![Reg::Float(0), Reg::Float(1), Reg::Float(2)],
                RetReg::Two(Class::Float, Class::Float)
            ))
        );
        assert_eq!(
            native("float _Complex(*)(float _Complex)").map(|n| n.1),
            Some(RetReg::Float)
        );
        // An x87 `long double` goes on the stack, from an even word, even with registers
        // free, and comes back in `st0`.
        assert_eq!(
            native("long(*)(long double, int)"),
            Some((vec![Reg::Stack(0), Reg::Stack(1), Reg::Int(0)], RetReg::Int))
        );
        assert_eq!(
            native("long double(*)(long, long, long, long, long, long, long, long double)")
                .map(|n| (n.0[6..].to_vec(), n.1)),
            Some((
                vec![Reg::Stack(0), Reg::Stack(2), Reg::Stack(3)],
                RetReg::X87
            ))
        );
    }
}
