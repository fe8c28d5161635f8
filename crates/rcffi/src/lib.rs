//! rcffi (in progress).
