//! Touching the stack before libffi uses it: libffi makes room for a call's arguments with
//! `alloca` and no stack probes, so a call with many kilobytes of arguments on a thread near
//! the end of its stack could move the stack pointer past the guard page and write into
//! whatever lies below. [`touch`] walks the stack down a page at a time in Rust frames first:
//! if the stack is too small, that walk hits the guard page and Rust stops the program with
//! its stack overflow message, as for any Rust recursion; otherwise the pages libffi takes are
//! known to be this thread's stack. No unsafe code.

use std::mem::MaybeUninit;

/// The step of the walk: at most a page, so no step jumps over a guard page.
const STEP: usize = 4096;

/// Calls needing at most this much stack are not walked: they move the stack pointer by less
/// than a page, as a compiled C call with a few arguments does.
pub(crate) const FREE: usize = 2048;

/// Room past the arguments for libffi's frames and its call into C.
const MARGIN: usize = 2 * STEP;

/// Touches `bytes` (plus a margin) of this thread's stack below the caller's frame, one
/// page-sized frame at a time: the general call path does so when a shape's
/// [`stack`](crate::abi::plan::Shape::stack) is above [`FREE`].
#[inline(never)]
pub(crate) fn touch(bytes: usize) {
    walk(bytes.saturating_add(MARGIN).div_ceil(STEP));
}

#[inline(never)]
fn walk(pages: usize) {
    // A frame of one page, its first and last bytes written: the bytes written by the whole
    // walk, in this frame and the next, are never a page apart, so no page is passed over.
    // (Writing the whole page cost a `memset` of 4 KiB per step: 12,400 instructions of a
    // call with a 1 KiB struct argument, 10 times the call itself.)
    let mut page = [MaybeUninit::<u8>::uninit(); STEP];
    page[0] = MaybeUninit::new(0);
    page[STEP - 1] = MaybeUninit::new(0);
    std::hint::black_box(&mut page);
    if pages > 1 {
        walk(pages - 1);
    }
    // Used after the call, so the recursion is not turned into a loop reusing one frame.
    std::hint::black_box(&page);
}

#[cfg(test)]
mod tests {
    /// The walk reaches the guard page of a stack too small for it, and the program stops
    /// with Rust's stack overflow message (in a child process of the test binary: the test
    /// runs itself again). A walk that skipped a page would write past the guard page, into
    /// what lies below it, and no message would say so; one that stopped short would return.
    #[test]
    #[cfg_attr(miri, ignore = "starts a process")]
    fn a_walk_past_a_small_stack_stops_at_its_guard_page() {
        const CHILD: &str = "RCFFI_PROBE_CHILD";
        if std::env::var_os(CHILD).is_some() {
            let walked = std::thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(|| super::touch(1 << 20))
                .expect("spawn")
                .join();
            eprintln!("the walk returned: {walked:?}");
            std::process::exit(0);
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "call::probe::tests::a_walk_past_a_small_stack_stops_at_its_guard_page",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .output()
            .expect("the test binary runs");
        if !String::from_utf8_lossy(&out.stdout).contains("running 1 test") {
            return; // the test binary cannot start itself again here (qemu-user)
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(stderr.contains("has overflowed its stack"), "{stderr}");
    }

    #[test]
    fn walks_the_largest_argument_stack_on_a_small_thread() {
        let need = crate::abi::plan::MAX_ARG_STACK;
        std::thread::Builder::new()
            .stack_size(4 * need)
            .spawn(move || super::touch(need))
            .expect("spawn")
            .join()
            .expect("the walk fits");
    }
}
