//! Walking the inputs and cutting them into raw records.
//!
//! See [`CorpusReader`] for the rules.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::compress::{self, BoxRead, Compression, Prefixed};
use super::{
    Input, Locator, RawItem, RawKind, RawRecord, ReadOptions, RecordError, RecordErrorKind,
};

/// Size of the read buffer of a JSON Lines stream.
const BUF_SIZE: usize = 128 * 1024;
/// How much of a file is looked at for NUL bytes to decide that it is binary.
const BINARY_SNIFF: usize = 8 * 1024;
/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads inputs in order (directories walked recursively, entries sorted by name) and yields
/// raw records and per-file errors.
///
/// The reader never stops at a bad file or record: each problem is one `Err` item, and
/// reading goes on with what follows. Memory is bounded by one record plus a fixed read
/// buffer.
///
/// Rules:
///
/// * Inputs are read in the order given. A directory is walked recursively, the entries of
///   each directory sorted by the bytes of their file names. Symbolic links are followed; a
///   link back to a directory that is being walked (a loop) is not entered again. Inside a
///   directory only regular files are read (sockets, FIFOs and devices are passed over); a
///   file named explicitly is read whatever it is, so `<(zcat x.gz)` works.
/// * A file whose name ends in `.jsonl` or `.json` (ASCII case ignored), optionally followed
///   by `.gz`, `.zst` or `.zstd`, is JSON Lines; any other file is one plain-text document.
///   Standard input is always JSON Lines. Compression is detected from the magic bytes.
/// * A file (named explicitly or found in a directory alike) whose first 8 KiB of decompressed
///   data hold a NUL byte is binary: it is reported as [`RecordErrorKind::BinaryFile`] and
///   skipped. Standard input is not checked (it would delay the first record).
/// * JSON Lines: each line is one record, without its `\n` and a `\r` before it. Line
///   numbers are physical (1-based); blank or whitespace-only lines count but yield nothing.
///   A UTF-8 byte order mark at the start of the stream is dropped.
/// * A plain-text file is one record: its id is the path relative to the input argument
///   (`/`-separated), or the argument as given when the argument is the file; its source is
///   the name of its parent directory below the argument, if any.
/// * Errors: an argument that does not exist is [`RecordErrorKind::NotFound`]; a file or
///   directory that cannot be opened or listed (or a broken symbolic link inside a
///   directory) is [`RecordErrorKind::Unreadable`]; a line or text file larger than
///   [`ReadOptions::max_doc_bytes`] is [`RecordErrorKind::TooLarge`] (the line is skipped
///   without being held in memory); a compressed stream that is cut short or corrupt yields
///   every complete line before the fault, then one [`RecordErrorKind::Truncated`] error
///   (the incomplete line is dropped). Then reading goes on with the next line or file.
pub struct CorpusReader {
    opts: ReadOptions,
    inputs: std::vec::IntoIter<Input>,
    walk: Option<Walk>,
    lines: Option<LineSource>,
}

impl CorpusReader {
    /// Creates a reader over the inputs. Nothing is opened until the first item is asked for.
    pub fn new(inputs: Vec<Input>, opts: ReadOptions) -> CorpusReader {
        CorpusReader {
            opts,
            inputs: inputs.into_iter(),
            walk: None,
            lines: None,
        }
    }

    /// The options the reader was made with.
    pub fn options(&self) -> &ReadOptions {
        &self.opts
    }

    /// Starts reading one input argument; returns an item when there is one to yield at once.
    fn start_input(&mut self, input: Input) -> Option<RawItem> {
        let path = match input {
            Input::Stdin => return self.open_stream(Arc::from("-"), Box::new(io::stdin())),
            Input::Bytes { name, data } => {
                return self.open_stream(Arc::from(name.as_str()), Box::new(io::Cursor::new(data)))
            }
            Input::Path(path) => path,
        };
        let shown: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
        match fs::metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Some(Err(RecordError {
                locator: file_locator(shown),
                byte_offset: None,
                kind: RecordErrorKind::NotFound,
                message: "no such file or directory; check the path".to_owned(),
            })),
            Err(e) => Some(Err(unreadable(shown, &e))),
            Ok(meta) if meta.is_dir() => match Walk::new(path, &meta) {
                Ok(walk) => {
                    self.walk = Some(walk);
                    None
                }
                Err(e) => Some(Err(unreadable(shown, &e))),
            },
            Ok(_) => {
                let id = shown.to_string();
                self.open_file(&path, shown, id, None)
            }
        }
    }

    /// Makes a stream (standard input, bytes in memory) the current JSON Lines source.
    fn open_stream(&mut self, name: Arc<str>, src: BoxRead) -> Option<RawItem> {
        match compress::decompress(src) {
            Ok((compression, reader)) => {
                self.lines = Some(LineSource::new(
                    name,
                    reader,
                    compression,
                    self.opts.max_doc_bytes,
                ));
                None
            }
            Err(e) => Some(Err(unreadable(name, &e))),
        }
    }

    /// Opens one file. A plain-text file is read whole and returned as an item; a JSON Lines
    /// file becomes the current line source (and `None` is returned).
    fn open_file(
        &mut self,
        path: &Path,
        shown: Arc<str>,
        id: String,
        source: Option<String>,
    ) -> Option<RawItem> {
        let max = self.opts.max_doc_bytes;
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => return Some(Err(unreadable(shown, &e))),
        };
        let meta_len = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        let (compression, mut reader) = match compress::decompress(Box::new(file)) {
            Ok(x) => x,
            Err(e) => return Some(Err(unreadable(shown, &e))),
        };
        let (mut head, err) = compress::read_up_to(&mut reader, BINARY_SNIFF);
        if let Some(pos) = head.iter().position(|&b| b == 0) {
            return Some(Err(RecordError {
                locator: file_locator(shown),
                byte_offset: None,
                kind: RecordErrorKind::BinaryFile,
                message: format!(
                    "file looks binary (NUL byte at decompressed offset {pos}), so it was \
                     skipped; dechaff reads UTF-8 plain text and JSON Lines"
                ),
            }));
        }
        if is_json_lines_name(path) {
            let src = Prefixed::new(head, err, reader);
            let mut lines = LineSource::new(shown, Box::new(src), compression, max);
            if compression == Compression::None && meta_len.is_some() {
                lines.file = Some(Arc::from(path));
            }
            self.lines = Some(lines);
            return None;
        }

        // A plain-text file: one document.
        if let Some(e) = err {
            return Some(Err(read_failure(
                file_locator(shown),
                compression,
                &e,
                head.len() as u64,
                "the document was not read",
            )));
        }
        if compression == Compression::None {
            if let Some(len) = meta_len.filter(|&len| len > max as u64) {
                return Some(Err(too_large_file(shown, len, max, true)));
            }
        }
        if head.len() == BINARY_SNIFF && head.len() <= max {
            if let (Compression::None, Some(len)) = (compression, meta_len) {
                head.reserve_exact((len as usize).saturating_sub(head.len()));
            }
            let limit = (max as u64 + 1).saturating_sub(head.len() as u64);
            if let Err(e) = reader.take(limit).read_to_end(&mut head) {
                return Some(Err(read_failure(
                    file_locator(shown),
                    compression,
                    &e,
                    head.len() as u64,
                    "the document was not read",
                )));
            }
        }
        if head.len() > max {
            // Only a bounded part was read, so the size is not known.
            return Some(Err(too_large_file(shown, head.len() as u64, max, false)));
        }
        Some(Ok(RawRecord {
            locator: file_locator(shown),
            kind: RawKind::TextFile { id, source },
            bytes: head,
            byte_offset: Some(0),
            file: None,
        }))
    }
}

impl Iterator for CorpusReader {
    type Item = RawItem;

    fn next(&mut self) -> Option<RawItem> {
        loop {
            if let Some(lines) = &mut self.lines {
                match lines.next_item() {
                    Some(item) => return Some(item),
                    None => self.lines = None,
                }
            }
            if let Some(walk) = &mut self.walk {
                match walk.next_entry() {
                    Some(Ok(entry)) => {
                        let shown: Arc<str> = Arc::from(entry.path.to_string_lossy().as_ref());
                        if let Some(item) =
                            self.open_file(&entry.path, shown, entry.rel, entry.source)
                        {
                            return Some(item);
                        }
                    }
                    Some(Err(e)) => return Some(Err(e)),
                    None => self.walk = None,
                }
                continue;
            }
            let input = self.inputs.next()?;
            if let Some(item) = self.start_input(input) {
                return Some(item);
            }
        }
    }
}

/// A locator for a whole file.
fn file_locator(path: Arc<str>) -> Locator {
    Locator { path, line: 0 }
}

/// An [`RecordErrorKind::Unreadable`] error for a file or directory.
fn unreadable(path: Arc<str>, e: &io::Error) -> RecordError {
    let hint = if e.kind() == io::ErrorKind::PermissionDenied {
        "; check its permissions"
    } else {
        ""
    };
    RecordError {
        locator: file_locator(path),
        byte_offset: None,
        kind: RecordErrorKind::Unreadable,
        message: format!("cannot read: {e}{hint}"),
    }
}

/// The error for a read that failed part way: [`RecordErrorKind::Truncated`] for compressed
/// data, [`RecordErrorKind::Unreadable`] otherwise.
fn read_failure(
    locator: Locator,
    compression: Compression,
    e: &io::Error,
    offset: u64,
    lost: &str,
) -> RecordError {
    let (kind, what) = match compression {
        Compression::None => (RecordErrorKind::Unreadable, "read error".to_owned()),
        c => (
            RecordErrorKind::Truncated,
            format!("{} data is truncated or corrupt", c.name()),
        ),
    };
    RecordError {
        locator,
        byte_offset: Some(offset),
        kind,
        message: format!("{what} after {offset} decompressed bytes ({e}); {lost}"),
    }
}

/// A [`RecordErrorKind::TooLarge`] error for a plain-text file.
fn too_large_file(path: Arc<str>, len: u64, max: usize, exact: bool) -> RecordError {
    let size = if exact {
        format!("{len} bytes")
    } else {
        format!("more than {max} bytes")
    };
    RecordError {
        locator: file_locator(path),
        byte_offset: Some(0),
        kind: RecordErrorKind::TooLarge,
        message: format!(
            "document is {size}, larger than the limit of {max} bytes, so it was skipped; \
             raise --max-doc-bytes to read it"
        ),
    }
}

/// Whether a file name says JSON Lines: `.jsonl` or `.json`, optionally followed by `.gz`,
/// `.zst` or `.zstd`; ASCII case is ignored.
pub(crate) fn is_json_lines_name(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.as_encoded_bytes();
    let lower_ends = |s: &[u8], suffix: &[u8]| {
        s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    let mut stem = name;
    for suffix in [&b".gz"[..], b".zst", b".zstd"] {
        if lower_ends(stem, suffix) {
            stem = &stem[..stem.len() - suffix.len()];
            break;
        }
    }
    lower_ends(stem, b".jsonl") || lower_ends(stem, b".json")
}

// ---------------------------------------------------------------------------------------------
// Directory walking

/// Identifies a directory, to notice symbolic-link loops.
#[cfg(unix)]
type DirKey = (u64, u64);
#[cfg(not(unix))]
type DirKey = PathBuf;

#[cfg(unix)]
fn dir_key(_path: &Path, meta: &fs::Metadata) -> io::Result<DirKey> {
    use std::os::unix::fs::MetadataExt;
    Ok((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn dir_key(path: &Path, _meta: &fs::Metadata) -> io::Result<DirKey> {
    fs::canonicalize(path)
}

/// One directory being walked.
struct Frame {
    key: DirKey,
    path: PathBuf,
    /// Path relative to the input argument, `/`-separated; empty for the argument itself.
    rel: String,
    /// The directory's own name; `None` for the argument itself.
    name: Option<String>,
    /// Entry names still to visit, in order.
    entries: std::vec::IntoIter<std::ffi::OsString>,
}

/// A regular file found by a walk.
struct Entry {
    path: PathBuf,
    rel: String,
    source: Option<String>,
}

/// A depth-first walk of one input directory. The stack holds exactly the directories from the
/// argument down to the current one, so a directory whose key is on it is a loop.
struct Walk {
    stack: Vec<Frame>,
    /// An error to report before going on (an entry of a directory could not be listed).
    pending: Option<RecordError>,
}

impl Walk {
    fn new(root: PathBuf, meta: &fs::Metadata) -> io::Result<Walk> {
        let key = dir_key(&root, meta)?;
        let mut walk = Walk {
            stack: Vec::new(),
            pending: None,
        };
        let entries = walk.list(&root)?;
        walk.stack.push(Frame {
            key,
            path: root,
            rel: String::new(),
            name: None,
            entries,
        });
        Ok(walk)
    }

    /// Lists a directory, sorted by name bytes. An error on one entry is kept in `pending`
    /// and the entries listed before it are still walked.
    fn list(&mut self, dir: &Path) -> io::Result<std::vec::IntoIter<std::ffi::OsString>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            match entry {
                Ok(entry) => names.push(entry.file_name()),
                Err(e) => {
                    self.pending = Some(unreadable(Arc::from(dir.to_string_lossy().as_ref()), &e));
                    break;
                }
            }
        }
        names.sort_unstable_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        Ok(names.into_iter())
    }

    fn next_entry(&mut self) -> Option<Result<Entry, RecordError>> {
        loop {
            if let Some(e) = self.pending.take() {
                return Some(Err(e));
            }
            let frame = self.stack.last_mut()?;
            let Some(name) = frame.entries.next() else {
                self.stack.pop();
                continue;
            };
            let path = frame.path.join(&name);
            let name = name.to_string_lossy().into_owned();
            let rel = if frame.rel.is_empty() {
                name.clone()
            } else {
                format!("{}/{}", frame.rel, name)
            };
            let meta = match fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    let shown = Arc::from(path.to_string_lossy().as_ref());
                    let mut err = unreadable(shown, &e);
                    if e.kind() == io::ErrorKind::NotFound {
                        err.message = format!("cannot read: {e} (a broken symbolic link?)");
                    }
                    return Some(Err(err));
                }
            };
            if meta.is_file() {
                let source = frame.name.clone();
                return Some(Ok(Entry { path, rel, source }));
            }
            if !meta.is_dir() {
                continue; // socket, FIFO, device: not a document
            }
            let key = match dir_key(&path, &meta) {
                Ok(k) => k,
                Err(e) => {
                    return Some(Err(unreadable(
                        Arc::from(path.to_string_lossy().as_ref()),
                        &e,
                    )))
                }
            };
            if self.stack.iter().any(|f| f.key == key) {
                continue; // a symbolic link back up: a loop
            }
            match self.list(&path) {
                Ok(entries) => self.stack.push(Frame {
                    key,
                    path,
                    rel,
                    name: Some(name),
                    entries,
                }),
                Err(e) => {
                    return Some(Err(unreadable(
                        Arc::from(path.to_string_lossy().as_ref()),
                        &e,
                    )))
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

/// What reading one line gave.
enum LineRead {
    /// The stream ended.
    Eof,
    /// A line (terminator removed) is in the line buffer.
    Line(Vec<u8>),
    /// The line was longer than allowed; this many bytes were skipped.
    TooLong(u64),
}

/// A JSON Lines stream being cut into lines.
struct LineSource {
    path: Arc<str>,
    reader: BufReader<BoxRead>,
    compression: Compression,
    max: usize,
    /// Number of the last line read (1-based).
    line: u64,
    /// Decompressed bytes consumed so far.
    offset: u64,
    /// Set after the end of the stream or a read error.
    done: bool,
    /// The uncompressed regular file read, if that is what the stream is.
    file: Option<Arc<Path>>,
}

impl LineSource {
    fn new(path: Arc<str>, reader: BoxRead, compression: Compression, max: usize) -> LineSource {
        LineSource {
            path,
            reader: BufReader::with_capacity(BUF_SIZE, reader),
            compression,
            max,
            line: 0,
            offset: 0,
            done: false,
            file: None,
        }
    }

    fn locator(&self) -> Locator {
        Locator {
            path: self.path.clone(),
            line: self.line,
        }
    }

    /// The next record or error of this stream; `None` at its end.
    fn next_item(&mut self) -> Option<RawItem> {
        while !self.done {
            let mut start = self.offset;
            self.line += 1;
            match self.read_line() {
                Ok(LineRead::Eof) => self.done = true,
                Ok(LineRead::Line(mut bytes)) => {
                    if self.line == 1 && bytes.starts_with(BOM) {
                        bytes.drain(..BOM.len());
                        start += BOM.len() as u64;
                    }
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Some(Ok(RawRecord {
                        locator: self.locator(),
                        kind: RawKind::JsonLine,
                        bytes,
                        byte_offset: Some(start),
                        file: self.file.clone(),
                    }));
                }
                Ok(LineRead::TooLong(len)) => {
                    return Some(Err(RecordError {
                        locator: self.locator(),
                        byte_offset: Some(start),
                        kind: RecordErrorKind::TooLarge,
                        message: format!(
                            "line is {len} bytes, larger than the limit of {} bytes, so it was \
                             skipped; raise --max-doc-bytes to read it",
                            self.max
                        ),
                    }));
                }
                Err((e, partial)) => {
                    self.done = true;
                    let lost = if partial {
                        format!(
                            "the lines before line {} were kept; the incomplete line {} was \
                             dropped",
                            self.line, self.line
                        )
                    } else {
                        format!(
                            "the lines before line {} were kept; nothing after could be read",
                            self.line
                        )
                    };
                    let mut err =
                        read_failure(self.locator(), self.compression, &e, self.offset, &lost);
                    // The offset named in the message is where reading stopped; the record
                    // that could not be read starts at `start`.
                    err.byte_offset = Some(start);
                    return Some(Err(err));
                }
            }
        }
        None
    }

    /// Reads one line. On error, also says whether part of a line had been read.
    fn read_line(&mut self) -> Result<LineRead, (io::Error, bool)> {
        // Room for a `\r` before the `\n`, which is not counted.
        let cap = self.max.saturating_add(1);
        let mut line: Vec<u8> = Vec::new();
        let mut len: usize = 0;
        let mut too_long = false;
        // The last byte of the line, to leave a `\r` out of the size of an over-long line.
        let mut last = 0u8;
        loop {
            let avail = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err((e, len > 0)),
            };
            if avail.is_empty() {
                if len == 0 {
                    return Ok(LineRead::Eof);
                }
                break;
            }
            let (chunk, found) = match memchr::memchr(b'\n', avail) {
                Some(i) => (i, true),
                None => (avail.len(), false),
            };
            if !too_long {
                if len + chunk > cap {
                    too_long = true;
                    line = Vec::new();
                } else if line.is_empty() && found {
                    line = avail[..chunk].to_vec();
                } else {
                    if found {
                        // The last piece: grown to the line's length at most, not doubled. A
                        // line is kept as read (a job may hold every record in memory), and
                        // doubling would leave up to half of its buffer spare. Pieces before
                        // it grow by doubling (no quadratic copying of a long line).
                        line.reserve_exact(chunk);
                    }
                    line.extend_from_slice(&avail[..chunk]);
                }
            }
            if chunk > 0 {
                last = avail[chunk - 1];
            }
            len = len.saturating_add(chunk);
            let used = chunk + usize::from(found);
            self.reader.consume(used);
            self.offset += used as u64;
            if found {
                break;
            }
        }
        if last == b'\r' {
            line.pop();
            len -= 1;
        }
        if too_long || len > self.max {
            return Ok(LineRead::TooLong(len as u64));
        }
        Ok(LineRead::Line(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_names() {
        for yes in [
            "a.jsonl",
            "a.json",
            "x/a.jsonl.gz",
            "a.JSONL.ZST",
            "a.json.zstd",
        ] {
            assert!(is_json_lines_name(Path::new(yes)), "{yes}");
        }
        for no in [
            "a.txt",
            "a.gz",
            "a.jsonl.gz.gz",
            "jsonl",
            "a.jsonlx",
            "a.json.bz2",
        ] {
            assert!(!is_json_lines_name(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn reader_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<CorpusReader>();
    }
}
