//! `dechaff dedup`.

use std::process::ExitCode;

use anyhow::Context;

use super::args::{DedupArgs, GlobalArgs};
use super::progress::Bar;
use super::{thousands, EXIT_CHECK_FAILED};
use crate::dedup::Deduper;
use crate::jobs::dedup::{run as run_dedup, DedupOutputs};
use crate::output::Destination;

pub fn run(global: &GlobalArgs, args: DedupArgs) -> anyhow::Result<ExitCode> {
    let config = args.config();
    let deduper = Deduper::new(config).context("invalid settings")?;
    if args.explain {
        explain(&deduper);
        if args.input.inputs.is_empty() {
            return Ok(ExitCode::SUCCESS);
        }
    }
    anyhow::ensure!(
        !args.input.inputs.is_empty(),
        "no input given: name files, directories or - for standard input"
    );
    super::check_inputs(&args.input.inputs)?;
    anyhow::ensure!(
        args.output.is_some()
            || args.clusters.is_some()
            || args.pairs.is_some()
            || args.removed.is_some()
            || args.input.report.is_some()
            || args.check,
        "nothing to do: give --output, or --pairs, --clusters, --removed, --report or --check \
         for a run that finds near duplicates without writing the kept documents"
    );
    let outputs = DedupOutputs {
        output: args.output.as_deref().map(Destination::parse),
        clusters: args.clusters.as_deref().map(Destination::parse),
        pairs: args.pairs.as_deref().map(Destination::parse),
        removed: args.removed.as_deref().map(Destination::parse),
        report: args.input.report.as_deref().map(Destination::parse),
    };
    let bar = Bar::new(global.quiet);
    let summary = run_dedup(
        args.input.inputs(),
        &args.input.read_options(),
        args.input.on_error.into(),
        &config,
        &outputs,
        &bar,
    )?;
    if !global.quiet {
        let r = &summary.report;
        let mb = r.bytes_read as f64 / 1e6;
        eprintln!(
            "dechaff dedup: read {} documents ({:.1} MB) in {:.2} s ({:.1} MB/s); kept {}, removed {} \
             near duplicates in {} clusters ({} verified pairs of {} candidates); {} rejected records, \
             {} file errors; output {}",
            thousands(r.documents.read),
            mb,
            r.seconds,
            mb / r.seconds.max(1e-9),
            thousands(r.documents.written),
            thousands(r.documents.removed),
            thousands(summary.clusters as u64),
            thousands(summary.pairs as u64),
            thousands(summary.candidates as u64),
            thousands(r.documents.rejected),
            r.files.iter().map(|f| f.file_errors).sum::<u64>(),
            outputs
                .output
                .as_ref()
                .map_or_else(|| "not written (no --output)".to_owned(), |d| d.display()),
        );
        if r.documents.read == 0 {
            eprintln!("  warning: no documents were read: the inputs are empty");
        }
        super::print_errors(r);
    }
    if args.check && summary.clusters > 0 {
        return Ok(ExitCode::from(EXIT_CHECK_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(deduper: &Deduper) {
    let p = deduper.params();
    let c = deduper.config();
    eprintln!(
        "LSH for threshold {}: {} bands x {} rows ({} of {} MinHash slots), chosen so that a pair \
         exactly at the threshold is a candidate with probability >= {}.",
        c.threshold,
        p.bands,
        p.rows,
        p.slots_used(),
        c.fingerprint.minhash.num_perm,
        c.min_recall
    );
    eprintln!("  similarity  P(candidate)");
    let mut points: Vec<f64> = vec![0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
    if !points.iter().any(|&s| (s - c.threshold).abs() < 1e-9) {
        points.push(c.threshold);
    }
    points.sort_by(f64::total_cmp);
    for s in points {
        let mark = if (s - c.threshold).abs() < 1e-9 {
            "  <- threshold"
        } else {
            ""
        };
        eprintln!("  {s:>10.2}  {:>12.4}{mark}", p.candidate_probability(s));
    }
    eprintln!(
        "Candidates are then verified against the {} before they are reported.",
        match c.verification {
            crate::dedup::Verification::Exact => "exact Jaccard of the shingle sets",
            crate::dedup::Verification::Estimate => "MinHash estimate",
        }
    );
}
