//! [`IntoArg`] for each Rust type a call argument may be: numbers, `bool`, text and C
//! strings, cdata and values, Rust numbers to copy or lend in place, `Option`s of these, and
//! closures — with what each is as a plain argument ([`PlainArg`]), by which a tuple of them
//! goes straight into its registers.

use std::ffi::{CStr, CString};

use super::args::{Arg, IntoArg};
use super::plain_arg::PlainArg;
use crate::callback::Closure;
use crate::data::CData;
use crate::data::Value;
use crate::mem::{Fast, InPlace};

macro_rules! into_arg_value {
    ($($t:ty),*) => {$(
        impl<'a> IntoArg<'a> for $t {
            #[inline]
            fn into_arg(self) -> Arg<'a> {
                Arg::Value(Value::from(self))
            }
        }
    )*};
}
into_arg_value!(i128, char, String, Vec<u8>, Vec<Value>);

impl<'a> IntoArg<'a> for bool {
    #[inline]
    fn into_arg(self) -> Arg<'a> {
        Arg::Value(Value::Bool(self))
    }
    const PLAIN: PlainArg = PlainArg::BOOL;
    // A `Value::Bool` holds nothing to drop.
    const OWNS: bool = false;
    #[inline(always)]
    fn plain_word(&self) -> u64 {
        u64::from(*self)
    }
}

/// `IntoArg` for a cdata (owned or borrowed) or a value that may hold one (owned or borrowed):
/// `$into` the argument, `$cdata` the cdata it is as a plain argument (its address the word;
/// a value that holds none makes its call take the converting path, as a value always did).
macro_rules! cdata_arg {
    (
        $t:ty, $plain:expr, $or_null:expr, $owns:expr,
        |$s:ident| $into:expr, |$r:ident| $cdata:expr, |$q:ident| $value:expr
    ) => {
        impl<'a> IntoArg<'a> for $t {
            #[inline]
            fn into_arg(self) -> Arg<'a> {
                let $s = self;
                $into
            }
            const PLAIN: PlainArg = $plain;
            const OR_NULL: PlainArg = $or_null;
            const OWNS: bool = $owns;
            #[inline(always)]
            fn plain_word(&self) -> u64 {
                self.plain_cdata().map_or(0, |c| c.addr() as u64)
            }
            #[inline(always)]
            fn plain_cdata(&self) -> Option<&CData> {
                let $r = self;
                $cdata
            }
            #[inline(always)]
            fn plain_value(&self) -> Option<&Value> {
                let $q = self;
                $value
            }
        }
    };
}
cdata_arg!(
    CData,
    PlainArg::C_DATA,
    PlainArg::C_DATA.or_null(),
    true,
    |c| Arg::Value(Value::CData(c)),
    |c| Some(c),
    |_c| None
);
cdata_arg!(
    &'a CData,
    PlainArg::C_DATA,
    PlainArg::C_DATA.or_null(),
    false,
    |c| Arg::CData(c),
    |c| Some(*c),
    |_c| None
);
// A value is a plain argument when it is a cdata (`Value::CData`: a pointer another call
// returned, an array read out of a struct) for a pointer parameter, or a number its number
// parameter holds (`PlainArg::VALUE`).
cdata_arg!(
    Value,
    PlainArg::VALUE,
    PlainArg::NONE,
    true,
    |v| Arg::Value(v),
    |v| v.as_cdata(),
    |v| Some(v)
);
cdata_arg!(
    &'a Value,
    PlainArg::VALUE,
    PlainArg::NONE,
    false,
    |v| Arg::Ref(v),
    |v| v.as_cdata(),
    |v| Some(*v)
);

macro_rules! into_arg_int {
    ($($t:ty),*) => {$(
        impl<'a> IntoArg<'a> for $t {
            #[inline]
            fn into_arg(self) -> Arg<'a> {
                Arg::Int(self as i64)
            }
            const PLAIN: PlainArg = PlainArg::int(size_of::<$t>(), true);
            const OWNS: bool = false;
            #[inline(always)]
            fn plain_word(&self) -> u64 {
                *self as i64 as u64
            }
        }
    )*};
}
into_arg_int!(i8, i16, i32, i64, isize);

macro_rules! into_arg_uint {
    ($($t:ty),*) => {$(
        impl<'a> IntoArg<'a> for $t {
            #[inline]
            fn into_arg(self) -> Arg<'a> {
                Arg::Int(i64::from(self))
            }
            const PLAIN: PlainArg = PlainArg::int(size_of::<$t>(), false);
            const OWNS: bool = false;
            #[inline(always)]
            fn plain_word(&self) -> u64 {
                u64::from(*self)
            }
        }
    )*};
}
into_arg_uint!(u8, u16, u32);

impl<'a> IntoArg<'a> for u64 {
    #[inline]
    fn into_arg(self) -> Arg<'a> {
        match i64::try_from(self) {
            Ok(i) => Arg::Int(i),
            Err(_) => Arg::UInt(self),
        }
    }
    const PLAIN: PlainArg = PlainArg::int(8, false);
    const OWNS: bool = false;
    #[inline(always)]
    fn plain_word(&self) -> u64 {
        *self
    }
}

impl<'a> IntoArg<'a> for usize {
    #[inline]
    fn into_arg(self) -> Arg<'a> {
        (self as u64).into_arg()
    }
    const PLAIN: PlainArg = PlainArg::int(size_of::<usize>(), false);
    const OWNS: bool = false;
    #[inline(always)]
    fn plain_word(&self) -> u64 {
        *self as u64
    }
}

impl<'a> IntoArg<'a> for f64 {
    #[inline]
    fn into_arg(self) -> Arg<'a> {
        Arg::Float(self)
    }
    const PLAIN: PlainArg = PlainArg::number(Fast::F64);
    const OWNS: bool = false;
    #[inline(always)]
    fn plain_word(&self) -> u64 {
        self.to_bits()
    }
}

impl<'a> IntoArg<'a> for f32 {
    #[inline]
    fn into_arg(self) -> Arg<'a> {
        Arg::Float(f64::from(self))
    }
    const PLAIN: PlainArg = PlainArg::number(Fast::F32);
    const OWNS: bool = false;
    #[inline(always)]
    fn plain_word(&self) -> u64 {
        u64::from(self.to_bits())
    }
}

/// `IntoArg` for Rust numbers of type `$t` (a slice, array or vector, owned or borrowed): a
/// temporary C array for a `T *` parameter. For a pointer to `$t`'s own C type (an `int *`
/// for `i32`s), the direct path copies their bytes as they are into the call's stack area
/// (its plain word 1, not NULL, until the copy's address replaces it); any other parameter
/// converts them item by item.
macro_rules! items_arg {
    ($($t:ty),*) => {$(
        items_arg!(@one $t, [] &'a [$t], |v| Value::from(v));
        items_arg!(@one $t, [] Vec<$t>, |v| Value::from(v));
        items_arg!(@one $t, [] &'a Vec<$t>, |v| Value::from(&v[..]));
        items_arg!(@one $t, [const N: usize] [$t; N], |v| Value::from(&v[..]));
        items_arg!(@one $t, [const N: usize] &'a [$t; N], |v| Value::from(&v[..]));
    )*};
    (@one $t:ty, [$($gen:tt)*] $ty:ty, |$v:ident| $value:expr) => {
        impl<'a, $($gen)*> IntoArg<'a> for $ty {
            #[inline]
            fn into_arg(self) -> Arg<'a> {
                let $v = self;
                Arg::Value($value)
            }
            const PLAIN: PlainArg = PlainArg::items(<$t as crate::mem::Plain>::FAST);
            const OR_NULL: PlainArg = PlainArg::items(<$t as crate::mem::Plain>::FAST).or_null();
            #[inline(always)]
            fn plain_word(&self) -> u64 {
                1
            }
            #[inline(always)]
            fn plain_copy(&self) -> &[u8] {
                crate::mem::bytes_of(&self[..])
            }
        }
    };
}
items_arg!(i8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64);

/// `IntoArg` for Rust numbers of type `$t` lent to C in place (`&mut` of a slice, an array, a
/// vector or one number): their address, for a pointer whose parameter lends `$t` (its own C
/// type, bytes for `u8` and `i8`, `void`), C's writes seen when the call returns. The plain
/// word 1 (not NULL) stands in for the address, which the call takes from the `&mut` itself
/// (`plain_word_mut`).
macro_rules! in_place_arg {
    ($($t:ty),*) => {$(
        in_place_arg!(@one $t, [] &'a mut [$t], |v| v);
        in_place_arg!(@one $t, [] &'a mut Vec<$t>, |v| &mut v[..]);
        in_place_arg!(@one $t, [const N: usize] &'a mut [$t; N], |v| &mut v[..]);
        in_place_arg!(@one $t, [] &'a mut $t, |v| std::slice::from_mut(v));
    )*};
    (@one $t:ty, [$($gen:tt)*] $ty:ty, |$v:ident| $slice:expr) => {
        impl<'a, $($gen)*> IntoArg<'a> for $ty {
            #[inline]
            fn into_arg(self) -> Arg<'a> {
                let $v = self;
                Arg::InPlace(InPlace::new($slice))
            }
            const PLAIN: PlainArg = PlainArg::lent(<$t as crate::mem::Plain>::FAST);
            const OR_NULL: PlainArg = PlainArg::lent(<$t as crate::mem::Plain>::FAST).or_null();
            #[inline(always)]
            fn plain_word(&self) -> u64 {
                1
            }
            #[inline(always)]
            fn plain_word_mut(&mut self) -> u64 {
                let $v = &mut **self;
                crate::mem::addr_mut($slice)
            }
        }
    };
}
in_place_arg!(i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, f32, f64);

/// `IntoArg` for text — a string or bytes, borrowed — given to a pointer to text: `$into` the
/// argument, `$bytes` its bytes, which the direct path copies with a NUL after them into the
/// call's stack area. Its plain word is 1 (not NULL: the word of an `Option`'s `Some`), which
/// the call replaces with the copy's address.
macro_rules! text_arg {
    ($([$($gen:tt)*] $t:ty, |$s:ident| $into:expr, |$r:ident| $bytes:expr;)*) => {$(
        impl<'a, $($gen)*> IntoArg<'a> for $t {
            #[inline]
            fn into_arg(self) -> Arg<'a> {
                let $s = self;
                $into
            }
            const PLAIN: PlainArg = PlainArg::TEXT;
            const OR_NULL: PlainArg = PlainArg::TEXT.or_null();
            const OWNS: bool = false;
            #[inline(always)]
            fn plain_word(&self) -> u64 {
                1
            }
            #[inline(always)]
            fn plain_copy(&self) -> &[u8] {
                let $r = self;
                $bytes
            }
        }
    )*};
}
text_arg! {
    [] &'a str, |s| Arg::Str(s), |s| s.as_bytes();
    [] &'a String, |s| Arg::Str(s), |s| s.as_bytes();
    [] &'a [u8], |b| Arg::Bytes(b), |b| b;
    [const N: usize] &'a [u8; N], |b| Arg::Bytes(b), |b| &b[..];
    [] &'a Vec<u8>, |b| Arg::Bytes(b), |b| b;
}

/// `IntoArg` for a C string, borrowed: passed as its address, without a copy.
macro_rules! c_string_arg {
    ($($t:ty),*) => {$(
        impl<'a> IntoArg<'a> for $t {
            #[inline]
            fn into_arg(self) -> Arg<'a> {
                Arg::CStr(self)
            }
            const PLAIN: PlainArg = PlainArg::C_STRING;
            const OR_NULL: PlainArg = PlainArg::C_STRING.or_null();
            const OWNS: bool = false;
            #[inline(always)]
            fn plain_word(&self) -> u64 {
                self.as_ptr() as u64
            }
        }
    )*};
}
c_string_arg!(&'a CStr, &'a CString);

impl<'a> IntoArg<'a> for Arg<'a> {
    #[inline]
    fn into_arg(self) -> Arg<'a> {
        self
    }
}

impl<'a, T: IntoArg<'a>> IntoArg<'a> for Option<T> {
    #[inline]
    fn into_arg(self) -> Arg<'a> {
        match self {
            Some(v) => v.into_arg(),
            None => Arg::Null,
        }
    }
    // An `Option` of a C string, text or a cdata: its `Some` as that, its `None` as NULL (word
    // 0, which a text's `Some` never has).
    const PLAIN: PlainArg = T::OR_NULL;
    const OWNS: bool = T::OWNS;
    #[inline(always)]
    fn plain_word(&self) -> u64 {
        self.as_ref().map_or(0, IntoArg::plain_word)
    }
    #[inline(always)]
    fn plain_word_mut(&mut self) -> u64 {
        self.as_mut().map_or(0, IntoArg::plain_word_mut)
    }
    #[inline(always)]
    fn plain_cdata(&self) -> Option<&CData> {
        self.as_ref().and_then(IntoArg::plain_cdata)
    }
    #[inline(always)]
    fn plain_copy(&self) -> &[u8] {
        self.as_ref().map_or(&[], IntoArg::plain_copy)
    }
}

impl<'a> IntoArg<'a> for Closure<'a> {
    fn into_arg(self) -> Arg<'a> {
        Arg::Closure(self)
    }
}

impl<'a> IntoArg<'a> for &'a Closure<'_> {
    fn into_arg(self) -> Arg<'a> {
        Arg::Closure(self.clone())
    }
}
