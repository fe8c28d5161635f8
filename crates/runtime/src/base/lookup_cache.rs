//! [`Recent`]: a thread's lookups by name, checked before a shared (locked) cache. Type
//! strings (`Ffi::parse`) and functions called by name (`Lib::call`) use it; [`Last`], the
//! last name found, is checked before it.

use std::cell::Cell;
use std::thread::LocalKey;

/// A per-thread cache: (owner id, generation, name) -> value. Owner ids are never reused and a
/// new generation makes old entries miss, so an entry cannot outlive what it describes.
///
/// [`SLOTS`] slots, two of them chosen for each name by a hash of its [`probe`] words, its length
/// and its key, so that a program using many names finds them all here: a new name takes a
/// free one of its two slots, or moves an entry on to that entry's other slot (cuckoo
/// hashing), so there is no cliff at some count of names (a list of eight missed every time on
/// its ninth name, and every miss took a lock). One slot per name was not enough: among 16
/// names, two shared a slot for a third of the owner ids, and those two missed in turn, each
/// miss a read lock of the shared cache, which two threads contend for. An entry keeps its
/// name's words, compared in line (a name of up to [`LAST_NAME`] bytes is equal when they
/// are), and its hash, so that moving it needs no rehash: a loop over 16 function names took
/// 254 instructions more a call than one over one name when a list of the last four names was
/// scanned first, then the name hashed byte by byte and compared through its `Box<str>`.
pub(crate) struct Recent<V> {
    /// The hashed slots; empty until the first insert.
    slots: Vec<Option<Entry<V>>>,
}

struct Entry<V> {
    key: (u64, u64),
    words: [u64; 4],
    /// The whole name: its length (kept in the box's pointer, read without a load through it)
    /// compared always, its bytes for names longer than [`LAST_NAME`] bytes.
    name: Box<[u8]>,
    hash: u64,
    value: V,
}

impl<V> Entry<V> {
    #[inline(always)]
    fn is(&self, key: (u64, u64), name: &Name<'_>) -> bool {
        self.key == key
            && self.name.len() == name.bytes.len()
            && self.words == name.words
            && (name.bytes.len() <= LAST_NAME || *self.name == *name.bytes)
    }
}

/// A name's hash, from its words, length and key (the cache is a thread's own, its names the
/// program's: a collision only misses): pairs of words, each xored with a constant, multiplied
/// into 128 bits and folded (`foldhash`'s mix), four multiplications in all.
#[inline(always)]
fn hash_of(key: (u64, u64), len: usize, words: &[u64; 4]) -> u64 {
    const S: [u64; 7] = [
        0x243F_6A88_85A3_08D3,
        0x1319_8A2E_0370_7344,
        0xA409_3822_299F_31D0,
        0x082E_FA98_EC4E_6C89,
        0x4528_21E6_38D0_1377,
        0xBE54_66CF_34E9_0C6C,
        0xC0AC_29B7_C97C_50DD,
    ];
    let fold = |a: u64, b: u64| {
        let m = u128::from(a) * u128::from(b);
        (m as u64) ^ ((m >> 64) as u64)
    };
    let a = fold(words[0] ^ S[0], words[1] ^ S[1]);
    let b = fold(words[2] ^ S[2], words[3] ^ S[3]);
    let c = fold(key.0 ^ S[4], (key.1 ^ len as u64) ^ S[5]);
    fold(a ^ c, b ^ S[6])
}

/// The two slots of a hash, never the same one (the second differs from the first at least in
/// its lowest bit): a name whose two slots were one was lost whenever another name took it,
/// which among 16 names happened for some owner ids of the first 5,000.
#[inline(always)]
fn slots_of(hash: u64) -> [usize; 2] {
    let first = hash as usize & (SLOTS - 1);
    [first, (first ^ ((hash >> 32) as usize | 1)) & (SLOTS - 1)]
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
/// they cover every byte (overlapping where the length is not a multiple of their size). A
/// longer name's are its first and last 16 bytes, which tell it apart only with the whole name
/// compared as well ([`Recent`] does; [`Last`] holds no such name).
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
        17.. => [word(0), word(8), word(n - 16), word(n - 8)],
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

/// A name looked up past [`Last`], with its [`probe`] words, made once for the levels after it.
#[derive(Clone, Copy)]
pub(crate) struct Name<'a> {
    bytes: &'a [u8],
    words: [u64; 4],
}

impl<'a> Name<'a> {
    /// `name` and its words.
    #[inline(always)]
    pub(crate) fn new(name: &'a str) -> Name<'a> {
        let bytes = name.as_bytes();
        Name {
            bytes,
            words: probe(bytes),
        }
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
        // A name longer than `LAST_NAME` bytes is never held (its length never matches). Its
        // words are made only once the rest matched: the loop over one name finds it here.
        let b = name.as_bytes();
        if self.len.get() != b.len() || self.owner.get() != key.0 || self.generation.get() != key.1
        {
            return None;
        }
        if self.words.iter().zip(probe(b)).all(|(w, p)| w.get() == p) {
            self.value.get()
        } else {
            None
        }
    }

    /// Holds `value` for `name` under `key` (a name too long to hold clears it).
    pub(crate) fn hold(&self, key: (u64, u64), name: &Name<'_>, value: V) {
        if name.bytes.len() > LAST_NAME {
            self.len.set(usize::MAX);
            return;
        }
        self.owner.set(key.0);
        self.generation.set(key.1);
        self.len.set(name.bytes.len());
        for (w, p) in self.words.iter().zip(name.words) {
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
        name: &Name<'_>,
        value: V,
    ) {
        let _ = lasts.try_with(|l| l.of(key).hold(key, name, value));
    }
}

const SLOTS: usize = 256;
/// How many entries one insert may move on (the last one moved is dropped).
const MOVES: usize = 8;

impl<V: Copy> Recent<V> {
    /// How many hashed slots a cache has (a power of two).
    #[cfg(test)]
    pub(crate) const SLOTS: usize = SLOTS;

    /// An empty cache (usable in a `thread_local!` initializer).
    pub(crate) const fn new() -> Recent<V> {
        Recent { slots: Vec::new() }
    }

    /// The value for `name` under `key` (owner id, generation): its two slots, each entry
    /// compared by its words in line.
    #[inline(always)]
    pub(crate) fn find(&self, key: (u64, u64), name: &Name<'_>) -> Option<V> {
        slots_of(hash_of(key, name.bytes.len(), &name.words))
            .into_iter()
            .find_map(|i| {
                let e = self.slots.get(i)?.as_ref()?;
                e.is(key, name).then_some(e.value)
            })
    }

    /// Remembers `value` for `name` under `key` in one of its two slots — the one it has, or
    /// a free one, or else the first, whose entry moves to its own other slot, and so on a few
    /// times (cuckoo hashing: a name is lost only when a chain of full slots is longer than
    /// that, which a program's few dozen names do not make).
    pub(crate) fn insert(&mut self, key: (u64, u64), name: &Name<'_>, value: V) {
        let hash = hash_of(key, name.bytes.len(), &name.words);
        let e = Entry {
            key,
            words: name.words,
            name: name.bytes.into(),
            hash,
            value,
        };
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || None);
        }
        let [a, c] = slots_of(hash);
        let holds = |i: usize| self.slots[i].as_ref().is_some_and(|x| x.is(key, name));
        let mut at = if holds(a) {
            a
        } else if holds(c) || (self.slots[a].is_some() && self.slots[c].is_none()) {
            c
        } else {
            a
        };
        let mut moving = e;
        for _ in 0..MOVES {
            let Some(old) = self.slots[at].replace(moving) else {
                break;
            };
            let [x, y] = slots_of(old.hash);
            if old.is(key, name) {
                break;
            }
            at = if x == at { y } else { x };
            moving = old;
        }
    }
}

#[cfg(test)]
impl<V: Copy> Recent<V> {
    fn find_str(&self, key: (u64, u64), name: &str) -> Option<V> {
        self.find(key, &Name::new(name))
    }
    fn insert_str(&mut self, key: (u64, u64), name: &str, value: V) {
        self.insert(key, &Name::new(name), value);
    }
}

#[cfg(test)]
impl<V: Copy> Last<V> {
    fn hold_str(&self, key: (u64, u64), name: &str, value: V) {
        self.hold(key, &Name::new(name), value);
    }
}

#[cfg(test)]
mod tests {
    use super::Recent;

    #[test]
    fn names_are_found_only_when_every_byte_is_equal() {
        let names = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "int *",
            "struct pt *",
            "0123456789abcdef",
            "0123456789abcdefg",
            "unsigned long long",
            "0123456789abcdef0123456789abcdef",
            // Longer than the words cover: bytes 16..24 are told apart by the whole name.
            "0123456789abcdef0123456789abcdef0123456",
        ];
        let mut r = Recent::<usize>::new();
        for (i, n) in names.iter().enumerate() {
            r.insert_str((1, 0), n, i);
        }
        for (i, n) in names.iter().enumerate() {
            assert_eq!(r.find_str((1, 0), n), Some(i), "{n:?}");
            let copy = String::from(*n);
            assert_eq!(r.find_str((1, 0), copy.as_str()), Some(i), "{n:?}");
            // Every one-byte change, at every position, misses.
            for at in 0..n.len() {
                let mut b = n.as_bytes().to_vec();
                b[at] ^= 1;
                let other = String::from_utf8(b).unwrap();
                assert_eq!(r.find_str((1, 0), &other), None, "{n:?} vs {other:?}");
            }
            assert_eq!(r.find_str((1, 0), &format!("{n} ")), None);
        }
        assert_eq!(r.find_str((1, 0), "int **"), None);
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
            l.hold_str((1, 2), n, 7u32);
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
        l.hold_str((1, 2), "x", 7u32);
        l.hold_str((1, 2), &long, 7u32);
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
        assert_eq!(r.find_str((1, 0), "a"), None);
        r.insert_str((1, 0), "a", 10);
        assert_eq!(r.find_str((1, 0), "a"), Some(10));
        assert_eq!(r.find_str((1, 1), "a"), None, "another generation misses");
        assert_eq!(r.find_str((2, 0), "a"), None, "another owner misses");
        r.insert_str((1, 1), "a", 11);
        assert_eq!(r.find_str((1, 1), "a"), Some(11));
    }

    /// Far more names than slots: some are dropped, none is ever answered wrong.
    #[test]
    fn names_past_the_slots_are_dropped_never_answered_wrong() {
        let mut r = Recent::<u32>::new();
        for i in 0..2000 {
            r.insert_str((3, 1), &format!("t{i}"), i);
        }
        let found = (0..2000)
            .filter(|&i| {
                let got = r.find_str((3, 1), &format!("t{i}"));
                assert!(got.is_none() || got == Some(i), "t{i}: {got:?}");
                got.is_some()
            })
            .count();
        assert!(found <= Recent::<u32>::SLOTS, "{found}");
        assert!(found > 0);
    }

    /// Sixteen names (a program's type strings, its functions) all stay, whatever the owner
    /// id: with one slot per name, two of them shared a slot for about a third of the ids.
    #[test]
    fn sixteen_names_all_stay_for_every_owner() {
        for id in 0..5000u64 {
            let mut r = Recent::<u32>::new();
            let names: Vec<String> = (0..16).map(|i| format!("n{i}_t *")).collect();
            for (i, n) in names.iter().enumerate() {
                r.insert_str((id, 0), n, i as u32);
            }
            for (i, n) in names.iter().enumerate() {
                assert_eq!(r.find_str((id, 0), n), Some(i as u32), "owner {id}, {n}");
            }
        }
    }

    #[test]
    fn sixty_four_names_all_stay() {
        // 64 names in a 256-slot cache: all keep a slot; none is ever answered wrong.
        let mut r = Recent::<u32>::new();
        for i in 0..64 {
            r.insert_str((1, 0), &format!("name{i}"), i);
        }
        let kept = (0..64)
            .filter(|&i| {
                let got = r.find_str((1, 0), &format!("name{i}"));
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
