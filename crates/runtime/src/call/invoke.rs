//! The call itself: arguments marshalled into libffi's argument array, `ffi_call`, errno
//! around it, and the result converted back.
//!
//! # Safety
//!
//! [`invoke`] is the only place rcffi jumps into foreign code. It is an `unsafe fn`: its
//! caller promises that the code address is a function of the plan's type (the cdef's claim,
//! which `dlopen` and the `unsafe` call methods make the user vouch for). Everything else
//! here is checked: the argument count against the plan; each argument converted by the
//! plan's rules into memory this function owns for the whole call — 16-byte aligned slots on
//! its stack for scalars and pointers, a 16-byte aligned scratch area (or heap blocks) for
//! strings and structs, rcffi allocations for temporary arrays — so every pointer in the
//! argument array is valid while `ffi_call` runs; the result buffer is 16-byte aligned and at
//! least as large as libffi may write (`max(size, 8)`, rounded up). One of the runtime's
//! modules with `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::c_void;

use libffi::middle::{Cif, Type};

use super::args::Arg;
use super::plan::{CallPlan, Conv, Param};
use crate::cdata::{CData, Origin, Owner};
use crate::convert::{self, Place};
use crate::error::{Error, Result};
use crate::mem::{Allocation, Number, decode_number};
use crate::typeinfo::{IntRole, Repr};
use crate::universe::Ffi;
use crate::value::Value;

/// A prepared libffi call interface.
pub(crate) struct FfiCif(Cif);

// SAFETY: a Cif is plain data (the `ffi_cif` and the type descriptions it points to, owned by
// the Cif) that is never mutated after `prep_cif`; `ffi_call` only reads it, so sharing it
// between threads is sound. (libffi's crate leaves it !Send/!Sync because of raw pointers.)
unsafe impl Send for FfiCif {}
// SAFETY: as for Send.
unsafe impl Sync for FfiCif {}

impl std::fmt::Debug for FfiCif {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FfiCif")
    }
}

impl FfiCif {
    /// The interface for `args` -> `ret`; `fixed`: the number of fixed arguments of a
    /// variadic call.
    pub(crate) fn new(args: Vec<Type>, ret: Type, fixed: Option<usize>) -> Result<FfiCif> {
        let cif = match fixed {
            None => Cif::try_new(args, ret),
            Some(n) => Cif::try_new_variadic(args, n, ret),
        };
        cif.map(FfiCif)
            .map_err(|e| Error::Unsupported(format!("libffi refused the signature ({e:?})")))
    }

    /// The raw interface, for closures.
    pub(crate) fn raw(&self) -> *mut libffi::low::ffi_cif {
        self.0.as_raw_ptr()
    }
}

/// One argument's bytes: scalars and pointers are stored in place.
#[repr(C, align(16))]
#[derive(Copy, Clone)]
struct Slot([u8; 16]);

const ZERO: Slot = Slot([0; 16]);

/// Arguments up to this count live on the stack.
const INLINE_ARGS: usize = 16;

/// Bytes of the stack scratch area (strings, structs).
const SCRATCH_SLOTS: usize = 16;

/// Where an argument's bytes are.
enum Loc {
    /// In its own slot.
    Inline(Slot),
    /// At this address (scratch, heap block or allocation), valid for the call.
    At(*mut c_void),
}

/// The temporaries of one call. `base` points to a stack area of `SCRATCH_SLOTS` slots that
/// outlives this value; blocks are handed out 16-byte aligned and never reused during a call.
struct Scratch {
    base: *mut Slot,
    used: usize,
    /// Heap blocks, when the stack area is full.
    blocks: Vec<Box<[Slot]>>,
    /// Temporary arrays and structs made by conversions.
    keep: Vec<CData>,
}

impl Scratch {
    /// A block of at least `n` bytes, 16-byte aligned, valid until the call ends.
    fn alloc(&mut self, n: usize) -> *mut u8 {
        let slots = n.div_ceil(16).max(1);
        if self.used + slots <= SCRATCH_SLOTS {
            // SAFETY: `used + slots <= SCRATCH_SLOTS`, so the block lies inside the stack area
            // that `base` points to.
            let p = unsafe { self.base.add(self.used) };
            self.used += slots;
            return p.cast();
        }
        let mut b = vec![ZERO; slots].into_boxed_slice();
        let p = b.as_mut_ptr().cast();
        // The box's heap block does not move when the box does.
        self.blocks.push(b);
        p
    }

    /// A NUL-terminated copy of `bytes`.
    fn c_string(&mut self, bytes: &[u8]) -> *mut c_void {
        let p = self.alloc(bytes.len() + 1);
        // SAFETY: `p` is a fresh block of at least `len + 1` bytes; `bytes` is not in it.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            *p.add(bytes.len()) = 0;
        }
        p.cast()
    }
}

/// Calls the function at `code` with `args`, converted by `plan`.
///
/// # Safety
///
/// `code` must be the address of a C function whose type is the plan's (the cdef's
/// declaration is the caller's claim about the library). What the function does with the
/// pointers it receives is the caller's business, as in C.
pub(crate) unsafe fn invoke(
    uni: &Ffi,
    plan: &CallPlan,
    code: usize,
    args: &[Arg<'_>],
) -> Result<Value> {
    if code == 0 {
        return Err(Error::NullPointer(format!(
            "cannot call null function pointer of type '{}'",
            plan.name
        )));
    }
    let shape = plan.shape(uni, args)?;
    let n = args.len();
    let mut stack_slots = [ZERO; INLINE_ARGS];
    let mut stack_ptrs = [std::ptr::null_mut::<c_void>(); INLINE_ARGS];
    let mut heap_slots: Vec<Slot>;
    let mut heap_ptrs: Vec<*mut c_void>;
    let (slots, ptrs): (*mut Slot, &mut [*mut c_void]) = if n <= INLINE_ARGS {
        (stack_slots.as_mut_ptr(), &mut stack_ptrs[..n])
    } else {
        heap_slots = vec![ZERO; n];
        heap_ptrs = vec![std::ptr::null_mut(); n];
        (heap_slots.as_mut_ptr(), &mut heap_ptrs[..])
    };
    let mut area = [ZERO; SCRATCH_SLOTS];
    let mut scratch = Scratch {
        base: area.as_mut_ptr(),
        used: 0,
        blocks: Vec::new(),
        keep: Vec::new(),
    };
    let fixed = plan.params.len();
    for (i, a) in args.iter().enumerate() {
        let p = if i < fixed {
            &plan.params[i]
        } else {
            &shape.extra[i - fixed]
        };
        let loc = marshal(uni, p, a, &mut scratch)
            .map_err(|e| e.context(format_args!("argument {} of '{}'", i + 1, plan.name)))?;
        ptrs[i] = match loc {
            Loc::Inline(s) => {
                // SAFETY: `i < n`, and `slots` has `n` slots (the stack array or the heap
                // vector above, both alive until the end of this function).
                unsafe {
                    let at = slots.add(i);
                    at.write(s);
                    at.cast()
                }
            }
            Loc::At(p) => p,
        };
    }
    // The result: at least one `ffi_arg` (libffi widens small integers), 16-byte aligned.
    let ret_size = plan.ret.size.max(8);
    let mut ret_stack = [ZERO; 2];
    let mut ret_heap: Vec<Slot>;
    let ret_ptr: *mut Slot = if ret_size <= 32 {
        ret_stack.as_mut_ptr()
    } else {
        ret_heap = vec![ZERO; ret_size.div_ceil(16)];
        ret_heap.as_mut_ptr()
    };
    // SAFETY: `code` is a function of the plan's type (the caller's promise); the interface
    // was prepared from that type; `ptrs` holds one valid pointer per argument, each to
    // memory holding the argument's bytes that lives until this function returns; the
    // result buffer is aligned and large enough for what libffi writes.
    unsafe {
        let fun: unsafe extern "C" fn() =
            std::mem::transmute::<usize, unsafe extern "C" fn()>(code);
        errno::restore();
        libffi::raw::ffi_call(
            shape.cif.raw(),
            Some(fun),
            ret_ptr.cast(),
            ptrs.as_mut_ptr(),
        );
        errno::save();
    }
    drop(scratch);
    // SAFETY: the buffer holds `ret_size` initialized bytes (zeroed, then written by libffi).
    let ret = unsafe { std::slice::from_raw_parts(ret_ptr.cast::<u8>(), ret_size) };
    result(uni, &plan.ret, ret)
}

/// The value of an argument, when it is one (`None`: a borrowed string, bytes or cdata).
#[inline]
fn value_of<'v>(a: &'v Arg<'_>) -> Option<&'v Value> {
    match a {
        Arg::Value(v) => Some(v),
        Arg::Ref(v) => Some(v),
        _ => None,
    }
}

/// The argument as an owned value (for the general conversions).
fn to_value(a: &Arg<'_>) -> Value {
    match a {
        Arg::Value(v) => v.clone(),
        Arg::Ref(v) => (*v).clone(),
        Arg::Str(s) => Value::Text((*s).to_string()),
        Arg::Bytes(b) => Value::Bytes(b.to_vec()),
        Arg::CData(c) => Value::CData((*c).clone()),
        Arg::Null => Value::Void,
    }
}

/// Converts one argument for parameter `p`.
#[inline]
fn marshal(uni: &Ffi, p: &Param, a: &Arg<'_>, scratch: &mut Scratch) -> Result<Loc> {
    match p.conv {
        Conv::Fast(f) => {
            if let Some(b) = value_of(a).and_then(|v| f.encode(v)) {
                let mut s = ZERO;
                s.0[..8].copy_from_slice(&b);
                return Ok(Loc::Inline(s));
            }
            scalar(uni, p, a)
        }
        Conv::Scalar => scalar(uni, p, a),
        Conv::Pointer => {
            let addr = pointer(uni, p, a, scratch)?;
            let mut s = ZERO;
            s.0[..8].copy_from_slice(&(addr as u64).to_le_bytes());
            Ok(Loc::Inline(s))
        }
        Conv::Struct => structure(uni, p, a, scratch),
        Conv::Void => Err(Error::Type("a parameter cannot have ctype 'void'".into())),
    }
}

#[inline(never)]
fn scalar(uni: &Ffi, p: &Param, a: &Arg<'_>) -> Result<Loc> {
    let info = p.ty.get(&uni.inner);
    let v = match value_of(a) {
        Some(v) => crate::scalar::encode_scalar(info, v)?,
        None => crate::scalar::encode_scalar(info, &to_value(a))?,
    };
    Ok(Loc::Inline(Slot(v)))
}

/// The address a pointer argument passes.
fn pointer(uni: &Ffi, p: &Param, a: &Arg<'_>, scratch: &mut Scratch) -> Result<usize> {
    let info = p.ty.get(&uni.inner);
    let item = uni.pointee(info).map(|t| (t, t.get(&uni.inner)));
    // Bytes and text are C strings for `char *` and `void *` parameters.
    let char_like =
        item.is_some_and(|(_, t)| convert::is_char_like(t) || matches!(t.repr, Repr::Void));
    let wide =
        item.is_some_and(|(_, t)| matches!(&t.repr, Repr::Int(k) if k.role == IntRole::Wide));
    let temp_array = |v: &Value, scratch: &mut Scratch| -> Result<usize> {
        let Some((t, _)) = item else {
            return Err(cdata_pointer_required(info, a));
        };
        let c = uni.new_value(uni.array_of(t, None), v)?;
        let addr = c.addr;
        scratch.keep.push(c);
        Ok(addr)
    };
    if let Some(v) = value_of(a) {
        return match v {
            Value::CData(c) => convert::pointer_addr(uni, info, c),
            Value::Bytes(b) if char_like => Ok(scratch.c_string(b) as usize),
            Value::Text(s) if char_like => Ok(scratch.c_string(s.as_bytes()) as usize),
            Value::Text(_) if wide => temp_array(v, scratch),
            Value::List(_) => temp_array(v, scratch),
            _ => Err(cdata_pointer_required(info, a)),
        };
    }
    match a {
        Arg::CData(c) => convert::pointer_addr(uni, info, c),
        Arg::Str(s) if char_like => Ok(scratch.c_string(s.as_bytes()) as usize),
        Arg::Bytes(b) if char_like => Ok(scratch.c_string(b) as usize),
        Arg::Str(s) if wide => temp_array(&Value::Text((*s).to_string()), scratch),
        Arg::Null => Ok(0),
        _ => Err(cdata_pointer_required(info, a)),
    }
}

fn cdata_pointer_required(info: &crate::typeinfo::TypeInfo, a: &Arg<'_>) -> Error {
    Error::Type(format!(
        "initializer for ctype '{}' must be a cdata pointer, not {}",
        info.name,
        a.describe()
    ))
}

/// A struct argument: its bytes copied to scratch memory.
fn structure(uni: &Ffi, p: &Param, a: &Arg<'_>, scratch: &mut Scratch) -> Result<Loc> {
    let info = p.ty.get(&uni.inner);
    let same = match (a, value_of(a)) {
        (Arg::CData(c), _) => Some(*c),
        (_, Some(Value::CData(c))) => Some(c),
        _ => None,
    }
    .filter(|c| c.uni.same(uni) && c.info().id == info.id);
    if let Some(c) = same {
        let dst = scratch.alloc(p.size);
        // SAFETY: `dst` is a fresh scratch block of at least `p.size` bytes, not aliased.
        let out = unsafe { std::slice::from_raw_parts_mut(dst, p.size) };
        c.owner.with_region(&|| c.what(), |r| r.read(c.addr, out))?;
        return Ok(Loc::At(dst.cast()));
    }
    // Any other initializer: a temporary struct, filled by the usual conversions.
    let mem = Allocation::zeroed_shared(p.size, p.align)?;
    let addr = mem.addr();
    let owner = Owner::Alloc(mem);
    let v = to_value(a);
    convert::value_to_c(
        &Place {
            uni,
            ty: p.ty,
            addr,
            owner: &owner,
            len: None,
        },
        &v,
    )?;
    scratch
        .keep
        .push(CData::place(uni, p.ty, addr, owner, None));
    Ok(Loc::At(addr as *mut c_void))
}

/// The value of a result in `bytes`.
fn result(uni: &Ffi, r: &Param, bytes: &[u8]) -> Result<Value> {
    match r.conv {
        Conv::Void => Ok(Value::Void),
        Conv::Fast(f) => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[..8]);
            Ok(match decode_number(f, b) {
                Number::Int(i) => Value::Int(i),
                Number::Float(x) => Value::Float(x),
            })
        }
        Conv::Scalar => {
            let info = r.ty.get(&uni.inner);
            match info.repr {
                // Kept as cdata, as cffi does.
                Repr::LongDouble => Ok(Value::CData(CData::primitive(uni, r.ty, &bytes[..16]))),
                _ => crate::scalar::decode_scalar(info, bytes),
            }
        }
        Conv::Pointer => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[..8]);
            Ok(Value::CData(CData::pointer(
                uni,
                r.ty,
                u64::from_le_bytes(b) as usize,
                Owner::Foreign,
            )))
        }
        Conv::Struct => {
            let mem = Allocation::zeroed_shared(r.size, r.align)?;
            let addr = mem.addr();
            mem.region().write(addr, &bytes[..r.size])?;
            Ok(Value::CData(
                CData::place(uni, r.ty, addr, Owner::Alloc(mem), None).with_origin(Origin::New),
            ))
        }
    }
}

/// cffi's `ffi.errno`: C's `errno` as it was right after this thread's last call, written
/// back into C's `errno` right before its next one.
pub(crate) mod errno {
    use std::cell::Cell;

    thread_local! {
        static SAVED: Cell<i32> = const { Cell::new(0) };
    }

    /// This thread's `errno` variable.
    #[inline]
    fn location() -> *mut libc::c_int {
        // SAFETY: these functions take no arguments and return the calling thread's errno
        // address, valid for the thread's life.
        unsafe {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            let p = libc::__errno_location();
            #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
            let p = libc::__error();
            p
        }
    }

    /// Writes the saved value into C's `errno`.
    #[inline]
    pub(crate) fn restore() {
        let v = SAVED.with(Cell::get);
        // SAFETY: `location` is this thread's errno, valid and aligned.
        unsafe { *location() = v };
    }

    /// Saves C's `errno`.
    #[inline]
    pub(crate) fn save() {
        // SAFETY: as above.
        let v = unsafe { *location() };
        SAVED.with(|s| s.set(v));
    }

    /// The saved value.
    pub(crate) fn get() -> i32 {
        SAVED.with(Cell::get)
    }

    /// Sets the saved value.
    pub(crate) fn set(v: i32) {
        SAVED.with(|s| s.set(v));
    }
}
