//! Handing one stream to the visitor: counting and hashing what is read, draining the rest,
//! and turning read failures into [`SourceError`]s.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};

use super::{InputStats, Provenance, SourceError, Visitor};

/// A reader that counts and hashes the bytes passing through it and remembers the first
/// read error (other than `Interrupted`), which marks the stream as damaged.
struct Tap<'a> {
    inner: &'a mut dyn Read,
    bytes: u64,
    hasher: Option<Sha256>,
    damage: Option<String>,
}

impl Read for Tap<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.bytes += n as u64;
                if let Some(h) = self.hasher.as_mut() {
                    h.update(&buf[..n]);
                }
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted && self.damage.is_none() {
                    self.damage = Some(e.to_string());
                }
                Err(e)
            }
        }
    }
}

/// Give `reader` to the visitor as the stream `prov`, then drain it and report stats or damage.
/// `damage_prefix` starts the error message for a read failure, e.g. `"corrupt zip member"`;
/// `compressed_bytes` is asked for after the stream has been read to its end.
pub(super) fn deliver(
    prov: &Provenance,
    reader: &mut dyn Read,
    damage_prefix: &str,
    compressed_bytes: &dyn Fn() -> Option<u64>,
    visitor: &mut dyn Visitor,
) {
    let mut tap = Tap {
        inner: reader,
        bytes: 0,
        hasher: visitor.wants_sha256().then(Sha256::new),
        damage: None,
    };
    let result = visitor.stream(prov, &mut tap);
    // An Err after a read failure is the visitor passing the damage on; the damage itself is
    // reported below. Otherwise the Err is the visitor's own (malformed XML, ...).
    if let (Err(e), None) = (&result, &tap.damage) {
        visitor.error(SourceError::new(prov.clone(), e.to_string()));
    }
    if tap.damage.is_none() {
        // Drain what the visitor left; a failure here is recorded in `tap.damage`.
        let _ = io::copy(&mut tap, &mut io::sink());
    }
    match tap.damage.take() {
        Some(damage) => {
            tracing::debug!(input = %prov, "damaged stream");
            visitor.error(SourceError::new(
                prov.clone(),
                format!("{damage_prefix}: {damage}"),
            ));
        }
        None => {
            let stats = InputStats {
                bytes: tap.bytes,
                sha256: tap.hasher.take().map(|h| hex(&h.finalize())),
                compressed_bytes: compressed_bytes(),
            };
            visitor.stream_done(prov, &stats);
        }
    }
}

/// An uncompressed stream (a plain file or stdin).
pub(super) fn deliver_plain(prov: &Provenance, reader: &mut dyn Read, visitor: &mut dyn Visitor) {
    deliver(prov, reader, "read error", &|| None, visitor);
}

/// A gzip stream (possibly multi-member), decompressed. `zip_entry_size` is the compressed size
/// of the zip entry holding it, if it is a zip member (which then also names the damage);
/// otherwise the compressed size is the count of gzip bytes read.
pub(super) fn deliver_gzip(
    prov: &Provenance,
    reader: &mut dyn Read,
    zip_entry_size: Option<u64>,
    visitor: &mut dyn Visitor,
) {
    let counter = Rc::new(Cell::new(0u64));
    let counting = Counting {
        inner: reader,
        count: Rc::clone(&counter),
    };
    let mut gz = MultiGzDecoder::new(counting);
    let prefix = if zip_entry_size.is_some() {
        "corrupt zip member"
    } else {
        "corrupt gzip stream"
    };
    let size = || zip_entry_size.or(Some(counter.get()));
    deliver(prov, &mut gz, prefix, &size, visitor);
}

/// Counts the bytes read through it into a shared cell (the decoder owns the reader).
struct Counting<'a> {
    inner: &'a mut dyn Read,
    count: Rc<Cell<u64>>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}
