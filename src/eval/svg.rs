//! Small inline-SVG charts for the pilot report: stacked bars, a histogram and a
//! heatmap. Pure string building; every label passes through [`esc`].

use std::fmt::Write as _;

/// Colours for series (teams), in order; cycled past the last.
pub(crate) const PALETTE: [&str; 6] = [
    "#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#64748b",
];

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round axis maximum at or above `max` (1, 2, 5 times a power of ten).
fn nice_max(max: usize) -> usize {
    let mut step = 1usize;
    loop {
        for m in [1, 2, 5] {
            if let Some(v) = step.checked_mul(m) {
                if v >= max.max(1) {
                    return v;
                }
            } else {
                return max.max(1);
            }
        }
        step = match step.checked_mul(10) {
            Some(s) => s,
            None => return max.max(1),
        };
    }
}

const W: f64 = 560.0;
const H: f64 = 230.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 40.0;

fn open_svg(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" \
         height=\"{H}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
}

/// The y axis: gridlines and labels at 0, half and the maximum.
fn y_axis(out: &mut String, max: usize) {
    let plot_h = H - TOP - BOTTOM;
    for i in 0..=2 {
        let v = max * i / 2;
        let y = H - BOTTOM - plot_h * i as f64 / 2.0;
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e5e7eb\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" \
             fill=\"#6b7280\">{v}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
}

/// Stacked bars: one bar per label, one segment per series; a legend on top.
pub(crate) fn stacked_bars(
    title: &str,
    labels: &[String],
    series: &[String],
    values: &[Vec<usize>],
) -> String {
    let mut out = String::new();
    open_svg(&mut out, title);
    let totals: Vec<usize> = values.iter().map(|v| v.iter().sum()).collect();
    let max = nice_max(totals.iter().copied().max().unwrap_or(0));
    y_axis(&mut out, max);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / labels.len().max(1) as f64;
    let bar = (slot * 0.62).min(48.0);
    for (i, label) in labels.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = H - BOTTOM;
        for (s, v) in values.get(i).into_iter().flatten().enumerate() {
            let h = plot_h * *v as f64 / max as f64;
            y -= h;
            let name = series.get(s).map_or("", String::as_str);
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" \
                 fill=\"{}\"><title>{}: {v}</title></rect>",
                PALETTE[s % PALETTE.len()],
                esc(name)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" \
             fill=\"#111827\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" \
             text-anchor=\"middle\" fill=\"#374151\">{}</text>",
            x + bar / 2.0,
            y - 4.0,
            totals.get(i).copied().unwrap_or(0),
            x + bar / 2.0,
            H - BOTTOM + 16.0,
            esc(label)
        );
    }
    let mut lx = LEFT;
    for (s, name) in series.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x=\"{lx:.1}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\"/>\
             <text x=\"{:.1}\" y=\"13\" font-size=\"11\" fill=\"#374151\">{}</text>",
            PALETTE[s % PALETTE.len()],
            lx + 14.0,
            esc(name)
        );
        lx += 24.0 + 7.0 * name.chars().count() as f64;
    }
    out.push_str("</svg>");
    out
}

/// A histogram: one bar per bucket, its count on top.
pub(crate) fn histogram(title: &str, labels: &[&str], counts: &[usize]) -> String {
    let mut out = String::new();
    open_svg(&mut out, title);
    let max = nice_max(counts.iter().copied().max().unwrap_or(0));
    y_axis(&mut out, max);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / labels.len().max(1) as f64;
    for (i, label) in labels.iter().enumerate() {
        let v = counts.get(i).copied().unwrap_or(0);
        let h = plot_h * v as f64 / max as f64;
        let x = LEFT + slot * i as f64 + 3.0;
        let y = H - BOTTOM - h;
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" \
             fill=\"#0ea5e9\"><title>{}: {v}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" \
             fill=\"#111827\">{v}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" \
             text-anchor=\"middle\" fill=\"#374151\">{}</text>",
            slot - 6.0,
            esc(label),
            x + (slot - 6.0) / 2.0,
            y - 4.0,
            x + (slot - 6.0) / 2.0,
            H - BOTTOM + 16.0,
            esc(label)
        );
    }
    out.push_str("</svg>");
    out
}

/// A heatmap of counts: rows and columns labelled, the diagonal (agreement) in green,
/// the rest (confusions) in red, darker for more.
pub(crate) fn heatmap(
    title: &str,
    labels: &[String],
    cell: impl Fn(usize, usize) -> usize,
) -> String {
    let n = labels.len();
    let cell_size = 40.0;
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let left = 16.0 + 6.5 * longest;
    let top = 16.0 + 4.6 * longest;
    let w = left + cell_size * n as f64 + 12.0;
    let h = top + cell_size * n as f64 + 12.0;
    let max = (0..n)
        .flat_map(|r| (0..n).map(move |c| (r, c)))
        .map(|(r, c)| cell(r, c))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" \
         width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for (i, label) in labels.iter().enumerate() {
        let y = top + cell_size * i as f64 + cell_size / 2.0 + 4.0;
        let x = left + cell_size * i as f64 + cell_size / 2.0;
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"11\" text-anchor=\"end\" \
             fill=\"#374151\">{}</text>",
            left - 6.0,
            esc(label)
        );
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#374151\" \
             transform=\"rotate(-40 {x:.1} {:.1})\">{}</text>",
            top - 6.0,
            top - 6.0,
            esc(label)
        );
    }
    for r in 0..n {
        for c in 0..n {
            let v = cell(r, c);
            let x = left + cell_size * c as f64;
            let y = top + cell_size * r as f64;
            let strength = if v == 0 {
                0.0
            } else {
                0.15 + 0.85 * v as f64 / max as f64
            };
            let (rgb, text) = if r == c {
                ("16,185,129", "#064e3b")
            } else {
                ("239,68,68", "#7f1d1d")
            };
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell_size}\" height=\"{cell_size}\" \
                 fill=\"rgba({rgb},{strength:.2})\" stroke=\"#e5e7eb\"/>"
            );
            if v > 0 {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" \
                     fill=\"{text}\">{v}</text>",
                    x + cell_size / 2.0,
                    y + cell_size / 2.0 + 4.0
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_max_rounds_up_to_1_2_5() {
        for (max, nice) in [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (250, 500)] {
            assert_eq!(nice_max(max), nice, "{max}");
        }
        assert!(nice_max(usize::MAX) >= usize::MAX / 2);
    }

    #[test]
    fn labels_are_escaped_everywhere() {
        let bad = "<b>&\"'".to_string();
        let charts = [
            stacked_bars(
                &bad,
                std::slice::from_ref(&bad),
                std::slice::from_ref(&bad),
                &[vec![1]],
            ),
            histogram(&bad, &[&bad], &[1]),
            heatmap(&bad, std::slice::from_ref(&bad), |_, _| 1),
        ];
        for svg in charts {
            assert!(!svg.contains("<b>"), "{svg}");
            assert!(svg.contains("&lt;b&gt;&amp;&quot;&#39;"), "{svg}");
        }
    }
}
