//! Call arguments: [`Arg`], what one argument is; [`IntoArg`], what converts into one (its
//! impls for each Rust type in `call::into_arg`); and [`Args`], an argument list (a tuple, a
//! slice or a vector).

use std::ffi::CStr;
use std::mem::ManuallyDrop;

use crate::abi::INLINE_ARGS;
use crate::data::CData;
use crate::data::Value;
use crate::mem::InPlace;

pub use super::null::{NULL, Null};
pub(crate) use super::plain_arg::PlainArg;

/// One argument of a C call.
///
/// Most programs never name this type: a tuple of Rust values is an argument list, and each
/// element converts with [`IntoArg`]. Borrowed strings, byte strings and cdata are passed
/// without copying them into a [`Value`] first: `&str` and `&[u8]` become a temporary
/// NUL-terminated copy for a `char *` parameter (on the stack when short), `&CStr` and
/// `&CData` are used as they are.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Arg, IntoArg};
/// assert!(matches!(5.into_arg(), Arg::Int(5)));
/// assert!(matches!(2.5.into_arg(), Arg::Float(2.5)));
/// assert!(matches!("hi".into_arg(), Arg::Str("hi")));
/// assert!(matches!(None::<&rcffi::CData>.into_arg(), Arg::Null));
/// ```
#[derive(Debug)]
pub enum Arg<'a> {
    /// An integer (Rust integers up to 64 bits), converted as [`Value::Int`] is.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// A float (`f32`, `f64`), converted as [`Value::Float`] is.
    Float(f64),
    /// A value, converted with cffi's rules for the parameter's type.
    Value(Value),
    /// A borrowed value.
    Ref(&'a Value),
    /// Text: a temporary NUL-terminated copy of its UTF-8 bytes for `char *` (and `void *`,
    /// `signed`/`unsigned char *`) parameters, a temporary wide string for `wchar_t *`,
    /// `char16_t *` and `char32_t *` ones.
    Str(&'a str),
    /// Bytes: a temporary NUL-terminated copy for `char *` (and `void *`,
    /// `signed`/`unsigned char *`) parameters.
    Bytes(&'a [u8]),
    /// A C string, passed as it is (no copy) to `char *` (and `void *`,
    /// `signed`/`unsigned char *`) parameters: the function must not write through it.
    CStr(&'a CStr),
    /// A borrowed cdata.
    CData(&'a CData),
    /// A NULL pointer (`None` in Rust), for any pointer parameter.
    Null,
    /// A Rust closure for a function pointer parameter: a callback for the duration of the
    /// call (see [`closure`](fn@crate::closure)).
    Closure(crate::callback::Closure<'a>),
    /// Rust numbers lent to C for the call (`&mut [T]`, `&mut T`), passed as their address to
    /// a pointer to their own C type, to bytes (for `u8`, `i8`) or to `void`: C writes them
    /// in place.
    InPlace(InPlace<'a>),
}

impl Arg<'_> {
    /// The same argument, borrowed (a macro that passes its argument on to a function).
    pub(crate) fn reborrow(&self) -> Arg<'_> {
        match self {
            Arg::Int(i) => Arg::Int(*i),
            Arg::UInt(u) => Arg::UInt(*u),
            Arg::Float(x) => Arg::Float(*x),
            Arg::Value(v) => Arg::Ref(v),
            Arg::Ref(v) => Arg::Ref(v),
            Arg::Str(s) => Arg::Str(s),
            Arg::Bytes(b) => Arg::Bytes(b),
            Arg::CStr(c) => Arg::CStr(c),
            Arg::CData(c) => Arg::CData(c),
            Arg::Null => Arg::Null,
            Arg::Closure(c) => Arg::Closure(c.clone()),
            Arg::InPlace(p) => Arg::InPlace(p.reborrow()),
        }
    }

    /// Whether dropping this argument does nothing (it owns no value or closure).
    #[inline(always)]
    fn owns_nothing(&self) -> bool {
        !matches!(self, Arg::Value(_) | Arg::Closure(_))
    }

    /// cffi's name of the argument's Python type, for messages (`int`, `str`, `cdata`...).
    pub(crate) fn describe(&self) -> String {
        match self {
            Arg::Int(_) | Arg::UInt(_) => "int".into(),
            Arg::Float(_) => "float".into(),
            Arg::Value(v) => v.describe(),
            Arg::Ref(v) => v.describe(),
            Arg::Str(_) => "str".into(),
            Arg::Bytes(_) | Arg::CStr(_) => "bytes".into(),
            Arg::CData(c) => c.what(),
            Arg::Null => "None".into(),
            Arg::Closure(c) => format!("{c:?}"),
            Arg::InPlace(p) => p.describe(),
        }
    }
}

/// Converts a Rust value into one call argument ([`Arg`]).
///
/// Implemented for Rust numbers, `bool`, `char`, strings and byte strings (borrowed or
/// owned: copied), [`CStr`] and [`CString`](std::ffi::CString) (passed without a copy:
/// `c"text"` is the fastest way to pass a constant string), [`CData`] (borrowed or owned),
/// [`Value`] (borrowed or owned: a number straight into its register where its parameter is
/// a number type, as a Rust number is), slices, arrays and
/// vectors of numbers, owned or borrowed (a temporary C array for a `T *` parameter: their
/// bytes copied as they are for a pointer to their own C type, `&[i32]` for an `int *`), a
/// `&mut` of numbers (a slice, array, vector or one number: lent to C in place, see
/// [`InPlace`]), and `Option` of any of these (`None` is NULL).
pub trait IntoArg<'a> {
    /// The argument.
    fn into_arg(self) -> Arg<'a>;

    /// What this Rust type is as a plain argument (a number, a `bool`, a C string or a cdata
    /// passed as its address), or nothing. Hidden: how a tuple of such arguments skips the
    /// conversion of each when its parameters take them as they are (`PlainArg`).
    #[doc(hidden)]
    const PLAIN: PlainArg = PlainArg::NONE;

    /// The argument as its register word, when [`IntoArg::PLAIN`] says it is plain: an integer
    /// extended to 64 bits by its signedness, a float's bits, a C string's or a cdata's
    /// address. Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn plain_word(&self) -> u64 {
        0
    }

    /// [`IntoArg::plain_word`] taken from the argument itself (`&mut`): for numbers lent in
    /// place, their address with the right to write through it. Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn plain_word_mut(&mut self) -> u64 {
        self.plain_word()
    }

    /// The cdata a plain cdata argument is, whose type the call checks against its parameter.
    /// Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn plain_cdata(&self) -> Option<&CData> {
        None
    }

    /// The value a [`PlainArg::VALUE`] argument is, whose number the call may pass for a
    /// number parameter. Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn plain_value(&self) -> Option<&Value> {
        None
    }

    /// What `Option<Self>` is as a plain argument: for a C string, text or a cdata, the same
    /// kind whose `None` is NULL; nothing for other types (a `Value`, whose `Some` may hold no
    /// cdata, is not told from `None` by its cdata). Hidden, as `PLAIN` is.
    #[doc(hidden)]
    const OR_NULL: PlainArg = PlainArg::NONE;

    /// Whether the argument may own something its `Arg` must drop (a value or a closure):
    /// `false` for numbers, `bool`s, borrows and NULL, whose tuple then needs no drop at all.
    /// Hidden, as `PLAIN` is.
    #[doc(hidden)]
    const OWNS: bool = true;

    /// The bytes of a plain argument the call copies into its stack area: a text's (`&str`,
    /// `&[u8]`...), which get a NUL after them, or numbers' (`&[i32]`, `Vec<f64>`...), in
    /// native byte order. Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn plain_copy(&self) -> &[u8] {
        &[]
    }
}

/// An argument list: a tuple of [`IntoArg`] values (up to 16), `()`, or a slice or vector of
/// [`Value`]s or [`Arg`]s.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Args, Value};
/// (1, 2.5, "x").with_args(|a| assert_eq!(a.len(), 3));
/// vec![Value::Int(1)].with_args(|a| assert_eq!(a.len(), 1));
/// ().with_args(|a| assert!(a.is_empty()));
/// ```
pub trait Args<'a> {
    /// Runs `f` with the arguments.
    fn with_args<R>(self, f: impl FnOnce(&[Arg<'a>]) -> R) -> R;

    /// What each argument is as a plain argument ([`IntoArg::PLAIN`]), for a tuple (`Some(&[])`
    /// for `()`); `None` for lists, whose length is known only when they are run. Hidden, as
    /// `PLAIN` is.
    #[doc(hidden)]
    const PLAIN: Option<&'static [PlainArg]> = None;

    /// Each argument's [`IntoArg::plain_word_mut`] (zero past the last), when [`Args::PLAIN`]
    /// is `Some`: the words of a tuple with text, numbers to copy or numbers lent, which the
    /// call completes with its copies' addresses. Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn plain_words_mut(&mut self) -> [u64; INLINE_ARGS] {
        [0; INLINE_ARGS]
    }

    /// Runs `f` with each argument's [`IntoArg::plain_word`] and [`IntoArg::plain_cdata`],
    /// when [`Args::PLAIN`] is `Some`. Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn with_plain_words<R>(&self, f: impl FnOnce(&[u64], &[Option<&CData>]) -> R) -> R {
        f(&[], &[])
    }

    /// Runs `f` with each argument's [`IntoArg::plain_value`], when [`Args::PLAIN`] is `Some`.
    /// Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn with_plain_values<R>(&self, f: impl FnOnce(&[Option<&Value>]) -> R) -> R {
        f(&[])
    }

    /// Each argument's [`IntoArg::plain_copy`] (empty for what is not copied). Hidden, as
    /// `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn plain_copies(&self) -> [&[u8]; INLINE_ARGS] {
        [&[]; INLINE_ARGS]
    }

    /// The arguments as the values they are, for a list of [`Value`]s (`&[Value]`,
    /// `Vec<Value>`): the register path takes their numbers, cdata and text from them
    /// without making an [`Arg`] of each. `None` for the other lists. Hidden, as `PLAIN` is.
    #[doc(hidden)]
    #[inline(always)]
    fn values(&self) -> Option<&[Value]> {
        None
    }
}

impl<'a> Args<'a> for () {
    #[inline]
    fn with_args<R>(self, f: impl FnOnce(&[Arg<'a>]) -> R) -> R {
        f(&[])
    }
    const PLAIN: Option<&'static [PlainArg]> = Some(&[]);
}

/// A tuple's arguments, dropped only when one of them owns something (a value or a closure):
/// numbers and borrows skip the drop glue's walk. The call's result is its caller's tail
/// expression, so it is made in place; a result kept in a local while the arguments were
/// dropped was copied after the call, and that copy's 16-byte loads waited on the 8-byte
/// stores that had just written it (a store-forwarding stall: 4 ns a call).
struct Tuple<'a, const N: usize>(ManuallyDrop<[Arg<'a>; N]>);

impl<const N: usize> Drop for Tuple<'_, N> {
    #[inline(always)]
    fn drop(&mut self) {
        if !self.0.iter().all(Arg::owns_nothing) {
            drop(std::mem::replace(
                &mut *self.0,
                std::array::from_fn(|_| Arg::Null),
            ));
        }
    }
}

macro_rules! args_tuple {
    ($($name:ident),+) => {
        impl<'a, $($name: IntoArg<'a>),+> Args<'a> for ($($name,)+) {
            #[inline(always)]
            #[allow(non_snake_case)]
            fn with_args<R>(self, f: impl FnOnce(&[Arg<'a>]) -> R) -> R {
                let ($($name,)+) = self;
                if const { !($($name::OWNS)||+) } {
                    // Numbers, borrows and NULL own nothing: no drop, no test of each kind.
                    let args = ManuallyDrop::new([$($name.into_arg()),+]);
                    return f(&*args);
                }
                let args = Tuple(ManuallyDrop::new([$($name.into_arg()),+]));
                f(&*args.0)
            }

            const PLAIN: Option<&'static [PlainArg]> = Some(&[$($name::PLAIN),+]);

            #[inline(always)]
            #[allow(non_snake_case)]
            fn plain_words_mut(&mut self) -> [u64; INLINE_ARGS] {
                let ($($name,)+) = self;
                let mut out = [0; INLINE_ARGS];
                let mut i = 0;
                $(
                    out[i] = $name.plain_word_mut();
                    i += 1;
                )+
                let _ = i;
                out
            }

            #[inline(always)]
            #[allow(non_snake_case)]
            fn with_plain_words<R>(&self, f: impl FnOnce(&[u64], &[Option<&CData>]) -> R) -> R {
                let ($($name,)+) = self;
                f(&[$($name.plain_word()),+], &[$($name.plain_cdata()),+])
            }

            #[inline(always)]
            #[allow(non_snake_case)]
            fn with_plain_values<R>(&self, f: impl FnOnce(&[Option<&Value>]) -> R) -> R {
                let ($($name,)+) = self;
                f(&[$($name.plain_value()),+])
            }

            #[inline(always)]
            #[allow(non_snake_case)]
            fn plain_copies(&self) -> [&[u8]; INLINE_ARGS] {
                let ($($name,)+) = self;
                let mut out: [&[u8]; INLINE_ARGS] = [&[]; INLINE_ARGS];
                let mut i = 0;
                $(
                    out[i] = $name.plain_copy();
                    i += 1;
                )+
                let _ = i;
                out
            }
        }
    };
}
args_tuple!(A);
args_tuple!(A, B);
args_tuple!(A, B, C);
args_tuple!(A, B, C, D);
args_tuple!(A, B, C, D, E);
args_tuple!(A, B, C, D, E, F);
args_tuple!(A, B, C, D, E, F, G);
args_tuple!(A, B, C, D, E, F, G, H);
args_tuple!(A, B, C, D, E, F, G, H, I);
args_tuple!(A, B, C, D, E, F, G, H, I, J);
args_tuple!(A, B, C, D, E, F, G, H, I, J, K);
args_tuple!(A, B, C, D, E, F, G, H, I, J, K, L);
args_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M);
args_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N);
args_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O);
args_tuple!(A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P);

impl<'a> Arg<'a> {
    /// A value as an argument: numbers and borrowed text as the direct forms the call paths
    /// take in registers (the converting path's form of a list's value; `call::values` makes
    /// it only for a struct or another scalar, and takes numbers, cdata and text as they are).
    pub(super) fn of_ref(v: &'a Value) -> Arg<'a> {
        match v {
            Value::Int(i) => i64::try_from(*i).map_or(Arg::Ref(v), Arg::Int),
            Value::Float(x) => Arg::Float(*x),
            Value::Text(s) => Arg::Str(s),
            Value::Bytes(b) => Arg::Bytes(b),
            _ => Arg::Ref(v),
        }
    }

    /// An owned value as an argument: numbers as their direct forms.
    fn of_value(v: Value) -> Arg<'a> {
        match v {
            Value::Int(i) => i64::try_from(i).map_or(Arg::Value(v), Arg::Int),
            Value::Float(x) => Arg::Float(x),
            _ => Arg::Value(v),
        }
    }
}

/// `f` of the `len` arguments `make` makes (by index): in an array on the stack for up to 8,
/// as a tuple's are, so that a list of values of a usual length does not allocate (a `Vec`
/// of two took a `malloc` and a `free`, about 130 instructions of an `add`'s 725); in a `Vec`
/// past that.
#[inline(always)]
fn listed<'a, R>(
    len: usize,
    make: impl FnMut(usize) -> Arg<'a>,
    f: impl FnOnce(&[Arg<'a>]) -> R,
) -> R {
    /// The arguments in an array of exactly `N`.
    #[inline(always)]
    fn exactly<'a, const N: usize, R>(
        make: impl FnMut(usize) -> Arg<'a>,
        f: impl FnOnce(&[Arg<'a>]) -> R,
    ) -> R {
        // Dropped after the result was made in place, and only when one owns something (as a
        // tuple's: `Tuple`).
        let args = Tuple::<N>(ManuallyDrop::new(std::array::from_fn(make)));
        f(&*args.0)
    }
    match len {
        0 => f(&[]),
        1 => exactly::<1, R>(make, f),
        2 => exactly::<2, R>(make, f),
        3 => exactly::<3, R>(make, f),
        4 => exactly::<4, R>(make, f),
        5 => exactly::<5, R>(make, f),
        6 => exactly::<6, R>(make, f),
        7 => exactly::<7, R>(make, f),
        8 => exactly::<8, R>(make, f),
        _ => {
            let args: Vec<Arg<'a>> = (0..len).map(make).collect();
            f(&args)
        }
    }
}

impl<'a> Args<'a> for &'a [Value] {
    fn with_args<R>(self, f: impl FnOnce(&[Arg<'a>]) -> R) -> R {
        listed(self.len(), |i| Arg::of_ref(&self[i]), f)
    }

    #[inline(always)]
    fn values(&self) -> Option<&[Value]> {
        Some(self)
    }
}

impl<'a> Args<'a> for Vec<Value> {
    fn with_args<R>(self, f: impl FnOnce(&[Arg<'a>]) -> R) -> R {
        let len = self.len();
        let mut items = self.into_iter();
        // (`listed` asks for each index once, in order: `items` has one value for each.)
        listed(len, |_| items.next().map_or(Arg::Null, Arg::of_value), f)
    }

    #[inline(always)]
    fn values(&self) -> Option<&[Value]> {
        Some(self)
    }
}

impl<'a> Args<'a> for Vec<Arg<'a>> {
    fn with_args<R>(self, f: impl FnOnce(&[Arg<'a>]) -> R) -> R {
        f(&self)
    }
}

impl<'a> Args<'a> for &[Arg<'a>] {
    fn with_args<R>(self, f: impl FnOnce(&[Arg<'a>]) -> R) -> R {
        f(self)
    }
}
