//! [`PlainArg`]: what a Rust argument type is as a plain argument, the constant by which a
//! tuple of such arguments goes straight into its registers (`call::plain`), and what a
//! tuple of kinds needs (copies of text and numbers, stack words), computed when the tuple's
//! type is compiled.

use crate::mem::Fast;

/// What a Rust argument type is as a plain argument: a number of some kind (Rust's integers
/// and floats), a C string passed as its address (`&CStr`, `&CString`), text passed as a
/// NUL-terminated copy (`&str`, `&String`, byte slices, arrays and vectors), numbers of one
/// kind passed as a copy of them (slices, arrays and vectors of Rust numbers, for a pointer to
/// that number type) or lent in place (`&mut` of them, passed as their address), a `bool`
/// (for a `_Bool`) or a cdata (`CData`, or a `Value` that holds one, owned or borrowed) — a C
/// string's, text's, numbers' or a cdata's kind perhaps flagged as NULL when `None` (an
/// `Option` of one) — or none of these ([`PlainArg::NONE`]). Hidden: a
/// tuple of plain arguments whose parameters take each as it is — an integer type wide enough
/// for every value of the Rust type, either float type, a pointer to text for a C string or
/// text, a pointer to the numbers' own type for numbers (or to bytes or `void` for numbers
/// lent), a compatible pointer for a cdata —
/// goes into its registers without converting any argument (`call::plain`). The kind, its
/// NULL flag and item type aside, is the index of its bit in `Param::holds`; numbers carry
/// their item type in the high byte. No code outside the crate can name this type, so no
/// `IntoArg` impl but rcffi's can claim a kind.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlainArg(u16);

impl PlainArg {
    /// Not a plain argument.
    pub(crate) const NONE: PlainArg = PlainArg(u16::MAX);

    /// A C string, passed as its address (`Param::holds`'s `C_STRING` bit).
    pub(super) const C_STRING: PlainArg = PlainArg(crate::abi::C_STRING_BIT as u16);

    /// Text (a `&str` or bytes) for a pointer to text, passed as the address of a
    /// NUL-terminated copy in the call's stack area (`Param::holds`'s `TEXT` bit).
    pub(super) const TEXT: PlainArg = PlainArg(crate::abi::TEXT_BIT as u16);

    /// A `bool` for a `_Bool`, passed as 0 or 1 (`Param::holds`'s `BOOL` bit).
    pub(super) const BOOL: PlainArg = PlainArg(crate::abi::BOOL_BIT as u16);

    /// A cdata for a pointer parameter, passed as its address once its type passes cffi's
    /// rules for the parameter (`Param::holds`'s `C_DATA` bit).
    pub(super) const C_DATA: PlainArg = PlainArg(crate::abi::C_DATA_BIT as u16);

    /// A [`Value`](crate::Value), owned or borrowed: a cdata kind (a value that holds a cdata
    /// passes as one does), but for a number parameter, in a tuple that copies nothing, its
    /// number, encoded for the parameter when the call is made (`plain::value_words`):
    /// a value read out of C or returned by another call, passed on.
    pub(super) const VALUE: PlainArg =
        PlainArg(crate::abi::C_DATA_BIT as u16 | PlainArg::VALUE_FLAG);

    /// The flag of [`PlainArg::VALUE`] (above the NULL flag; its code is a cdata's).
    const VALUE_FLAG: u16 = 0x40;

    /// The flag of a kind whose argument may be NULL instead (`None` of an `Option` of a C
    /// string, text, numbers or a cdata): its word is then 0, what the converting path passes
    /// for `None`.
    const NULL_FLAG: u16 = 0x20;

    /// The bits of the kind's code (below the NULL flag).
    const CODE: u16 = 0x1F;

    /// Numbers of type `f` (a slice, array or vector of them) for a pointer to `f`'s C type,
    /// passed as the address of a copy of them in the call's stack area (`Param::holds`'s
    /// `ITEMS` bit, and `Param::items` the same type).
    pub(super) const fn items(f: Fast) -> PlainArg {
        PlainArg(crate::abi::ITEMS_BIT as u16 | (f as u16) << 8)
    }

    /// Numbers of type `f` lent in place (a `&mut [T]` or `&mut T`) for a pointer whose
    /// `Param::lends` has `f`, passed as their own address (`Param::holds`'s `LENT` bit).
    pub(super) const fn lent(f: Fast) -> PlainArg {
        PlainArg(crate::abi::LENT_BIT as u16 | (f as u16) << 8)
    }

    /// This kind for an `Option` of it: a C string's, text's, numbers' or a cdata's, whose
    /// `None` is NULL ([`PlainArg::NONE`] for any other kind).
    pub(super) const fn or_null(self) -> PlainArg {
        if self.0 == PlainArg::C_STRING.0
            || self.0 == PlainArg::TEXT.0
            || self.0 == PlainArg::C_DATA.0
            || self.is_items()
            || self.is_lent()
        {
            PlainArg(self.0 | PlainArg::NULL_FLAG)
        } else {
            PlainArg::NONE
        }
    }

    /// Whether the argument may be NULL (a `None`), which passes 0 with no check.
    #[inline(always)]
    pub(crate) const fn may_be_null(self) -> bool {
        self.0 != PlainArg::NONE.0 && self.0 & PlainArg::NULL_FLAG != 0
    }

    /// The kind without its NULL flag and item type: the index of its bit in
    /// `Param::holds`.
    #[inline(always)]
    const fn code(self) -> u16 {
        if self.0 == PlainArg::NONE.0 {
            self.0
        } else {
            self.0 & PlainArg::CODE
        }
    }

    /// A number of kind `f`.
    pub(super) const fn number(f: Fast) -> PlainArg {
        PlainArg(f as u16)
    }

    /// The kind of a Rust integer of `bytes` bytes (every Rust integer up to 64 bits is one).
    pub(super) const fn int(bytes: usize, signed: bool) -> PlainArg {
        match Fast::int(bytes, signed) {
            Some(f) => PlainArg::number(f),
            None => PlainArg::NONE,
        }
    }

    /// This kind's bit in `Param::holds` (none for [`PlainArg::NONE`]).
    #[inline(always)]
    pub(crate) const fn bit(self) -> u16 {
        let k = self.code();
        if k < 16 { 1 << k } else { 0 }
    }

    /// Whether the kind is the one of bit `bit` of `Param::holds`.
    #[inline(always)]
    const fn is(self, bit: u8) -> bool {
        self.code() == bit as u16
    }

    /// Whether the argument is a cdata, whose type the call checks.
    #[inline(always)]
    pub(crate) const fn is_cdata(self) -> bool {
        self.is(crate::abi::C_DATA_BIT)
    }

    /// Whether the argument is a [`Value`](crate::Value) ([`PlainArg::VALUE`]).
    #[inline(always)]
    pub(crate) const fn is_value(self) -> bool {
        self.0 != PlainArg::NONE.0 && self.0 & PlainArg::VALUE_FLAG != 0
    }

    /// Whether the argument is text, which the call copies with a NUL after it.
    #[inline(always)]
    pub(crate) const fn is_text(self) -> bool {
        self.is(crate::abi::TEXT_BIT)
    }

    /// Whether the argument is numbers of one type, which the call copies as they are.
    #[inline(always)]
    pub(crate) const fn is_items(self) -> bool {
        self.is(crate::abi::ITEMS_BIT)
    }

    /// Whether the argument is numbers lent in place, passed as their address.
    #[inline(always)]
    pub(crate) const fn is_lent(self) -> bool {
        self.is(crate::abi::LENT_BIT)
    }

    /// The type of the numbers of a numbers argument, copied or lent ([`PlainArg::items`],
    /// [`PlainArg::lent`]).
    #[inline(always)]
    pub(crate) const fn item_fast(self) -> Option<Fast> {
        if self.is_items() || self.is_lent() {
            Some(Fast::ALL[(self.0 >> 8) as usize % Fast::ALL.len()])
        } else {
            None
        }
    }

    /// Whether the call copies the argument into its stack area: text or numbers.
    #[inline(always)]
    pub(crate) const fn is_copied(self) -> bool {
        self.is_text() || self.is_items()
    }

    /// Whether any of `kinds` is copied or lent: a tuple the call takes out of line, to copy
    /// or to take each lent argument's address from its `&mut` (for a constant:
    /// `const { PlainArg::any_copied_or_lent(..) }`).
    pub(crate) const fn any_copied_or_lent(kinds: Option<&[PlainArg]>) -> bool {
        PlainArg::any(kinds, Which::CopiedOrLent)
    }

    /// Whether any of `kinds` is numbers (for a constant: `const { PlainArg::any_items(..) }`).
    pub(crate) const fn any_items(kinds: Option<&[PlainArg]>) -> bool {
        PlainArg::any(kinds, Which::Items)
    }

    /// Whether any of `kinds` is a cdata, which may be a callback (for a constant:
    /// `const { PlainArg::any_cdata(..) }`).
    pub(crate) const fn any_cdata(kinds: Option<&[PlainArg]>) -> bool {
        PlainArg::any(kinds, Which::Cdata)
    }

    /// Whether any of `kinds` is a value (for a constant: `const { PlainArg::any_value(..) }`).
    pub(crate) const fn any_value(kinds: Option<&[PlainArg]>) -> bool {
        PlainArg::any(kinds, Which::Value)
    }

    /// Whether any of `kinds` is not a plain argument (for a constant:
    /// `const { PlainArg::any_none(..) }`).
    pub(crate) const fn any_none(kinds: Option<&[PlainArg]>) -> bool {
        PlainArg::any(kinds, Which::None)
    }

    /// Whether any of `kinds` is `which`.
    const fn any(kinds: Option<&[PlainArg]>, which: Which) -> bool {
        let Some(kinds) = kinds else { return false };
        let mut i = 0;
        while i < kinds.len() {
            let k = kinds[i];
            if match which {
                Which::CopiedOrLent => k.is_copied() || k.is_lent(),
                Which::Items => k.is_items(),
                Which::Cdata => k.is_cdata(),
                Which::Value => k.is_value(),
                Which::None => k.0 == PlainArg::NONE.0,
            } {
                return true;
            }
            i += 1;
        }
        false
    }

    /// How many stack words a tuple of these kinds takes past the registers, in a call whose
    /// result is not written through memory: its integer-class arguments past the integer
    /// registers and its floats past the floating ones (as `Native::of` assigns them, one word
    /// each). A constant of the tuple's type; a value counts as a cdata, so a tuple whose values
    /// may be numbers takes its count from the plan instead.
    pub(crate) const fn stack_words(kinds: Option<&[PlainArg]>) -> usize {
        let Some(kinds) = kinds else { return 0 };
        let (mut ints, mut floats, mut i) = (0usize, 0usize, 0);
        while i < kinds.len() {
            if kinds[i].is_float() {
                floats += 1;
            } else {
                ints += 1;
            }
            i += 1;
        }
        ints.saturating_sub(crate::abi::INT_REGS) + floats.saturating_sub(crate::abi::FLOAT_REGS)
    }

    /// Whether a tuple of these kinds takes no stack words whichever class each value's
    /// parameter gives it: its values counted in both classes, it still fits the registers.
    /// (A constant of the tuple's type: a tuple of values of up to six arguments needs no
    /// count from the plan.)
    pub(crate) const fn no_stack_words_either_way(kinds: Option<&[PlainArg]>) -> bool {
        let Some(kinds) = kinds else { return true };
        let (mut ints, mut floats, mut i) = (0usize, 0usize, 0);
        while i < kinds.len() {
            if kinds[i].is_value() {
                ints += 1;
                floats += 1;
            } else if kinds[i].is_float() {
                floats += 1;
            } else {
                ints += 1;
            }
            i += 1;
        }
        ints <= crate::abi::INT_REGS && floats <= crate::abi::FLOAT_REGS
    }

    /// Whether the argument travels in a floating register.
    #[inline(always)]
    pub(crate) const fn is_float(self) -> bool {
        self.float().is_some()
    }

    /// The number type of a number argument.
    #[inline(always)]
    pub(crate) const fn fast(self) -> Option<Fast> {
        let mut i = 0;
        while i < Fast::ALL.len() {
            if Fast::ALL[i] as u16 == self.0 {
                return Some(Fast::ALL[i]);
            }
            i += 1;
        }
        None
    }

    /// The float type of a float argument.
    #[inline(always)]
    pub(crate) const fn float(self) -> Option<Fast> {
        if self.0 == Fast::F32 as u16 {
            Some(Fast::F32)
        } else if self.0 == Fast::F64 as u16 {
            Some(Fast::F64)
        } else {
            None
        }
    }
}

/// What [`PlainArg::any`] looks for.
#[derive(Clone, Copy)]
enum Which {
    CopiedOrLent,
    Items,
    Cdata,
    Value,
    None,
}

#[cfg(test)]
mod tests {
    use super::PlainArg;
    use crate::abi::{FLOAT_REGS, INT_REGS};
    use crate::call::args::{Arg, Args, IntoArg};
    use crate::data::{CData, Value};

    /// The argument kinds that may own what their `Arg` holds say so (`IntoArg::OWNS`): a
    /// tuple of only non-owning ones is never dropped, so one wrongly marked would leak.
    #[test]
    fn arguments_that_own_what_they_hold_say_so() {
        fn owns<'a, T: IntoArg<'a>>() -> bool {
            T::OWNS
        }
        assert!(owns::<CData>() && owns::<Value>() && owns::<String>());
        assert!(owns::<Vec<i32>>() && owns::<Vec<u8>>() && owns::<Arg<'_>>());
        assert!(owns::<Option<CData>>() && owns::<i128>() && owns::<char>());
        assert!(owns::<crate::callback::scoped::Closure<'_>>());
        assert!(!owns::<i32>() && !owns::<u64>() && !owns::<f32>() && !owns::<bool>());
        assert!(!owns::<&CData>() && !owns::<&Value>() && !owns::<&str>() && !owns::<&[u8]>());
        assert!(!owns::<Option<&CData>>() && !owns::<&std::ffi::CStr>());
        assert!(!owns::<crate::call::args::Null>());
    }

    /// A tuple's stack words: its integer-class arguments past the integer registers plus its
    /// floats past the floating ones, each class counted apart.
    #[test]
    fn stack_words_count_each_class_past_its_registers() {
        type Ints = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
        type Floats = (f64, f64, f64, f64, f64, f64, f64, f64, f64, f64);
        type Mixed = (
            i32,
            f64,
            i32,
            f64,
            i32,
            f64,
            i32,
            f64,
            i32,
            f64,
            i32,
            f64,
            i32,
            f64,
        );
        let words = |k: Option<&[PlainArg]>| PlainArg::stack_words(k);
        assert_eq!(words(<Ints as Args>::PLAIN), 10 - INT_REGS);
        assert_eq!(words(<Floats as Args>::PLAIN), 10 - FLOAT_REGS);
        assert_eq!(
            words(<Mixed as Args>::PLAIN),
            7usize.saturating_sub(INT_REGS)
        );
        assert_eq!(words(<(i32, f32) as Args>::PLAIN), 0);
        assert_eq!(words(None), 0);
    }

    /// A value is a cdata kind (the same bit of `Param::holds`, the same checks when it holds
    /// one) flagged as a value, never NULL and not a float by its kind; the stack words its
    /// tuple may need depend on its parameters' classes once values could overflow either
    /// class's registers.
    #[test]
    fn a_value_is_a_cdata_kind_whose_class_its_parameter_gives() {
        let v = PlainArg::VALUE;
        assert!(v.is_value() && v.is_cdata() && !v.may_be_null());
        assert_eq!(v.bit(), PlainArg::C_DATA.bit());
        assert!(!v.is_float() && v.fast().is_none() && v.item_fast().is_none());
        assert!(!PlainArg::C_DATA.is_value() && !PlainArg::NONE.is_value());
        assert_eq!(v.or_null(), PlainArg::NONE);
        assert_eq!(<(Value, &Value) as Args>::PLAIN, Some(&[v, v][..]));
        assert!(PlainArg::any_value(<(i32, &Value) as Args>::PLAIN));
        assert!(!PlainArg::any_value(<(i32, &CData) as Args>::PLAIN));
        let values = |n: usize| vec![v; n];
        let either = |k: &[PlainArg]| PlainArg::no_stack_words_either_way(Some(k));
        let regs = INT_REGS.min(FLOAT_REGS);
        assert!(either(&values(regs)));
        assert!(!either(&values(regs + 1)));
        // Values beside floats: counted as floats too.
        let mut k = vec![PlainArg::number(crate::mem::Fast::F64); FLOAT_REGS];
        assert!(either(&k));
        k.push(v);
        assert!(!either(&k));
    }

    /// An `Option`'s kind is its content's with the NULL flag, for C strings, text and cdata:
    /// the same bit of `Param::holds`, the same checks, and a `None` that may pass NULL.
    #[test]
    fn an_option_of_a_c_string_or_a_cdata_may_be_null() {
        for k in [PlainArg::C_STRING, PlainArg::TEXT, PlainArg::C_DATA] {
            let n = k.or_null();
            assert_ne!(n, k);
            assert_eq!(n.bit(), k.bit());
            assert_eq!(n.is_cdata(), k.is_cdata());
            assert_eq!(n.is_text(), k.is_text());
            assert!(n.may_be_null() && !k.may_be_null());
            assert!(!n.is_float() && n.fast().is_none());
        }
        for k in [PlainArg::BOOL, PlainArg::NONE, PlainArg::int(4, true)] {
            assert_eq!(k.or_null(), PlainArg::NONE);
        }
        assert!(!PlainArg::NONE.may_be_null());
        assert_eq!(PlainArg::NONE.bit(), 0);
    }

    /// Numbers of each type are one bit of `Param::holds` (the `ITEMS` bit) with their type
    /// beside it: copied, not floats or numbers themselves, and NULL when an `Option`'s `None`.
    #[test]
    fn numbers_keep_their_item_type_beside_one_bit() {
        use crate::mem::Fast;
        for f in Fast::ALL {
            let k = PlainArg::items(f);
            assert_eq!(k.bit(), 1 << crate::abi::ITEMS_BIT);
            assert_eq!(k.item_fast(), Some(f));
            assert!(k.is_items() && k.is_copied() && !k.is_text() && !k.is_cdata());
            assert!(!k.is_float() && k.fast().is_none() && !k.may_be_null());
            let n = k.or_null();
            assert!(n.may_be_null() && n.is_items());
            assert_eq!((n.bit(), n.item_fast()), (k.bit(), Some(f)));
            assert_eq!(PlainArg::number(f).item_fast(), None);
        }
        let with = [PlainArg::int(4, true), PlainArg::items(Fast::F64)];
        assert!(PlainArg::any_items(Some(&with)) && PlainArg::any_copied_or_lent(Some(&with)));
        assert!(!PlainArg::any_none(Some(&with)));
        assert!(!PlainArg::any_items(Some(&[PlainArg::TEXT])));
        assert!(PlainArg::any_copied_or_lent(Some(&[PlainArg::TEXT])));
        assert!(PlainArg::any_none(Some(&[PlainArg::TEXT, PlainArg::NONE])));
        // Counted as integer-class words: a pointer.
        assert_eq!(
            PlainArg::stack_words(Some(&[PlainArg::items(Fast::F64); 10])),
            10 - INT_REGS
        );
    }
}
