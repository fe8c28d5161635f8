//! [`Shape`]: what a Rust type is as C sees it, and [`NativeType`], the Rust types that have
//! one — numbers, `bool`, raw pointers, function pointers, arrays, and `#[repr(C)]` structs
//! and unions described by `#[derive(NativeType)]`.
//!
//! # Safety
//!
//! Implementing [`NativeType`] is a promise that the shape describes the type's layout and
//! call ABI exactly: typed calls and views trust it once the shape matches the cdef. The
//! implementations here are for the types Rust itself lays out as C does. One of the runtime's
//! modules with `unsafe` code (the `unsafe impl`s).

#![allow(unsafe_code)]

use std::ffi::c_void;

/// What a Rust type is as C sees it: what [`Lib::typed`](crate::Lib::typed), typed callbacks
/// and typed views compare with the cdef's declaration, once.
///
/// Made by [`NativeType::shape`]; a derive writes it for `#[repr(C)]` structs.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{NativeType, ShapeKind};
/// let s = <*const i32>::shape();
/// assert_eq!(s.rust, "*const i32");
/// assert!(matches!(s.kind, ShapeKind::Pointer { .. }));
/// ```
#[derive(Clone, Debug)]
pub struct Shape {
    /// The Rust type's name, for messages (`"*const i8"`, `"my_crate::Pt"`).
    pub rust: &'static str,
    /// What it is.
    pub kind: ShapeKind,
}

/// The kinds of [`Shape`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ShapeKind {
    /// `()`: C's `void`, as a result only.
    Void,
    /// `bool`: C's `_Bool`.
    Bool,
    /// An integer of this many bytes (`i8`..`i128`, `u8`..`u128`, `isize`, `usize`).
    Int {
        /// Size in bytes.
        bytes: u8,
        /// Whether it is signed.
        signed: bool,
    },
    /// `f32` or `f64`.
    Float {
        /// Size in bytes.
        bytes: u8,
    },
    /// A raw pointer: `*const T` or `*mut T`; `pointee` is `None` for `c_void` (any pointer).
    Pointer {
        /// The pointed-to type, described when the check gets there (a struct may point to
        /// itself).
        pointee: Option<fn() -> Shape>,
    },
    /// A function pointer (`extern "C" fn`, `unsafe extern "C" fn`, and their `Option`s).
    Function(Box<FnShape>),
    /// An array `[T; N]` (as a struct member or behind a pointer).
    Array {
        /// The element type.
        elem: fn() -> Shape,
        /// The length.
        len: usize,
    },
    /// A `#[repr(C)]` struct or union.
    Record(Box<RecordShape>),
}

/// A function pointer type's signature.
#[derive(Clone, Debug)]
pub struct FnShape {
    /// The parameter types.
    pub args: Vec<Shape>,
    /// The result type (`()` for `void`).
    pub ret: Shape,
    /// Whether the parameter list ends with `...`.
    pub variadic: bool,
    /// Whether the Rust type may be NULL (`Option<extern "C" fn(...)>`).
    pub nullable: bool,
}

/// A `#[repr(C)]` struct or union, as `#[derive(NativeType)]` describes it.
#[derive(Clone, Debug)]
pub struct RecordShape {
    /// The C type it stands for (`"struct pt"`, `"pt_t"`).
    pub c_name: &'static str,
    /// Whether it is a union.
    pub union: bool,
    /// Whether only its name is checked (a type used behind pointers only, declared
    /// `#[rcffi(opaque)]`): its size and members are C's business.
    pub opaque: bool,
    /// `size_of` the Rust type.
    pub size: usize,
    /// `align_of` the Rust type.
    pub align: usize,
    /// The members in declaration order.
    pub fields: Vec<FieldShape>,
}

/// A member of a [`RecordShape`].
#[derive(Clone, Debug)]
pub struct FieldShape {
    /// The C member's name (the Rust field's, unless renamed).
    pub name: &'static str,
    /// Byte offset (`offset_of!`).
    pub offset: usize,
    /// The member's type.
    pub shape: Shape,
}

impl Shape {
    /// Whether a value of all-zero bytes is a valid value of this type: what a typed callback
    /// returns to C when its closure panics.
    pub fn zero_is_valid(&self) -> bool {
        match &self.kind {
            ShapeKind::Function(f) => f.nullable,
            ShapeKind::Array { elem, .. } => elem().zero_is_valid(),
            ShapeKind::Record(r) => r.fields.iter().all(|f| f.shape.zero_is_valid()),
            _ => true,
        }
    }
}

/// A Rust type with a C counterpart: numbers, `bool`, raw pointers, `extern "C"` function
/// pointers, arrays, and `#[repr(C)]` structs and unions that derive it. Typed calls, typed
/// callbacks and typed views take these types, after comparing their [`Shape`] with the cdef's
/// declaration once.
///
/// # Safety
///
/// `shape` must describe the type exactly: its size, alignment and members, and how C passes
/// it. `#[derive(NativeType)]` (from `rcffi`) writes a correct implementation for
/// `#[repr(C)]` structs and unions whose members are all `NativeType`.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{NativeType, ShapeKind};
/// assert!(matches!(u16::shape().kind, ShapeKind::Int { bytes: 2, signed: false }));
/// assert!(matches!(<Option<extern "C" fn(i32)>>::shape().kind, ShapeKind::Function(_)));
/// ```
pub unsafe trait NativeType: 'static {
    /// What this type is as C sees it.
    fn shape() -> Shape;
}

macro_rules! native_numbers {
    ($($t:ty => $kind:expr;)*) => {$(
        // SAFETY: Rust lays out and passes its primitive numbers as C does its own.
        unsafe impl NativeType for $t {
            fn shape() -> Shape {
                Shape { rust: stringify!($t), kind: $kind }
            }
        }
    )*};
}

native_numbers! {
    i8 => ShapeKind::Int { bytes: 1, signed: true };
    u8 => ShapeKind::Int { bytes: 1, signed: false };
    i16 => ShapeKind::Int { bytes: 2, signed: true };
    u16 => ShapeKind::Int { bytes: 2, signed: false };
    i32 => ShapeKind::Int { bytes: 4, signed: true };
    u32 => ShapeKind::Int { bytes: 4, signed: false };
    i64 => ShapeKind::Int { bytes: 8, signed: true };
    u64 => ShapeKind::Int { bytes: 8, signed: false };
    i128 => ShapeKind::Int { bytes: 16, signed: true };
    u128 => ShapeKind::Int { bytes: 16, signed: false };
    isize => ShapeKind::Int { bytes: size_of::<isize>() as u8, signed: true };
    usize => ShapeKind::Int { bytes: size_of::<usize>() as u8, signed: false };
    f32 => ShapeKind::Float { bytes: 4 };
    f64 => ShapeKind::Float { bytes: 8 };
    bool => ShapeKind::Bool;
    () => ShapeKind::Void;
}

// SAFETY: `c_void` is only ever behind a pointer; as a pointee it means "any type".
unsafe impl NativeType for c_void {
    fn shape() -> Shape {
        Shape {
            rust: "c_void",
            kind: ShapeKind::Void,
        }
    }
}

/// The shape of a raw pointer type `P` to `T`: its pointee is `None` for `c_void` and `()`
/// (any pointer).
fn pointer_shape<P, T: NativeType>() -> Shape {
    let void = std::any::TypeId::of::<T>() == std::any::TypeId::of::<c_void>()
        || std::any::TypeId::of::<T>() == std::any::TypeId::of::<()>();
    Shape {
        rust: std::any::type_name::<P>(),
        kind: ShapeKind::Pointer {
            pointee: (!void).then_some(T::shape as fn() -> Shape),
        },
    }
}

// SAFETY: a raw pointer is an address, passed as C passes pointers.
unsafe impl<T: NativeType> NativeType for *const T {
    fn shape() -> Shape {
        pointer_shape::<Self, T>()
    }
}

// SAFETY: as for `*const T`.
unsafe impl<T: NativeType> NativeType for *mut T {
    fn shape() -> Shape {
        pointer_shape::<Self, T>()
    }
}

// SAFETY: `[T; N]` is laid out as C's `T[N]` (arrays are never passed by value in C: the
// check refuses them as arguments and results).
unsafe impl<T: NativeType, const N: usize> NativeType for [T; N] {
    fn shape() -> Shape {
        Shape {
            rust: std::any::type_name::<Self>(),
            kind: ShapeKind::Array {
                elem: T::shape,
                len: N,
            },
        }
    }
}

// SAFETY: `Option` of a function pointer is a nullable pointer with the pointer's layout
// (Rust's guaranteed niche optimisation).
unsafe impl<F: NativeFn> NativeType for Option<F> {
    fn shape() -> Shape {
        let mut sig = F::signature();
        sig.nullable = true;
        Shape {
            rust: std::any::type_name::<Self>(),
            kind: ShapeKind::Function(Box::new(sig)),
        }
    }
}

/// A Rust function pointer type with a C counterpart: `unsafe extern "C" fn(A, B) -> R` and
/// `extern "C" fn(A, B) -> R` with up to 12 [`NativeType`] parameters, and the variadic
/// `unsafe extern "C" fn(A, ...) -> R`. [`Lib::typed`](crate::Lib::typed) turns a declared
/// function into one; typed callbacks turn a Rust closure into one.
///
/// # Safety
///
/// `signature` must describe the function type exactly, and `from_code` must make the
/// function pointer type from a code address; the implementations here (for every
/// `extern "C"` function pointer type up to 12 parameters) do.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::NativeFn;
/// let s = <unsafe extern "C" fn(i32, *const i8, ...) -> f64>::signature();
/// assert_eq!((s.args.len(), s.variadic, s.ret.rust), (2, true, "f64"));
/// ```
pub unsafe trait NativeFn: Copy + Send + Sync + 'static {
    /// The signature.
    fn signature() -> FnShape;

    /// The function at code address `code`.
    ///
    /// # Safety
    ///
    /// `code` must be the address of a function of this type, valid while the result is used.
    unsafe fn from_code(code: std::ptr::NonNull<c_void>) -> Self;

    /// The code address.
    fn code(self) -> usize;
}

/// Function pointer types whose calls are `unsafe`: the types [`Lib::typed`](crate::Lib::typed)
/// gives, since rcffi checks the signature but not the arguments' pointers.
///
/// # Safety
///
/// Only for `unsafe extern "C" fn` types.
pub unsafe trait ForeignFn: NativeFn {}

/// `NativeFn` and `NativeType` for one function pointer type `$f` with parameters `$a`.
macro_rules! fn_impls {
    ($f:ty, $variadic:expr, [$($a:ident),*]) => {
        // SAFETY: an `extern "C"` function pointer is the C ABI's function pointer; the
        // signature lists its parameter and result types (for a variadic one, the fixed
        // parameters: Rust applies C's promotions to the rest at each call).
        unsafe impl<R: NativeType, $($a: NativeType),*> NativeFn for $f {
            fn signature() -> FnShape {
                FnShape { args: vec![$($a::shape()),*], ret: R::shape(), variadic: $variadic, nullable: false }
            }
            unsafe fn from_code(code: std::ptr::NonNull<c_void>) -> Self {
                // SAFETY: the caller's promise: a function of this type.
                unsafe { std::mem::transmute::<*mut c_void, Self>(code.as_ptr()) }
            }
            fn code(self) -> usize {
                self as usize
            }
        }
        // SAFETY: a function pointer is a pointer (the signature is checked separately).
        unsafe impl<R: NativeType, $($a: NativeType),*> NativeType for $f {
            fn shape() -> Shape {
                Shape { rust: std::any::type_name::<Self>(), kind: ShapeKind::Function(Box::new(<Self as NativeFn>::signature())) }
            }
        }
    };
}

macro_rules! native_fns {
    ($($a:ident)*) => {
        fn_impls!(unsafe extern "C" fn($($a),*) -> R, false, [$($a),*]);
        fn_impls!(extern "C" fn($($a),*) -> R, false, [$($a),*]);
        // SAFETY: an `unsafe extern "C" fn` type.
        unsafe impl<R: NativeType, $($a: NativeType),*> ForeignFn for unsafe extern "C" fn($($a),*) -> R {}
    };
}

macro_rules! native_variadic_fns {
    ($($a:ident)+) => {
        fn_impls!(unsafe extern "C" fn($($a),+, ...) -> R, true, [$($a),+]);
        // SAFETY: an `unsafe extern "C" fn` type.
        unsafe impl<R: NativeType, $($a: NativeType),+> ForeignFn for unsafe extern "C" fn($($a),+, ...) -> R {}
    };
}

native_fns!();
native_fns!(A);
native_fns!(A B);
native_fns!(A B C);
native_fns!(A B C D);
native_fns!(A B C D E);
native_fns!(A B C D E F);
native_fns!(A B C D E F G);
native_fns!(A B C D E F G H);
native_fns!(A B C D E F G H I);
native_fns!(A B C D E F G H I J);
native_fns!(A B C D E F G H I J K);
native_fns!(A B C D E F G H I J K L);
native_variadic_fns!(A);
native_variadic_fns!(A B);
native_variadic_fns!(A B C);
native_variadic_fns!(A B C D);
native_variadic_fns!(A B C D E);
native_variadic_fns!(A B C D E F);
