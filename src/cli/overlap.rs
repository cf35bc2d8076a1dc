//! `dechaff overlap`.

use std::process::ExitCode;

use anyhow::Context;

use super::args::{GlobalArgs, OverlapArgs};
use super::progress::Bar;
use super::thousands;
use crate::jobs::overlap::{run as run_overlap, OverlapOptions, OverlapOutputs};
use crate::output::Destination;
use crate::overlap::Overlapper;

pub fn run(global: &GlobalArgs, args: OverlapArgs) -> anyhow::Result<ExitCode> {
    let config = args.config();
    Overlapper::new(config).context("invalid settings")?;
    anyhow::ensure!(
        !args.input.inputs.is_empty(),
        "no input given: name files, directories or - for standard input"
    );
    let outputs = OverlapOutputs {
        output: Destination::parse(&args.output),
        summary: args.summary.as_deref().map(Destination::parse),
        summary_md: args.summary_md.as_deref().map(Destination::parse),
        html: args.html.as_deref().map(Destination::parse),
        report: args.input.report.as_deref().map(Destination::parse),
    };
    let options = OverlapOptions {
        date_fields: args.date_fields(),
    };
    let bar = Bar::new(global.quiet);
    // Chrome paragraphs (judged page by page by `clean`'s detector) and any ranges named by
    // `--mask-field` do not count as shared passages.
    let classifier = (!args.no_chrome_mask)
        .then(|| {
            crate::boilerplate::Classifier::new(crate::boilerplate::BoilerplateConfig::default())
        })
        .transpose()
        .context("chrome detector")?;
    let field = args.mask_field.clone();
    let masked = move |doc: &crate::corpus::Document| -> Vec<std::ops::Range<usize>> {
        let mut ranges = classifier
            .as_ref()
            .map(|c| c.chrome_ranges(&doc.text))
            .unwrap_or_default();
        if let Some(f) = field.as_deref() {
            ranges.extend(crate::jobs::overlap::record_ranges(&doc.json, f));
            ranges.sort_by_key(|r| (r.start, r.end));
        }
        ranges
    };
    let mask: Option<&crate::jobs::overlap::MaskFn<'_>> =
        if args.mask_field.is_some() || !args.no_chrome_mask {
            Some(&masked)
        } else {
            None
        };
    let summary = run_overlap(
        args.input.inputs(),
        &args.input.read_options(),
        args.input.on_error.into(),
        &config,
        &options,
        mask,
        &outputs,
        &bar,
    )?;
    if !global.quiet {
        let r = &summary.report;
        let mb = r.bytes_read as f64 / 1e6;
        eprintln!(
            "dechaff overlap: read {} documents ({:.1} MB) in {:.2} s ({:.1} MB/s); {} document pairs \
             share {} passages ({} candidate pairs aligned) across {} source pairs; {} rejected \
             records, {} file errors; output {}",
            thousands(r.documents.read),
            mb,
            r.seconds,
            mb / r.seconds.max(1e-9),
            thousands(summary.pairs as u64),
            thousands(summary.passages as u64),
            thousands(summary.candidates as u64),
            thousands(summary.sources.len() as u64),
            thousands(r.documents.rejected),
            r.files.iter().map(|f| f.file_errors).sum::<u64>(),
            outputs.output.display(),
        );
        super::print_errors(r);
        if outputs.summary.is_some() && outputs.summary_md.is_none() {
            eprint!("{}", summary.markdown);
        }
    }
    Ok(ExitCode::SUCCESS)
}
