//! Bar charts drawn on the server as SVG, so that pages need no JavaScript: labelled integer
//! values in, an accessible `<svg role="img">` out (a title, a description, a value axis with a
//! "nice" maximum and month-like labels under the bars). Every text is escaped here; numbers
//! are formatted by the caller, which knows whether they are counts or cents.

use std::fmt::Write as _;

/// One bar: its label under the axis, an optional second line (a year), its full name for
/// the tooltip, and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub sublabel: Option<String>,
    pub name: String,
    pub value: i64,
}

/// A chart to draw. `id` prefixes the ids of the title and description (keep it unique on the
/// page); `format` writes a bar's exact value (its tooltip), `format_tick` a value on the axis
/// (which may be shorter: whole euros).
pub struct BarChart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub value_axis: &'a str,
    pub bars: &'a [Bar],
    pub format: &'a dyn Fn(i64) -> String,
    pub format_tick: &'a dyn Fn(i64) -> String,
}

const WIDTH: i64 = 540;
const HEIGHT: i64 = 260;
/// The plot area: left of it the tick labels, above it the axis label, below it the bars'
/// labels (two lines).
const LEFT: i64 = 92;
const RIGHT: i64 = 528;
const TOP: i64 = 28;
const BOTTOM: i64 = 214;
/// How many intervals the value axis aims for.
const TICKS: i64 = 4;

const BAR_FILL: &str = "#8a1c1c";
const GRID: &str = "#d0d0d8";
const INK: &str = "#1b1b1f";
const MUTED: &str = "#4a4a55";

/// Text safe inside SVG elements and attribute values.
pub fn escape(s: &str) -> String {
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

/// An id keeps only ASCII letters, digits and `-`, so it needs no escaping anywhere.
fn clean_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The step between ticks and the axis maximum for values up to `max`: the step is 1, 2 or 5
/// times a power of ten, the smallest that covers `max` in at most [`TICKS`] steps. For a
/// series without a positive value: `(0, 0)`, an axis with only its zero.
pub fn nice_axis(max: i64) -> (i64, i64) {
    if max <= 0 {
        return (0, 0);
    }
    let max = i128::from(max);
    let ticks = i128::from(TICKS);
    let raw = (max + ticks - 1) / ticks;
    let mut magnitude: i128 = 1;
    while magnitude * 10 <= raw {
        magnitude *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10 * magnitude);
    let top = (max + step - 1) / step * step;
    // Both fit: step ≤ 10 × max / 4 and top < max + step, and max ≤ i64::MAX. Saturate
    // rather than trust it.
    let clamp = |v: i128| i64::try_from(v).unwrap_or(i64::MAX);
    (clamp(step), clamp(top))
}

/// Tenths of a pixel as SVG text: `1234` → `123.4`.
fn px(tenths: i64) -> String {
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

/// The height of `value` in tenths of a pixel on an axis reaching `top`.
fn height_tenths(value: i64, top: i64) -> i64 {
    if top <= 0 || value <= 0 {
        return 0;
    }
    let v = i128::from(value.min(top));
    let h = v * i128::from((BOTTOM - TOP) * 10) / i128::from(top);
    i64::try_from(h).unwrap_or(0)
}

/// Draws `chart`. Negative values are drawn as zero (the portal's volumes and amounts are
/// never negative; a credit is no bar).
pub fn bar_chart(chart: &BarChart<'_>) -> String {
    let id = clean_id(chart.id);
    let max = chart.bars.iter().map(|b| b.value).max().unwrap_or(0);
    let (step, top) = nice_axis(max);
    let mut s = String::new();
    // `write!` to a String cannot fail; the results are ignored on purpose.
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"system-ui, sans-serif\" font-size=\"13\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(chart.title),
        escape(chart.description),
    );
    let _ = write!(
        s,
        "<text class=\"axis-label\" x=\"{}\" y=\"14\" fill=\"{INK}\" font-weight=\"600\">{}</text>",
        LEFT,
        escape(chart.value_axis)
    );
    // The value axis: a grid line and a label per tick (only the zero line when all are 0).
    let mut tick = 0;
    loop {
        let y10 = BOTTOM * 10 - height_tenths(tick, top);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{GRID}\"/>\
             <text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{MUTED}\">{}</text>",
            LEFT - 6,
            px(y10 + 40),
            escape(&(chart.format_tick)(tick)),
            y = px(y10),
        );
        if step <= 0 || tick >= top {
            break;
        }
        tick = tick.saturating_add(step);
    }
    let n = i64::try_from(chart.bars.len()).unwrap_or(i64::MAX).max(1);
    let slot10 = (RIGHT - LEFT) * 10 / n;
    let bar10 = slot10 * 7 / 10;
    for (i, bar) in chart.bars.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let x10 = LEFT * 10 + i * slot10 + (slot10 - bar10) / 2;
        let h10 = height_tenths(bar.value, top);
        let centre = px(LEFT * 10 + i * slot10 + slot10 / 2);
        let _ = write!(
            s,
            "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BAR_FILL}\">\
             <title>{} — {}</title></rect>\
             <text class=\"bar-label\" font-size=\"12\" x=\"{centre}\" y=\"{}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            px(x10),
            px(BOTTOM * 10 - h10),
            px(bar10),
            px(h10),
            escape(&bar.name),
            escape(&(chart.format)(bar.value)),
            BOTTOM + 18,
            escape(&bar.label),
        );
        if let Some(sub) = &bar.sublabel {
            let _ = write!(
                s,
                "<text class=\"bar-sublabel\" font-size=\"12\" x=\"{centre}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
                BOTTOM + 34,
                escape(sub),
            );
        }
    }
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{BOTTOM}\" y2=\"{BOTTOM}\" stroke=\"{INK}\"/></svg>"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(values: &[i64]) -> Vec<Bar> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Bar {
                label: format!("M{i}"),
                sublabel: (i == 0).then(|| "2026".to_owned()),
                name: format!("Month {i}"),
                value: *v,
            })
            .collect()
    }

    fn draw(values: &[i64]) -> String {
        let bars = bars(values);
        bar_chart(&BarChart {
            id: "test",
            title: "Items per month",
            description: "A test chart",
            value_axis: "Items",
            bars: &bars,
            format: &|v| format!("{v} items"),
            format_tick: &|v| format!("{v} items"),
        })
    }

    /// The values of attribute `name` on every `<rect`, in order.
    fn rect_attr(svg: &str, name: &str) -> Vec<f64> {
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let at = r.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                let end = r[at..].find('"').unwrap();
                r[at..at + end].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn nice_axis_rounds_up_to_one_two_or_five() {
        assert_eq!(nice_axis(0), (0, 0));
        assert_eq!(nice_axis(-5), (0, 0));
        assert_eq!(nice_axis(1), (1, 1));
        assert_eq!(nice_axis(4), (1, 4));
        assert_eq!(nice_axis(5), (2, 6));
        assert_eq!(nice_axis(7), (2, 8));
        assert_eq!(nice_axis(10), (5, 10));
        assert_eq!(nice_axis(95), (50, 100));
        assert_eq!(nice_axis(100), (50, 100));
        assert_eq!(nice_axis(101), (50, 150));
        assert_eq!(nice_axis(1234), (500, 1500));
        assert_eq!(nice_axis(3_000_000_030), (1_000_000_000, 4_000_000_000));
        let (step, top) = nice_axis(i64::MAX);
        assert!(step > 0 && top >= step, "no overflow at the extreme");
    }

    #[test]
    fn every_value_fits_in_at_most_four_steps() {
        for max in (1..2000).chain([999_999, 1_000_001, 123_456_789]) {
            let (step, top) = nice_axis(max);
            assert!(top >= max, "{max}: top {top}");
            assert!(top / step <= TICKS, "{max}: {top}/{step}");
            assert_eq!(top % step, 0);
        }
    }

    #[test]
    fn bar_heights_are_proportional_to_values() {
        let svg = draw(&[100, 50, 0, 25]);
        let heights = rect_attr(&svg, "height");
        assert_eq!(heights.len(), 4);
        // The axis reaches 100: the first bar is the plot's full height.
        assert_eq!(heights[0], (BOTTOM - TOP) as f64);
        assert_eq!(heights[1], heights[0] / 2.0);
        assert_eq!(heights[2], 0.0);
        assert_eq!(heights[3], heights[0] / 4.0);
        // Every bar stands on the baseline.
        let ys = rect_attr(&svg, "y");
        for (y, h) in ys.iter().zip(&heights) {
            assert!((y + h - BOTTOM as f64).abs() < 0.01, "{y} + {h}");
        }
        // Bars go left to right without overlapping.
        let xs = rect_attr(&svg, "x");
        let w = rect_attr(&svg, "width")[0];
        assert!(xs.windows(2).all(|p| p[0] + w < p[1]));
        assert!(xs[0] >= LEFT as f64 && xs[3] + w <= RIGHT as f64);
    }

    #[test]
    fn a_zero_series_draws_flat_bars_and_a_single_zero_tick() {
        let svg = draw(&[0; 12]);
        assert_eq!(rect_attr(&svg, "height"), vec![0.0; 12]);
        assert_eq!(svg.matches("class=\"tick\"").count(), 1);
        assert!(svg.contains(">0 items</text>"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        // Negative values (never expected) are drawn as nothing, not below the axis.
        let svg = draw(&[-5, 10]);
        assert_eq!(rect_attr(&svg, "height")[0], 0.0);
    }

    #[test]
    fn an_empty_chart_is_still_a_chart() {
        let svg = draw(&[]);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 0);
    }

    #[test]
    fn all_text_is_escaped() {
        let bars = vec![Bar {
            label: "<script>alert(1)</script>".into(),
            sublabel: Some("\"&'".into()),
            name: "<b>".into(),
            value: 3,
        }];
        let svg = bar_chart(&BarChart {
            id: "x\" onload=\"evil",
            title: "A & B <c>",
            description: "it's \"quoted\"",
            value_axis: "<y>",
            bars: &bars,
            format: &|v| format!("<{v}>"),
            format_tick: &|v| format!("[{v}&]"),
        });
        assert!(!svg.contains("<script>") && !svg.contains("<c>") && !svg.contains("<y>"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("<title id=\"xonloadevil-title\">A &amp; B &lt;c&gt;</title>"));
        assert!(svg.contains("it&#39;s &quot;quoted&quot;"));
        assert!(svg.contains("&quot;&amp;&#39;"));
        assert!(svg.contains("<title>&lt;b&gt; — &lt;3&gt;</title>"));
        assert!(svg.contains(">[3&amp;]</text>"), "ticks escaped too");
        assert!(!svg.contains("onload=\""));
    }

    #[test]
    fn the_chart_is_an_accessible_image_with_axis_and_labels() {
        let svg = draw(&[3, 7, 5]);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"test-title test-desc\""));
        assert!(svg.contains("<title id=\"test-title\">Items per month</title>"));
        assert!(svg.contains("<desc id=\"test-desc\">A test chart</desc>"));
        assert!(svg.contains(">Items</text>"), "the value axis is named");
        // Ticks 0, 2, 4, 6, 8 formatted by the caller.
        let ticks: Vec<&str> = svg
            .split("class=\"tick\"")
            .skip(1)
            .map(|t| &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()])
            .collect();
        assert_eq!(
            ticks,
            ["0 items", "2 items", "4 items", "6 items", "8 items"]
        );
        assert_eq!(svg.matches("class=\"bar\"").count(), 3);
        assert!(svg.contains("<title>Month 1 — 7 items</title>"));
        assert_eq!(svg.matches("class=\"bar-label\"").count(), 3);
        assert_eq!(svg.matches("class=\"bar-sublabel\"").count(), 1);
        assert!(svg.contains(">2026</text>"));
        assert!(svg.ends_with("</svg>"));
    }
}
