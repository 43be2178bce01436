//! A seekable copy of a nested zip member: in memory when small, else in a temporary file.
//!
//! A zip's member list lives in its central directory at the end, so reading a zip properly
//! needs `Seek`; a member of another zip is only a forward stream. Nested archives are usually
//! small (a zip of a few exports), so up to [`NESTED_ZIP_MEMORY_LIMIT`] bytes are kept in
//! memory, which costs no disk I/O and leaves nothing behind; a larger one is spilled to a
//! temporary file (deleted when done) so that memory stays bounded whatever the input.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Nested zips up to this many bytes are held in memory; larger ones go to a temporary file
/// in [`std::env::temp_dir`].
pub const NESTED_ZIP_MEMORY_LIMIT: u64 = 32 * 1024 * 1024;

/// Why spooling failed: reading the source (damage) or writing the temporary file.
#[derive(Debug)]
pub(super) enum SpoolError {
    Read(io::Error),
    Write(io::Error),
}

/// A seekable copy of a stream.
pub(super) enum Spool {
    Memory(Cursor<Vec<u8>>),
    Disk(TempFile),
}

impl Spool {
    /// Copy all of `reader`, in memory if it has at most `memory_limit` bytes.
    pub(super) fn new(reader: &mut dyn Read, memory_limit: u64) -> Result<Spool, SpoolError> {
        let mut head = Vec::new();
        reader
            .take(memory_limit + 1)
            .read_to_end(&mut head)
            .map_err(SpoolError::Read)?;
        if head.len() as u64 <= memory_limit {
            return Ok(Spool::Memory(Cursor::new(head)));
        }
        let mut temp = TempFile::create().map_err(SpoolError::Write)?;
        let file = temp.file();
        file.write_all(&head).map_err(SpoolError::Write)?;
        drop(head);
        copy_split(reader, file)?;
        file.seek(SeekFrom::Start(0)).map_err(SpoolError::Write)?;
        Ok(Spool::Disk(temp))
    }

    #[cfg(test)]
    fn is_on_disk(&self) -> bool {
        matches!(self, Spool::Disk(_))
    }
}

/// `io::copy`, but telling read failures from write failures.
fn copy_split(reader: &mut dyn Read, writer: &mut dyn Write) -> Result<(), SpoolError> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(SpoolError::Read(e)),
        };
        writer.write_all(&buf[..n]).map_err(SpoolError::Write)?;
    }
}

impl Read for Spool {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Spool::Memory(c) => c.read(buf),
            Spool::Disk(t) => t.file().read(buf),
        }
    }
}

impl Seek for Spool {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            Spool::Memory(c) => c.seek(pos),
            Spool::Disk(t) => t.file().seek(pos),
        }
    }
}

/// A file created fresh in the temp directory and removed on drop.
pub(super) struct TempFile {
    file: Option<File>,
    path: PathBuf,
}

impl TempFile {
    fn create() -> io::Result<TempFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let mut last_err = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(
                "nemsis-nested-{}-{n}-{nanos}.zip",
                std::process::id()
            ));
            // create_new: never open (or clobber) a file someone else put there.
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(TempFile {
                        file: Some(file),
                        path,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| io::Error::other("no free temporary file name")))
    }

    fn file(&mut self) -> &mut File {
        self.file
            .as_mut()
            .expect("temporary file is open until drop")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        drop(self.file.take()); // close first: some platforms cannot remove an open file
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_stays_in_memory_large_spills_to_disk_and_is_removed() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();

        let mut small = Spool::new(&mut &data[..], 1000).unwrap();
        assert!(!small.is_on_disk());
        let mut back = Vec::new();
        small.read_to_end(&mut back).unwrap();
        assert_eq!(back, data);

        let mut big = Spool::new(&mut &data[..], 999).unwrap();
        assert!(big.is_on_disk());
        let path = match &big {
            Spool::Disk(t) => t.path.clone(),
            Spool::Memory(_) => unreachable!(),
        };
        assert!(path.exists());
        let mut back = Vec::new();
        big.read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
        big.seek(SeekFrom::Start(10)).unwrap();
        let mut ten = [0u8; 10];
        big.read_exact(&mut ten).unwrap();
        assert_eq!(&ten[..], &data[10..20]);
        drop(big);
        assert!(!path.exists());
    }
}
