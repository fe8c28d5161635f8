//! [`Recent`]: a thread's lookups by name, checked before a shared (locked) cache. Type
//! strings (`Ffi::parse`) and functions called by name (`Lib::call`) use it; [`Last`], the
//! last name found, is checked before it.

use std::cell::Cell;
use std::hash::{BuildHasher, Hash, Hasher};
use std::thread::LocalKey;

/// A per-thread cache: (owner id, generation, name) -> value. Owner ids are never reused and a
/// new generation makes old entries miss, so an entry cannot outlive what it describes.
///
/// Two levels: the last few names in a short list (a linear scan, the cheapest hit: a loop
/// using one or two names), and behind it [`SLOTS`] slots, two of them chosen for each name by
/// its hash, so that a program using many names still finds them here. A new name takes a
/// free one of its two slots, or moves an entry on to that entry's other slot (cuckoo
/// hashing), so there is no cliff at some count of names (the list alone missed every time on
/// its ninth name, and every miss took a lock). One slot per name was not enough: among 16
/// names, two shared a slot for a third of the owner ids, and those two missed in turn, each
/// miss a read lock of the shared cache, which two threads contend for.
pub(crate) struct Recent<V> {
    /// The last names found or inserted, newest last.
    recent: Vec<Entry<V>>,
    /// The hashed slots; empty until the list first overflows.
    slots: Vec<Option<Entry<V>>>,
}

#[derive(Clone)]
struct Entry<V> {
    key: (u64, u64),
    name: Box<str>,
    value: V,
}

impl<V> Entry<V> {
    fn is(&self, key: (u64, u64), name: &str) -> bool {
        self.key == key && *self.name == *name
    }
}

/// The two slots of a name: from one fixed hash (the cache is a thread's own; a collision
/// only misses).
fn slots_of(key: (u64, u64), name: &str) -> [usize; 2] {
    let mut h = foldhash::fast::FixedState::with_seed(0x5eed).build_hasher();
    name.hash(&mut h);
    key.hash(&mut h);
    let h = h.finish();
    [h as usize & (SLOTS - 1), (h >> 32) as usize & (SLOTS - 1)]
}

/// Whether two names are equal: names of up to [`LAST_NAME`] bytes (most type strings and
/// function names) compared as their [`probe`] words, in line, without a call to `memcmp`.
#[inline(always)]
fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && if a.len() <= LAST_NAME {
            probe(a) == probe(b)
        } else {
            a == b
        }
}

/// The longest name [`Last`] holds.
const LAST_NAME: usize = 32;

/// The last name a thread found, with its value: a `thread_local!` of plain cells (no drop, so
/// read with no registration check), each read and written as its own word — a copy of the
/// whole through wider loads waited on the narrower stores that had just replaced it, which
/// made a loop over many names slower than with no last name at all. The name is kept as the
/// words [`probe`] takes of it, compared with the same words of the name looked up. Names
/// longer than [`LAST_NAME`] bytes are not held.
pub(crate) struct Last<V: Copy> {
    owner: Cell<u64>,
    generation: Cell<u64>,
    /// The name's length (`usize::MAX`: nothing held).
    len: Cell<usize>,
    words: [Cell<u64>; 4],
    value: Cell<Option<V>>,
}

/// Words that tell two names of the same length (up to [`LAST_NAME`] bytes) apart: together
/// they cover every byte (overlapping where the length is not a multiple of their size).
#[inline(always)]
fn probe(s: &[u8]) -> [u64; 4] {
    let n = s.len();
    let word = |at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |at: usize| {
        u64::from(u32::from_le_bytes(
            s[at..at + 4].try_into().unwrap_or([0; 4]),
        ))
    };
    match n {
        17..=LAST_NAME => [word(0), word(8), word(n - 16), word(n - 8)],
        8..=16 => [word(0), word(n - 8), 0, 0],
        4..=7 => [half(0), half(n - 4), 0, 0],
        _ => [
            s.iter()
                .take(3)
                .enumerate()
                .fold(0, |w, (i, b)| w | u64::from(*b) << (8 * i)),
            0,
            0,
            0,
        ],
    }
}

impl<V: Copy> Last<V> {
    /// Nothing held (usable in a `thread_local!` initializer).
    pub(crate) const fn new() -> Last<V> {
        Last {
            owner: Cell::new(0),
            generation: Cell::new(0),
            len: Cell::new(usize::MAX),
            words: [const { Cell::new(0) }; 4],
            value: Cell::new(None),
        }
    }

    /// The value for `name` under `key`, when it is the one held.
    #[inline(always)]
    pub(crate) fn find(&self, key: (u64, u64), name: &str) -> Option<V> {
        let b = name.as_bytes();
        if self.len.get() != b.len() || self.owner.get() != key.0 || self.generation.get() != key.1
        {
            return None;
        }
        let p = probe(b);
        if self.words.iter().zip(p).all(|(w, p)| w.get() == p) {
            self.value.get()
        } else {
            None
        }
    }

    /// Holds `value` for `name` under `key` (a name too long to hold clears it).
    pub(crate) fn hold(&self, key: (u64, u64), name: &str, value: V) {
        if name.len() > LAST_NAME {
            self.len.set(usize::MAX);
            return;
        }
        self.owner.set(key.0);
        self.generation.set(key.1);
        self.len.set(name.len());
        for (w, p) in self.words.iter().zip(probe(name.as_bytes())) {
            w.set(p);
        }
        self.value.set(Some(value));
    }
}

/// The last name each of a few owners found, one [`Last`] per owner (by its id, modulo `N`):
/// a program that uses several `ffi` objects or libraries in turn — a module per library —
/// finds each one's last name in line, as a program with one does (with one `Last` for all,
/// each owner's lookup missed it and went on to [`Recent`]: 442 → 605 instructions a `new`
/// with five `ffi` objects in turn).
pub(crate) struct Lasts<V: Copy, const N: usize> {
    lasts: [Last<V>; N],
}

impl<V: Copy, const N: usize> Lasts<V, N> {
    /// Nothing held (usable in a `thread_local!` initializer).
    pub(crate) const fn new() -> Lasts<V, N> {
        Lasts {
            lasts: [const { Last::new() }; N],
        }
    }

    /// The `Last` of the owner `key.0`.
    #[inline(always)]
    fn of(&self, key: (u64, u64)) -> &Last<V> {
        &self.lasts[key.0 as usize % N]
    }

    /// The value for `name` under `key` held by the thread's `lasts`.
    #[inline(always)]
    pub(crate) fn find_in(
        lasts: &'static LocalKey<Lasts<V, N>>,
        key: (u64, u64),
        name: &str,
    ) -> Option<V> {
        lasts.try_with(|l| l.of(key).find(key, name)).ok().flatten()
    }

    /// Makes `name` under `key`, meaning `value`, the last name of the owner `key.0` in the
    /// thread's `lasts`.
    pub(crate) fn remember_in(
        lasts: &'static LocalKey<Lasts<V, N>>,
        key: (u64, u64),
        name: &str,
        value: V,
    ) {
        let _ = lasts.try_with(|l| l.of(key).hold(key, name, value));
    }
}

const RECENT: usize = 4;
const SLOTS: usize = 256;
/// How many entries one insert may move on (the last one moved is dropped).
const MOVES: usize = 8;

impl<V: Copy> Recent<V> {
    /// How many hashed slots a cache has (a power of two).
    #[cfg(test)]
    pub(crate) const SLOTS: usize = SLOTS;

    /// An empty cache (usable in a `thread_local!` initializer).
    pub(crate) const fn new() -> Recent<V> {
        Recent {
            recent: Vec::new(),
            slots: Vec::new(),
        }
    }

    /// The value for `name` under `key` (owner id, generation).
    #[inline(always)]
    pub(crate) fn find(&self, key: (u64, u64), name: &str) -> Option<V> {
        if let Some(e) = self
            .recent
            .iter()
            .rev()
            .find(|e| e.key == key && same_name(&e.name, name))
        {
            return Some(e.value);
        }
        self.find_hashed(key, name)
    }

    /// [`Recent::find`] past the short list: the name's two slots (cold: the short list
    /// answers a loop over one or two names, and keeping this out of line keeps that path
    /// small).
    #[cold]
    #[inline(never)]
    fn find_hashed(&self, key: (u64, u64), name: &str) -> Option<V> {
        slots_of(key, name).into_iter().find_map(|i| {
            let e = self.slots.get(i)?.as_ref()?;
            e.is(key, name).then_some(e.value)
        })
    }

    /// Remembers `value` for `name` under `key`: in the short list, and in one of its two
    /// slots — the one it has, or a free one, or else the first, whose entry moves to its own
    /// other slot, and so on a few times (cuckoo hashing: a name is lost only when a chain of
    /// full slots is longer than that, which a program's few dozen names do not make).
    pub(crate) fn insert(&mut self, key: (u64, u64), name: &str, value: V) {
        let e = Entry {
            key,
            name: name.into(),
            value,
        };
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || None);
        }
        let [a, b] = slots_of(key, name);
        let holds = |i: usize| self.slots[i].as_ref().is_some_and(|x| x.is(key, name));
        let mut at = if holds(a) {
            a
        } else if holds(b) || (self.slots[a].is_some() && self.slots[b].is_none()) {
            b
        } else {
            a
        };
        let mut moving = e.clone();
        for _ in 0..MOVES {
            let Some(old) = self.slots[at].replace(moving) else {
                break;
            };
            let [x, y] = slots_of(old.key, &old.name);
            if old.is(key, name) || x == y {
                break;
            }
            at = if x == at { y } else { x };
            moving = old;
        }
        self.push_recent(e);
    }

    fn push_recent(&mut self, e: Entry<V>) {
        if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::Recent;

    #[test]
    fn names_are_equal_only_when_every_byte_is() {
        let names = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "int *",
            "struct pt *",
            "0123456789abcdef",
        ];
        for n in names
            .iter()
            .chain(["0123456789abcdefg", "unsigned long long"].iter())
        {
            assert!(super::same_name(n, n));
            let owned = n.to_string();
            assert!(super::same_name(n, &owned));
            // Every one-byte change, at every position, is seen.
            for i in 0..n.len() {
                let mut b = n.as_bytes().to_vec();
                b[i] ^= 1;
                let other = String::from_utf8(b).unwrap();
                assert!(!super::same_name(n, &other), "{n:?} vs {other:?}");
            }
        }
        assert!(!super::same_name("int *", "int **"));
    }

    /// The last name held: found by key and every byte of its name, up to 32 bytes; longer
    /// names are not held.
    #[test]
    fn the_last_name_is_found_only_by_its_key_and_whole_name() {
        use super::Last;
        assert_eq!(Last::<u32>::new().find((0, 0), ""), None, "nothing held");
        for n in [
            "",
            "a",
            "int *",
            "struct pt *",
            "0123456789abcdefg",
            "unsigned long long int *",
            "0123456789abcdef0123456789abcdef",
        ] {
            let l = Last::new();
            l.hold((1, 2), n, 7u32);
            assert_eq!(l.find((1, 2), n), Some(7), "{n:?}");
            assert_eq!(l.find((1, 3), n), None);
            assert_eq!(l.find((2, 2), n), None);
            for i in 0..n.len() {
                let mut b = n.as_bytes().to_vec();
                b[i] ^= 1;
                let other = String::from_utf8(b).unwrap();
                assert_eq!(l.find((1, 2), &other), None, "{n:?} vs {other:?}");
            }
            assert_eq!(l.find((1, 2), &format!("{n} ")), None);
            if let Some(shorter) = n.get(..n.len().saturating_sub(1)).filter(|_| !n.is_empty()) {
                assert_eq!(l.find((1, 2), shorter), None);
            }
        }
        let long = "x".repeat(33);
        let l = Last::new();
        l.hold((1, 2), "x", 7u32);
        l.hold((1, 2), &long, 7u32);
        assert_eq!(l.find((1, 2), &long), None);
        assert_eq!(
            l.find((1, 2), "x"),
            None,
            "a name too long clears the last one"
        );
    }

    #[test]
    fn finds_by_key_and_name() {
        let mut r = Recent::<u32>::new();
        assert_eq!(r.find((1, 0), "a"), None);
        r.insert((1, 0), "a", 10);
        assert_eq!(r.find((1, 0), "a"), Some(10));
        assert_eq!(r.find((1, 1), "a"), None, "another generation misses");
        assert_eq!(r.find((2, 0), "a"), None, "another owner misses");
        r.insert((1, 1), "a", 11);
        assert_eq!(r.find((1, 1), "a"), Some(11));
    }

    /// Far more names than slots: some are dropped, none is ever answered wrong.
    #[test]
    fn names_past_the_slots_are_dropped_never_answered_wrong() {
        let mut r = Recent::<u32>::new();
        for i in 0..2000 {
            r.insert((3, 1), &format!("t{i}"), i);
        }
        let found = (0..2000)
            .filter(|&i| {
                let got = r.find((3, 1), &format!("t{i}"));
                assert!(got.is_none() || got == Some(i), "t{i}: {got:?}");
                got.is_some()
            })
            .count();
        assert!(found <= Recent::<u32>::SLOTS + 4, "{found}");
        assert!(found > 0);
    }

    /// Sixteen names (a program's type strings, its functions) all stay, whatever the owner
    /// id: with one slot per name, two of them shared a slot for about a third of the ids.
    #[test]
    fn sixteen_names_all_stay_for_every_owner() {
        for id in 0..500u64 {
            let mut r = Recent::<u32>::new();
            let names: Vec<String> = (0..16).map(|i| format!("n{i}_t *")).collect();
            for (i, n) in names.iter().enumerate() {
                r.insert((id, 0), n, i as u32);
            }
            for (i, n) in names.iter().enumerate() {
                assert_eq!(r.find((id, 0), n), Some(i as u32), "owner {id}, {n}");
            }
        }
    }

    #[test]
    fn sixty_four_names_all_stay() {
        // 64 names in a 256-slot cache: all keep a slot; none is ever answered wrong.
        let mut r = Recent::<u32>::new();
        for i in 0..64 {
            r.insert((1, 0), &format!("name{i}"), i);
        }
        let kept = (0..64)
            .filter(|&i| {
                let got = r.find((1, 0), &format!("name{i}"));
                assert!(got.is_none() || got == Some(i), "name{i}: {got:?}");
                got.is_some()
            })
            .count();
        assert_eq!(
            kept,
            64,
            "{kept} of 64 names kept (of {} slots)",
            Recent::<u32>::SLOTS
        );
    }
}
