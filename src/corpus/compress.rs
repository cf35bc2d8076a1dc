//! Transparent decompression by magic bytes (gzip, zstd).
