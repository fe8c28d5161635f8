//! The pre-pass: from the user's text to text that lang-c parses, plus what lang-c never sees.
//!
//! Steps, all on tokens (never on regexes), in one left-to-right walk:
//!
//! - comments and line continuations are blanked out;
//! - directives are taken out of the text: `#define NAME <integer constant expression>` and
//!   `#define NAME ...` become [`Define`]s, `#pragma pack(...)` becomes pack changes,
//!   `# N "file"` / `#line` become line markers; a few pragmas that change nothing are accepted
//!   and listed in `docs/cffi-compat.md`; every other directive is an error with its position;
//! - cffi's `...` forms get legal C spellings: `typedef ... t;`, `typedef int... t;`, `...;` in a
//!   struct body, `[...]`, and `...` in an enum body, each as a private name of
//!   [`crate::builtins::private`];
//! - `struct|union|enum __attribute__((...)) tag {...}` has its attributes moved after the `}`
//!   (lang-c mis-parses the first form as a function definition);
//! - `__stdcall`, `__cdecl`, `__fastcall`, `__thiscall`, `__vectorcall`, `WINAPI` become GNU
//!   attributes; `_Alignas(x)` becomes `__attribute__((aligned(x)))`; `__int128` spellings and
//!   `__float128` become names lang-c knows.
//!
//! Every byte of the output maps back to the user's text ([`SourceMap`]), so errors found later
//! point at what the user wrote.

use std::collections::HashSet;

use foldhash::fast::RandomState;

use crate::error::{CdefError, ErrorKind, LResult};
use crate::lex::{self, Tok, Token};
use crate::source::{LineMarker, Rewriter, SourceMap};

mod c23;
mod directives;
mod spellings;
mod typedefs;

use typedefs::typedef_names;

/// A `#define` of the user's text, evaluated in order during lowering.
#[derive(Clone, Debug)]
pub(crate) struct Define {
    /// The macro name.
    pub(crate) name: String,
    /// User offset of the name.
    pub(crate) name_pos: usize,
    /// The value's tokens (user offsets), or `None` for `#define NAME ...`.
    pub(crate) body: Option<Vec<Token>>,
    /// User offset of the `#`.
    pub(crate) pos: usize,
    /// Object-like, function-like, or an `#undef`.
    pub(crate) form: DefineForm,
    /// A function-like macro's parameters, and whether the last one takes the rest of the
    /// arguments (`...`, named `__VA_ARGS__`, or GNU's `ARGS...`).
    pub(crate) params: Vec<String>,
    pub(crate) variadic: bool,
}

/// What a `#define` line is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum DefineForm {
    /// `#define NAME body`.
    Object,
    /// `#define NAME(params) body`: not a value (kept as skipped, with the reason).
    Function,
    /// `#undef NAME`.
    Undef,
}

/// A top-level declaration of the user's text: where it ends, and the typedef names it
/// declares (found by a token scan; lowering checks them before relying on them).
#[derive(Clone, Debug)]
pub(crate) struct TopDecl<'a> {
    /// User offset just after the declaration's `;` (or function body's `}`).
    pub(crate) end: usize,
    /// Names declared by `typedef`, if it is a typedef declaration.
    pub(crate) typedefs: Vec<&'a str>,
}

/// The result of the pre-pass.
pub(crate) struct Preprocessed<'a> {
    /// Text for lang-c (without the typedef prelude).
    pub(crate) text: String,
    /// From `text` offsets to user offsets.
    pub(crate) map: SourceMap,
    /// `#define`s in order.
    pub(crate) defines: Vec<Define>,
    /// Changes of the `#pragma pack` value: (user offset, new value).
    pub(crate) packs: Vec<(usize, Option<u64>)>,
    /// Identifiers that appear in the text (candidates for the typedef prelude).
    pub(crate) idents: HashSet<&'a str, RandomState>,
    /// The top-level declarations, in order (for parsing in parallel chunks).
    pub(crate) decls: Vec<TopDecl<'a>>,
    /// How deep the text nests (`crate::nesting`): at most [`crate::MAX_NESTING`].
    pub(crate) depth: usize,
    /// Inline and `static` function definitions blanked out by the pre-pass: name, user
    /// offset.
    pub(crate) skipped_bodies: Vec<(String, usize)>,
    /// `#pragma`s that change nothing rcffi models, ignored: text, user offset.
    pub(crate) ignored_pragmas: Vec<(String, usize)>,
    /// C23's enums with a fixed underlying type (`enum e : unsigned char {`), whose `: type`
    /// the pre-pass blanks: by the user offset of the `enum` keyword, the type's user offset
    /// and text. In order of offset.
    pub(crate) enum_types: Vec<EnumType<'a>>,
}

/// The underlying type C23 gives an enum (`enum e : T`), as written.
#[derive(Clone, Debug)]
pub(crate) struct EnumType<'a> {
    /// User offset of the `enum` keyword.
    pub(crate) keyword: usize,
    /// User offset of the type's first token.
    pub(crate) at: usize,
    /// The type's text.
    pub(crate) text: &'a str,
}

/// What the pre-pass needs to know about names declared before this text.
pub(crate) trait Names {
    /// Whether `name` is a type name (typedef or built-in).
    fn is_type_name(&self, name: &str) -> bool;
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Open {
    Paren,
    Bracket,
    Brace(BraceKind),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum BraceKind {
    Record,
    Enum,
    Other,
}

/// One rewrite, applied in order of position.
#[derive(Clone, Debug)]
enum Edit {
    Blank(usize, usize),
    Replace(usize, usize, String),
    /// Insert text at a position; it maps back to `origin`.
    Insert(usize, String, usize),
}

impl Edit {
    /// The order edits apply in: by position, an insertion first, then of two edits that start
    /// together the longer (a definition blanked whole wins over a rewrite inside it, such as
    /// its leading `[[...]]`).
    fn key(&self) -> (usize, u8, std::cmp::Reverse<usize>) {
        match self {
            Edit::Insert(p, ..) => (*p, 0, std::cmp::Reverse(*p)),
            Edit::Blank(s, e) | Edit::Replace(s, e, _) => (*s, 1, std::cmp::Reverse(*e)),
        }
    }
}

struct Pass<'a, 'n> {
    src: &'a str,
    toks: Vec<Token>,
    names: &'n dyn Names,
    edits: Vec<Edit>,
    markers: Vec<LineMarker>,
    defines: Vec<Define>,
    packs: Vec<(usize, Option<u64>)>,
    pack_stack: Vec<Option<u64>>,
    pack: Option<u64>,
    default_pack: Option<u64>,
    idents: HashSet<&'a str, RandomState>,
    stack: Vec<Open>,
    decls: Vec<TopDecl<'a>>,
    /// Token index where the current top-level declaration starts.
    decl_start: Option<usize>,
    /// The current top-level declaration has `typedef` at depth 0.
    decl_typedef: bool,
    /// Names and user offsets of the inline and `static` function definitions blanked out.
    skipped_bodies: Vec<(String, usize)>,
    ignored_pragmas: Vec<(String, usize)>,
    enum_types: Vec<EnumType<'a>>,
    /// Their token ranges (first and last token), in order.
    skipped_ranges: Vec<(usize, usize)>,
    /// For each struct, union or enum body open on `stack`, its keyword's token index.
    body_keywords: Vec<usize>,
    /// The last body closed: its `}` token index and its keyword's.
    closed_body: Option<(usize, usize)>,
    /// The typedef names of `decls`, for a lookup that does not grow with the text.
    typedefs_so_far: HashSet<&'a str, RandomState>,
}

/// Runs the pre-pass over `src`. `default_pack` is the `pack`/`packed` option of the cdef.
pub(crate) fn preprocess<'a>(
    src: &'a str,
    names: &dyn Names,
    default_pack: Option<u64>,
) -> LResult<Preprocessed<'a>> {
    let lexed = lex::lex(src)?;
    // The walk's helpers are safe to `WALK_NESTING` levels; past that nothing goes further, and
    // the error is at the first token past `MAX_NESTING`, as for any text too deep.
    if crate::nesting::measure_up_to(src, &lexed.tokens, crate::nesting::WALK_NESTING).is_err() {
        crate::nesting::measure(src, &lexed.tokens)?;
    }
    let mut pass = Pass::new(src, lexed.tokens, names, default_pack);
    for c in &lexed.comments {
        pass.edits.push(Edit::Blank(c.start, c.end));
    }
    for (s, e) in &lexed.splices {
        pass.edits.push(Edit::Blank(*s, *e));
    }
    // The walk keeps its own stack, so any nesting is safe for it; what lang-c and lowering
    // will see is measured next — without the function bodies the walk blanked out (a header's
    // inline bodies may nest past the limit: gcc's sgxintrin.h).
    pass.walk()?;
    let depth = {
        let mut kept = Vec::with_capacity(pass.toks.len());
        let mut ranges = pass.skipped_ranges.iter().peekable();
        for (k, t) in pass.toks.iter().enumerate() {
            while ranges.peek().is_some_and(|(_, end)| *end < k) {
                ranges.next();
            }
            if ranges
                .peek()
                .is_some_and(|(start, end)| (*start..=*end).contains(&k))
            {
                continue;
            }
            kept.push(*t);
        }
        crate::nesting::measure(src, &kept)?
    };
    let Pass {
        mut edits,
        defines,
        packs,
        idents,
        decls,
        skipped_bodies,
        ignored_pragmas,
        enum_types,
        ..
    } = pass;
    edits.sort_by_key(Edit::key);
    let mut w = Rewriter::new(src);
    let mut done = 0;
    for e in edits {
        match e {
            Edit::Insert(p, text, origin) => {
                if p >= done {
                    w.insert(p, &text, origin);
                }
            }
            Edit::Blank(s, e) => {
                if s >= done {
                    w.blank(s, e);
                    done = e;
                }
            }
            Edit::Replace(s, e, text) => {
                if s >= done {
                    w.replace(s, e, &text);
                    done = e;
                }
            }
        }
    }
    let (text, map) = w.finish();
    Ok(Preprocessed {
        text,
        map,
        defines,
        packs,
        idents,
        decls,
        depth,
        skipped_bodies,
        ignored_pragmas,
        enum_types,
    })
}

/// The line markers of a text, for locating an error after a failed pre-pass.
pub(crate) fn line_markers(src: &str) -> Vec<LineMarker> {
    struct NoNames;
    impl Names for NoNames {
        fn is_type_name(&self, _: &str) -> bool {
            false
        }
    }
    let Ok(lexed) = lex::lex(src) else {
        return Vec::new();
    };
    let names = NoNames;
    let mut pass = Pass::new(src, lexed.tokens, &names, None);
    let mut i = 0;
    while i < pass.toks.len() {
        let t = pass.toks[i];
        let mut end = i + 1;
        if t.bol && t.is(src, "#") {
            while end < pass.toks.len() && !pass.toks[end].bol {
                end += 1;
            }
            let num = if pass.is(i + 1, "line") { i + 2 } else { i + 1 };
            if num < end && pass.toks[num].kind == Tok::Number {
                let _ = pass.line_marker(num, end, t.start);
            }
        }
        i = end;
    }
    pass.markers
}

pub(super) const TYPE_KEYWORDS: [&str; 25] = [
    "void",
    "char",
    "short",
    "int",
    "long",
    "float",
    "double",
    "signed",
    "unsigned",
    "_Bool",
    "_Complex",
    "struct",
    "union",
    "enum",
    "const",
    "volatile",
    "__signed__",
    "__signed",
    "__const",
    "__volatile__",
    "_Float16",
    "_Float32",
    "_Float64",
    "_Float128",
    "__int128",
];

impl<'a, 'n> Pass<'a, 'n> {
    fn new(
        src: &'a str,
        toks: Vec<Token>,
        names: &'n dyn Names,
        default_pack: Option<u64>,
    ) -> Self {
        Pass {
            src,
            toks,
            names,
            edits: Vec::new(),
            markers: Vec::new(),
            defines: Vec::new(),
            packs: Vec::new(),
            pack_stack: Vec::new(),
            pack: default_pack,
            default_pack,
            idents: HashSet::default(),
            stack: Vec::new(),
            decls: Vec::new(),
            decl_start: None,
            skipped_bodies: Vec::new(),
            ignored_pragmas: Vec::new(),
            enum_types: Vec::new(),
            skipped_ranges: Vec::new(),
            decl_typedef: false,
            body_keywords: Vec::new(),
            closed_body: None,
            typedefs_so_far: HashSet::default(),
        }
    }

    fn text(&self, i: usize) -> &'a str {
        self.toks[i].text(self.src)
    }

    fn is(&self, i: usize, s: &str) -> bool {
        i < self.toks.len() && self.toks[i].is(self.src, s)
    }

    fn err(&self, kind: ErrorKind, pos: usize, msg: impl Into<String>) -> crate::error::Located {
        CdefError::at(kind, pos, msg)
    }

    /// Index of the token closing the bracket opened at `i`, if any.
    fn matching(&self, i: usize) -> Option<usize> {
        let (open, close) = match self.text(i) {
            "(" => ("(", ")"),
            "[" => ("[", "]"),
            "{" => ("{", "}"),
            _ => return None,
        };
        let mut depth = 0usize;
        for j in i..self.toks.len() {
            let t = self.text(j);
            if t == open {
                depth += 1;
            } else if t == close {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
        }
        None
    }

    /// If `i` starts `__attribute__((...))` (or `__attribute`), or C23's `[[...]]`, the index
    /// after it.
    fn attribute_end(&self, i: usize) -> Option<usize> {
        if let Some(close) = self.std_attributes_end(i) {
            return Some(close + 1);
        }
        if !(self.is(i, "__attribute__") || self.is(i, "__attribute")) || !self.is(i + 1, "(") {
            return None;
        }
        self.matching(i + 1).map(|j| j + 1)
    }

    fn walk(&mut self) -> LResult<()> {
        let mut i = 0;
        while i < self.toks.len() {
            let t = self.toks[i];
            if t.bol && t.is(self.src, "#") {
                i = self.directive(i)?;
                continue;
            }
            i = self.token(i)?;
        }
        Ok(())
    }

    /// Handles one ordinary token; returns the index of the next token to look at.
    fn token(&mut self, i: usize) -> LResult<usize> {
        let t = self.toks[i];
        let text = t.text(self.src);
        if self.stack.is_empty() {
            if self.decl_start.is_none() {
                self.decl_start = Some(i);
            }
            if text == "typedef" {
                self.decl_typedef = true;
            } else if text == ";" {
                self.end_decl(i);
            }
        } else if text == "}"
            && self.stack.len() == 1
            && self.stack[0] == Open::Brace(BraceKind::Other)
        {
            // The end of a function body ends a definition.
            self.end_decl(i);
        }
        match t.kind {
            Tok::Punct => match text {
                "(" => self.stack.push(Open::Paren),
                "[" if self.is(i + 1, "[") => return self.std_attributes(i),
                "[" => self.stack.push(Open::Bracket),
                "{" => {
                    let (kind, keyword) = self.brace_kind(i);
                    if self.stack.is_empty()
                        && kind == BraceKind::Other
                        && let Some(next) = self.skip_definition(i)
                    {
                        return Ok(next);
                    }
                    if let Some(k) = keyword {
                        self.body_keywords.push(k);
                    }
                    self.stack.push(Open::Brace(kind));
                }
                ")" | "]" | "}" => {
                    if let Some(Open::Brace(BraceKind::Record | BraceKind::Enum)) = self.stack.pop()
                        && let Some(k) = self.body_keywords.pop()
                    {
                        self.closed_body = Some((i, k));
                    }
                }
                "..." => return self.ellipsis(i),
                // A stray ';' between declarations (gcc accepts it, lang-c does not at the very
                // start): blank it.
                ";" if self.stack.is_empty() && (i == 0 || self.is(i - 1, ";")) => {
                    self.edits.push(Edit::Blank(t.start, t.end));
                }
                _ => {}
            },
            Tok::Ident => {
                self.idents.insert(text);
                if let Some(next) = self.c23_keyword(i)? {
                    return Ok(next);
                }
                match text {
                    "__stdcall" | "__cdecl" | "__fastcall" | "__thiscall" | "__vectorcall"
                    | "WINAPI" | "_stdcall" | "_cdecl" => {
                        let attr = match text.trim_start_matches('_') {
                            "WINAPI" => "stdcall",
                            other => other,
                        };
                        self.edits.push(Edit::Replace(
                            t.start,
                            t.end,
                            format!("__attribute__(({attr}))"),
                        ));
                    }
                    "_Alignas" => return self.alignas(i),
                    "__int128" => return Ok(self.int128(i)),
                    "__float128" => {
                        self.edits
                            .push(Edit::Replace(t.start, t.end, "_Float128".into()));
                    }
                    "struct" | "union" => self.tag_attributes(i),
                    "enum" => {
                        self.tag_attributes(i);
                        self.enum_base(i)?;
                    }
                    _ => {}
                }
            }
            // C23's digit separators (`1'000'000`), which lang-c does not read.
            Tok::Number if text.contains('\'') => {
                match lex::without_separators(text) {
                    Some(plain) => {
                        let plain = plain.into_owned();
                        self.edits.push(Edit::Replace(t.start, t.end, plain));
                    }
                    None => {
                        return Err(self.err(
                        ErrorKind::Syntax,
                        t.start,
                        format!("invalid number '{text}': a digit separator (') goes between two digits"),
                    ));
                    }
                }
            }
            _ => {}
        }
        Ok(i + 1)
    }

    /// At the `{` (token `i`) of a top-level inline or `static` function definition, blanks
    /// the whole definition — a header's bodies are never called through a library, and
    /// lang-c need not parse statements it may not know (`__auto_type`,
    /// `__attribute__((fallthrough));`) — records its name, and returns the index after its
    /// `}`. Other definitions are left to lowering (which refuses them with a message).
    fn skip_definition(&mut self, i: usize) -> Option<usize> {
        let start = self.decl_start?;
        if i == 0 || self.is(i - 1, "=") {
            return None;
        }
        let head = start..i;
        let inline_or_static = head.clone().any(|k| {
            matches!(
                self.text(k),
                "inline" | "__inline" | "__inline__" | "static"
            )
        });
        if !inline_or_static {
            return None;
        }
        let end = self.matching(i)?;
        // The name: the first identifier followed by `(`, past attributes and asm labels.
        let mut name = None;
        let mut k = start;
        while k < i {
            if let Some(after) = self.attribute_end(k) {
                k = after;
                continue;
            }
            let t = self.toks[k];
            let text = t.text(self.src);
            if t.kind == Tok::Ident && self.is(k + 1, "(") {
                if matches!(
                    text,
                    "__asm__"
                        | "__asm"
                        | "asm"
                        | "__declspec"
                        | "__typeof__"
                        | "typeof"
                        | "_Alignas"
                ) {
                    k = self.matching(k + 1).map_or(i, |j| j + 1);
                    continue;
                }
                name = Some(text.to_string());
                break;
            }
            k += 1;
        }
        self.edits
            .push(Edit::Blank(self.toks[start].start, self.toks[end].end));
        self.skipped_bodies.push((
            name.unwrap_or_else(|| "(a definition)".into()),
            self.toks[start].start,
        ));
        self.skipped_ranges.push((start, end));
        self.decl_start = None;
        self.decl_typedef = false;
        Some(end + 1)
    }

    /// Records the top-level declaration ending with token `last`.
    fn end_decl(&mut self, last: usize) {
        let start = self.decl_start.take().unwrap_or(last);
        let typedefs = if std::mem::take(&mut self.decl_typedef) {
            typedef_names(self.src, &self.toks[start..last])
        } else {
            Vec::new()
        };
        self.typedefs_so_far.extend(typedefs.iter().copied());
        self.decls.push(TopDecl {
            end: self.toks[last].end,
            typedefs,
        });
    }

    /// What a `{` opens — a struct/union body, an enum body, or something else — and the
    /// index of the body's keyword.
    fn brace_kind(&self, i: usize) -> (BraceKind, Option<usize>) {
        // Walk back over a tag name and attributes (GNU's and C23's) to the keyword.
        let mut j = i;
        let mut colon = false;
        while j > 0 {
            j -= 1;
            let t = self.text(j);
            match t {
                // (A `:` is C23's `enum e : T {`; no struct has one there.)
                "struct" | "union" if !colon => return (BraceKind::Record, Some(j)),
                "enum" => return (BraceKind::Enum, Some(j)),
                ":" if !colon => colon = true,
                ")" | "]" => {
                    // Skip an attribute's parentheses (or a `[[...]]`) backwards.
                    let (open, close) = if t == ")" { ("(", ")") } else { ("[", "]") };
                    let mut depth = 0usize;
                    loop {
                        let u = self.text(j);
                        if u == close {
                            depth += 1;
                        } else if u == open {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        if j == 0 {
                            return (BraceKind::Other, None);
                        }
                        j -= 1;
                    }
                }
                _ if self.toks[j].kind == Tok::Ident => {}
                _ => return (BraceKind::Other, None),
            }
        }
        (BraceKind::Other, None)
    }
}

#[cfg(test)]
mod tests;
