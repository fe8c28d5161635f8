//! `#define` and `#undef` lines, lowered in order among the declarations: each macro's value
//! (`crate::macros`), macros whose body names something declared later retried at the end of
//! the text (as C expands a macro where it is used, not where it is defined), and every macro
//! without a usable value kept as skipped, with its reason, in the registry and the report.

use crate::error::{ErrorKind, LResult};
use crate::macros::{MacroValue, NoValue, value_of};
use crate::preprocess::{Define, DefineForm};
use crate::registry::Decl;
use crate::tparse::TokParser;

use super::Lowerer;

/// How many passes settle macros that use macros defined after them.
const MAX_PASSES: usize = 64;

impl Lowerer<'_, '_> {
    /// Lowers the `#define`s and `#undef`s before user offset `user`.
    pub(crate) fn defines_before(&mut self, user: usize) -> LResult<()> {
        while let Some(d) = self.pre.defines.get(self.state.next_define) {
            if d.pos >= user {
                break;
            }
            self.state.next_define += 1;
            self.define(self.state.next_define - 1)?;
        }
        Ok(())
    }

    /// Evaluates the macros that named something not declared yet, until no more become
    /// known (at most [`MAX_PASSES`] passes, each over the pending ones in reverse order, so a
    /// chain written backwards settles in one); the rest are skipped with the reason.
    pub(crate) fn retry_pending_defines(&mut self) -> LResult<()> {
        for _ in 0..MAX_PASSES {
            let mut pending = std::mem::take(&mut self.state.pending_defines);
            let before = pending.len();
            pending.reverse();
            for i in pending {
                self.define(i)?;
            }
            let after = self.state.pending_defines.len();
            if after == 0 || after == before {
                break;
            }
        }
        for i in std::mem::take(&mut self.state.pending_defines) {
            let d = &self.pre.defines[i];
            let why = match self.body_value(i) {
                Err(NoValue::Unknown(why) | NoValue::Never(why)) => why,
                Ok(_) => "its value could not be settled".to_string(),
            };
            self.set_macro(d, MacroValue::Skipped(why.into()))?;
        }
        Ok(())
    }

    /// Lowers `#define` number `i` of the text.
    fn define(&mut self, i: usize) -> LResult<()> {
        let pre = self.pre;
        let d = &pre.defines[i];
        let value = match (d.form, &d.body) {
            (DefineForm::Undef, _) => return self.undef(d),
            (DefineForm::Function, _) => MacroValue::Skipped(
                "a function-like macro, not a value (calling it by name is not supported yet)"
                    .into(),
            ),
            (DefineForm::Object, None) => MacroValue::Unknown,
            (DefineForm::Object, Some(toks)) if toks.is_empty() => {
                MacroValue::Skipped("defined to nothing (a flag for #ifdef)".into())
            }
            (DefineForm::Object, Some(_)) => match self.body_value(i) {
                Ok(v) => v,
                Err(NoValue::Unknown(_)) => {
                    self.state.pending_defines.push(i);
                    return Ok(());
                }
                Err(NoValue::Never(why)) => MacroValue::Skipped(why.into()),
            },
        };
        self.set_macro(d, value)
    }

    /// The value of an object-like macro's body.
    fn body_value(&mut self, i: usize) -> Result<MacroValue, NoValue> {
        let pre = self.pre;
        let d = &pre.defines[i];
        let toks = d.body.as_deref().unwrap_or_default();
        let end = toks.last().map_or(d.name_pos, |t| t.end);
        let mut p = TokParser::new(self.user_src, toks, self.reg, end);
        let parsed = p.expr().and_then(|e| p.expect_end().map(|()| e));
        let e = match parsed {
            Ok(e) => e,
            Err(err) => {
                let msg = err.error.message().to_string();
                return Err(if err.error.kind() == ErrorKind::UnknownName {
                    NoValue::Unknown(msg)
                } else {
                    NoValue::Never(msg)
                });
            }
        };
        value_of(&e, self.reg)
    }

    /// `#undef NAME`: a macro is removed (a later `#define` may give it a new value).
    fn undef(&mut self, d: &Define) -> LResult<()> {
        if let Some(Decl::Macro(_)) = self.reg.decl(&d.name) {
            self.reg
                .set_name(&d.name, Decl::Macro(MacroValue::Undefined));
        }
        Ok(())
    }

    /// Declares macro `d` with `value`. A skipped or undefined macro may be given a value
    /// later. A macro with the name of a declaration of another kind changes nothing when it
    /// means the same (`#define stdin stdin`, `#define FTW_F FTW_F` over an enumerator) or has
    /// no value; otherwise, as in C, the name means the macro from then on — but for a
    /// typedef, which stays (the macro is skipped and reported).
    fn set_macro(&mut self, d: &Define, value: MacroValue) -> LResult<()> {
        let name = d.name.as_str();
        if let MacroValue::Skipped(why) = &value {
            self.state
                .skipped_macros
                .push((name.into(), d.pos, why.clone()));
        }
        match self.reg.decl(name) {
            Some(Decl::Macro(old)) if !old.is_usable() => {
                self.reg.set_name(name, Decl::Macro(value));
                self.state.report.declared.push(name.into());
                Ok(())
            }
            Some(Decl::Macro(_)) | None => self.declare(name, Decl::Macro(value), d.name_pos),
            Some(other) => {
                let same = match &value {
                    MacroValue::Alias(n) => &**n == name,
                    MacroValue::Int(v) => self
                        .reg
                        .integer_const(name)
                        .is_some_and(|w| w.value == v.value),
                    _ => false,
                };
                if same || matches!(value, MacroValue::Skipped(_)) {
                    return Ok(());
                }
                if let Decl::Typedef(_) = other {
                    let why =
                        format!("'{name}' is a typedef; the macro of the same name is not used");
                    self.state
                        .skipped_macros
                        .push((name.into(), d.pos, why.into()));
                    return Ok(());
                }
                // As in C, the macro is what the name means from here on (`#define FTW_D 7`
                // after an enumerator `FTW_D`); the enum type keeps its own item.
                self.reg.set_name(name, Decl::Macro(value));
                self.state.report.declared.push(name.into());
                Ok(())
            }
        }
    }
}
