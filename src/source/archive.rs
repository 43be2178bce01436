//! Zip archives: a seekable archive (a file, or a spooled nested zip) read through its central
//! directory, or a zip arriving on a stream (stdin) read through its local headers.

use std::fs::File;
use std::io::{BufReader, Read, Seek};

use zip::ZipArchive;

use super::spool::{Spool, SpoolError, NESTED_ZIP_MEMORY_LIMIT};
use super::{tap, Kind, Provenance, SourceError, Visitor};

/// A zip file on disk, `path` as it appears in provenance.
pub(super) fn visit_zip_file(file: File, path: &str, visitor: &mut dyn Visitor) {
    match ZipArchive::new(BufReader::new(file)) {
        Ok(mut archive) => visit_archive(&mut archive, path, None, visitor),
        Err(e) => visitor.error(SourceError::new(
            Provenance::file(path),
            format!("cannot read zip archive: {e}"),
        )),
    }
}

/// Every member of a seekable archive, in archive order. `outer` is the name of the member
/// this archive is nested in, if it is nested.
fn visit_archive<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    path: &str,
    outer: Option<&str>,
    visitor: &mut dyn Visitor,
) {
    for index in 0..archive.len() {
        let name = archive.name_for_index(index).unwrap_or("").to_owned();
        let prov = member_prov(path, outer, &name);
        match archive.by_index(index) {
            Ok(mut member) => {
                let info = MemberInfo {
                    is_dir: member.is_dir(),
                    compressed_size: member.compressed_size(),
                };
                visit_member(&mut member, &prov, &name, info, outer.is_some(), visitor);
            }
            Err(e) => visitor.error(SourceError::new(
                prov,
                format!("cannot open zip member: {e}"),
            )),
        }
    }
}

/// A zip arriving on a non-seekable stream, read member by member from the local headers.
/// After a broken header there is no telling where the next member starts, so that ends it.
pub(super) fn visit_zip_stream(path: &str, mut reader: &mut dyn Read, visitor: &mut dyn Visitor) {
    loop {
        match zip::read::read_zipfile_from_stream(&mut reader) {
            Ok(None) => return, // reached the central directory
            Ok(Some(mut member)) => {
                let name = member.name().to_owned();
                let prov = member_prov(path, None, &name);
                let info = MemberInfo {
                    is_dir: member.is_dir(),
                    compressed_size: member.compressed_size(),
                };
                visit_member(&mut member, &prov, &name, info, false, visitor);
                // Dropping `member` skips whatever is left of its compressed data.
            }
            Err(e) => {
                let prov = Provenance::file(path);
                return visitor.error(SourceError::new(
                    prov,
                    format!("cannot read zip stream: {e}"),
                ));
            }
        }
    }
}

struct MemberInfo {
    is_dir: bool,
    compressed_size: u64,
}

/// Provenance of member `name`, inside the nested member `outer` if there is one.
fn member_prov(path: &str, outer: Option<&str>, name: &str) -> Provenance {
    match outer {
        None => Provenance::member(path, name),
        Some(outer) => Provenance::member(path, format!("{outer}!{name}")),
    }
}

/// One member: stream it, gunzip it, open it as a nested zip, or skip it.
fn visit_member(
    reader: &mut dyn Read,
    prov: &Provenance,
    name: &str,
    info: MemberInfo,
    nested: bool,
    visitor: &mut dyn Visitor,
) {
    if info.is_dir {
        return;
    }
    if is_resource_fork(name) {
        return visitor.skipped(prov, "macOS resource fork (__MACOSX/ or ._ file)");
    }
    match Kind::from_name(name) {
        Some(Kind::Xml) => {
            // Read the member through to its CRC check before any record is taken from it, so a
            // corrupt member never yields records (a spool: memory up to a limit, then a file).
            let mut spool = match Spool::new(reader, NESTED_ZIP_MEMORY_LIMIT) {
                Ok(spool) => spool,
                Err(SpoolError::Read(e)) => {
                    return visitor.error(SourceError::new(prov.clone(), format!("corrupt zip member: {e}")));
                }
                Err(SpoolError::Write(e)) => {
                    let msg = format!("cannot copy zip member to a temporary file: {e}");
                    return visitor.error(SourceError::new(prov.clone(), msg));
                }
            };
            let size = info.compressed_size;
            tap::deliver(prov, &mut spool, "corrupt zip member", &|| Some(size), visitor);
        }
        Some(Kind::Gzip) => tap::deliver_gzip(prov, reader, Some(info.compressed_size), visitor),
        Some(Kind::Zip) if nested => {
            visitor.skipped(prov, "zip nested more than one level deep is not opened")
        }
        Some(Kind::Zip) => {
            let spool = match Spool::new(reader, NESTED_ZIP_MEMORY_LIMIT) {
                Ok(spool) => spool,
                Err(SpoolError::Read(e)) => {
                    let err = SourceError::new(prov.clone(), format!("corrupt zip member: {e}"));
                    return visitor.error(err);
                }
                Err(SpoolError::Write(e)) => {
                    let msg = format!("cannot copy nested zip to a temporary file: {e}");
                    return visitor.error(SourceError::new(prov.clone(), msg));
                }
            };
            match ZipArchive::new(spool) {
                Ok(mut inner) => visit_archive(&mut inner, &prov.path, Some(name), visitor),
                Err(e) => visitor.error(SourceError::new(
                    prov.clone(),
                    format!("cannot read nested zip archive: {e}"),
                )),
            }
        }
        None => visitor.skipped(prov, "not an .xml, .zip or .gz member"),
    }
}

/// AppleDouble entries that macOS puts in zips: `__MACOSX/...` and `._name`.
fn is_resource_fork(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    name.starts_with("__MACOSX/") || base.starts_with("._")
}
