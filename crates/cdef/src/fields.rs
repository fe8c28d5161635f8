//! Introspection of members: cffi's flattened `CType.fields`, and member paths
//! (`offsetof(T, "a", "b", 3)`) through records, arrays and pointers.

use std::borrow::Cow;
use std::fmt;

use crate::consteval::PathStep;
use crate::ctype::{CTypeId, CTypeKind, RecordId};
use crate::layout::{self, LayoutError, RecordLayout};
use crate::registry::Registry;

/// A member as cffi's `CType.fields` lists it: members of anonymous struct/union members are
/// listed in their place, unnamed bitfields are left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// The member name.
    pub name: String,
    /// The member type.
    pub ty: CTypeId,
    /// Byte offset from the start of the record (for bitfields: of their storage unit).
    pub offset: u64,
    /// Offset of the member's first bit from the start of the record.
    pub offset_bits: u64,
    /// For bitfields, the shift within the storage unit; -1 otherwise (cffi).
    pub bitshift: i32,
    /// For bitfields, the width; -1 otherwise (cffi).
    pub bitsize: i32,
    /// cffi's flag: 1 for the members of a union after its first (directly or through
    /// anonymous members), 0 otherwise.
    pub flags: u32,
}

/// Why a member path does not lead anywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    /// The record has no member of that name (cffi: `KeyError`).
    NoField {
        /// The record's C name.
        ty: String,
        /// The missing name.
        field: String,
    },
    /// Bitfields have no byte address (cffi: `TypeError: not supported for bitfields`).
    Bitfield {
        /// The bitfield's name.
        field: String,
    },
    /// A field name applied to something that is not a struct or union.
    NotRecord {
        /// The type's C name.
        ty: String,
        /// The field name asked for.
        field: String,
    },
    /// An index applied to something that is neither an array nor a pointer.
    NotIndexable {
        /// The type's C name.
        ty: String,
    },
    /// The layout needed is not known.
    Layout(LayoutError),
    /// The offset does not fit a signed 64-bit number (`"[4611686018427387904]"` of an
    /// `int` array).
    Overflow {
        /// The path's type's C name.
        ty: String,
    },
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::NoField { ty, field } => write!(f, "'{ty}' has no field '{field}'"),
            PathError::Bitfield { field } => {
                write!(
                    f,
                    "field '{field}' is a bitfield: not supported for bitfields"
                )
            }
            PathError::NotRecord { ty, field } => {
                write!(
                    f,
                    "cannot take field '{field}' of '{ty}', which is not a struct or union"
                )
            }
            PathError::NotIndexable { ty } => write!(
                f,
                "with an integer argument, expected an array ctype or a pointer to non-opaque, \
                 got '{ty}'"
            ),
            PathError::Layout(e) => e.fmt(f),
            PathError::Overflow { ty } => {
                write!(f, "the offset of this path in '{ty}' does not fit 64 bits")
            }
        }
    }
}

impl std::error::Error for PathError {}

impl From<LayoutError> for PathError {
    fn from(e: LayoutError) -> Self {
        PathError::Layout(e)
    }
}

/// A member found by name, possibly inside anonymous members.
struct Found {
    ty: CTypeId,
    offset_bits: u64,
    bitfield: bool,
}

impl Registry {
    /// A record's layout: the stored one, or (during a cdef) a computed one.
    pub(crate) fn any_record_layout(
        &self,
        rid: RecordId,
    ) -> Result<Cow<'_, RecordLayout>, LayoutError> {
        match self.cached_layout(rid) {
            Some(Ok(l)) => Ok(Cow::Borrowed(l)),
            Some(Err(e)) => Err(e.clone()),
            None => layout::compute_record_cached(self, rid).map(Cow::Owned),
        }
    }

    /// cffi's `CType.fields` for a struct or union: `Ok(None)` while it is opaque.
    ///
    /// # Errors
    ///
    /// A [`LayoutError`] when the record has no layout (a member of unknown size, an opaque
    /// struct inside).
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::new();
    /// reg.cdef("struct s { int a; union { char b; short c; }; int d:3; };").unwrap();
    /// let s = reg.parse_type("struct s").unwrap();
    /// let f = reg.fields(s).unwrap().unwrap();
    /// let names: Vec<_> = f.iter().map(|f| (f.name.as_str(), f.offset, f.flags)).collect();
    /// assert_eq!(names, [("a", 0, 0), ("b", 4, 0), ("c", 4, 1), ("d", 4, 0)]);
    /// ```
    pub fn fields(&self, ty: CTypeId) -> Result<Option<Vec<FieldInfo>>, LayoutError> {
        let CTypeKind::Record(rid) = self.kind(self.strip_aligned(ty)) else {
            return Ok(None);
        };
        if self.record(*rid).fields.is_none() {
            return Ok(None);
        }
        let mut out = Vec::new();
        self.flatten(*rid, 0, 0, &mut out)?;
        Ok(Some(out))
    }

    fn flatten(
        &self,
        rid: RecordId,
        base_bits: u64,
        flags: u32,
        out: &mut Vec<FieldInfo>,
    ) -> Result<(), LayoutError> {
        let layout = self.any_record_layout(rid)?;
        let rec = self.record(rid);
        let Some(fields) = &rec.fields else {
            return Ok(());
        };
        let union = rec.kind == crate::ctype::RecordKind::Union;
        for (i, (f, l)) in fields.iter().zip(&layout.fields).enumerate() {
            // cffi flags the members of a union after the first (an initializer sets only the
            // first), and everything flattened out of a flagged anonymous member.
            let flags = if union && i > 0 { 1 } else { flags };
            match &f.name {
                Some(name) => {
                    let (offset, bitshift, bitsize) = match l.bitfield {
                        Some(b) => (
                            base_bits / 8 + b.unit_offset,
                            b.shift as i32,
                            b.width as i32,
                        ),
                        None => ((base_bits + l.offset_bits) / 8, -1, -1),
                    };
                    out.push(FieldInfo {
                        name: name.to_string(),
                        ty: f.ty,
                        offset,
                        offset_bits: base_bits + l.offset_bits,
                        bitshift,
                        bitsize,
                        flags,
                    });
                }
                None if f.bit_width.is_none() => {
                    if let CTypeKind::Record(sub) = self.kind(f.ty) {
                        self.flatten(*sub, base_bits + l.offset_bits, flags, out)?;
                    }
                }
                None => {}
            }
        }
        Ok(())
    }

    fn find_field(&self, rid: RecordId, name: &str) -> Result<Option<Found>, LayoutError> {
        let layout = self.any_record_layout(rid)?;
        let Some(fields) = &self.record(rid).fields else {
            return Ok(None);
        };
        for (f, l) in fields.iter().zip(&layout.fields) {
            match &f.name {
                Some(n) if &**n == name => {
                    return Ok(Some(Found {
                        ty: f.ty,
                        offset_bits: l.offset_bits,
                        bitfield: f.bit_width.is_some(),
                    }));
                }
                None if f.bit_width.is_none() => {
                    if let CTypeKind::Record(sub) = self.kind(f.ty)
                        && let Some(mut found) = self.find_field(*sub, name)?
                    {
                        found.offset_bits += l.offset_bits;
                        return Ok(Some(found));
                    }
                }
                _ => {}
            }
        }
        Ok(None)
    }

    /// The byte offset and type reached by a member path, as cffi's `offsetof`: field names
    /// step into structs and unions (a pointer to a struct is accepted for the first step),
    /// indexes step through arrays and pointers without bounds checks.
    ///
    /// # Errors
    ///
    /// A [`PathError`] when a step names no member or item of the type reached so far, or a type
    /// on the path has no layout.
    ///
    /// ```
    /// use rcffi_cdef::{PathStep, Registry};
    /// let mut reg = Registry::new();
    /// reg.cdef("struct p { int x; struct { char c[4]; } in[3]; };").unwrap();
    /// let p = reg.parse_type("struct p").unwrap();
    /// let path = [PathStep::Field("in".into()), PathStep::Index(2), PathStep::Field("c".into()), PathStep::Index(1)];
    /// assert_eq!(reg.offset_path(p, &path).unwrap().0, 4 + 2 * 4 + 1);
    /// ```
    pub fn offset_path(&self, ty: CTypeId, path: &[PathStep]) -> Result<(i64, CTypeId), PathError> {
        let mut cur = ty;
        let mut offset: i64 = 0;
        for (i, step) in path.iter().enumerate() {
            let t = self.strip_aligned(cur);
            match step {
                PathStep::Field(name) => {
                    let rec_ty = match self.kind(t) {
                        CTypeKind::Pointer(target) if i == 0 => self.strip_aligned(*target),
                        _ => t,
                    };
                    let CTypeKind::Record(rid) = self.kind(rec_ty) else {
                        return Err(PathError::NotRecord {
                            ty: self.cname(cur),
                            field: name.clone(),
                        });
                    };
                    let found = self
                        .find_field(*rid, name)?
                        .ok_or_else(|| PathError::NoField {
                            ty: self.cname(rec_ty),
                            field: name.clone(),
                        })?;
                    if found.bitfield {
                        return Err(PathError::Bitfield {
                            field: name.clone(),
                        });
                    }
                    offset = i64::try_from(found.offset_bits / 8)
                        .ok()
                        .and_then(|o| offset.checked_add(o))
                        .ok_or_else(|| PathError::Overflow { ty: self.cname(ty) })?;
                    cur = found.ty;
                }
                PathStep::Index(n) => {
                    let elem = match self.kind(t) {
                        CTypeKind::Array { elem, .. } => *elem,
                        CTypeKind::Pointer(target) if i == 0 => *target,
                        _ => {
                            return Err(PathError::NotIndexable {
                                ty: self.cname(cur),
                            });
                        }
                    };
                    let size = layout::compute_type(self, elem)?.size;
                    offset = i64::try_from(size)
                        .ok()
                        .and_then(|s| n.checked_mul(s))
                        .and_then(|o| offset.checked_add(o))
                        .ok_or_else(|| PathError::Overflow { ty: self.cname(ty) })?;
                    cur = elem;
                }
            }
        }
        Ok((offset, cur))
    }
}
