//! The JSON Lines reader and record parser on arbitrary bytes: never panics, every item is a
//! document or an error naming the input, and documents' texts and ids are what the line said.
#![no_main]

use dechaff::corpus::{parse_record, CorpusReader, Input, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        max_doc_bytes: 4096,
        ..ReadOptions::default()
    };
    let input = Input::Bytes {
        name: "fuzz.jsonl".into(),
        data: data.to_vec(),
    };
    for item in CorpusReader::new(vec![input], opts.clone()) {
        match item {
            Ok(raw) => {
                assert!(raw.bytes.len() <= opts.max_doc_bytes);
                match parse_record(raw, &opts) {
                    Ok(doc) => {
                        // The record written back is a JSON object with the same text.
                        let v: serde_json::Value = serde_json::from_str(&doc.json)
                            .expect("document record is JSON");
                        assert_eq!(v["text"].as_str(), Some(doc.text.as_str()));
                        assert!(!doc.id.is_empty());
                    }
                    Err(e) => assert_eq!(&*e.locator.path, "fuzz.jsonl"),
                }
            }
            Err(e) => assert_eq!(&*e.locator.path, "fuzz.jsonl"),
        }
    }
});
