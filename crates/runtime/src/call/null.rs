//! [`NULL`] and its type [`Null`]: a NULL pointer argument for any pointer parameter, of a
//! type of its own so that a tuple holding it takes the direct path.

use super::args::{Arg, IntoArg};
use super::plain_arg::PlainArg;

/// NULL, for any pointer parameter: `lib.call("time", (NULL,))` (cffi: `ffi.NULL`, or `None`).
/// A bare `None` in a tuple has no type for Rust to infer; `None::<&CData>` and `Option`s of
/// any argument type work too. Of its own type ([`Null`]), so that a tuple holding it takes
/// the direct path as one holding `None::<&CData>` does; `Arg::from(NULL)` in a list.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Arg, Ffi, NULL};
/// let ffi = Ffi::default();
/// ffi.cdef("long time(long *t);")?;
/// let libc = unsafe { ffi.dlopen("c")? };
/// let now = unsafe { libc.call("time", (NULL,))? };
/// assert!(now.to_int()? > 1_600_000_000);
/// let maybe: Option<&rcffi::CData> = None;
/// assert!(unsafe { libc.call("time", (maybe,)) }.is_ok());
/// let listed: Vec<Arg> = vec![NULL.into()];
/// assert!(unsafe { libc.call("time", listed) }.is_ok());
/// # Ok::<(), rcffi::Error>(())
/// ```
pub const NULL: Null = Null;

/// The type of [`NULL`]: a NULL pointer argument for any pointer parameter.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Arg, IntoArg, NULL, Null};
/// assert_eq!(NULL, Null);
/// assert!(matches!(NULL.into_arg(), Arg::Null));
/// assert!(matches!(Arg::from(NULL), Arg::Null));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Null;

impl<'a> IntoArg<'a> for Null {
    #[inline]
    fn into_arg(self) -> Arg<'a> {
        Arg::Null
    }
    // A cdata argument that is always NULL: its word 0, for any pointer parameter that takes
    // a cdata (and a `void *` in a variadic part), as `None::<&CData>`.
    const PLAIN: PlainArg = PlainArg::C_DATA.or_null();
    const OR_NULL: PlainArg = PlainArg::C_DATA.or_null();
    const OWNS: bool = false;
}

impl From<Null> for Arg<'_> {
    #[inline]
    fn from(_: Null) -> Self {
        Arg::Null
    }
}
