//! Atomic output files.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Where an output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A file, written atomically.
    Path(PathBuf),
    /// Standard output (`-`).
    Stdout,
}

impl Destination {
    /// `-` is standard output, anything else a path.
    pub fn parse(arg: &str) -> Destination {
        if arg == "-" {
            Destination::Stdout
        } else {
            Destination::Path(PathBuf::from(arg))
        }
    }

    /// The name shown to people.
    pub fn display(&self) -> String {
        match self {
            Destination::Path(p) => p.display().to_string(),
            Destination::Stdout => "-".to_owned(),
        }
    }

    /// A directory where temporary files for this destination can go.
    pub fn spill_dir(&self) -> PathBuf {
        match self {
            Destination::Path(p) => parent_dir(p).to_path_buf(),
            Destination::Stdout => std::env::temp_dir(),
        }
    }
}

fn parent_dir(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Bytes buffered per output file. Larger writes (a span of records copied verbatim) go to the
/// file directly, without a copy into the buffer.
const WRITE_BUFFER: usize = 256 << 10;

/// A file written under a temporary name and renamed into place by [`AtomicFile::commit`].
/// Dropping it without committing removes the temporary file.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    tmp: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `path` (its directory must exist).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = parent_dir(path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io(path, e))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp: BufWriter::with_capacity(WRITE_BUFFER, tmp),
        })
    }

    /// Flushes and renames the file into place.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        let tmp = self
            .tmp
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?;
        tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tmp.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.tmp.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tmp.flush()
    }
}

/// An open output: an [`AtomicFile`] or standard output.
pub enum OutputWriter {
    /// A file.
    File(AtomicFile),
    /// Standard output, buffered.
    Stdout(BufWriter<io::Stdout>),
}

impl OutputWriter {
    /// Opens a destination for writing.
    pub fn open(dest: &Destination) -> Result<OutputWriter> {
        Ok(match dest {
            Destination::Path(p) => OutputWriter::File(AtomicFile::create(p)?),
            Destination::Stdout => {
                OutputWriter::Stdout(BufWriter::with_capacity(1 << 16, io::stdout()))
            }
        })
    }

    /// Writes `line` and a newline, naming `dest` in errors.
    pub fn line(&mut self, line: &[u8], dest: &Destination) -> Result<()> {
        self.write_all(line)
            .and_then(|()| self.write_all(b"\n"))
            .map_err(|e| Error::io(dest.display(), e))
    }

    /// Serializes `value` as one JSON line.
    pub fn json<T: serde::Serialize>(&mut self, value: &T, dest: &Destination) -> Result<()> {
        let s = serde_json::to_vec(value)?;
        self.line(&s, dest)
    }

    /// Finishes: renames a file into place, flushes standard output.
    pub fn commit(self, dest: &Destination) -> Result<()> {
        match self {
            OutputWriter::File(f) => f.commit(),
            OutputWriter::Stdout(mut w) => w.flush().map_err(|e| Error::io(dest.display(), e)),
        }
    }
}

impl Write for OutputWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            OutputWriter::File(f) => f.write(buf),
            OutputWriter::Stdout(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            OutputWriter::File(f) => f.flush(),
            OutputWriter::Stdout(w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.jsonl");
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"partial").unwrap();
            // Dropped without commit.
        }
        assert!(!p.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"done\n").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "done\n");
    }
}
