//! A self-contained HTML report of an overlap run: one file, inline CSS and JavaScript, no
//! network access. It shows the source × source matrix as a heat map (bytes of the row's
//! documents found in the column's); a click on a cell lists its document pairs, a click on a
//! pair shows the two documents side by side with the shared passages highlighted. Opening the
//! page with `#pair=N` shows pair N at once.
//!
//! Size is capped for big corpora: only the [`MAX_PAIRS`] pairs sharing the most bytes carry
//! their texts, and a text longer than [`MAX_TEXT_BYTES`] is cut to its shared passages with
//! [`CONTEXT_BYTES`] of context on each side. The page says when it was capped.

use serde::Serialize;

use crate::error::Result;
use crate::output::schema::SourcePairRecord;
use crate::overlap::summary::{DocMeta, NO_SOURCE};
use crate::overlap::PairOverlap;

/// Most document pairs embedded with their texts.
pub const MAX_PAIRS: usize = 300;
/// Longest text embedded whole, in bytes.
pub const MAX_TEXT_BYTES: usize = 12_000;
/// Context kept around each passage of a longer text, in bytes.
pub const CONTEXT_BYTES: usize = 400;

#[derive(Serialize)]
struct Page<'a> {
    sources: Vec<&'a str>,
    /// [row source, column source, bytes of row documents found in column documents, pairs]
    cells: Vec<(usize, usize, u64, u64)>,
    pairs: Vec<PagePair<'a>>,
    total_pairs: usize,
    max_pairs: usize,
    max_text_bytes: usize,
}

#[derive(Serialize)]
struct PagePair<'a> {
    a: &'a str,
    b: &'a str,
    a_source: &'a str,
    b_source: &'a str,
    a_containment: f64,
    b_containment: f64,
    passages: usize,
    similarity: Vec<f64>,
    /// Segments of each text: (text, passage number or -1).
    a_text: Vec<(String, i32)>,
    b_text: Vec<(String, i32)>,
}

/// Renders the report. `text_of` gives the text of a document of the batch.
pub fn render(
    pairs: &[PairOverlap],
    ids: &[&str],
    meta: &[DocMeta<'_>],
    sources: &[SourcePairRecord],
    text_of: &mut dyn FnMut(u32) -> Result<String>,
) -> Result<String> {
    let mut names: Vec<&str> = sources
        .iter()
        .flat_map(|r| [r.a_source.as_str(), r.b_source.as_str()])
        .collect();
    names.sort_unstable();
    names.dedup();
    let pos = |s: &str| names.binary_search(&s).unwrap_or(0);
    let mut cells = Vec::new();
    for r in sources {
        let (x, y) = (pos(&r.a_source), pos(&r.b_source));
        if x == y {
            cells.push((x, y, r.a_bytes + r.b_bytes, r.document_pairs));
        } else {
            cells.push((x, y, r.a_bytes, r.document_pairs));
            cells.push((y, x, r.b_bytes, r.document_pairs));
        }
    }
    // The pairs sharing the most bytes, in a fixed order.
    let mut order: Vec<(u64, usize)> = pairs
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let bytes: usize = p
                .passages
                .iter()
                .map(|m| (m.a_byte_end - m.a_byte_start) + (m.b_byte_end - m.b_byte_start))
                .sum();
            (bytes as u64, k)
        })
        .collect();
    order.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    order.truncate(MAX_PAIRS);
    let mut out_pairs = Vec::with_capacity(order.len());
    for &(_, k) in &order {
        let p = &pairs[k];
        let ta = text_of(p.a)?;
        let tb = text_of(p.b)?;
        let sa: Vec<(usize, usize)> = p
            .passages
            .iter()
            .map(|m| (m.a_byte_start, m.a_byte_end))
            .collect();
        let sb: Vec<(usize, usize)> = p
            .passages
            .iter()
            .map(|m| (m.b_byte_start, m.b_byte_end))
            .collect();
        out_pairs.push(PagePair {
            a: ids[p.a as usize],
            b: ids[p.b as usize],
            a_source: meta[p.a as usize].source.unwrap_or(NO_SOURCE),
            b_source: meta[p.b as usize].source.unwrap_or(NO_SOURCE),
            a_containment: (p.a_containment * 1000.0).round() / 1000.0,
            b_containment: (p.b_containment * 1000.0).round() / 1000.0,
            passages: p.passages.len(),
            similarity: p
                .passages
                .iter()
                .map(|m| (m.similarity * 1000.0).round() / 1000.0)
                .collect(),
            a_text: segments(&ta, &sa),
            b_text: segments(&tb, &sb),
        });
    }
    let page = Page {
        sources: names.clone(),
        cells,
        pairs: out_pairs,
        total_pairs: pairs.len(),
        max_pairs: MAX_PAIRS,
        max_text_bytes: MAX_TEXT_BYTES,
    };
    let data = serde_json::to_string(&page)?.replace("</", "<\\/");
    Ok(TEMPLATE.replace("/*DATA*/", &data))
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Cuts `text` into plain and highlighted segments; `spans[k]` is passage `k`. Long texts
/// keep only the passages and some context.
fn segments(text: &str, spans: &[(usize, usize)]) -> Vec<(String, i32)> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&k| spans[k]);
    let long = text.len() > MAX_TEXT_BYTES;
    let mut out = Vec::new();
    let mut at = 0;
    for k in order {
        let (s, e) = spans[k];
        let (s, e) = (floor_boundary(text, s.max(at)), floor_boundary(text, e));
        if s >= e {
            continue;
        }
        if s > at {
            let gap = &text[at..s];
            if long && gap.len() > 2 * CONTEXT_BYTES {
                let head = floor_boundary(gap, if at == 0 { 0 } else { CONTEXT_BYTES });
                let tail = floor_boundary(gap, gap.len() - CONTEXT_BYTES);
                out.push((format!("{} […] {}", &gap[..head], &gap[tail..]), -1));
            } else {
                out.push((gap.to_owned(), -1));
            }
        }
        out.push((text[s..e].to_owned(), k as i32));
        at = e;
    }
    if at < text.len() {
        let rest = &text[at..];
        if long && rest.len() > CONTEXT_BYTES {
            out.push((
                format!("{} […]", &rest[..floor_boundary(rest, CONTEXT_BYTES)]),
                -1,
            ));
        } else {
            out.push((rest.to_owned(), -1));
        }
    }
    out
}

const TEMPLATE: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>dechaff overlap report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{padding:12px 20px;background:#263238;color:#fff}
header h1{font-size:18px;margin:0}
header p{margin:4px 0 0;color:#cfd8dc;font-size:13px}
main{display:flex;gap:16px;padding:16px 20px;align-items:flex-start}
#left{flex:0 0 auto;max-width:48%}
#right{flex:1 1 auto;min-width:0}
table.hm{border-collapse:collapse}
table.hm th{font-weight:600;font-size:12px;padding:4px;text-align:right;white-space:nowrap}
table.hm th.col{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;height:110px}
table.hm td{width:46px;height:34px;text-align:center;font-size:11px;border:1px solid #fff;cursor:pointer}
table.hm td.sel{outline:3px solid #1565c0}
table.hm td.empty{cursor:default;background:#eee}
#pairs{margin-top:14px;max-height:420px;overflow:auto;background:#fff;border:1px solid #ddd}
#pairs div{padding:5px 8px;border-bottom:1px solid #eee;cursor:pointer;font-size:13px}
#pairs div:hover,#pairs div.sel{background:#e3f2fd}
.cols{display:flex;gap:12px}
.doc{flex:1 1 0;min-width:0;background:#fff;border:1px solid #ddd;padding:10px;white-space:pre-wrap;
 word-wrap:break-word;max-height:78vh;overflow:auto;font:13px/1.5 Georgia,serif}
.doc h3{font:600 13px system-ui,sans-serif;margin:-10px -10px 8px;padding:8px 10px;white-space:normal;position:sticky;top:-10px;background:#eceff1}
mark{border-radius:2px;padding:0 1px;cursor:pointer}
.legend{font-size:12px;color:#555;margin:6px 0}
.note{font-size:12px;color:#777}
</style></head><body>
<header><h1>dechaff overlap — what did outlets share?</h1><p id="stats"></p></header>
<main><section id="left"><div class="legend">Cell = bytes of the row source's documents found in the column source's documents. Click a cell for its pairs.</div>
<table class="hm" id="hm"></table><div id="pairs"></div><p class="note" id="cap"></p></section>
<section id="right"><div id="view" class="note">Click a heat-map cell, then a document pair, to see the shared passages side by side.</div></section></main>
<script type="application/json" id="data">/*DATA*/</script>
<script>
const D=JSON.parse(document.getElementById('data').textContent);
const S=D.sources,N=S.length,cell={};
let mx=1;for(const [r,c,b,p] of D.cells){cell[r+','+c]={b,p};mx=Math.max(mx,b);}
const fmt=n=>n>=1e6?(n/1e6).toFixed(1)+'M':n>=1e3?(n/1e3).toFixed(1)+'k':String(n);
const esc=s=>s.replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
document.getElementById('stats').textContent=`${D.total_pairs} document pairs share passages across ${N} sources`;
if(D.total_pairs>D.pairs.length)document.getElementById('cap').textContent=
 `Capped: the ${D.pairs.length} pairs sharing the most bytes of ${D.total_pairs} carry their texts; texts over ${D.max_text_bytes} bytes show only the shared passages with some context.`;
const hm=document.getElementById('hm');
let h='<tr><th></th>'+S.map(s=>`<th class="col">${esc(s)}</th>`).join('')+'</tr>';
for(let r=0;r<N;r++){h+=`<tr><th>${esc(S[r])}</th>`;for(let c=0;c<N;c++){const x=cell[r+','+c];
 if(!x){h+='<td class="empty"></td>';continue;}
 const t=Math.log(1+x.b)/Math.log(1+mx),l=Math.round(96-58*t);
 h+=`<td data-r="${r}" data-c="${c}" title="${esc(S[r])} → ${esc(S[c])}: ${x.b} bytes, ${x.p} pairs" style="background:hsl(8,80%,${l}%);color:${l<60?'#fff':'#000'}">${fmt(x.b)}</td>`;}
 h+='</tr>';}
hm.innerHTML=h;
hm.addEventListener('click',e=>{const td=e.target.closest('td[data-r]');if(!td)return;
 hm.querySelectorAll('td.sel').forEach(x=>x.classList.remove('sel'));td.classList.add('sel');
 listPairs(S[+td.dataset.r],S[+td.dataset.c]);});
function listPairs(a,b){const el=document.getElementById('pairs');let h='';
 D.pairs.forEach((p,i)=>{if((p.a_source==a&&p.b_source==b)||(p.a_source==b&&p.b_source==a))
  h+=`<div data-i="${i}">${esc(p.a)} ↔ ${esc(p.b)} — ${p.passages} passage(s), ${(100*p.a_containment).toFixed(0)}% / ${(100*p.b_containment).toFixed(0)}%</div>`;});
 el.innerHTML=h||'<div>No embedded pair for this cell (see the cap note).</div>';}
document.getElementById('pairs').addEventListener('click',e=>{const d=e.target.closest('div[data-i]');if(d)location.hash='pair='+d.dataset.i;});
const COL=['#ffe082','#a5d6a7','#90caf9','#f48fb1','#ce93d8','#ffcc80','#80cbc4','#e6ee9c'];
function side(segs,who){return segs.map(([t,k])=>k<0?esc(t):
 `<mark data-k="${k}" id="${who}${k}" style="background:${COL[k%COL.length]}" title="passage ${k+1}">${esc(t)}</mark>`).join('');}
function show(i){const p=D.pairs[i];if(!p)return;
 document.querySelectorAll('#pairs div.sel').forEach(x=>x.classList.remove('sel'));
 const li=document.querySelector(`#pairs div[data-i="${i}"]`);if(li)li.classList.add('sel');
 document.getElementById('view').innerHTML=
 `<div class="legend">Pair ${i}: ${p.passages} shared passage(s), similarity ${p.similarity.join(', ')}. Click a highlight to find it on the other side.</div>
 <div class="cols"><div class="doc" id="da"><h3>${esc(p.a)} — ${esc(p.a_source)} (${(100*p.a_containment).toFixed(1)}% found in the other)</h3>${side(p.a_text,'a')}</div>
 <div class="doc" id="db"><h3>${esc(p.b)} — ${esc(p.b_source)} (${(100*p.b_containment).toFixed(1)}% found in the other)</h3>${side(p.b_text,'b')}</div></div>`;
 const a0=document.getElementById('a0'),b0=document.getElementById('b0');
 if(a0)a0.scrollIntoView({block:'center'});if(b0)b0.scrollIntoView({block:'center'});}
document.getElementById('view').addEventListener('click',e=>{const m=e.target.closest('mark');if(!m)return;
 const other=(m.id[0]=='a'?'b':'a')+m.dataset.k;const o=document.getElementById(other);if(o)o.scrollIntoView({block:'center',behavior:'smooth'});});
function route(){const m=/pair=(\d+)/.exec(location.hash);if(m){const p=D.pairs[+m[1]];
 if(p){listPairs(p.a_source,p.b_source);show(+m[1]);}}}
window.addEventListener('hashchange',route);route();
</script></body></html>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_text_and_mark_passages() {
        let t = "héllo wörld, shared part here; tail";
        let s = t.find("shared").unwrap();
        let e = t.find(';').unwrap();
        let segs = segments(t, &[(s, e)]);
        let joined: String = segs.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(joined, t);
        assert_eq!(segs[1], ("shared part here".to_owned(), 0));
    }

    #[test]
    fn long_texts_are_cut_to_context() {
        let t = format!("{}MATCH{}", "é".repeat(10_000), "x".repeat(10_000));
        let s = t.find("MATCH").unwrap();
        let segs = segments(&t, &[(s, s + 5)]);
        let total: usize = segs.iter().map(|x| x.0.len()).sum();
        assert!(total < 2 * CONTEXT_BYTES + 100, "{total}");
        assert!(segs.iter().any(|x| x == &("MATCH".to_owned(), 0)));
    }
}
