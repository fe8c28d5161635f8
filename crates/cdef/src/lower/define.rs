//! `#define` and `#undef` lines, lowered in order among the declarations: each macro's value
//! (`crate::macros`), macros whose body names something declared later retried at the end of
//! the text (as C expands a macro where it is used, not where it is defined), and every macro
//! without a usable value kept as skipped, with its reason, in the registry and the report.

use crate::error::{ErrorKind, LResult};
use crate::expand;
use crate::lex;
use crate::macros::{FunctionMacro, MacroArg, MacroCall, MacroValue, NoValue, value_of};
use crate::preprocess::{Define, DefineForm};
use crate::registry::Decl;
use crate::tparse::TokParser;

use super::Lowerer;

/// The spelling of the macro's arguments while its call is worked out.
const PLACEHOLDER: &str = "__rcffi_macro_argument_";

/// Removes parentheses around the whole of `toks` (in one pass: nesting can be deep after
/// expansion).
fn strip_parens(toks: &mut Vec<String>) {
    let n = toks.len();
    let mut close = vec![usize::MAX; n];
    let mut open = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.as_str() {
            "(" => open.push(i),
            ")" => {
                if let Some(o) = open.pop() {
                    close[o] = i;
                }
            }
            _ => {}
        }
    }
    let (mut lo, mut hi) = (0, n);
    while hi - lo >= 2 && toks[lo] == "(" && close[lo] == hi - 1 {
        lo += 1;
        hi -= 1;
    }
    toks.truncate(hi);
    toks.drain(..lo);
}

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
    /// A pending macro that a later `#define` or `#undef` of its name replaced (nettle's
    /// `#undef dsa_generate_keypair` and new `#define` in dsa-compat.h) is dropped, not
    /// retried: from there on C uses the later one.
    pub(crate) fn retry_pending_defines(&mut self) -> LResult<()> {
        let pre = self.pre;
        if !self.state.pending_defines.is_empty() {
            let mut last = std::collections::HashMap::with_capacity(pre.defines.len());
            for (j, d) in pre.defines.iter().enumerate() {
                last.insert(d.name.as_str(), j);
            }
            self.state
                .pending_defines
                .retain(|&i| last.get(pre.defines[i].name.as_str()) == Some(&i));
        }
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
            (DefineForm::Function, body) => {
                let body = body.as_deref().unwrap_or_default();
                self.state.function_macros.push(i);
                MacroValue::Function(Box::new(FunctionMacro {
                    params: d.params.iter().map(|p| p.as_str().into()).collect(),
                    variadic: d.variadic,
                    body: body.iter().map(|t| t.text(self.user_src).into()).collect(),
                    call: Err("not settled until the end of the cdef".into()),
                }))
            }
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
        let texts: Vec<&str> = toks.iter().map(|t| t.text(self.user_src)).collect();
        let spelled = self.spell_out(i, &texts).map_err(NoValue::Never)?;
        if spelled.is_some() || expand::invokes_macros(&texts, self.reg) {
            let owned: Vec<String> =
                spelled.unwrap_or_else(|| texts.iter().map(|t| t.to_string()).collect());
            let expanded = expand::expand(&owned, self.reg, &mut self.state.macro_work)
                .map_err(NoValue::Never)?;
            return self.text_value(&expanded.join(" "));
        }
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

    /// `texts` (the body of `#define` number `i`) with the macros that have no value of their
    /// own — a type (`#define __ss_aligntype unsigned long int`), an attribute — replaced by
    /// their bodies, as C's preprocessor does, so that `sizeof (__ss_aligntype)` is a size;
    /// `None` when there is none, an error when spelling out grows past any real macro.
    fn spell_out(&mut self, i: usize, texts: &[&str]) -> Result<Option<Vec<String>>, String> {
        let pre = self.pre;
        let is_textual = |reg: &crate::registry::Registry, t: &str| {
            matches!(reg.decl(t), Some(Decl::Macro(MacroValue::Skipped(_))))
        };
        if !texts.iter().any(|t| is_textual(self.reg, t)) {
            return Ok(None);
        }
        if self.state.define_index.is_empty() {
            for (k, d) in pre.defines.iter().enumerate() {
                if d.form == DefineForm::Object && d.body.is_some() {
                    self.state.define_index.insert(d.name.clone(), k);
                }
            }
        }
        let mut out: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
        let mut active: Vec<String> = vec![pre.defines[i].name.clone()];
        // A few rounds: a type macro may name another (`__FD_MASK_TYPE`).
        for _ in 0..8 {
            let mut changed = false;
            let mut next = Vec::with_capacity(out.len());
            for t in out {
                let def = self
                    .state
                    .define_index
                    .get(&t)
                    .filter(|_| is_textual(self.reg, &t) && !active.contains(&t))
                    .map(|&k| &pre.defines[k]);
                match def.and_then(|d| d.body.as_deref()) {
                    Some(body) => {
                        next.extend(body.iter().map(|b| b.text(self.user_src).to_string()));
                        active.push(t);
                        changed = true;
                    }
                    None => next.push(t),
                }
                if next.len() > 10_000 {
                    return Err(
                        "spelling out the macros it uses makes more than 10,000 tokens".into(),
                    );
                }
            }
            out = next;
            if !changed {
                break;
            }
        }
        Ok(Some(out))
    }

    /// The value of a macro body given as text (after expansion).
    fn text_value(&mut self, text: &str) -> Result<MacroValue, NoValue> {
        let lexed = lex::lex(text).map_err(|e| NoValue::Never(e.error.message().to_string()))?;
        let depth = crate::nesting::measure(text, &lexed.tokens)
            .map_err(|e| NoValue::Never(e.error.message().to_string()))?;
        // The thread's stack was sized for the text as written; an expansion may nest deeper.
        if depth > crate::nesting::INLINE_DEPTH.max(self.pre.depth) {
            return Err(NoValue::Never(format!(
                "its expansion nests {depth} levels deep (at most {} here)",
                crate::nesting::INLINE_DEPTH.max(self.pre.depth)
            )));
        }
        let mut p = TokParser::new(text, &lexed.tokens, self.reg, text.len());
        let parsed = p.expr().and_then(|e| p.expect_end().map(|()| e));
        match parsed {
            Ok(e) => value_of(&e, self.reg),
            Err(err) if err.error.kind() == ErrorKind::UnknownName => {
                Err(NoValue::Unknown(err.error.message().to_string()))
            }
            Err(err) => Err(NoValue::Never(err.error.message().to_string())),
        }
    }

    /// Works out what each function-like macro of this text calls when called by name.
    pub(crate) fn settle_function_macros(&mut self) {
        for i in std::mem::take(&mut self.state.function_macros) {
            let name = self.pre.defines[i].name.as_str();
            let Some(Decl::Macro(MacroValue::Function(f))) = self.reg.decl(name) else {
                continue;
            };
            let mut f = (**f).clone();
            f.call = self.macro_call(name, &f).map_err(Into::into);
            // Listed as skipped for calls by name (it still expands inside other macros).
            if let Err(why) = &f.call {
                let at = self.pre.defines[i].pos;
                self.state.skipped_macros.push((
                    name.into(),
                    at,
                    format!("a function-like macro that cannot be called by name: {why}").into(),
                ));
            }
            self.reg
                .set_name(name, Decl::Macro(MacroValue::Function(Box::new(f))));
        }
    }

    /// What calling function-like macro `name` calls: its expansion with placeholder
    /// arguments must be a call of a declared function whose arguments are the macro's
    /// arguments or constants.
    fn macro_call(&mut self, name: &str, f: &FunctionMacro) -> Result<MacroCall, String> {
        if f.variadic {
            return Err("a variadic macro".into());
        }
        let mut toks = vec![name.to_string(), "(".to_string()];
        for k in 0..f.params.len() {
            if k > 0 {
                toks.push(",".into());
            }
            toks.push(format!("{PLACEHOLDER}{k}"));
        }
        toks.push(")".into());
        let mut out = expand::expand(&toks, self.reg, &mut self.state.macro_work)?;
        strip_parens(&mut out);
        // `(void)f(x)` and `((void)f(x))` call too.
        if out.len() > 3 && out[0] == "(" && out[1] == "void" && out[2] == ")" {
            out.drain(..3);
            strip_parens(&mut out);
        }
        let [callee, open, ..] = out.as_slice() else {
            return Err("its expansion is not a call".into());
        };
        if open != "(" || out.last().map(String::as_str) != Some(")") {
            return Err("its expansion is not a call of one function".into());
        }
        let inner = &out[2..out.len() - 1];
        let mut args = Vec::new();
        let mut depth = 0usize;
        let mut current: Vec<String> = Vec::new();
        for t in inner.iter().chain(std::iter::once(&",".to_string())) {
            match t.as_str() {
                "(" => depth += 1,
                ")" => depth = depth.checked_sub(1).ok_or("unbalanced parentheses")?,
                "," if depth == 0 => {
                    args.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(t.clone());
        }
        if inner.is_empty() {
            args.clear();
        }
        // The callee must be a declared function (through aliases).
        let mut target = callee.clone();
        for _ in 0..32 {
            match self.reg.decl(&target) {
                Some(Decl::Macro(MacroValue::Alias(next))) => target = next.to_string(),
                Some(Decl::Function { .. }) => break,
                _ => {
                    return Err(format!(
                        "its expansion calls '{callee}', which is not a declared function"
                    ));
                }
            }
        }
        let mut call_args = Vec::with_capacity(args.len());
        for (k, mut a) in args.into_iter().enumerate() {
            strip_parens(&mut a);
            if let [one] = a.as_slice()
                && let Some(n) = one.strip_prefix(PLACEHOLDER).and_then(|n| n.parse().ok())
            {
                call_args.push(MacroArg::Param(n));
                continue;
            }
            if a.iter().any(|t| t.starts_with(PLACEHOLDER)) {
                return Err(format!(
                    "argument {} of '{callee}' is an expression of the macro's parameters",
                    k + 1
                ));
            }
            match self.text_value(&a.join(" ")) {
                Ok(
                    v @ (MacroValue::Int(_)
                    | MacroValue::Float { .. }
                    | MacroValue::Bytes(_)
                    | MacroValue::Pointer { .. }),
                ) => {
                    call_args.push(MacroArg::Value(v));
                }
                Ok(_) => {
                    return Err(format!(
                        "argument {} of '{callee}' is not a constant",
                        k + 1
                    ));
                }
                Err(NoValue::Unknown(why) | NoValue::Never(why)) => {
                    return Err(format!("argument {} of '{callee}': {why}", k + 1));
                }
            }
        }
        Ok(MacroCall {
            function: callee.as_str().into(),
            args: call_args.into(),
        })
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
                self.note_declared(name, d.name_pos);
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
                if let MacroValue::Function(_) = value {
                    // `#define getc(fp) _IO_getc(fp)` beside the function `getc`: the function
                    // stays callable as itself.
                    let why = format!(
                        "'{name}' is also a declared {}, which stays what the name means",
                        other.kind_name()
                    );
                    self.state
                        .skipped_macros
                        .push((name.into(), d.pos, why.into()));
                    return Ok(());
                }
                if let Decl::Typedef { .. } = other {
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
                self.note_declared(name, d.name_pos);
                Ok(())
            }
        }
    }
}
