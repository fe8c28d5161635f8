//! Function-like macros, expanded as C's preprocessor does: arguments collected between
//! balanced parentheses, substituted into the body (fully expanded, but raw next to `#` and
//! `##`), `#` making a string, `##` pasting two tokens into one, and the result rescanned with
//! the macro itself no longer expandable. Used for macro bodies that call other macros
//! (`#define UINT64_MAX (__UINT64_C(18446744073709551615))`, where `__UINT64_C(c)` is
//! `c ## UL`) and to find what calling a function-like macro by name calls
//! (`deflateInit(strm, level)` is `deflateInit_((strm), (level), "1.3.1", (int)sizeof(z_stream))`).
//!
//! Expansion is bounded: at most [`MAX_STEPS`] macro invocations and [`MAX_TOKENS`] tokens per
//! expansion, [`crate::MAX_NESTING`] levels of invocations inside arguments, and [`MAX_WORK`]
//! tokens made by all the expansions of one cdef — past that is an error, never a hang.

use crate::macros::MacroValue;
use crate::registry::{Decl, Registry};

/// Invocations expanded at most, per expansion.
const MAX_STEPS: usize = 10_000;
/// Tokens produced at most, per expansion.
const MAX_TOKENS: usize = 100_000;
/// Tokens produced at most by all the expansions of one cdef (real headers make a few
/// hundred thousand).
pub(crate) const MAX_WORK: usize = 20_000_000;

/// A function-like macro's definition, as expansion needs it.
struct Def<'r> {
    params: &'r [Box<str>],
    variadic: bool,
    body: &'r [Box<str>],
}

fn function_macro<'r>(reg: &'r Registry, name: &str) -> Option<Def<'r>> {
    match reg.decl(name) {
        Some(Decl::Macro(MacroValue::Function(f))) => Some(Def {
            params: &f.params,
            variadic: f.variadic,
            body: &f.body,
        }),
        _ => None,
    }
}

fn is_ident(t: &str) -> bool {
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

/// Whether `toks` invoke a function-like macro of `reg` anywhere.
pub(crate) fn invokes_macros(toks: &[&str], reg: &Registry) -> bool {
    toks.windows(2)
        .any(|w| w[1] == "(" && is_ident(w[0]) && function_macro(reg, w[0]).is_some())
}

/// The tokens `toks` with every function-like macro invocation expanded; `work` is what is
/// left of the cdef's budget of tokens made ([`MAX_WORK`]).
pub(crate) fn expand(
    toks: &[String],
    reg: &Registry,
    work: &mut usize,
) -> Result<Vec<String>, String> {
    let mut budget = Budget {
        steps: MAX_STEPS,
        depth: 0,
        work: *work,
    };
    let r = expand_in(toks, reg, &mut Vec::new(), &mut budget);
    *work = budget.work;
    r
}

struct Budget {
    steps: usize,
    depth: usize,
    work: usize,
}

impl Budget {
    /// Counts `n` tokens made.
    fn spend(&mut self, n: usize) -> Result<(), String> {
        self.work = self.work.checked_sub(n).ok_or_else(|| {
            format!("the macros of this cdef expand to more than {MAX_WORK} tokens in all")
        })?;
        Ok(())
    }
}

fn expand_in(
    toks: &[String],
    reg: &Registry,
    active: &mut Vec<String>,
    budget: &mut Budget,
) -> Result<Vec<String>, String> {
    budget.depth += 1;
    if budget.depth > crate::MAX_NESTING {
        return Err(format!(
            "macro invocations nest deeper than {} levels",
            crate::MAX_NESTING
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let def = (is_ident(t) && !active.contains(t) && toks.get(i + 1).is_some_and(|n| n == "("))
            .then(|| function_macro(reg, t))
            .flatten();
        let Some(def) = def else {
            out.push(t.clone());
            i += 1;
            continue;
        };
        budget.steps = budget.steps.checked_sub(1).ok_or_else(|| {
            format!("more than {MAX_STEPS} macro invocations (a runaway expansion?)")
        })?;
        let (args, next) = collect_args(toks, i + 2)
            .ok_or_else(|| format!("the invocation of '{t}' has no closing parenthesis"))?;
        let args = match_params(t, &def, args)?;
        let body = substitute(&def, &args, reg, active, budget)?;
        budget.spend(body.len())?;
        active.push(t.clone());
        let expanded = expand_in(&body, reg, active, budget);
        active.pop();
        out.extend(expanded?);
        if out.len() > MAX_TOKENS {
            return Err(format!("an expansion of more than {MAX_TOKENS} tokens"));
        }
        i = next;
    }
    budget.depth -= 1;
    Ok(out)
}

/// The arguments of an invocation whose `(` is just before `start`, and the index after its
/// `)`: token lists split at top-level commas.
fn collect_args(toks: &[String], start: usize) -> Option<(Vec<Vec<String>>, usize)> {
    let mut args = vec![Vec::new()];
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(start) {
        match t.as_str() {
            "(" => depth += 1,
            ")" if depth == 0 => return Some((args, k + 1)),
            ")" => depth -= 1,
            "," if depth == 0 => {
                args.push(Vec::new());
                continue;
            }
            _ => {}
        }
        args.last_mut()?.push(t.clone());
    }
    None
}

/// The arguments by parameter, `__VA_ARGS__` last for a variadic macro.
fn match_params(
    name: &str,
    def: &Def<'_>,
    mut args: Vec<Vec<String>>,
) -> Result<Vec<Vec<String>>, String> {
    // `F()` of a macro with no parameters (or only `...`) has one empty argument.
    if def.params.len() == usize::from(def.variadic) && args.len() == 1 && args[0].is_empty() {
        args.clear();
    }
    let n = def.params.len() - usize::from(def.variadic);
    if def.variadic {
        if args.len() < n {
            return Err(format!(
                "macro '{name}' takes at least {n} arguments, given {}",
                args.len()
            ));
        }
        let rest: Vec<Vec<String>> = args.split_off(n.min(args.len()));
        let mut va = Vec::new();
        for (k, a) in rest.into_iter().enumerate() {
            if k > 0 {
                va.push(",".to_string());
            }
            va.extend(a);
        }
        args.push(va);
    } else if args.len() != n {
        return Err(format!(
            "macro '{name}' takes {n} arguments, given {}",
            args.len()
        ));
    }
    Ok(args)
}

/// The body with the arguments put in.
fn substitute(
    def: &Def<'_>,
    args: &[Vec<String>],
    reg: &Registry,
    active: &mut Vec<String>,
    budget: &mut Budget,
) -> Result<Vec<String>, String> {
    let param = |t: &str| {
        def.params
            .iter()
            .position(|p| &**p == t)
            .or_else(|| (def.variadic && t == "__VA_ARGS__").then_some(def.params.len()))
    };
    let body = def.body;
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    while k < body.len() {
        let t = &*body[k];
        let pasted_after = body.get(k + 1).is_some_and(|n| &**n == "##");
        let pasted_before = k > 0 && &*body[k - 1] == "##";
        if t == "#"
            && let Some(p) = body.get(k + 1).and_then(|n| param(n))
        {
            out.push(stringize(&args[p]));
            k += 2;
            continue;
        }
        if t == "##" {
            // Paste the last token with the first of what follows.
            let Some(next) = body.get(k + 1) else {
                return Err("'##' at the end of a macro body".into());
            };
            let mut right: Vec<String> = match param(next) {
                Some(p) => args[p].clone(),
                None => vec![next.to_string()],
            };
            if !right.is_empty() {
                let first = right.remove(0);
                match out.last_mut() {
                    Some(left) => left.push_str(&first),
                    None => out.push(first),
                }
            }
            out.extend(right);
            k += 2;
            continue;
        }
        match param(t) {
            Some(p) if pasted_after || pasted_before => out.extend(args[p].iter().cloned()),
            Some(p) => out.extend(expand_in(&args[p], reg, active, budget)?),
            None => out.push(t.to_string()),
        }
        if out.len() > MAX_TOKENS {
            return Err(format!("an expansion of more than {MAX_TOKENS} tokens"));
        }
        k += 1;
    }
    Ok(out)
}

/// `#arg`: the argument's spelling as a string literal.
fn stringize(arg: &[String]) -> String {
    let text = arg.join(" ");
    let mut s = String::from("\"");
    for c in text.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn expands_pastes_and_stringizes() {
        let mut reg = Registry::new();
        reg.cdef(
            "#define U64(c) c ## UL\n#define STR(x) #x\n#define TWICE(x) ((x) + (x))\n\
             #define VA(f, ...) f(__VA_ARGS__)\n#define SELF(x) SELF(x + 1)",
        )
        .unwrap();
        let mut work = MAX_WORK;
        let mut e = |s: &str| expand(&toks(s), &reg, &mut work).unwrap().join(" ");
        assert_eq!(
            e("( U64 ( 18446744073709551615 ) )"),
            "( 18446744073709551615UL )"
        );
        assert_eq!(e("STR ( a \"b\" )"), r#""a \"b\"""#);
        assert_eq!(e("TWICE ( U64 ( 1 ) )"), "( ( 1UL ) + ( 1UL ) )");
        assert_eq!(e("VA ( g , 1 , 2 )"), "g ( 1 , 2 )");
        assert_eq!(e("SELF ( 0 )"), "SELF ( 0 + 1 )");
        let mut work = MAX_WORK;
        assert!(expand(&toks("TWICE ( 1 , 2 )"), &reg, &mut work).is_err());
        assert!(expand(&toks("TWICE ( 1"), &reg, &mut work).is_err());
    }

    #[test]
    fn runaway_expansions_are_bounded() {
        let mut reg = Registry::new();
        reg.cdef("#define A(x) x x x x x x x x x x\n#define B(x) A(A(A(A(A(A(x))))))")
            .unwrap();
        let mut work = MAX_WORK;
        let r = expand(&toks("B ( 1 )"), &reg, &mut work);
        assert!(r.is_err(), "{:?}", r.map(|v| v.len()));
        // The cdef's budget runs out too: each expansion spends from it.
        let mut small = 50;
        assert!(expand(&toks("B ( 1 )"), &reg, &mut small).is_err());
    }
}
