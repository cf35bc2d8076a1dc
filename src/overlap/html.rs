//! A self-contained HTML report of an overlap run.

use crate::error::Result;
use crate::output::schema::SourcePairRecord;
use crate::overlap::summary::DocMeta;
use crate::overlap::PairOverlap;

/// Renders the report.
pub fn render(
    _pairs: &[PairOverlap],
    _ids: &[&str],
    _meta: &[DocMeta<'_>],
    _sources: &[SourcePairRecord],
    _text_of: &mut dyn FnMut(u32) -> Result<String>,
) -> Result<String> {
    Ok(String::new())
}
