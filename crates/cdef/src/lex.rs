//! A small C tokenizer: comments, identifiers, numbers, character and string literals,
//! punctuators, and where lines begin (for directives).
//!
//! It serves the pre-pass (which must see comments, `#` lines and `...` without guessing) and the
//! type-string and `#define` parsers. It does not expand macros or join string literals.

use crate::error::{CdefError, ErrorKind, LResult};

/// What a token is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An identifier or keyword.
    Ident,
    /// A preprocessing number (`12`, `0x1fUL`, `1.5e3`, `0b101`).
    Number,
    /// A character constant (`'a'`, `L'x'`).
    Char,
    /// A string literal (`"abc"`, `u8"x"`).
    Str,
    /// A punctuator (`(`, `...`, `<<=`).
    Punct,
}

/// One token: its kind, byte range, and whether it is the first token of its line.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Token {
    pub(crate) kind: Tok,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// First token after a line break (line continuations do not count).
    pub(crate) bol: bool,
}

impl Token {
    pub(crate) fn text<'s>(&self, src: &'s str) -> &'s str {
        &src[self.start..self.end]
    }

    pub(crate) fn is(&self, src: &str, s: &str) -> bool {
        self.text(src) == s
    }
}

/// A comment's byte range, kept so the pre-pass can blank it out.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Comment {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The tokens and comments of a text.
pub(crate) struct Lexed {
    pub(crate) tokens: Vec<Token>,
    pub(crate) comments: Vec<Comment>,
    /// Byte ranges of backslash-newline line continuations.
    pub(crate) splices: Vec<(usize, usize)>,
}

const PUNCT3: [&str; 3] = ["...", "<<=", ">>="];
const PUNCT2: [&str; 20] = [
    "##", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "*=", "/=", "%=", "+=",
    "-=", "&=", "^=", "|=",
];
const PUNCT1: &[u8] = b"[](){}.&*+-~!/%<>^|?:;=,#";

/// A number's text without C23's digit separators (`1'000'000`), or `None` when one is not
/// between two digits of the number (`0x'1`, `1'e5`).
pub(crate) fn without_separators(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !text.contains('\'') {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let hex = text.len() > 1 && matches!(&text.as_bytes()[..2], b"0x" | b"0X");
    let digit = |c: u8| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    };
    let b = text.as_bytes();
    let placed = (0..b.len()).filter(|&k| b[k] == b'\'').all(|k| {
        k > 0 && k + 1 < b.len() && digit(b[k - 1]) && digit(b[k + 1]) && !(hex && k == 2)
    });
    placed.then(|| std::borrow::Cow::Owned(text.replace('\'', "")))
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Tokenizes `src`.
pub(crate) fn lex(src: &str) -> LResult<Lexed> {
    let b = src.as_bytes();
    let mut tokens = Vec::with_capacity(src.len() / 4);
    let mut comments = Vec::new();
    let mut splices = Vec::new();
    let mut i = 0;
    let mut bol = true;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                bol = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c' => i += 1,
            b'\\' if next_is_newline(b, i + 1).is_some() => {
                let n = next_is_newline(b, i + 1).unwrap_or(0);
                splices.push((i, i + 1 + n));
                i += 1 + n;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                match find(b, i + 2, b"*/") {
                    Some(end) => i = end + 2,
                    None => {
                        return Err(CdefError::at(
                            ErrorKind::Syntax,
                            start,
                            "unterminated comment",
                        ));
                    }
                }
                comments.push(Comment { start, end: i });
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let start = i;
                // A `//` comment ends at the line end, unless that line end is escaped.
                i += 2;
                while i < b.len() {
                    if b[i] == b'\n' {
                        break;
                    }
                    if b[i] == b'\\'
                        && let Some(n) = next_is_newline(b, i + 1)
                    {
                        i += 1 + n;
                        continue;
                    }
                    i += 1;
                }
                comments.push(Comment { start, end: i });
            }
            _ => {
                let start = i;
                let kind = if is_ident_start(c) {
                    // Prefixed literals: L'x', u"x", U'x', u8"x".
                    let mut j = i;
                    while j < b.len() && is_ident_char(b[j]) {
                        j += 1;
                    }
                    let word = &src[i..j];
                    if matches!(word, "L" | "u" | "U" | "u8")
                        && matches!(b.get(j), Some(b'\'' | b'"'))
                    {
                        let quote = b[j];
                        i = quoted(b, j, quote)?;
                        if quote == b'\'' { Tok::Char } else { Tok::Str }
                    } else {
                        i = j;
                        Tok::Ident
                    }
                } else if c.is_ascii_digit()
                    || (c == b'.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
                {
                    i += 1;
                    while i < b.len() {
                        let d = b[i];
                        let exponent_sign = matches!(d, b'+' | b'-')
                            && matches!(b[i - 1], b'e' | b'E' | b'p' | b'P');
                        // C23's digit separator: `'` between two characters of the number.
                        let separator = d == b'\''
                            && is_ident_char(b[i - 1])
                            && b.get(i + 1).copied().is_some_and(is_ident_char);
                        if exponent_sign || separator || is_ident_char(d) || d == b'.' {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    Tok::Number
                } else if c == b'\'' || c == b'"' {
                    i = quoted(b, i, c)?;
                    if c == b'\'' { Tok::Char } else { Tok::Str }
                } else if let Some(p) = PUNCT3.iter().find(|p| b[i..].starts_with(p.as_bytes())) {
                    i += p.len();
                    Tok::Punct
                } else if let Some(p) = PUNCT2.iter().find(|p| b[i..].starts_with(p.as_bytes())) {
                    i += p.len();
                    Tok::Punct
                } else if PUNCT1.contains(&c) {
                    i += 1;
                    Tok::Punct
                } else {
                    let ch = src[i..].chars().next().unwrap_or('?');
                    return Err(CdefError::at(
                        ErrorKind::Syntax,
                        i,
                        format!("unexpected character {ch:?}"),
                    ));
                };
                // lang-c's grammar backtracks exponentially on long runs of adjacent '+' and
                // '-' (each '++' may also be '+ +'); no real declaration has one, so a run of
                // more than four is refused.
                if kind == Tok::Punct && b[start..i].iter().all(|c| matches!(c, b'+' | b'-')) {
                    let mut run = i - start;
                    let mut k = tokens.len();
                    let mut next_start = start;
                    while k > 0 {
                        let p: &Token = &tokens[k - 1];
                        if p.end != next_start
                            || !b[p.start..p.end].iter().all(|c| matches!(c, b'+' | b'-'))
                        {
                            break;
                        }
                        run += p.end - p.start;
                        next_start = p.start;
                        k -= 1;
                    }
                    if run > 4 {
                        return Err(CdefError::at(
                            ErrorKind::Syntax,
                            next_start,
                            "too many adjacent '+' and '-' characters: separate them with spaces",
                        ));
                    }
                }
                tokens.push(Token {
                    kind,
                    start,
                    end: i,
                    bol,
                });
                bol = false;
            }
        }
    }
    Ok(Lexed {
        tokens,
        comments,
        splices,
    })
}

/// If `b[i..]` starts with a line break, its length (1 for `\n`, 2 for `\r\n`).
fn next_is_newline(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i) {
        Some(b'\n') => Some(1),
        Some(b'\r') if b.get(i + 1) == Some(&b'\n') => Some(2),
        _ => None,
    }
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| p + from)
}

/// Skips a quoted literal starting at `b[start] == quote`; returns the offset after it.
fn quoted(b: &[u8], start: usize, quote: u8) -> LResult<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' => break,
            c if c == quote => return Ok(i + 1),
            _ => i += 1,
        }
    }
    let what = if quote == b'\'' {
        "character constant"
    } else {
        "string literal"
    };
    Err(CdefError::at(
        ErrorKind::Syntax,
        start,
        format!("unterminated {what}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<&str> {
        lex(src)
            .unwrap()
            .tokens
            .iter()
            .map(|t| t.text(src))
            .collect()
    }

    #[test]
    fn tokens_and_comments() {
        assert_eq!(
            texts("int a[...]; /* c */ x->y <<= 0x1fUL // end\n'\\n' \"s\\\"\" 1e+5"),
            [
                "int",
                "a",
                "[",
                "...",
                "]",
                ";",
                "x",
                "->",
                "y",
                "<<=",
                "0x1fUL",
                "'\\n'",
                "\"s\\\"\"",
                "1e+5"
            ]
        );
    }

    #[test]
    fn line_starts_ignore_continuations() {
        let src = "#define A \\\n 1\nint";
        let l = lex(src).unwrap();
        let bols: Vec<bool> = l.tokens.iter().map(|t| t.bol).collect();
        assert_eq!(bols, [true, false, false, false, true]);
    }

    #[test]
    fn continued_line_comment() {
        assert_eq!(texts("// a \\\n b\nc"), ["c"]);
    }

    #[test]
    fn long_plus_minus_runs_are_refused() {
        assert!(lex("a+++b; x---y; - -1;").is_ok());
        let Err(e) = lex("int a[-++++++1];") else {
            panic!("accepted")
        };
        assert_eq!(e.offset, Some(6));
        assert!(lex("int a[- + + + + + + 1];").is_ok());
    }

    #[test]
    fn unterminated() {
        assert!(lex("/* x").is_err());
        assert!(lex("'a").is_err());
        assert!(lex("int \u{e9};").is_err());
    }
}
