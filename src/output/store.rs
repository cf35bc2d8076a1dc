//! The record store: JSON records spilled to memory or a temporary file, and references to
//! records that can be read back from the input files themselves.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};

/// Where a record is in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordRef {
    offset: u64,
    len: u32,
    /// 0: the spilled records (in memory or in the spill file); `i + 1`: input file `i` of
    /// the store.
    src: u32,
    /// xxh3 of the record, checked when it is read back from an input file.
    hash: u64,
}

impl RecordRef {
    /// Length of the record in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True for an empty record.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where the record is: its file (0: the spilled records) and byte offset. Reading records
    /// in this order reads each file forwards.
    pub fn position(&self) -> (u32, u64) {
        (self.src, self.offset)
    }

    /// Where this record is in a span read from `first` on ([`RecordStore::read_span`]),
    /// `first` being a record of the same file at or before this one.
    pub fn range_in_span(&self, first: &RecordRef) -> std::ops::Range<usize> {
        let at = (self.offset - first.offset) as usize;
        at..at + self.len as usize
    }

    /// The number of bytes between the end of this record and the start of `next` when `next`
    /// is in the same file (spill file or input file) after this record, at most `max_gap`
    /// bytes on: the two can then be read back as one span ([`RecordStore::read_span`]).
    pub fn gap_to(&self, next: &RecordRef, max_gap: u64) -> Option<u64> {
        let end = self.offset + u64::from(self.len);
        let gap = next.offset.checked_sub(end)?;
        (self.src == next.src && gap <= max_gap).then_some(gap)
    }
}

/// Spilled bytes a store holds in memory by default before it moves them to its temporary
/// file ([`RecordStore::new`]). With 64 MiB, `clean` needs no temporary file (no file to
/// create, no write and read calls) for a corpus of up to about 30 MB, whose page analyses take
/// about twice the size of its text (a corpus of up to about 13 MB is held whole, records and
/// texts too: see `jobs::clean`); the memory it adds, at most this much per store, is small
/// next to what a job needs for a larger corpus (`clean`: about 250 MB for 50 MB of text), and
/// it stays bounded on corpora of any size.
pub const DEFAULT_MEMORY_BUDGET: usize = 64 << 20;

/// Bytes per block of spilled records held in memory.
const BLOCK: usize = 1 << 20;

/// Spilled records held in memory: blocks of [`BLOCK`] bytes (or one larger record), each
/// allocated once, so that memory grows without moving (and briefly doubling) what is held.
/// A record is never split between blocks: it can be borrowed in place.
#[derive(Debug, Default)]
struct Blocks {
    /// The blocks, in order; their bytes one after the other are the records.
    blocks: Vec<Vec<u8>>,
    /// Where each block starts among the records.
    starts: Vec<usize>,
    len: usize,
}

impl Blocks {
    fn push(&mut self, record: &[u8]) {
        match self.blocks.last_mut() {
            Some(b) if b.capacity() - b.len() >= record.len() => b.extend_from_slice(record),
            _ => {
                let mut b = Vec::with_capacity(record.len().max(BLOCK));
                b.extend_from_slice(record);
                self.blocks.push(b);
                self.starts.push(self.len);
            }
        }
        self.len += record.len();
    }

    /// Takes `record` as a block of its own (no copy; later records may fill its spare
    /// capacity).
    fn adopt(&mut self, record: Vec<u8>) {
        let len = record.len();
        self.blocks.push(record);
        self.starts.push(self.len);
        self.len += len;
    }

    /// The pieces, in order, of bytes `offset..offset + len` (`None` when past the end).
    fn pieces(&self, offset: usize, len: usize) -> Option<impl Iterator<Item = &[u8]>> {
        let end = offset.checked_add(len).filter(|&end| end <= self.len)?;
        // The block that holds `offset`, and the ones after it up to `end`.
        let first = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        Some(
            self.blocks
                .iter()
                .zip(&self.starts)
                .skip(first)
                .take_while(move |&(_, &s)| s < end)
                .map(move |(b, &s)| &b[offset.max(s) - s..(end - s).min(b.len())]),
        )
    }

    /// Bytes `offset..offset + len` when they are in one block (as every record is).
    fn get(&self, offset: usize, len: usize) -> Option<&[u8]> {
        match self.pieces(offset, len)?.next() {
            Some(piece) if piece.len() == len => Some(piece),
            None if len == 0 => Some(&[]),
            _ => None,
        }
    }
}

/// A record given to [`RecordStore::append`].
enum Incoming<'a> {
    Borrowed(&'a [u8]),
    Owned(Vec<u8>),
}

impl Incoming<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Incoming::Borrowed(b) => b,
            Incoming::Owned(v) => v,
        }
    }
}

/// Where the spilled records are.
#[derive(Debug)]
enum Spill {
    /// In memory, while they are under the budget (no file created yet).
    Memory(Blocks),
    /// Written to the temporary file.
    Writing(BufWriter<File>),
    /// In the temporary file, flushed ([`RecordStore::finish_writing`]).
    File(File),
}

/// Records appended while reading and read back in any order: in memory while they take less
/// than the store's memory budget, then in an anonymous temporary file (deleted when dropped,
/// even on a crash on most systems), which then holds them all. Records that are exact byte
/// ranges of an uncompressed input file are not copied: the store keeps where they are
/// ([`RecordStore::push_in_file`]) and reads them back from that file, checking their hash.
#[derive(Debug)]
pub struct RecordStore {
    dir: PathBuf,
    spill: Spill,
    /// Most bytes held in memory.
    budget: usize,
    /// False once [`RecordStore::finish_writing`] was called.
    writable: bool,
    len: u64,
    /// Input files records are read back from, each opened on first read.
    files: Vec<(Arc<Path>, Option<File>)>,
}

impl RecordStore {
    /// A new, empty store that holds at most `memory_budget` bytes of spilled records in
    /// memory ([`DEFAULT_MEMORY_BUDGET`] is the jobs' choice). Past that it creates its
    /// temporary file in `dir`, moves the records it holds there and writes every later one
    /// there too; a budget of 0 spills every record to the file.
    pub fn new(dir: &Path, memory_budget: usize) -> RecordStore {
        RecordStore {
            dir: dir.to_path_buf(),
            spill: Spill::Memory(Blocks::default()),
            budget: memory_budget,
            writable: true,
            len: 0,
            files: Vec::new(),
        }
    }

    /// Appends a record.
    pub fn push(&mut self, record: &[u8]) -> Result<RecordRef> {
        self.append(Incoming::Borrowed(record))
    }

    /// Appends a record the store may keep as it is: while the store is under its budget it
    /// holds the buffer itself, without a copy (a buffer filled on another thread then costs
    /// no second copy, nor the memory for one).
    pub fn push_owned(&mut self, record: Vec<u8>) -> Result<RecordRef> {
        self.append(Incoming::Owned(record))
    }

    /// Whether `n` more bytes would still be held in memory.
    fn has_room(&self, n: usize) -> bool {
        matches!(&self.spill, Spill::Memory(held) if held.len + n <= self.budget)
    }

    fn append(&mut self, incoming: Incoming<'_>) -> Result<RecordRef> {
        let record = incoming.bytes();
        let len = u32::try_from(record.len()).map_err(|_| {
            Error::Config(format!(
                "record of {} bytes is too large for the record store",
                record.len()
            ))
        })?;
        let closed = || Error::Config("record store is closed for writing".into());
        if !self.writable {
            return Err(closed());
        }
        let room = self.has_room(record.len());
        let io = |e| Error::io(&self.dir, e);
        match &mut self.spill {
            Spill::Memory(held) if room => match incoming {
                Incoming::Borrowed(record) => held.push(record),
                Incoming::Owned(record) => held.adopt(record),
            },
            Spill::Memory(held) => {
                // Over the budget: from now on every record is in the file, these first.
                let f = tempfile::tempfile_in(&self.dir).map_err(io)?;
                let mut w = BufWriter::with_capacity(1 << 20, f);
                for block in &held.blocks {
                    w.write_all(block).map_err(io)?;
                }
                w.write_all(record).map_err(io)?;
                self.spill = Spill::Writing(w);
            }
            Spill::Writing(w) => w.write_all(record).map_err(io)?,
            Spill::File(_) => return Err(closed()),
        }
        let r = RecordRef {
            offset: self.len,
            len,
            src: 0,
            hash: 0,
        };
        self.len += u64::from(len);
        Ok(r)
    }

    /// Appends `record`, which is also bytes `offset..` of `file` ([`RecordStore::push_in_file`]):
    /// held in memory when it fits in the budget (read back then without a read or a hash
    /// check), else kept as its place in the file.
    pub fn push_held_or_in_file(
        &mut self,
        record: Vec<u8>,
        file: &Arc<Path>,
        offset: u64,
        hash: u64,
    ) -> Result<RecordRef> {
        if self.has_room(record.len()) {
            self.push_owned(record)
        } else {
            self.push_in_file(file, offset, record.len(), hash)
        }
    }

    /// Records a record that is bytes `offset..offset + len` of `file` (an uncompressed regular
    /// file that stays in place while the job runs) without copying it. `hash` is the xxh3 of
    /// the record: reading it back fails if the file no longer holds those bytes.
    pub fn push_in_file(
        &mut self,
        file: &Arc<Path>,
        offset: u64,
        len: usize,
        hash: u64,
    ) -> Result<RecordRef> {
        let len = u32::try_from(len).map_err(|_| {
            Error::Config(format!(
                "record of {len} bytes is too large for the record store"
            ))
        })?;
        let i = match self.files.iter().rposition(|(p, _)| p == file) {
            Some(i) => i,
            None => {
                self.files.push((file.clone(), None));
                self.files.len() - 1
            }
        };
        let src = u32::try_from(i + 1)
            .map_err(|_| Error::Config("too many input files for the record store".into()))?;
        Ok(RecordRef {
            offset,
            len,
            src,
            hash,
        })
    }

    /// Total bytes stored.
    pub fn bytes(&self) -> u64 {
        self.len
    }

    /// Reads a record back into `buf` (cleared first), in any order: a copy from memory or one
    /// positioned read.
    pub fn read(&mut self, r: RecordRef, buf: &mut Vec<u8>) -> Result<()> {
        self.finish_writing()?;
        self.read_shared(r, buf)
    }

    /// Ends writing (flushes the spill file, if there is one) and opens the input files records
    /// are read back from, so that [`RecordStore::read_shared`] can then be called from any
    /// thread.
    pub fn finish_writing(&mut self) -> Result<()> {
        self.writable = false;
        self.spill = match std::mem::replace(&mut self.spill, Spill::Memory(Blocks::default())) {
            Spill::Writing(w) => Spill::File(
                w.into_inner()
                    .map_err(|e| Error::io(&self.dir, e.into_error()))?,
            ),
            spill => spill,
        };
        for (path, file) in &mut self.files {
            if file.is_none() {
                *file = Some(File::open(&**path).map_err(|e| Error::io(&**path, e))?);
            }
        }
        Ok(())
    }

    /// The bytes of record `r` when the store holds them in memory (a spilled record while the
    /// store is under its memory budget), to be used in place, without a copy; `None` for a
    /// record in the spill file or in an input file.
    pub fn in_memory(&self, r: RecordRef) -> Option<&[u8]> {
        match &self.spill {
            Spill::Memory(held) if r.src == 0 => {
                held.get(usize::try_from(r.offset).ok()?, r.len as usize)
            }
            _ => None,
        }
    }

    /// The pieces of bytes `offset..offset + len` of source `src` when they are held in memory.
    fn held(&self, src: u32, offset: u64, len: usize) -> Option<impl Iterator<Item = &[u8]>> {
        match &self.spill {
            Spill::Memory(held) if src == 0 => held.pieces(usize::try_from(offset).ok()?, len),
            _ => None,
        }
    }

    /// The bytes of record `r`: borrowed from the store when it holds them in memory
    /// ([`RecordStore::in_memory`]), else read into `buf` as by [`RecordStore::read_shared`].
    pub fn get<'a>(&'a self, r: RecordRef, buf: &'a mut Vec<u8>) -> Result<&'a [u8]> {
        match self.in_memory(r) {
            Some(bytes) => Ok(bytes),
            None => {
                self.read_shared(r, buf)?;
                Ok(buf)
            }
        }
    }

    /// Reads records `refs` back as one span into `buf` (cleared first): from the start of the
    /// first to the end of the last, the bytes between them included. Each record must follow
    /// the one before in the same file ([`RecordRef::gap_to`]). One copy from memory or one
    /// positioned read; the hash of every record read from an input file is checked.
    /// [`RecordStore::finish_writing`] must have been called.
    pub fn read_span(&self, refs: &[RecordRef], buf: &mut Vec<u8>) -> Result<()> {
        buf.clear();
        self.read_span_at(refs, buf, 0).map(|_| ())
    }

    /// Like [`RecordStore::read_span`], but writes the span to `buf` from offset `start` on,
    /// `buf` grown when it is too short, and returns the end of the span. Several spans can
    /// share one buffer, and its memory from batch to batch: bytes already there are
    /// overwritten, not zeroed first.
    pub fn read_span_at(
        &self,
        refs: &[RecordRef],
        buf: &mut Vec<u8>,
        start: usize,
    ) -> Result<usize> {
        let (Some(first), Some(last)) = (refs.first(), refs.last()) else {
            return Ok(start);
        };
        if refs
            .windows(2)
            .any(|w| w[0].gap_to(&w[1], u64::MAX).is_none())
        {
            return Err(Error::Config(
                "record store: a span of records that do not follow each other".into(),
            ));
        }
        let end = last.offset + u64::from(last.len);
        let len = usize::try_from(end - first.offset)
            .map_err(|_| Error::Config("record store: span too large".into()))?;
        if let Some(pieces) = self.held(first.src, first.offset, len) {
            // A copy from memory: no zeroing of the part of `buf` it grows into.
            let grow = buf.len() < start + len;
            if grow {
                buf.resize(start, 0);
            }
            let mut at = start;
            for piece in pieces {
                if grow {
                    buf.extend_from_slice(piece);
                } else {
                    buf[at..at + piece.len()].copy_from_slice(piece);
                }
                at += piece.len();
            }
            return Ok(start + len);
        }
        if buf.len() < start + len {
            buf.resize(start + len, 0);
        }
        let span = &mut buf[start..start + len];
        let path = self.read_raw(first.src, first.offset, span)?;
        if let Some(path) = path {
            for r in refs {
                if xxh3_64(&span[r.range_in_span(first)]) != r.hash {
                    return Err(changed(path, r.offset));
                }
            }
        }
        Ok(start + len)
    }

    /// Fills `buf` from source `src` (0: the spilled records) at `offset`, returning the path
    /// of the input file when it is one (whose records have hashes to check).
    fn read_raw(&self, src: u32, offset: u64, buf: &mut [u8]) -> Result<Option<&Path>> {
        let not_ready = || Error::Config("record store: reading before finish_writing".into());
        if src == 0 {
            match &self.spill {
                // Held records are copied or borrowed by the callers ([`RecordStore::held`],
                // [`RecordStore::in_memory`]): one that is not there is past the end.
                Spill::Memory(_) => {
                    return Err(Error::Config(
                        "record store: a record past the end of the store".into(),
                    ))
                }
                Spill::Writing(_) => return Err(not_ready()),
                Spill::File(f) => read_at(f, buf, offset).map_err(|e| Error::io(&self.dir, e))?,
            }
            return Ok(None);
        }
        let (path, file) = self
            .files
            .get(src as usize - 1)
            .ok_or_else(|| Error::Config("record store: unknown input file".into()))?;
        let f = file.as_ref().ok_or_else(not_ready)?;
        read_at(f, buf, offset).map_err(|e| Error::io(&**path, e))?;
        Ok(Some(&**path))
    }

    /// Like [`RecordStore::read`], through a shared reference, so several threads can read at
    /// once; [`RecordStore::finish_writing`] must have been called.
    pub fn read_shared(&self, r: RecordRef, buf: &mut Vec<u8>) -> Result<()> {
        if let Some(bytes) = self.in_memory(r) {
            buf.clear();
            buf.extend_from_slice(bytes);
            return Ok(());
        }
        // Only the part of `buf` past its current length is zeroed before the read fills it.
        buf.truncate(r.len as usize);
        buf.resize(r.len as usize, 0);
        if let Some(path) = self.read_raw(r.src, r.offset, buf)? {
            if xxh3_64(buf) != r.hash {
                return Err(changed(path, r.offset));
            }
        }
        Ok(())
    }
}

/// The error for a record of an input file that no longer holds the bytes it held.
fn changed(path: &Path, offset: u64) -> Error {
    Error::io(
        path,
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file changed while dechaff was reading it (the record at byte offset \
                 {offset} differs); run again once it is complete"
            ),
        ),
    )
}

/// One positioned read that leaves the file cursor alone, so it is safe from several threads.
#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

/// One positioned read (Windows moves the cursor, but every read names its offset).
#[cfg(windows)]
fn read_at(f: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_read(buf, offset) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    // No positioned reads here: one reader at a time.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut f = f;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Budgets: every record in the file, the switch after the first records, none.
    const BUDGETS: [usize; 3] = [0, 6, usize::MAX];

    #[test]
    fn round_trip_any_order() {
        for budget in BUDGETS {
            let dir = tempfile::tempdir().unwrap();
            let mut s = RecordStore::new(dir.path(), budget);
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
            assert!(s.push(b"late").is_err(), "closed for writing once read");
        }
    }

    #[test]
    fn records_in_input_files_are_read_back_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path: Arc<Path> = Arc::from(dir.path().join("in.jsonl").as_path());
        std::fs::write(&path, b"{\"a\":1}\n{\"b\":2}\n").unwrap();
        let mut buf = Vec::new();
        for budget in BUDGETS {
            let mut s = RecordStore::new(dir.path(), budget);
            let spilled = s.push(b"spilled").unwrap();
            let second = s.push_in_file(&path, 8, 7, xxh3_64(b"{\"b\":2}")).unwrap();
            let first = s.push_in_file(&path, 0, 7, xxh3_64(b"{\"a\":1}")).unwrap();
            s.read(second, &mut buf).unwrap();
            assert_eq!(buf, b"{\"b\":2}");
            s.read(spilled, &mut buf).unwrap();
            assert_eq!(buf, b"spilled");
            s.read(first, &mut buf).unwrap();
            assert_eq!(buf, b"{\"a\":1}");
            s.finish_writing().unwrap();
            s.read_span(&[first, second], &mut buf).unwrap();
            assert_eq!(buf, b"{\"a\":1}\n{\"b\":2}");
            assert_eq!(first.gap_to(&second, 1), Some(1));
            assert_eq!(second.gap_to(&first, 1), None);
            assert_eq!(spilled.gap_to(&first, 1), None);
            assert!(s.read_span(&[second, first], &mut buf).is_err());
        }
        // The file changed under the job: an error, not wrong output.
        std::fs::write(&path, b"{\"a\":9}\n{\"b\":2}\n").unwrap();
        let mut s2 = RecordStore::new(dir.path(), 0);
        let r = s2.push_in_file(&path, 0, 7, xxh3_64(b"{\"a\":1}")).unwrap();
        assert!(s2.read(r, &mut buf).is_err());
        s2.finish_writing().unwrap();
        assert!(s2.read_span(&[r], &mut buf).is_err());
    }

    #[test]
    fn spans_of_spilled_records() {
        for budget in BUDGETS {
            let dir = tempfile::tempdir().unwrap();
            let mut s = RecordStore::new(dir.path(), budget);
            let a = s.push(b"one").unwrap();
            let b = s.push(b"").unwrap();
            let c = s.push(b"three").unwrap();
            assert_eq!(a.gap_to(&b, 0), Some(0));
            s.finish_writing().unwrap();
            let mut buf = Vec::new();
            s.read_span(&[a, b, c], &mut buf).unwrap();
            assert_eq!(buf, b"onethree");
            // Into a longer buffer: the span overwrites its place, the rest stays.
            let mut long = b"0123456789abcdef".to_vec();
            assert_eq!(s.read_span_at(&[b, c], &mut long, 2).unwrap(), 7);
            assert_eq!(long, b"01three789abcdef");
            // Past its end: the buffer grows (and is cut to the span's end).
            assert_eq!(s.read_span_at(&[a], &mut long, 14).unwrap(), 17);
            assert_eq!(long, b"01three789abcdone");
            s.read_span(&[], &mut buf).unwrap();
            assert!(buf.is_empty());
        }
    }

    /// Records of 0 to 60 bytes, each its own pattern.
    fn records(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| (0..i % 61).map(|j| (i * 7 + j) as u8).collect())
            .collect()
    }

    #[test]
    fn records_of_input_files_are_held_while_they_fit() {
        let dir = tempfile::tempdir().unwrap();
        let path: Arc<Path> = Arc::from(dir.path().join("in.jsonl").as_path());
        let lines: [&[u8]; 3] = [b"{\"a\":1}", b"{\"b\":22}", b"{\"c\":333}"];
        std::fs::write(&path, lines.join(&b'\n')).unwrap();
        // Room for the first two lines only.
        let mut s = RecordStore::new(dir.path(), lines[0].len() + lines[1].len());
        let mut offset = 0u64;
        let refs: Vec<RecordRef> = lines
            .iter()
            .map(|l| {
                let r = s
                    .push_held_or_in_file(l.to_vec(), &path, offset, xxh3_64(l))
                    .unwrap();
                offset += l.len() as u64 + 1;
                r
            })
            .collect();
        s.finish_writing().unwrap();
        assert_eq!(s.in_memory(refs[0]), Some(lines[0]));
        assert_eq!(s.in_memory(refs[1]), Some(lines[1]));
        assert_eq!(
            s.in_memory(refs[2]),
            None,
            "over the budget: left in the file"
        );
        let mut buf = Vec::new();
        for (r, want) in refs.iter().zip(lines) {
            assert_eq!(s.get(*r, &mut buf).unwrap(), want);
        }
        // The one left in the file is checked against its hash when read back.
        std::fs::write(&path, b"{\"a\":1}\n{\"b\":22}\n{\"c\":999}").unwrap();
        assert!(s.get(refs[2], &mut buf).is_err());
    }

    #[test]
    fn owned_records_are_kept_as_they_are_or_spilled() {
        let dir = tempfile::tempdir().unwrap();
        let recs = records(40);
        let total: usize = recs.iter().map(Vec::len).sum();
        for budget in [0, total / 2, usize::MAX] {
            let mut s = RecordStore::new(dir.path(), budget);
            // Owned and borrowed records mixed: the borrowed ones may fill an adopted block's
            // spare capacity.
            let refs: Vec<RecordRef> = recs
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    if i % 3 == 0 {
                        s.push(r).unwrap()
                    } else {
                        let mut v = Vec::with_capacity(r.len() + 7);
                        v.extend_from_slice(r);
                        s.push_owned(v).unwrap()
                    }
                })
                .collect();
            s.finish_writing().unwrap();
            let mut buf = Vec::new();
            for (r, want) in refs.iter().zip(&recs) {
                assert_eq!(s.get(*r, &mut buf).unwrap(), &want[..], "budget {budget}");
            }
            s.read_span(&refs, &mut buf).unwrap();
            assert_eq!(buf, recs.concat(), "budget {budget}");
            if budget == usize::MAX {
                assert!(refs.iter().all(|r| s.in_memory(*r).is_some()));
            }
        }
    }

    #[test]
    fn records_under_the_budget_stay_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let recs = records(100);
        let total: usize = recs.iter().map(Vec::len).sum();
        let mut s = RecordStore::new(dir.path(), total);
        let refs: Vec<RecordRef> = recs.iter().map(|r| s.push(r).unwrap()).collect();
        assert!(matches!(s.spill, Spill::Memory(_)), "no file at the budget");
        s.finish_writing().unwrap();
        let mut buf = Vec::new();
        for (r, want) in refs.iter().zip(&recs) {
            assert_eq!(s.in_memory(*r), Some(&want[..]));
            // Borrowed: `buf` is left alone.
            assert_eq!(s.get(*r, &mut buf).unwrap(), &want[..]);
            assert!(buf.is_empty());
            s.read(*r, &mut buf).unwrap();
            assert_eq!(&buf, want);
            buf.clear();
        }
        s.read_span(&refs, &mut buf).unwrap();
        assert_eq!(buf, recs.concat());
    }

    #[test]
    fn records_over_the_budget_move_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path: Arc<Path> = Arc::from(dir.path().join("in.jsonl").as_path());
        std::fs::write(&path, b"{\"a\":1}\n").unwrap();
        let recs = records(300);
        let mut s = RecordStore::new(dir.path(), 500);
        let mut refs = Vec::new();
        let mut switched_at = None;
        for (i, r) in recs.iter().enumerate() {
            refs.push(s.push(r).unwrap());
            match (&s.spill, switched_at) {
                (Spill::Memory(held), None) => {
                    assert!(held.len <= 500);
                    assert_eq!(s.in_memory(refs[i]), Some(&r[..]));
                }
                (Spill::Writing(_), None) => switched_at = Some(i),
                (Spill::Writing(_), Some(_)) => {}
                _ => panic!("back in memory after the switch"),
            }
        }
        let switched_at = switched_at.expect("the budget was passed");
        assert!(switched_at > 10);
        let in_file = s.push_in_file(&path, 0, 7, xxh3_64(b"{\"a\":1}")).unwrap();
        s.finish_writing().unwrap();
        assert!(refs.iter().all(|r| s.in_memory(*r).is_none()));
        assert_eq!(s.bytes(), recs.iter().map(|r| r.len() as u64).sum::<u64>());
        let mut buf = Vec::new();
        // A span across the switch, and every record alone.
        let across = &refs[switched_at - 5..switched_at + 5];
        s.read_span(across, &mut buf).unwrap();
        assert_eq!(buf, recs[switched_at - 5..switched_at + 5].concat());
        s.read_span(&refs, &mut buf).unwrap();
        assert_eq!(buf, recs.concat());
        // From several threads at once, each in its own order, reusing its buffer.
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (s, refs, recs) = (&s, &refs, &recs);
                scope.spawn(move || {
                    let mut buf = Vec::new();
                    for k in 0..refs.len() {
                        let i = (k * 7 + t * 13) % refs.len();
                        s.read_shared(refs[i], &mut buf).unwrap();
                        assert_eq!(buf, recs[i], "record {i}");
                        assert_eq!(s.get(refs[i], &mut buf).unwrap(), &recs[i][..]);
                    }
                    s.read_shared(in_file, &mut buf).unwrap();
                    assert_eq!(buf, b"{\"a\":1}");
                });
            }
        });
    }

    #[test]
    fn records_in_several_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = RecordStore::new(dir.path(), usize::MAX);
        // Three records a block, one larger than a block, empty ones between them.
        let recs: Vec<Vec<u8>> = (0..12usize)
            .map(|i| match i % 4 {
                3 => Vec::new(),
                _ if i == 6 => vec![6; BLOCK + 5],
                _ => vec![i as u8; BLOCK / 3 + i],
            })
            .collect();
        let refs: Vec<RecordRef> = recs.iter().map(|r| s.push(r).unwrap()).collect();
        let Spill::Memory(held) = &s.spill else {
            panic!("no budget: every record in memory")
        };
        assert!(held.blocks.len() > 3);
        assert!(held.blocks.iter().all(|b| b.capacity() >= BLOCK));
        s.finish_writing().unwrap();
        for (r, want) in refs.iter().zip(&recs) {
            assert_eq!(s.in_memory(*r), Some(&want[..]));
        }
        let mut buf = vec![9; 7];
        assert_eq!(
            s.read_span_at(&refs, &mut buf, 3).unwrap(),
            3 + s.len as usize
        );
        assert_eq!(buf[..3], [9, 9, 9]);
        assert_eq!(buf[3..], recs.concat());
        // Overwriting a longer buffer, from the middle of a block on.
        let mut long = vec![1; 4 * BLOCK];
        let end = s.read_span_at(&refs[1..9], &mut long, 10).unwrap();
        assert_eq!(long[10..end], recs[1..9].concat());
        assert!(long[end..].iter().all(|&b| b == 1));
    }

    #[test]
    fn a_record_larger_than_the_budget_goes_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = RecordStore::new(dir.path(), 4);
        let small = s.push(b"abc").unwrap();
        let large = s.push(b"0123456789").unwrap();
        assert!(matches!(s.spill, Spill::Writing(_)));
        let mut buf = Vec::new();
        s.read(large, &mut buf).unwrap();
        assert_eq!(buf, b"0123456789");
        s.read(small, &mut buf).unwrap();
        assert_eq!(buf, b"abc");
    }
}
