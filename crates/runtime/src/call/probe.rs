//! Touching the stack before libffi uses it: libffi makes room for a call's arguments with
//! `alloca` and no stack probes, so a call with many kilobytes of arguments on a thread near
//! the end of its stack could move the stack pointer past the guard page and write into
//! whatever lies below. [`touch`] walks the stack down a page at a time in Rust frames first:
//! if the stack is too small, that walk hits the guard page and Rust stops the program with
//! its stack overflow message, as for any Rust recursion; otherwise the pages libffi takes are
//! known to be this thread's stack. No unsafe code.

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
    // A frame of one page, written whole (so each page of the walk is touched in turn).
    let mut page = [0u8; STEP];
    std::hint::black_box(&mut page);
    if pages > 1 {
        walk(pages - 1);
    }
    // Used after the call, so the recursion is not turned into a loop reusing one frame.
    std::hint::black_box(&page);
}

#[cfg(test)]
mod tests {
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
