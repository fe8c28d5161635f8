//! [`Recent`]: a thread's last few lookups by name, checked before a shared (locked) cache.
//! Type strings (`Ffi::parse`) and functions called by name (`Lib::call`) use it.

/// A small per-thread cache: (owner id, generation, name) -> value. Owner ids are never
/// reused and a new generation makes old entries miss, so an entry cannot outlive what it
/// describes; the oldest entry gives way once [`Recent::SIZE`] are held.
pub(crate) struct Recent<V> {
    entries: Vec<((u64, u64), Box<str>, V)>,
    next: usize,
}

impl<V: Copy> Recent<V> {
    /// How many entries a cache holds.
    pub(super) const SIZE: usize = 8;

    /// An empty cache (usable in a `thread_local!` initializer).
    pub(crate) const fn new() -> Recent<V> {
        Recent {
            entries: Vec::new(),
            next: 0,
        }
    }

    /// The value for `name` under `key` (owner id, generation).
    #[inline]
    pub(crate) fn find(&self, key: (u64, u64), name: &str) -> Option<V> {
        self.entries
            .iter()
            .find(|(k, n, _)| *k == key && **n == *name)
            .map(|e| e.2)
    }

    /// Remembers `value` for `name` under `key`, in place of the oldest entry when full.
    pub(crate) fn insert(&mut self, key: (u64, u64), name: &str, value: V) {
        let e = (key, name.into(), value);
        if self.entries.len() < Self::SIZE {
            self.entries.push(e);
        } else {
            self.entries[self.next] = e;
            self.next = (self.next + 1) % Self::SIZE;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Recent;

    #[test]
    fn finds_by_key_and_name_and_forgets_the_oldest() {
        let mut r = Recent::<u32>::new();
        r.insert((1, 0), "a", 10);
        assert_eq!(r.find((1, 0), "a"), Some(10));
        assert_eq!(r.find((1, 1), "a"), None, "another generation misses");
        assert_eq!(r.find((2, 0), "a"), None, "another owner misses");
        for i in 0..Recent::<u32>::SIZE as u32 {
            r.insert((1, 0), &format!("n{i}"), i);
        }
        assert_eq!(r.find((1, 0), "a"), None, "the oldest entry gave way");
        assert_eq!(r.find((1, 0), "n0"), Some(0));
        assert_eq!(r.find((1, 0), "n7"), Some(7));
    }
}
