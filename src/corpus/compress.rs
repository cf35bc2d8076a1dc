//! Transparent decompression by magic bytes (gzip, zstd).
//!
//! The file name plays no part: a `.jsonl` file holding gzip data is decompressed, and a
//! `.gz` file holding plain text is read as it is.

use std::io::{self, Read};

use flate2::read::MultiGzDecoder;

/// Magic bytes that open a gzip member.
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Magic bytes that open a zstd frame.
pub(crate) const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// A boxed byte source that can move to another thread.
pub(crate) type BoxRead = Box<dyn Read + Send>;

/// The compression of a stream, as told by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Not compressed (or in a format we do not know, which is then read as it is).
    None,
    /// gzip, possibly several concatenated members.
    Gzip,
    /// zstd, possibly several concatenated frames.
    Zstd,
}

impl Compression {
    /// Tells the compression from the first (up to four) bytes of a stream.
    pub(crate) fn detect(head: &[u8]) -> Compression {
        if head.starts_with(&ZSTD_MAGIC) {
            Compression::Zstd
        } else if head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else {
            Compression::None
        }
    }

    /// The name used in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Reads the bytes of `head` first, then (after reporting `err` if there is one) `inner`.
///
/// This lets a caller look at the start of a stream before handing the whole stream on, and
/// defer an error met while looking so that the bytes before it are still read.
pub(crate) struct Prefixed<R> {
    head: Vec<u8>,
    pos: usize,
    err: Option<io::Error>,
    inner: R,
}

impl<R: Read> Prefixed<R> {
    /// A reader yielding `head`, then `err` (if any), then the rest of `inner`.
    pub(crate) fn new(head: Vec<u8>, err: Option<io::Error>, inner: R) -> Prefixed<R> {
        Prefixed {
            head,
            pos: 0,
            err,
            inner,
        }
    }
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.head.len() {
            let n = (self.head.len() - self.pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.pos..self.pos + n]);
            self.pos += n;
            if self.pos == self.head.len() {
                // The head is spent: give its memory back.
                self.head = Vec::new();
                self.pos = 0;
            }
            return Ok(n);
        }
        if let Some(e) = self.err.take() {
            return Err(e);
        }
        self.inner.read(buf)
    }
}

/// Reads from `r` until `n` bytes are read, the stream ends, or an error occurs (which is
/// returned beside the bytes read before it). `Interrupted` errors are retried.
pub(crate) fn read_up_to<R: Read + ?Sized>(r: &mut R, n: usize) -> (Vec<u8>, Option<io::Error>) {
    let mut buf = vec![0u8; n];
    let mut len = 0;
    while len < n {
        match r.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(k) => len += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                buf.truncate(len);
                return (buf, Some(e));
            }
        }
    }
    buf.truncate(len);
    (buf, None)
}

/// Wraps `raw` in a decompressor chosen by its magic bytes.
///
/// Returns the compression found and a reader of the decompressed bytes. An error reading
/// the magic bytes is returned as is (nothing has been read yet).
pub(crate) fn decompress(mut raw: BoxRead) -> io::Result<(Compression, BoxRead)> {
    let (magic, err) = read_up_to(&mut raw, ZSTD_MAGIC.len());
    if let Some(e) = err {
        return Err(e);
    }
    let compression = Compression::detect(&magic);
    let src = Prefixed::new(magic, None, raw);
    let reader: BoxRead = match compression {
        Compression::None => Box::new(src),
        Compression::Gzip => Box::new(MultiGzDecoder::new(src)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(src)?),
    };
    Ok((compression, reader))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn read_all(r: &mut BoxRead) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn detects_by_magic() {
        assert_eq!(Compression::detect(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
        assert_eq!(Compression::detect(&ZSTD_MAGIC), Compression::Zstd);
        assert_eq!(Compression::detect(b"{\"a"), Compression::None);
        assert_eq!(Compression::detect(&[0x1f]), Compression::None);
        assert_eq!(Compression::detect(b""), Compression::None);
    }

    #[test]
    fn decompresses_gzip_multi_member_and_zstd() {
        let mut two = gzip(b"hello ");
        two.extend(gzip(b"world"));
        let (c, mut r) = decompress(Box::new(Cursor::new(two))).unwrap();
        assert_eq!(c, Compression::Gzip);
        assert_eq!(read_all(&mut r).unwrap(), b"hello world");

        let z = zstd::encode_all(&b"zstd data"[..], 3).unwrap();
        let (c, mut r) = decompress(Box::new(Cursor::new(z))).unwrap();
        assert_eq!(c, Compression::Zstd);
        assert_eq!(read_all(&mut r).unwrap(), b"zstd data");

        let (c, mut r) = decompress(Box::new(Cursor::new(b"ab".to_vec()))).unwrap();
        assert_eq!(c, Compression::None);
        assert_eq!(read_all(&mut r).unwrap(), b"ab");
    }

    #[test]
    fn truncated_streams_fail() {
        let data: Vec<u8> = (0..20_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let gz = gzip(&data);
        let (_, mut r) = decompress(Box::new(Cursor::new(gz[..gz.len() / 2].to_vec()))).unwrap();
        assert!(read_all(&mut r).is_err());
        // Only the trailer missing.
        let (_, mut r) = decompress(Box::new(Cursor::new(gz[..gz.len() - 4].to_vec()))).unwrap();
        assert!(read_all(&mut r).is_err());

        let z = zstd::encode_all(&data[..], 3).unwrap();
        let (_, mut r) = decompress(Box::new(Cursor::new(z[..z.len() / 2].to_vec()))).unwrap();
        assert!(read_all(&mut r).is_err());
        let (_, mut r) = decompress(Box::new(Cursor::new(z[..z.len() - 1].to_vec()))).unwrap();
        assert!(read_all(&mut r).is_err());
    }

    #[test]
    fn prefixed_defers_error() {
        let err = io::Error::other("boom");
        let mut p = Prefixed::new(b"abc".to_vec(), Some(err), Cursor::new(b"def".to_vec()));
        let mut buf = [0u8; 2];
        assert_eq!(p.read(&mut buf).unwrap(), 2);
        assert_eq!(p.read(&mut buf).unwrap(), 1);
        assert!(p.read(&mut buf).is_err());
        assert_eq!(p.read(&mut buf).unwrap(), 2);
    }
}
