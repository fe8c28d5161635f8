//! Scripts: Rhai (pure Rust, sandboxed: no files, no processes, bounded recursion) with
//! rcffi under cffi's and LuaJIT's names. A [`Session`] is one `Ffi` and one engine; what a
//! script may do unchecked is call C functions, as in cffi — every read and write of C data
//! goes through rcffi's checks.

mod api;
mod convert;
mod objects;

use std::cell::{OnceCell, RefCell};
use std::rc::{Rc, Weak};

use rhai::{AST, Dynamic, Engine, EvalAltResult, Scope};

use rcffi::Ffi;

/// What callbacks need to run script closures later, when C calls them: the engine (set
/// once it is built) and the script's AST. Rhai without its `sync` feature is a third faster
/// per operation, and its values are then not `Send`: script callbacks are bound to the
/// script's thread (`Ffi::callback_local`).
#[derive(Clone, Default)]
pub(crate) struct Shared {
    engine: Rc<OnceCell<Weak<Engine>>>,
    ast: Rc<RefCell<Option<Rc<AST>>>>,
}

/// One `Ffi` and the engine that gives it to scripts.
pub(crate) struct Session {
    pub(crate) engine: Rc<Engine>,
    pub(crate) ffi: Ffi,
    shared: Shared,
}

impl Session {
    /// A new session; `args` are what the script's `args()` returns.
    pub(crate) fn new(args: Vec<String>) -> Session {
        Session::with_methods(args, &[])
    }

    /// A session for script `text`, compiled: the methods it calls on libraries are registered
    /// ahead, so that `z.crc32(..)` is found as a registered function is.
    pub(crate) fn for_script(
        args: Vec<String>,
        name: &str,
        text: &str,
    ) -> Result<(Session, Rc<AST>), String> {
        let ast = Session::new(Vec::new()).compile(name, text)?;
        let session = Session::with_methods(args, &method_calls(&ast));
        let ast = session.compile(name, text)?;
        Ok((session, ast))
    }

    fn with_methods(args: Vec<String>, methods: &[(String, usize)]) -> Session {
        let ffi = Ffi::default();
        let shared = Shared::default();
        let mut engine = Engine::new();
        // Bounds for hostile scripts: recursion and nesting (Rhai's own stack), and sizes.
        engine.set_max_call_levels(64);
        engine.set_max_expr_depths(64, 32);
        engine.set_max_string_size(1 << 30);
        engine.set_max_array_size(1 << 24);
        engine.set_max_map_size(1 << 24);
        // `print` after C's own buffered output, and quietly ended by a closed pipe.
        engine.on_print(|text| {
            crate::c_stdio::flush();
            crate::out::line(format_args!("{text}"));
        });
        api::register(&mut engine, &ffi, &shared, args);
        objects::register(&mut engine, &ffi);
        objects::register_methods(&mut engine, &ffi, methods);
        let engine = Rc::new(engine);
        let _ = shared.engine.set(Rc::downgrade(&engine));
        Session {
            engine,
            ffi,
            shared,
        }
    }

    /// Compiles a script (its functions become callable by name).
    pub(crate) fn compile(&self, name: &str, text: &str) -> Result<Rc<AST>, String> {
        let mut ast = self.engine.compile(text).map_err(|e| {
            let mut message = e.to_string();
            if let Some(i) = message.rfind(" (line ") {
                message.truncate(i);
            }
            located(name, &message, e.position())
        })?;
        ast.set_source(name);
        let ast = Rc::new(ast);
        *self.shared.ast.borrow_mut() = Some(ast.clone());
        Ok(ast)
    }

    /// Runs a script's top level in `scope`.
    pub(crate) fn run(&self, scope: &mut Scope, ast: &AST) -> Result<Dynamic, String> {
        self.engine
            .eval_ast_with_scope::<Dynamic>(scope, ast)
            .map_err(|e| error_text(ast, &e))
    }

    /// Runs the script's top level, then calls its function `name` with no arguments (the
    /// top level's constants are the function's `global::` ones).
    pub(crate) fn call(&self, scope: &mut Scope, ast: &AST, name: &str) -> Result<Dynamic, String> {
        self.engine
            .call_fn::<Dynamic>(scope, ast, name, ())
            .map_err(|e| error_text(ast, &e))
    }

    /// Evaluates one piece of text (`-e`, a REPL line) in `scope`.
    pub(crate) fn eval(&self, scope: &mut Scope, text: &str) -> Result<Dynamic, String> {
        let ast = self.compile("<input>", text)?;
        self.run(scope, &ast)
    }

    /// A value as the REPL and `-e` print it: `None` for `()`.
    pub(crate) fn show(&self, v: &Dynamic) -> Option<String> {
        if v.is_unit() {
            return None;
        }
        if let Some(c) = v.read_lock::<rcffi::CData>() {
            return Some(format!("{:?}", *c));
        }
        if v.is_string() {
            return Some(format!("{v:?}"));
        }
        Some(v.to_string())
    }
}

/// The methods a script calls (`x.name(a, b)`), by name and number of arguments.
fn method_calls(ast: &AST) -> Vec<(String, usize)> {
    let mut found = std::collections::BTreeSet::new();
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        if let Some(rhai::ASTNode::Expr(rhai::Expr::MethodCall(call, _))) = path.last() {
            found.insert((call.name.to_string(), call.args.len()));
        }
        true
    });
    found.into_iter().collect()
}

/// An error as the command prints it: the script's name, line and column, and the message
/// (which, for a cdef error, holds the caret under the bad declaration), then the script
/// functions it passed through, innermost first.
pub(crate) fn error_text(ast: &AST, e: &EvalAltResult) -> String {
    let name = ast.source().unwrap_or("<script>");
    let mut calls = Vec::new();
    let mut inner = e;
    while let EvalAltResult::ErrorInFunctionCall(function, source, next, pos) = inner {
        let source = if source.is_empty() {
            name
        } else {
            source.as_str()
        };
        calls.push(format!(
            "in {function}, called at {}",
            located(source, "", *pos).trim_end_matches(": ")
        ));
        inner = next;
    }
    let mut message = match inner {
        EvalAltResult::ErrorRuntime(v, _) => v.to_string(),
        other => other.to_string(),
    };
    // Rhai appends its own position; the script's place goes first instead.
    if let Some(i) = message.rfind(" (line ") {
        message.truncate(i);
    }
    let mut out = located(name, &message, inner.position());
    for c in calls.iter().rev() {
        out.push_str("\n  ");
        out.push_str(c);
    }
    out
}

/// `FILE:LINE:COLUMN: message`, as compilers write it.
fn located(name: &str, message: &str, pos: rhai::Position) -> String {
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => format!("{name}:{l}:{c}: {message}"),
        (Some(l), None) => format!("{name}:{l}: {message}"),
        _ => format!("{name}: {message}"),
    }
}
