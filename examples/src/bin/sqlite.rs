//! sqlite3 through its installed header (`ffi.include_headers(["sqlite3.h"])`, no pasted
//! declarations): an in-memory database, `sqlite3_exec` with a Rust closure as the row
//! callback, and prepared statements with bound values (`SQLITE_TRANSIENT` is the header's own
//! pointer constant).
//!
//! `cargo run -p rcffi-examples --bin sqlite`

use std::sync::{Arc, Mutex};

use anyhow::{Result, bail};
use rcffi::{CData, Ffi, Headers, Lib, Value};

fn main() -> Result<()> {
    let ffi = Ffi::default();
    ffi.include_headers(&Headers::new(["sqlite3.h"]))?;
    // SAFETY: libsqlite3, declared as sqlite3.h declares it.
    let sql = unsafe { ffi.dlopen("sqlite3")? };
    // SAFETY: in every call below, sqlite3's functions with a live database and statements, and
    // NUL-terminated strings.
    unsafe {
        let v = sql.call("sqlite3_libversion", ())?.cdata()?;
        println!(
            "sqlite {}",
            ffi.string_unchecked(&v, None)?.to_string_lossy()?
        );

        let db_out = ffi.new("sqlite3 **", ())?;
        check(
            &ffi,
            &sql,
            None,
            sql.call("sqlite3_open", (":memory:", &db_out))?,
        )?;
        let db = db_out.get(0)?.cdata()?;

        exec(
            &ffi,
            &sql,
            &db,
            "CREATE TABLE planets (name TEXT, moons INTEGER, au REAL)",
        )?;

        // Inserts through a prepared statement with bound values; SQLITE_TRANSIENT, the
        // header's `((sqlite3_destructor_type)-1)`, makes sqlite copy the text.
        let stmt = prepare(&ffi, &sql, &db, "INSERT INTO planets VALUES (?, ?, ?)")?;
        let transient = sql.get("SQLITE_TRANSIENT")?.cdata()?;
        for (name, moons, au) in [
            ("Mercury", 0, 0.39),
            ("Venus", 0, 0.72),
            ("Earth", 1, 1.0),
            ("Mars", 2, 1.52),
            ("Jupiter", 95, 5.2),
        ] {
            sql.call("sqlite3_bind_text", (&stmt, 1, name, -1, &transient))?;
            sql.call("sqlite3_bind_int", (&stmt, 2, moons))?;
            sql.call("sqlite3_bind_double", (&stmt, 3, au))?;
            let rc = sql.call("sqlite3_step", (&stmt,))?;
            if rc != Value::Int(ffi.integer_const("SQLITE_DONE")?) {
                bail!("step: {rc}");
            }
            sql.call("sqlite3_reset", (&stmt,))?;
        }
        sql.call("sqlite3_finalize", (&stmt,))?;

        // sqlite3_exec with a Rust closure as the row callback.
        let (on_row, rows) = row_collector(&ffi)?;
        let errmsg = ffi.new("char **", ())?;
        let query = "SELECT name, moons FROM planets WHERE moons > 0 ORDER BY moons DESC";
        let rc = sql.call(
            "sqlite3_exec",
            (&db, query, &on_row, None::<&CData>, &errmsg),
        )?;
        check(&ffi, &sql, Some(&db), rc)?;
        println!("sqlite3_exec({query}):");
        for r in rows.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            println!("  {r}");
        }

        // A prepared SELECT, row by row.
        let q = "SELECT name, au FROM planets WHERE au < ? ORDER BY au";
        let stmt = prepare(&ffi, &sql, &db, q)?;
        sql.call("sqlite3_bind_double", (&stmt, 1, 1.1))?;
        println!("{q} (? = 1.1):");
        while sql.call("sqlite3_step", (&stmt,))? == Value::Int(ffi.integer_const("SQLITE_ROW")?) {
            let name = sql.call("sqlite3_column_text", (&stmt, 0))?.cdata()?;
            let au = sql.call("sqlite3_column_double", (&stmt, 1))?;
            println!(
                "  {} at {au} AU",
                ffi.string_unchecked(&name, None)?.to_string_lossy()?
            );
        }
        sql.call("sqlite3_finalize", (&stmt,))?;

        // An error, with sqlite's message.
        let rc = sql.call(
            "sqlite3_exec",
            (
                &db,
                "SELECT * FROM moons",
                None::<&CData>,
                None::<&CData>,
                &errmsg,
            ),
        )?;
        let msg = errmsg.get(0)?.cdata()?;
        println!(
            "a bad query: rc {rc}, {}",
            ffi.string_unchecked(&msg, None)?.to_string_lossy()?
        );
        sql.call("sqlite3_free", (&msg,))?;
        sql.call("sqlite3_close", (&db,))?;
    }
    Ok(())
}

/// A row callback for `sqlite3_exec` collecting `name=value` lines.
fn row_collector(ffi: &Ffi) -> Result<(CData, Arc<Mutex<Vec<String>>>)> {
    let rows = Arc::new(Mutex::new(Vec::new()));
    let seen = rows.clone();
    let on_row = ffi.callback("int(*)(void *, int, char **, char **)", move |args| {
        let ffi = args.ffi();
        let n = args.get_as::<usize>(1)?;
        let mut row = Vec::new();
        // SAFETY: sqlite passes `n` column values and names, each a C string or NULL.
        unsafe {
            let values = args.get(2)?.cdata()?.assume_valid(n)?;
            let names = args.get(3)?.cdata()?.assume_valid(n)?;
            for i in 0..n as isize {
                let (v, k) = (values.get(i)?.cdata()?, names.get(i)?.cdata()?);
                let (v, k) = (
                    ffi.string_unchecked(&v, None)?,
                    ffi.string_unchecked(&k, None)?,
                );
                row.push(format!("{}={}", k.to_string_lossy()?, v.to_string_lossy()?));
            }
        }
        seen.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(row.join(" "));
        Ok::<_, rcffi::Error>(0)
    })?;
    Ok((on_row, rows))
}

/// Runs SQL without a row callback.
///
/// # Safety
///
/// `db` must be an open database of `sql`.
unsafe fn exec(ffi: &Ffi, sql: &Lib, db: &CData, text: &str) -> Result<()> {
    // SAFETY: the caller's open database; no callback, no error message pointer.
    let rc = unsafe {
        sql.call(
            "sqlite3_exec",
            (db, text, None::<&CData>, None::<&CData>, None::<&CData>),
        )?
    };
    check(ffi, sql, Some(db), rc)
}

/// Compiles one SQL statement.
///
/// # Safety
///
/// `db` must be an open database of `sql`.
unsafe fn prepare(ffi: &Ffi, sql: &Lib, db: &CData, text: &str) -> Result<CData> {
    let out = ffi.new("sqlite3_stmt **", ())?;
    // SAFETY: the caller's open database; `out` receives the statement; no tail pointer.
    let rc = unsafe { sql.call("sqlite3_prepare_v2", (db, text, -1, &out, None::<&CData>))? };
    check(ffi, sql, Some(db), rc)?;
    Ok(out.get(0)?.cdata()?)
}

/// An error for a result code other than SQLITE_OK, with sqlite's message.
fn check(ffi: &Ffi, sql: &Lib, db: Option<&CData>, rc: Value) -> Result<()> {
    if rc == Value::Int(0) {
        return Ok(());
    }
    let msg = match db {
        // SAFETY: sqlite3_errmsg of an open database is a NUL-terminated string.
        Some(db) => unsafe {
            let m = sql.call("sqlite3_errmsg", (db,))?.cdata()?;
            ffi.string_unchecked(&m, None)?
                .to_string_lossy()?
                .into_owned()
        },
        None => String::new(),
    };
    bail!("sqlite error {rc}: {msg}")
}
