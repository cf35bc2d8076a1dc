//! What is a document and where does it come from?
//!
//! A corpus is a list of inputs: files, directories (walked recursively in sorted order) or
//! `-` for standard input. Two kinds of file are read:
//!
//! * **JSON Lines** (`.jsonl`, `.json`, optionally compressed as `.gz` or `.zst`; compression is
//!   detected by magic bytes, not by name): one document per line. The text, id and source are
//!   taken from configurable fields; every other field is kept as it was and passes through to
//!   the outputs. Standard input is always read as JSON Lines.
//! * **Plain text**, any other file: one document per file. Its id is the path relative to the
//!   input argument, its source the name of its parent directory below that argument.
//!
//! Reading is split in two so that the expensive part runs in parallel:
//! [`CorpusReader`] walks the inputs on one thread, decompresses and cuts them into
//! [`RawRecord`]s (raw bytes plus where they came from); [`parse_record`] then turns a raw
//! record into a [`Document`] on any thread. Memory held by the reader does not grow with the
//! size of the input, only with the size of one record.
//!
//! Problems with one record or one file never stop the reader: they come out as
//! [`RecordError`]s in the stream, each naming the file and the line (or byte offset), so that
//! nothing is dropped without a record.

mod compress;
mod jsonl;
pub(crate) use jsonl::{decode_raw_string, find_special, has_control, raw_field};
mod walk;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use jsonl::parse_record;
pub use walk::CorpusReader;

/// Default largest document (or JSON line) accepted, in bytes: 256 MiB.
pub const DEFAULT_MAX_DOC_BYTES: usize = 256 * 1024 * 1024;

/// How records are read from the inputs. Build it with [`ReadOptions::default`] and adjust.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// JSON field holding the document text. This is `text` by default.
    pub text_field: String,
    /// JSON field holding the document id. This is `id` by default; when a record lacks it the
    /// id is `FILE:LINE`.
    pub id_field: String,
    /// JSON field holding the source (outlet) name. This is `source` by default; when a record
    /// lacks it, the host of its `url` field is used (without a leading `www.`), else none.
    pub source_field: String,
    /// Records (JSON lines, text files) larger than this many bytes are rejected with a
    /// [`RecordErrorKind::TooLarge`] error instead of being read into memory. This is
    /// [`DEFAULT_MAX_DOC_BYTES`] by default.
    pub max_doc_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            text_field: "text".to_owned(),
            id_field: "id".to_owned(),
            source_field: "source".to_owned(),
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
        }
    }
}

/// Where a record came from: the input file and the line within it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locator {
    /// The file as named to the user (`-` for standard input).
    pub path: Arc<str>,
    /// 1-based line number for JSON Lines records; 0 for whole-file plain-text documents.
    pub line: u64,
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path)
        } else {
            write!(f, "{}:{}", self.path, self.line)
        }
    }
}

/// The kind of a raw record, which decides how [`parse_record`] reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawKind {
    /// One line of a JSON Lines file.
    JsonLine,
    /// A whole plain-text file, with the id and source derived from its path.
    TextFile {
        /// Path relative to the input argument, `/`-separated: the document id.
        id: String,
        /// Name of the parent directory below the input argument, if any: the source.
        source: Option<String>,
    },
}

/// One record as read from an input, not yet parsed.
#[derive(Clone, Debug)]
pub struct RawRecord {
    /// Where it came from.
    pub locator: Locator,
    /// How to parse it.
    pub kind: RawKind,
    /// The bytes of the line (without its line terminator) or of the whole file.
    pub bytes: Vec<u8>,
    /// Byte offset in the (decompressed) file where the record starts, when known; copied into
    /// the [`RecordError`] if [`parse_record`] rejects the record.
    pub byte_offset: Option<u64>,
    /// The uncompressed regular file that holds exactly `bytes` at `byte_offset`, when there is
    /// one: jobs then read the record back from it instead of keeping a copy.
    pub file: Option<Arc<std::path::Path>>,
}

/// A parsed document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The document id (from the id field, `FILE:LINE`, or the relative path).
    pub id: String,
    /// The source (outlet), if known.
    pub source: Option<String>,
    /// The document text, exactly as read (after replacing invalid UTF-8, see `lossy`). All
    /// byte offsets reported by dechaff are UTF-8 byte offsets into this string.
    pub text: String,
    /// Where it came from.
    pub locator: Locator,
    /// The record as a JSON object line, ready to be written back: for JSON Lines input the
    /// original line (lossily decoded if needed), with the id field added when it was missing;
    /// for plain-text files an object `{"id", "text", "source"}`.
    pub json: String,
    /// Whether the record's id was derived (`FILE:LINE`) because the id field was missing.
    pub derived_id: bool,
    /// Where the text field's raw JSON value (the quoted string) is in [`Document::json`], as
    /// a byte range, when the reader knows it (JSON lines written back unchanged).
    pub text_raw: Option<(usize, usize)>,
    /// Number of invalid UTF-8 sequences that were replaced by U+FFFD when decoding.
    pub invalid_utf8: usize,
}

/// What went wrong with one record or one file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// The line is not valid JSON.
    MalformedJson,
    /// The line is valid JSON but not an object.
    NotAnObject,
    /// The text field is missing.
    MissingText,
    /// The text field is not a string.
    TextNotString,
    /// The record is larger than `max_doc_bytes`.
    TooLarge,
    /// A file inside an input directory looks binary (NUL bytes), so it was skipped.
    BinaryFile,
    /// A compressed stream ended early or is corrupt; records read before the fault were kept.
    Truncated,
    /// A file or directory could not be opened or read.
    Unreadable,
    /// An input named on the command line does not exist.
    NotFound,
}

impl RecordErrorKind {
    /// A short stable name, as used in reports (`malformed_json`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordErrorKind::MalformedJson => "malformed_json",
            RecordErrorKind::NotAnObject => "not_an_object",
            RecordErrorKind::MissingText => "missing_text",
            RecordErrorKind::TextNotString => "text_not_string",
            RecordErrorKind::TooLarge => "too_large",
            RecordErrorKind::BinaryFile => "binary_file",
            RecordErrorKind::Truncated => "truncated",
            RecordErrorKind::Unreadable => "unreadable",
            RecordErrorKind::NotFound => "not_found",
        }
    }
}

/// One bad record or file. Readers report it in the stream and go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{locator}: {message}")]
pub struct RecordError {
    /// The file, and the line when the error concerns one line.
    pub locator: Locator,
    /// Byte offset in the (decompressed) file where the record starts, when known.
    pub byte_offset: Option<u64>,
    /// What kind of problem it is.
    pub kind: RecordErrorKind,
    /// A message for people: what is wrong and what to do about it.
    pub message: String,
}

/// One item of the stream a [`CorpusReader`] yields.
pub type RawItem = Result<RawRecord, RecordError>;

/// An input argument: a path or standard input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Standard input, read as JSON Lines.
    Stdin,
    /// JSON Lines held in memory (possibly gzip- or zstd-compressed), named `name` in ids
    /// and errors: for callers that already hold the data, and for fuzzing.
    Bytes {
        /// The name shown in locators.
        name: String,
        /// The data.
        data: Vec<u8>,
    },
    /// A file or a directory.
    Path(PathBuf),
}

impl Input {
    /// `-` means standard input; anything else is a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}
