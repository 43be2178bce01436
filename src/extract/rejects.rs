//! `rejects/`: the original bytes of every rejected record, written back out per source as a
//! NEMSIS document (the document's start, each Header's context, the rejected records, and
//! the closing tags) ready to be corrected and resubmitted. Records cut short by a
//! well-formedness error are kept byte for byte in `rejects/unreadable/`.

use crate::split::Context;
use anyhow::{Context as _, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file-system-safe name for a source (`dir/a.zip!m.xml` → `dir_a.zip_m.xml`).
pub fn safe_name(source: &str) -> String {
    let s: String = source.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    s.trim_start_matches(['.', '_']).to_string()
}

struct Open {
    file: BufWriter<File>,
    context: Arc<Context>,
}

/// Writes rejected records of the current source document.
pub struct Rejects {
    dir: PathBuf,
    open: Option<Open>,
    /// Files written, relative to the extract directory.
    pub files: Vec<String>,
}

impl Rejects {
    pub fn new(out_dir: &Path) -> Rejects {
        Rejects { dir: out_dir.join("rejects"), open: None, files: Vec::new() }
    }

    fn ensure_dir(&self, sub: &str) -> Result<PathBuf> {
        let d = self.dir.join(sub);
        std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
        Ok(d)
    }

    /// Add a rejected record of `source` (records of one source arrive together, in order).
    pub fn add(&mut self, source: &str, context: &Arc<Context>, bytes: &[u8]) -> Result<()> {
        match &mut self.open {
            None => {
                let d = self.ensure_dir("")?;
                let name = format!("{}.rejects.xml", safe_name(source));
                let mut file = BufWriter::new(File::create(d.join(&name))?);
                self.files.push(format!("rejects/{name}"));
                file.write_all(&context.prelude)?;
                self.open = Some(Open { file, context: context.clone() });
            }
            Some(o) if !Arc::ptr_eq(&o.context, context) => {
                // A new Header: close the previous one and open this one's context.
                let ep = &o.context.epilogue;
                o.file.write_all(&ep[..ep.len() - o.context.root_close_len])?;
                o.file.write_all(b"\n")?;
                o.file.write_all(&context.prelude[context.prefix_len..])?;
                o.context = context.clone();
            }
            Some(_) => {}
        }
        let o = self.open.as_mut().unwrap();
        o.file.write_all(bytes)?;
        o.file.write_all(b"\n")?;
        Ok(())
    }

    /// Keep the bytes of a record cut short by a parse error.
    pub fn add_unreadable(&mut self, source: &str, ordinal: u64, bytes: &[u8]) -> Result<()> {
        let d = self.ensure_dir("unreadable")?;
        let name = format!("{}.record-{ordinal}.xml.part", safe_name(source));
        std::fs::write(d.join(&name), bytes)?;
        self.files.push(format!("rejects/unreadable/{name}"));
        Ok(())
    }

    /// The source document ended: close its rejects file.
    pub fn end_document(&mut self) -> Result<()> {
        if let Some(mut o) = self.open.take() {
            o.file.write_all(&o.context.epilogue)?;
            o.file.write_all(b"\n")?;
            o.file.flush()?;
        }
        Ok(())
    }
}
