//! FNV-1a hashing for the short strings looked up on every value (enumeration codes in the
//! validator, dictionary codes in the extract): much cheaper than the default SipHash, and
//! those keys come from the schema or are looked up in sets we build, so hash flooding is
//! not a concern.

use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap`/`HashSet` hasher builder: `HashSet<Box<str>, Fnv>`.
pub type Fnv = BuildHasherDefault<FnvHasher>;

/// FNV-1a over the bytes written.
#[derive(Default)]
pub struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf29ce484222325 } else { self.0 };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        self.0 = h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn matches_the_published_fnv1a_vectors() {
        // FNV-1a 64-bit test vectors (Fowler/Noll/Vo): "" and "a", "foobar".
        let h = |s: &[u8]| {
            let mut x = FnvHasher::default();
            x.write(s);
            x.finish()
        };
        assert_eq!(h(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(h(b"foobar"), 0x85944171f73967e8);
        assert_ne!(Fnv::default().hash_one("3101001"), Fnv::default().hash_one("3101003"));
    }
}
