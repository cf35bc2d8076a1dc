//! The record store: a spill file of JSON records.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where a record is in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef {
    offset: u64,
    len: u32,
}

/// An anonymous temporary file (deleted when dropped, even on a crash on most systems) that
/// holds records appended while reading and read back in any order.
#[derive(Debug)]
pub struct RecordStore {
    dir: PathBuf,
    writer: Option<BufWriter<File>>,
    reader: Option<File>,
    len: u64,
}

impl RecordStore {
    /// A new, empty store in `dir`.
    pub fn new(dir: &Path) -> Result<RecordStore> {
        let f = tempfile::tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
        Ok(RecordStore {
            dir: dir.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 20, f)),
            reader: None,
            len: 0,
        })
    }

    /// Appends a record.
    pub fn push(&mut self, record: &[u8]) -> Result<RecordRef> {
        let len = u32::try_from(record.len()).map_err(|_| {
            Error::Config(format!(
                "record of {} bytes is too large for the record store",
                record.len()
            ))
        })?;
        let w = self
            .writer
            .as_mut()
            .ok_or_else(|| Error::Config("record store is closed for writing".into()))?;
        w.write_all(record).map_err(|e| Error::io(&self.dir, e))?;
        let r = RecordRef {
            offset: self.len,
            len,
        };
        self.len += u64::from(len);
        Ok(r)
    }

    /// Total bytes stored.
    pub fn bytes(&self) -> u64 {
        self.len
    }

    /// Reads a record back into `buf` (cleared first): one positioned read, in any order.
    pub fn read(&mut self, r: RecordRef, buf: &mut Vec<u8>) -> Result<()> {
        if let Some(w) = self.writer.take() {
            let f = w
                .into_inner()
                .map_err(|e| Error::io(&self.dir, e.into_error()))?;
            self.reader = Some(f);
        }
        let f = self
            .reader
            .as_mut()
            .ok_or_else(|| Error::Config("record store has no file".into()))?;
        buf.clear();
        buf.resize(r.len as usize, 0);
        read_at(f, buf, r.offset).map_err(|e| Error::io(&self.dir, e))
    }
}

#[cfg(unix)]
fn read_at(f: &mut File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

#[cfg(not(unix))]
fn read_at(f: &mut File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = RecordStore::new(dir.path()).unwrap();
        let a = s.push(b"first").unwrap();
        let b = s.push(b"").unwrap();
        let c = s.push("third ü".as_bytes()).unwrap();
        let mut buf = Vec::new();
        s.read(c, &mut buf).unwrap();
        assert_eq!(buf, "third ü".as_bytes());
        s.read(a, &mut buf).unwrap();
        assert_eq!(buf, b"first");
        s.read(b, &mut buf).unwrap();
        assert!(buf.is_empty());
    }
}
