//! Decompression of corrupt or truncated gzip and zstd streams: never panics, and what comes
//! out is records or errors naming the input.
#![no_main]

use dechaff::corpus::{parse_record, CorpusReader, Input, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    // The first byte picks a magic number, so that the decoders see the rest.
    let mut stream: Vec<u8> = if kind % 2 == 0 {
        vec![0x1f, 0x8b]
    } else {
        vec![0x28, 0xb5, 0x2f, 0xfd]
    };
    stream.extend_from_slice(rest);
    let opts = ReadOptions {
        max_doc_bytes: 1 << 16,
        ..ReadOptions::default()
    };
    let input = Input::Bytes {
        name: "fuzz.jsonl.gz".into(),
        data: stream,
    };
    let mut n = 0;
    for item in CorpusReader::new(vec![input], opts.clone()) {
        n += 1;
        if n > 100_000 {
            break;
        }
        match item {
            Ok(raw) => {
                let _ = parse_record(raw, &opts);
            }
            Err(e) => assert_eq!(&*e.locator.path, "fuzz.jsonl.gz"),
        }
    }
});
