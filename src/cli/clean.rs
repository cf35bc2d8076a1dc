//! `dechaff clean`.

use std::process::ExitCode;

use anyhow::Context;

use super::args::{CleanArgs, GlobalArgs, ModeArg};
use super::progress::Bar;
use super::thousands;
use crate::boilerplate::{BoilerplateConfig, Lexicon, Mode, Signals};
use crate::dedup::DedupConfig;
use crate::jobs::clean::{run as run_clean, CleanOptions, CleanOutputs};
use crate::output::Destination;

pub fn run(global: &GlobalArgs, args: CleanArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        !args.input.inputs.is_empty(),
        "no input given: name files, directories or - for standard input"
    );
    let output = args.output.as_deref().context("--output is required")?;
    let mut config = BoilerplateConfig {
        mode: match args.mode {
            ModeArg::Conservative => Mode::Conservative,
            ModeArg::Balanced => Mode::Balanced,
            ModeArg::Aggressive => Mode::Aggressive,
        },
        keep_title: args.keep_title,
        ..BoilerplateConfig::default()
    };
    if let Some(path) = &args.lexicon {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the lexicon file {path}"))?;
        config.extra_phrases = Lexicon::parse_phrases(&text);
    }
    if let Some(list) = &args.disable {
        let mut s = Signals::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            anyhow::ensure!(
                s.disable(name),
                "unknown signal {name:?}; known: {}",
                Signals::NAMES.join(", ")
            );
        }
        config.signals = s;
    }
    let options = CleanOptions {
        boilerplate: config,
        dedup: (!args.keep_duplicates).then(|| DedupConfig {
            threshold: args.threshold,
            ..DedupConfig::default()
        }),
    };
    let outputs = CleanOutputs {
        output: Destination::parse(output),
        annotations: args.annotations.as_deref().map(Destination::parse),
        removed: args.removed.as_deref().map(Destination::parse),
        report: args.input.report.as_deref().map(Destination::parse),
    };
    let bar = Bar::new(global.quiet);
    let summary = run_clean(
        args.input.inputs(),
        &args.input.read_options(),
        args.input.on_error.into(),
        &options,
        &outputs,
        &bar,
    )?;
    if !global.quiet {
        let r = &summary.report;
        let mb = r.bytes_read as f64 / 1e6;
        eprintln!(
            "dechaff clean: read {} documents ({:.1} MB) in {:.2} s ({:.1} MB/s); removed {} of {} \
             paragraphs as chrome; kept {} documents, removed {} near duplicates and {} with no \
             content; {} rejected records, {} file errors; output {}",
            thousands(r.documents.read),
            mb,
            r.seconds,
            mb / r.seconds.max(1e-9),
            thousands(summary.chrome_paragraphs),
            thousands(summary.paragraphs),
            thousands(r.documents.written),
            thousands(summary.near_duplicates),
            thousands(summary.no_content),
            thousands(r.documents.rejected),
            r.files.iter().map(|f| f.file_errors).sum::<u64>(),
            outputs.output.display(),
        );
        super::print_errors(r);
    }
    Ok(ExitCode::SUCCESS)
}
