//! The fourth floor: what calls and callbacks share about a function type — its call plan, built
//! once and kept with the type ([`plan`]: how each argument and the result convert, the
//! variadic shapes), libffi's types and prepared interfaces ([`ffitype`], [`cif`]), the
//! register assignment of calls that skip libffi ([`registers`]), and C's `errno` around them
//! ([`errno`]).
//!
//! Uses `base`, `mem`, `types` and `data`. Unsafe code only in `cif` (sharing a prepared
//! interface between threads) and `errno` (this thread's `errno`).

pub(crate) mod cif;
mod closure_args;
pub(crate) mod errno;
mod ffitype;
mod param;
pub(crate) mod plan;
mod proxy;
mod registers;

pub(crate) use cif::FfiCif;
pub(crate) use param::{
    BOOL_BIT, C_DATA_BIT, C_STRING_BIT, Conv, ITEMS_BIT, LENT_BIT, Param, Scalar, TEXT_BIT,
};
pub(crate) use plan::{CallPlan, INLINE_ARGS, plan_of};
pub(crate) use registers::{
    Class, FLOAT_REGS, Far, INT_REGS, Native, Piece, Reg, RetFF, RetFI, RetIF, RetII, RetReg,
    STACK_WORDS,
};
