//! rcffi-runtime (in progress).
