//! Calls into C through libffi: argument lists ([`args`]), libffi's types ([`ffitype`]), call
//! plans built once per function type ([`plan`]), and the call itself with errno around it
//! ([`invoke`]: through libffi, or [`native`]: straight through the registers for signatures
//! that allow it — the two modules here with `unsafe` code).

pub(crate) mod adopt;
pub(crate) mod args;
pub(crate) mod ffitype;
pub(crate) mod invoke;
pub(crate) mod native;
pub(crate) mod plan;
