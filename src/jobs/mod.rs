//! Whole-corpus jobs: read every input, analyse every document in parallel, write outputs.
//!
//! [`collect`] is shared by every job. It reads the inputs on one thread, parses and analyses
//! records on the rayon pool in bounded batches, keeps where each document's JSON record is in a
//! [`RecordStore`] (its place in the input file when that is an uncompressed regular file and the
//! record is the line as read; otherwise a copy spilled to a temporary file) and keeps only the
//! per-document analysis in memory. It then orders the
//! documents by id (ties by a hash of the record), so that everything downstream depends on
//! the content of the corpus, not on the order of files, lines or threads.

pub mod clean;
pub mod dedup;
pub mod overlap;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::corpus::{
    parse_record, CorpusReader, Document, Input, Locator, ReadOptions, RecordError,
};
use crate::error::{Error, Result};
use crate::output::schema::{Counts, ErrorRecord, FileCounts};
use crate::output::{RecordRef, RecordStore};
use crate::progress::{Progress, Unit};

/// Records per parallel batch.
const BATCH_RECORDS: usize = 1024;
/// Bytes per parallel batch.
const BATCH_BYTES: usize = 4 << 20;
/// Batches in flight between the reader thread and the workers.
const BATCHES_IN_FLIGHT: usize = 2;

/// A parsed and analysed record: the document (its text already freed), its data and blob,
/// raw length, record hash, text length, and the input file and offset it can be read back
/// from.
type Analysed<T> = Result<
    (
        Document,
        (T, Option<Vec<u8>>),
        usize,
        u64,
        usize,
        Option<(Arc<Path>, u64)>,
    ),
    RecordError,
>;

/// What to do with a bad record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Report it, count it and go on. This is the default.
    #[default]
    Skip,
    /// Stop the run with an error at the first one.
    Fail,
}

/// A document kept in memory while a job runs: who it is, where its record is, and what the
/// job's analysis found.
#[derive(Debug)]
pub struct Entry<T> {
    /// Document id.
    pub id: String,
    /// Source (outlet), if known.
    pub source: Option<String>,
    /// Length of the text in bytes.
    pub text_len: usize,
    /// Where it was read.
    pub locator: Locator,
    /// Where its JSON record is in the store.
    pub record: RecordRef,
    /// xxh3 of the record, to order documents that share an id.
    pub record_hash: u64,
    /// Number of invalid UTF-8 sequences replaced while decoding.
    pub invalid_utf8: usize,
    /// The job's analysis of the document.
    pub data: T,
}

/// Everything read from a corpus.
#[derive(Debug)]
pub struct Collected<T> {
    /// Documents, ordered by (id, record hash).
    pub entries: Vec<Entry<T>>,
    /// Bad records and unreadable inputs, in input order.
    pub errors: Vec<RecordError>,
    /// The spilled JSON records.
    pub store: RecordStore,
    /// Bytes of records read.
    pub bytes_read: u64,
}

/// Reads and analyses a corpus. `analyze` runs on the rayon pool, once per document.
/// Records that are not read back from their input file are spilled to a store that holds up
/// to `spill_budget` bytes in memory, the rest in a temporary file in `spill_dir`
/// ([`RecordStore::new`]).
pub fn collect<T, F>(
    inputs: Vec<Input>,
    opts: &ReadOptions,
    on_error: OnError,
    spill_dir: &Path,
    spill_budget: usize,
    progress: &dyn Progress,
    analyze: F,
) -> Result<Collected<T>>
where
    T: Send + Sync,
    F: Fn(&crate::corpus::Document) -> T + Sync,
{
    let c = collect_spilling(
        inputs,
        opts,
        on_error,
        spill_dir,
        spill_budget,
        false,
        progress,
        |doc| (analyze(&*doc), None),
        |_, _| {},
    )?;
    Ok(Collected {
        entries: c
            .entries
            .into_iter()
            .map(|e| Entry {
                id: e.id,
                source: e.source,
                text_len: e.text_len,
                locator: e.locator,
                record: e.record,
                record_hash: e.record_hash,
                invalid_utf8: e.invalid_utf8,
                data: e.data.0,
            })
            .collect(),
        errors: c.errors,
        store: c.store,
        bytes_read: c.bytes_read,
    })
}

/// Like [`collect`], but `analyze` may also return bytes to keep with the document: they are
/// appended to the store right after its record, and their place is returned with the data.
/// `analyze` gets the document by `&mut` so that it can keep its decoded text by taking it
/// (`std::mem::take(&mut doc.text)`: no copy), which is dropped after the call otherwise; the
/// other fields must be left as they are.
/// With `hold_records`, records that could be read back from their input file are held in the
/// store too while it is under its memory budget (a job that reads every record back then
/// reads none from the file).
/// `absorb` gets each document's source and data as it is taken in, in input order, on one
/// thread, before the data is kept: a job can move out what it gathers across documents.
#[allow(clippy::too_many_arguments)]
pub fn collect_spilling<T, F, A>(
    inputs: Vec<Input>,
    opts: &ReadOptions,
    on_error: OnError,
    spill_dir: &Path,
    spill_budget: usize,
    hold_records: bool,
    progress: &dyn Progress,
    analyze: F,
    mut absorb_data: A,
) -> Result<Collected<(T, Option<RecordRef>)>>
where
    T: Send + Sync,
    F: Fn(&mut crate::corpus::Document) -> (T, Option<Vec<u8>>) + Sync,
    A: FnMut(Option<&str>, &mut T) + Send,
{
    let mut store = RecordStore::new(spill_dir, spill_budget);
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut bytes_read = 0u64;
    let total = input_size(&inputs);
    progress.stage("reading", total, Unit::Bytes);
    let mut reader = CorpusReader::new(inputs, opts.clone());
    // The first batch is read on the pool, where it is then parsed: a corpus of one batch
    // needs no reader thread (whose start and allocator heap of its own cost more than the
    // reading, and there is no next batch to read meanwhile), and its records are allocated
    // in the heap of the thread that goes on with them.
    let (first, more) = rayon::scope(|_| read_batch(&mut reader));
    std::thread::scope(|s| -> Result<()> {
        // The other batches are read on a thread of their own, the next while one is parsed.
        let rx = more.then(|| {
            let (tx, rx) = crossbeam_channel::bounded(BATCHES_IN_FLIGHT);
            s.spawn(move || loop {
                let (batch, more) = read_batch(&mut reader);
                if (!batch.is_empty() && tx.send(batch).is_err()) || !more {
                    return;
                }
            });
            rx
        });
        let batches = std::iter::once(first)
            .filter(|b| !b.is_empty())
            .chain(rx.into_iter().flatten());
        // While batch N+1 is parsed and analysed on the pool, batch N's records are appended
        // to the store on this thread.
        let mut pending: Vec<Analysed<T>> = Vec::new();
        let mut absorb = |results: Vec<Analysed<T>>| -> Result<()> {
            for r in results {
                match r {
                    Ok((mut doc, data, raw_len, record_hash, text_len, in_file)) => {
                        bytes_read += raw_len as u64;
                        progress.advance(raw_len as u64);
                        let record = match in_file {
                            Some((file, offset)) if hold_records => store.push_held_or_in_file(
                                std::mem::take(&mut doc.json).into_bytes(),
                                &file,
                                offset,
                                record_hash,
                            )?,
                            Some((file, offset)) => {
                                store.push_in_file(&file, offset, raw_len, record_hash)?
                            }
                            None => store.push(doc.json.as_bytes())?,
                        };
                        let (mut data, blob) = data;
                        absorb_data(doc.source.as_deref(), &mut data);
                        let blob = blob.map(|b| store.push_owned(b)).transpose()?;
                        let data = (data, blob);
                        entries.push(Entry {
                            record_hash,
                            id: doc.id,
                            source: doc.source,
                            text_len,
                            locator: doc.locator,
                            record,
                            invalid_utf8: doc.invalid_utf8,
                            data,
                        });
                    }
                    Err(e) => {
                        if on_error == OnError::Fail {
                            // Returning drops the receiver, which stops the reader thread.
                            return Err(Error::Record(e));
                        }
                        errors.push(e);
                    }
                }
            }
            Ok(())
        };
        for batch in batches {
            if progress.cancelled() {
                // Returning drops the receiver, which stops the reader thread.
                return Err(Error::Interrupted);
            }
            let done = std::mem::take(&mut pending);
            let (absorbed, results) = rayon::join(
                || absorb(done),
                || {
                    batch
                        .into_par_iter()
                        .map(|item| {
                            let raw = item?;
                            let raw_len = raw.bytes.len();
                            let in_file = raw.file.clone().zip(raw.byte_offset);
                            let doc = parse_record(raw, opts)?;
                            // The record is the line as read unless an id was written into
                            // it or invalid UTF-8 replaced: only then is a copy spilled.
                            let in_file = in_file.filter(|_| {
                                !doc.derived_id
                                    && doc.invalid_utf8 == 0
                                    && doc.json.len() == raw_len
                            });
                            let hash = xxh3_64(doc.json.as_bytes());
                            let text_len = doc.text.len();
                            let mut doc = doc;
                            let data = analyze(&mut doc);
                            if in_file.is_some() && !hold_records {
                                // Read back from the input file: free the copy here and now.
                                doc.json = String::new();
                            }
                            // The text is no longer needed (unless `analyze` took it): free it
                            // on the thread that allocated it, where its memory is reused at
                            // once.
                            doc.text = String::new();
                            Ok((doc, data, raw_len, hash, text_len, in_file))
                        })
                        .collect::<Vec<_>>()
                },
            );
            absorbed?;
            pending = results;
        }
        absorb(pending)?;
        Ok(())
    })?;
    let entries = sort_entries(entries);
    Ok(Collected {
        entries,
        errors,
        store,
        bytes_read,
    })
}

/// Reads the next batch: up to [`BATCH_RECORDS`] records or [`BATCH_BYTES`] bytes. Also says
/// whether there may be more (false once the reader is exhausted).
fn read_batch(reader: &mut CorpusReader) -> (Vec<crate::corpus::RawItem>, bool) {
    let mut batch = Vec::with_capacity(BATCH_RECORDS);
    let mut bytes = 0usize;
    for item in reader.by_ref() {
        if let Ok(raw) = &item {
            bytes += raw.bytes.len();
        }
        batch.push(item);
        if batch.len() >= BATCH_RECORDS || bytes >= BATCH_BYTES {
            return (batch, true);
        }
    }
    (batch, false)
}

/// Orders documents by id, then record hash, then where they were read (file name, line):
/// a total order on distinct records, whatever order they arrived in. Sorts indices, then
/// moves the entries into place within their vector: no second vector of entries, whose
/// fresh memory costs more (page faults, on the one thread running here) than the moves.
fn sort_entries<T: Send + Sync>(mut entries: Vec<Entry<T>>) -> Vec<Entry<T>> {
    fn key<T>(e: &Entry<T>) -> (&str, u64, &str, u64) {
        (&e.id, e.record_hash, &e.locator.path, e.locator.line)
    }
    let mut order: Vec<u32> = (0..entries.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| key(&entries[a as usize]).cmp(&key(&entries[b as usize])));
    permute(&mut entries, &mut order);
    entries
}

/// Rearranges `v` so that item `k` is the one that was at `order[k]` (`order` a permutation
/// of the positions of `v`), in place: one swap per item moved, following each cycle of the
/// permutation. `order` is used up (each position ends mapped to itself).
fn permute<T>(v: &mut [T], order: &mut [u32]) {
    debug_assert_eq!(v.len(), order.len());
    for start in 0..v.len() {
        let mut cur = start;
        // Position `cur` takes the item at `order[cur]`; the item it held moves on along
        // the cycle, which closes when it comes back to `start`.
        loop {
            let next = order[cur] as usize;
            order[cur] = cur as u32;
            if next == start || next == cur {
                break;
            }
            v.swap(cur, next);
            cur = next;
        }
    }
}

pub(crate) fn input_size(inputs: &[Input]) -> Option<u64> {
    let mut total = 0;
    for i in inputs {
        match i {
            Input::Stdin => return None,
            Input::Bytes { data, .. } => total += data.len() as u64,
            Input::Path(p) => total += dir_size(p)?,
        }
    }
    Some(total)
}

fn dir_size(p: &Path) -> Option<u64> {
    let md = std::fs::metadata(p).ok()?;
    if md.is_file() {
        // Compressed files grow when read: the bar is then only a rough guide.
        return Some(md.len());
    }
    let mut total = 0;
    for e in std::fs::read_dir(p).ok()? {
        total += dir_size(&e.ok()?.path()).unwrap_or(0);
    }
    Some(total)
}

/// Bookkeeping of what happened to every document, per input file.
#[derive(Debug, Default)]
pub struct Accounting {
    files: BTreeMap<Arc<str>, (Counts, u64)>,
    total: Counts,
    /// Removed documents by reason.
    pub removed_by_reason: BTreeMap<&'static str, u64>,
}

impl Accounting {
    /// Counts the errors of a run.
    pub fn from_errors(errors: &[RecordError]) -> Accounting {
        let mut a = Accounting::default();
        for e in errors {
            let f = a.files.entry(e.locator.path.clone()).or_default();
            if is_file_level(e) {
                f.1 += 1;
            } else {
                f.0.read += 1;
                f.0.rejected += 1;
                a.total.read += 1;
                a.total.rejected += 1;
            }
        }
        a
    }

    /// A document was written.
    pub fn written(&mut self, at: &Locator) {
        let f = self.files.entry(at.path.clone()).or_default();
        f.0.read += 1;
        f.0.written += 1;
        self.total.read += 1;
        self.total.written += 1;
    }

    /// A document was removed, for `reason`.
    pub fn removed(&mut self, at: &Locator, reason: &'static str) {
        let f = self.files.entry(at.path.clone()).or_default();
        f.0.read += 1;
        f.0.removed += 1;
        self.total.read += 1;
        self.total.removed += 1;
        *self.removed_by_reason.entry(reason).or_default() += 1;
    }

    /// Totals over every file.
    pub fn total(&self) -> &Counts {
        &self.total
    }

    /// Per-file counts, in path order.
    pub fn files(&self) -> Vec<FileCounts> {
        self.files
            .iter()
            .map(|(p, (c, fe))| FileCounts {
                path: p.to_string(),
                counts: c.clone(),
                file_errors: *fe,
            })
            .collect()
    }
}

/// Whether an error concerns a whole file rather than one record.
pub fn is_file_level(e: &RecordError) -> bool {
    use crate::corpus::RecordErrorKind as K;
    // A binary file is a would-be document and counts as a rejected record.
    matches!(e.kind, K::Truncated | K::Unreadable | K::NotFound)
}

/// Errors as report records.
pub fn error_records(errors: &[RecordError]) -> Vec<ErrorRecord> {
    errors
        .iter()
        .map(|e| ErrorRecord {
            path: e.locator.path.to_string(),
            line: (e.locator.line > 0).then_some(e.locator.line),
            byte_offset: e.byte_offset,
            kind: e.kind.as_str(),
            message: e.message.clone(),
        })
        .collect()
}

/// Number of ids carried by more than one document in `entries` (ordered by id).
pub fn duplicate_ids<T>(entries: &[Entry<T>]) -> u64 {
    entries
        .chunk_by(|a, b| a.id == b.id)
        .filter(|g| g.len() > 1)
        .count() as u64
}

/// Gives the documents `involved` (indexes into `fps`) their exact shingle sets, sorted, from
/// the text `text_of` finds in each one's record (`record_of`), read back from `store` in
/// parallel: the documents met in candidate pairs whose shingle lists were not kept.
pub(crate) fn shingle_sets_from_store(
    deduper: &crate::dedup::Deduper,
    store: &RecordStore,
    involved: &[u32],
    fps: &mut [crate::fingerprint::DocFingerprint],
    record_of: impl Fn(u32) -> RecordRef + Sync,
    text_of: impl Fn(u32, &[u8]) -> Result<String> + Sync,
) -> Result<()> {
    let sets: Vec<Result<Vec<u64>>> = involved
        .par_iter()
        .map_init(Vec::new, |buf, &i| {
            let record = store.get(record_of(i), buf)?;
            Ok(deduper.shingle_set(&text_of(i, record)?))
        })
        .collect();
    for (&i, set) in involved.iter().zip(sets) {
        let f = &mut fps[i as usize];
        f.shingles = set?;
        f.sorted = true;
    }
    Ok(())
}

/// The text of a document whose JSON record was stored by [`collect`]: the text field of a
/// JSON Lines record, or `text` for a record made from a plain-text file.
pub fn stored_text<T>(json: &[u8], entry: &Entry<T>, read: &ReadOptions) -> Result<String> {
    let field = if entry.locator.line == 0 {
        "text"
    } else {
        read.text_field.as_str()
    };
    let bad = |what: &str| {
        Error::Config(format!(
            "record store: the record of {} {what}",
            entry.locator
        ))
    };
    let json = std::str::from_utf8(json).map_err(|_| bad("is not UTF-8"))?;
    if !json.trim_start().starts_with('{') {
        return Err(bad("is not a JSON object"));
    }
    let raw =
        crate::corpus::raw_field(json, field).ok_or_else(|| bad("has lost its text field"))?;
    crate::corpus::decode_raw_string(raw.get())
        .ok_or_else(|| bad("has a text field that is not a string"))
}

/// The facts of a finished run that go into its [`Report`](crate::output::schema::Report).
pub(crate) struct RunFacts<'a, T> {
    pub command: &'static str,
    pub config: serde_json::Value,
    pub acct: &'a Accounting,
    pub errors: &'a [RecordError],
    pub entries: &'a [Entry<T>],
    pub bytes_read: u64,
    pub stats: BTreeMap<&'static str, u64>,
    pub started: std::time::Instant,
}

/// Builds the report of a run, writes it to `report` when asked, then renames every output
/// into place: nothing appears under a final name unless all outputs were written.
pub(crate) fn finish_run<T>(
    facts: RunFacts<'_, T>,
    report: Option<&crate::output::Destination>,
    mut writers: Vec<(crate::output::OutputWriter, crate::output::Destination)>,
) -> Result<crate::output::schema::Report> {
    use crate::output::schema::{Report, SCHEMA_VERSION};
    let r = Report {
        schema_version: SCHEMA_VERSION,
        dechaff_version: env!("CARGO_PKG_VERSION"),
        command: facts.command,
        config: facts.config,
        documents: facts.acct.total().clone(),
        removed_by_reason: facts.acct.removed_by_reason.clone(),
        files: facts.acct.files(),
        errors: error_records(facts.errors),
        duplicate_ids: duplicate_ids(facts.entries),
        invalid_utf8_documents: facts.entries.iter().filter(|e| e.invalid_utf8 > 0).count() as u64,
        bytes_read: facts.bytes_read,
        stats: facts.stats,
        seconds: facts.started.elapsed().as_secs_f64(),
    };
    if let Some(dest) = report {
        let mut w = crate::output::OutputWriter::open(dest)?;
        w.line(&serde_json::to_vec_pretty(&r)?, dest)?;
        writers.push((w, dest.clone()));
    }
    for (w, d) in writers {
        w.commit(&d)?;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::permute;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn permute_moves_each_item_to_its_place(
            order in (0usize..200).prop_flat_map(|n| Just((0..n as u32).collect::<Vec<_>>()).prop_shuffle())
        ) {
            let items: Vec<String> = (0..order.len()).map(|i| format!("item{i}")).collect();
            let want: Vec<String> = order.iter().map(|&i| items[i as usize].clone()).collect();
            let (mut got, mut o) = (items, order.clone());
            permute(&mut got, &mut o);
            prop_assert_eq!(got, want);
        }
    }
}
