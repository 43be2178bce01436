//! Inputs → byte streams with provenance.
//!
//! This is the first stage of the pipeline: it turns what the user named on the command line
//! (files, directories, `.zip` archives, `.gz` files, or `-` for stdin) into a sequence of
//! decompressed XML byte streams, each labelled with a [`Provenance`] ("which file, which zip
//! member"), and hands them one at a time to a [`Visitor`]. Nothing here parses XML.
//!
//! It is a callback visitor rather than an iterator because a zip member's reader borrows its
//! archive; the visitor sees each stream while the borrow is alive, and everything is streamed
//! with bounded memory (no input is ever read into memory whole).
//!
//! Rules:
//! * **Directories** are walked recursively, entries of each directory in order of their file
//!   name bytes, descending into a sub-directory at its place in that order (symbolic links are
//!   followed; a link back to an ancestor directory is reported as skipped). Files ending in
//!   `.xml`, `.zip` or `.gz` (any case) are read; other files are ignored silently.
//! * A **file named explicitly** is always read whatever its name: `.zip` / `.gz` / `.xml` by
//!   extension, anything else by its magic bytes (`PK\x03\x04` zip, `\x1f\x8b` gzip, otherwise
//!   plain XML). A named FIFO or device (e.g. `<(zcat x.gz)`) is read as a stream, like stdin.
//! * **Zip archives** are read member by member in archive order. Directory members are ignored;
//!   members ending in `.xml` are streamed, `.gz` members are gunzipped, `.zip` members are opened
//!   as nested archives one level deep (see [`NESTED_ZIP_MEMORY_LIMIT`]); any other member, a
//!   macOS `__MACOSX/` or `._*` resource-fork entry, or a zip nested two levels deep is reported
//!   through [`Visitor::skipped`].
//! * **Gzip** input may have several members (concatenated `.gz` files); they are read as one
//!   stream.
//! * **Stdin** (`-`) is sniffed by magic bytes; a zip on stdin is read with the streaming zip
//!   reader (local headers only), so a zip written with data descriptors cannot be read from
//!   stdin and is reported as an error — pass it as a file instead.
//!
//! Every stream given to the visitor is counted and SHA-256 hashed as it is read; what the
//! visitor leaves unread is drained, and the totals arrive in [`Visitor::stream_done`].
//! Damage (unreadable path, bad zip CRC, truncated gzip, ...) is reported through
//! [`Visitor::error`] with the provenance of the damaged stream, and the walk carries on with
//! the next member or input. Messages and logs name paths and members only, never file contents.

mod archive;
mod spool;
mod tap;

use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub use spool::NESTED_ZIP_MEMORY_LIMIT;

/// The `path` used in the provenance of data read from stdin (`-` on the command line).
pub const STDIN_PATH: &str = "<stdin>";

/// Where a byte stream came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Provenance {
    /// The input path as given (or as reached by walking a directory given), or [`STDIN_PATH`].
    pub path: String,
    /// The zip member name, `"inner.xml"`, or for a member of a nested zip `"inner.zip!a.xml"`.
    pub member: Option<String>,
}

impl Provenance {
    /// A provenance for a whole file (no zip member).
    pub fn file(path: impl Into<String>) -> Self {
        Provenance {
            path: path.into(),
            member: None,
        }
    }

    /// A provenance for a member of the zip archive at `path`.
    pub fn member(path: impl Into<String>, member: impl Into<String>) -> Self {
        Provenance {
            path: path.into(),
            member: Some(member.into()),
        }
    }

    /// `"path"`, or `"path!member"` for a zip member.
    pub fn display(&self) -> String {
        self.to_string()
    }
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.member {
            None => f.write_str(&self.path),
            Some(member) => write!(f, "{}!{}", self.path, member),
        }
    }
}

/// What was read from one stream, reported after the visitor returns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputStats {
    /// Number of bytes of the (decompressed) stream.
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the (decompressed) stream, when the visitor asked for it
    /// ([`Visitor::wants_sha256`]).
    pub sha256: Option<String>,
    /// Size of the stream as stored, before decompression: the compressed size of a zip member
    /// (of its zip entry, for a `.gz` member), the bytes of a gzip file or stream; `None` for
    /// uncompressed input.
    pub compressed_bytes: Option<u64>,
}

/// An input that could not be opened or read (unreadable path, corrupt zip member, bad gzip...).
#[derive(Debug, Clone)]
pub struct SourceError {
    pub provenance: Provenance,
    /// E.g. `"cannot open: Permission denied (os error 13)"` or
    /// `"corrupt zip member: Invalid checksum"`. Never contains file contents.
    pub message: String,
}

impl SourceError {
    fn new(provenance: Provenance, message: impl Into<String>) -> Self {
        SourceError {
            provenance,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.provenance, self.message)
    }
}

impl std::error::Error for SourceError {}

/// Receives the streams of [`visit`], in input order.
pub trait Visitor {
    /// Called once per XML stream in input order. Read as much as you like from `reader`; the
    /// remainder is drained (so stats cover the whole stream).
    ///
    /// An `Err` from reading means the stream is damaged. The source reports that damage itself
    /// through [`Visitor::error`] (once, with a message such as `"corrupt zip member: ..."`),
    /// so the visitor may simply return the read error as `Err`: an `Err` returned after the
    /// stream failed to read is taken to be a consequence of the damage and is not reported
    /// again. Any other `Err` is reported through [`Visitor::error`] with its `Display` text.
    fn stream(&mut self, prov: &Provenance, reader: &mut dyn Read) -> anyhow::Result<()>;

    /// Called after `stream` returns, with the byte count and SHA-256 of the whole stream.
    /// Called whenever the stream read cleanly to its end — also when `stream` returned `Err`
    /// (the bytes are what they are whatever the visitor made of them) — and not called for a
    /// damaged stream.
    fn stream_done(&mut self, _prov: &Provenance, _stats: &InputStats) {}

    /// Called for an input that could not be opened or read at all, or that broke part way.
    fn error(&mut self, err: SourceError);

    /// Called for a zip member or directory entry that was skipped, with the reason.
    fn skipped(&mut self, _prov: &Provenance, _reason: &str) {}

    /// Whether [`InputStats::sha256`] should be computed (hashing costs about as much CPU as
    /// tokenizing: `validate` does without it, `ingest` records it in the manifest).
    fn wants_sha256(&self) -> bool {
        true
    }
}

/// Visit every input in order (`-` is stdin). Errors of one input never stop the others.
pub fn visit(inputs: &[String], visitor: &mut dyn Visitor) {
    for input in inputs {
        if input == "-" {
            let stdin = io::stdin();
            let mut lock = stdin.lock();
            visit_reader(STDIN_PATH, &mut lock, visitor);
        } else {
            visit_path(input, visitor);
        }
    }
}

/// Visit one path named explicitly: a file (read whatever its name) or a directory (walked).
pub fn visit_path(path: &str, visitor: &mut dyn Visitor) {
    let prov = Provenance::file(path);
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return visitor.error(SourceError::new(prov, format!("cannot open: {e}"))),
    };
    if meta.is_dir() {
        let mut ancestors = Vec::new();
        walk_dir(Path::new(path), &mut ancestors, visitor);
    } else if meta.is_file() {
        visit_file(Path::new(path), prov, visitor);
    } else {
        // FIFO, character device, ...: not seekable, so read it like stdin.
        match File::open(path) {
            Ok(mut file) => visit_reader(path, &mut file, visitor),
            Err(e) => visitor.error(SourceError::new(prov, format!("cannot open: {e}"))),
        }
    }
}

/// Visit a non-seekable byte stream such as stdin, labelled `path` in provenance. Zip and gzip
/// are recognised by their magic bytes; anything else is one XML stream.
pub fn visit_reader(path: &str, reader: &mut dyn Read, visitor: &mut dyn Visitor) {
    let mut magic = [0u8; 4];
    let n = match read_prefix(reader, &mut magic) {
        Ok(n) => n,
        Err(e) => {
            let prov = Provenance::file(path);
            return visitor.error(SourceError::new(prov, format!("read error: {e}")));
        }
    };
    let mut whole = io::Cursor::new(&magic[..n]).chain(reader);
    match Kind::sniff(&magic[..n]) {
        Kind::Zip => archive::visit_zip_stream(path, &mut whole, visitor),
        Kind::Gzip => tap::deliver_gzip(&Provenance::file(path), &mut whole, None, visitor),
        Kind::Xml => tap::deliver_plain(&Provenance::file(path), &mut whole, visitor),
    }
}

/// How a byte stream is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xml,
    Zip,
    Gzip,
}

impl Kind {
    /// By file name extension (case-insensitive); `None` if it is none of ours.
    fn from_name(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".xml") {
            Some(Kind::Xml)
        } else if lower.ends_with(".zip") {
            Some(Kind::Zip)
        } else if lower.ends_with(".gz") {
            Some(Kind::Gzip)
        } else {
            None
        }
    }

    /// By magic bytes; plain XML if neither zip nor gzip.
    fn sniff(prefix: &[u8]) -> Kind {
        if prefix.starts_with(b"PK\x03\x04") {
            Kind::Zip
        } else if prefix.starts_with(b"\x1f\x8b") {
            Kind::Gzip
        } else {
            Kind::Xml
        }
    }
}

/// Read up to `buf.len()` bytes, stopping early only at end of stream.
fn read_prefix(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Read one regular file, by extension or else by magic bytes.
fn visit_file(path: &Path, prov: Provenance, visitor: &mut dyn Visitor) {
    tracing::debug!(input = %prov, "reading file");
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return visitor.error(SourceError::new(prov, format!("cannot open: {e}"))),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let kind = match Kind::from_name(&name) {
        Some(kind) => kind,
        None => {
            let mut magic = [0u8; 4];
            let sniffed = read_prefix(&mut file, &mut magic).and_then(|n| {
                file.seek(SeekFrom::Start(0))
                    .map(|_| Kind::sniff(&magic[..n]))
            });
            match sniffed {
                Ok(kind) => kind,
                Err(e) => return visitor.error(SourceError::new(prov, format!("read error: {e}"))),
            }
        }
    };
    match kind {
        Kind::Xml => tap::deliver_plain(&prov, &mut BufReader::new(file), visitor),
        Kind::Gzip => tap::deliver_gzip(&prov, &mut BufReader::new(file), None, visitor),
        Kind::Zip => archive::visit_zip_file(file, &prov.path, visitor),
    }
}

/// Walk a directory: entries sorted by file name bytes, sub-directories visited in place.
/// `ancestors` holds the canonical paths of the directories being walked, to stop link loops.
fn walk_dir(dir: &Path, ancestors: &mut Vec<PathBuf>, visitor: &mut dyn Visitor) {
    let prov = Provenance::file(dir.to_string_lossy());
    let canonical = match fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            return visitor.error(SourceError::new(
                prov,
                format!("cannot read directory: {e}"),
            ))
        }
    };
    if ancestors.contains(&canonical) {
        return visitor.skipped(
            &prov,
            "directory loop: links back to a directory being read",
        );
    }
    let mut entries = Vec::new();
    match fs::read_dir(dir) {
        Ok(iter) => {
            for entry in iter {
                match entry {
                    Ok(entry) => entries.push(entry.file_name()),
                    Err(e) => {
                        let err =
                            SourceError::new(prov.clone(), format!("cannot read directory: {e}"));
                        visitor.error(err);
                    }
                }
            }
        }
        Err(e) => {
            return visitor.error(SourceError::new(
                prov,
                format!("cannot read directory: {e}"),
            ))
        }
    }
    entries.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));

    ancestors.push(canonical);
    for name in entries {
        let path = dir.join(&name);
        let entry_prov = Provenance::file(path.to_string_lossy());
        let wanted = Kind::from_name(&name.to_string_lossy()).is_some();
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk_dir(&path, ancestors, visitor),
            Ok(meta) if meta.is_file() => {
                if wanted {
                    visit_file(&path, entry_prov, visitor);
                }
            }
            Ok(_) => {
                if wanted {
                    visitor.skipped(&entry_prov, "not a regular file");
                }
            }
            // e.g. a dangling symbolic link: only worth reporting if we would have read it.
            Err(e) => {
                if wanted {
                    visitor.error(SourceError::new(entry_prov, format!("cannot open: {e}")));
                }
            }
        }
    }
    ancestors.pop();
}
