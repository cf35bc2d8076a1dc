//! Reuse summed up by source (outlet): who shares what with whom, and who published first.

use std::collections::{BTreeMap, BTreeSet};

use crate::output::schema::SourcePairRecord;
use crate::overlap::{merge_ranges, PairOverlap};

/// Name under which documents without a source are counted.
pub const NO_SOURCE: &str = "(none)";

/// What the summary needs to know about a document of the batch.
#[derive(Clone, Copy, Debug, Default)]
pub struct DocMeta<'a> {
    /// Its source, if any.
    pub source: Option<&'a str>,
    /// Its date, if any, as a string that sorts in time order (ISO 8601).
    pub date: Option<&'a str>,
}

/// Sums `pairs` (over a batch described by `docs`) per pair of sources, in source order.
pub fn by_source(pairs: &[PairOverlap], docs: &[DocMeta<'_>]) -> Vec<SourcePairRecord> {
    type Acc = (SourcePairRecord, BTreeSet<u32>, BTreeSet<u32>);
    let mut acc: BTreeMap<(&str, &str), Acc> = BTreeMap::new();
    for p in pairs {
        let (da, db) = (&docs[p.a as usize], &docs[p.b as usize]);
        let sa = da.source.unwrap_or(NO_SOURCE);
        let sb = db.source.unwrap_or(NO_SOURCE);
        let a_bytes = covered(p.passages.iter().map(|m| m.a_byte_start..m.a_byte_end));
        let b_bytes = covered(p.passages.iter().map(|m| m.b_byte_start..m.b_byte_end));
        // Orient the pair so that its first document is of the first source.
        let swap = sb < sa;
        let (s1, s2, d1, d2, i1, i2, b1, b2) = if swap {
            (sb, sa, db, da, p.b, p.a, b_bytes, a_bytes)
        } else {
            (sa, sb, da, db, p.a, p.b, a_bytes, b_bytes)
        };
        let e = acc.entry((s1, s2)).or_insert_with(|| {
            (
                SourcePairRecord {
                    a_source: s1.to_owned(),
                    b_source: s2.to_owned(),
                    ..SourcePairRecord::default()
                },
                BTreeSet::new(),
                BTreeSet::new(),
            )
        });
        e.0.document_pairs += 1;
        e.0.passages += p.passages.len() as u64;
        e.0.a_bytes += b1;
        e.0.b_bytes += b2;
        e.1.insert(i1);
        e.2.insert(i2);
        if let (Some(x), Some(y)) = (d1.date, d2.date) {
            e.0.dated_pairs += 1;
            match x.cmp(y) {
                std::cmp::Ordering::Less => e.0.a_first += 1,
                std::cmp::Ordering::Greater => e.0.b_first += 1,
                std::cmp::Ordering::Equal => e.0.same_date += 1,
            }
        }
    }
    acc.into_values()
        .map(|(mut r, a, b)| {
            if r.a_source == r.b_source {
                // Within one source, both sides are the same set of documents.
                let all: BTreeSet<u32> = a.union(&b).copied().collect();
                r.a_documents = all.len() as u64;
                r.b_documents = all.len() as u64;
            } else {
                r.a_documents = a.len() as u64;
                r.b_documents = b.len() as u64;
            }
            r
        })
        .collect()
}

fn covered(spans: impl Iterator<Item = std::ops::Range<usize>>) -> u64 {
    let v: Vec<_> = spans.collect();
    merge_ranges(&v, usize::MAX)
        .iter()
        .map(|r| r.len() as u64)
        .sum()
}

/// The summary as a Markdown table.
pub fn markdown(rows: &[SourcePairRecord]) -> String {
    let mut s = String::from(
        "| a source | b source | document pairs | a docs | b docs | passages | a bytes in b | b bytes in a | a first | b first | same date |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            md_escape(&r.a_source),
            md_escape(&r.b_source),
            r.document_pairs,
            r.a_documents,
            r.b_documents,
            r.passages,
            r.a_bytes,
            r.b_bytes,
            r.a_first,
            r.b_first,
            r.same_date
        ));
    }
    s
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
