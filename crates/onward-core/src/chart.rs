//! Horizontal bar charts for funder reports, as a layout in chart units and as SVG text. Plain
//! Rust with no IO: the UI puts the SVG on screen and the app core draws the same layout into a
//! PDF, so a chart looks the same in both. Every word (title, labels, figures, the line shown
//! when there is nothing to draw) comes from the caller; every bar carries its label and its
//! figure in text, so no meaning rests on colour.

/// A horizontal bar chart: one bar per label, longest bar for the largest value.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// What the chart shows; the SVG's `<title>` and accessible name.
    pub title: String,
    pub bars: Vec<Bar>,
    /// Shown instead of bars when there are none, or every value is zero ("None in this
    /// period").
    pub empty: String,
}

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// The bar's length is proportional to this; negative values draw as zero.
    pub value: f64,
    /// The figure written beside the bar, as the report writes it ("12", "3.50").
    pub value_text: String,
}

/// Where a bar goes, in chart units (see the constants), measured from the chart's top left.
#[derive(Debug, Clone, PartialEq)]
pub struct BarBox {
    pub label: String,
    pub value_text: String,
    /// The top of the bar's row.
    pub y: f64,
    /// The bar's length, from [`BAR_X`]: `value / max * BAR_MAX`.
    pub width: f64,
}

/// The chart's width.
pub const WIDTH: f64 = 640.0;
/// Where bars start (labels sit to the left of this, right-aligned).
pub const BAR_X: f64 = 250.0;
/// The longest bar (the largest value), leaving room for its figure after it.
pub const BAR_MAX: f64 = 320.0;
/// The height of one bar's row, and of the bar within it.
pub const ROW: f64 = 30.0;
pub const BAR_HEIGHT: f64 = 20.0;
/// The height of the title line above the bars.
pub const TITLE_HEIGHT: f64 = 34.0;
/// Text size.
pub const FONT: f64 = 14.0;

impl BarChart {
    /// Whether there is nothing to draw (no bars, or every value zero).
    pub fn is_empty(&self) -> bool {
        self.bars.iter().all(|b| b.value.is_nan() || b.value <= 0.0)
    }

    /// The bars laid out in chart units; empty when [`BarChart::is_empty`].
    pub fn layout(&self) -> Vec<BarBox> {
        if self.is_empty() {
            return Vec::new();
        }
        let max = self
            .bars
            .iter()
            .map(|b| b.value)
            .fold(0.0_f64, |a, v| if v > a { v } else { a });
        self.bars
            .iter()
            .enumerate()
            .map(|(i, b)| BarBox {
                label: b.label.clone(),
                value_text: b.value_text.clone(),
                y: TITLE_HEIGHT + ROW * i as f64,
                width: if b.value > 0.0 {
                    b.value / max * BAR_MAX
                } else {
                    0.0
                },
            })
            .collect()
    }

    /// The chart's height in chart units.
    pub fn height(&self) -> f64 {
        let rows = if self.is_empty() { 1 } else { self.bars.len() };
        TITLE_HEIGHT + ROW * rows as f64 + 8.0
    }

    /// The chart as an SVG element: `role="img"` named by its title, a `<title>`, then each
    /// bar's label, bar and figure as text. Every piece of text is escaped.
    pub fn to_svg(&self) -> String {
        let height = self.height();
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" \
             aria-label=\"{title}\" viewBox=\"0 0 {WIDTH} {height}\" \
             preserveAspectRatio=\"xMinYMin meet\" font-family=\"sans-serif\" \
             font-size=\"{FONT}\"><title>{title}</title>",
            title = escape(&self.title),
        );
        out.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-weight=\"bold\" fill=\"#1a1a1a\">{}</text>",
            FONT + 6.0,
            escape(&self.title)
        ));
        let boxes = self.layout();
        if boxes.is_empty() {
            out.push_str(&format!(
                "<text x=\"0\" y=\"{}\" fill=\"#1a1a1a\">{}</text>",
                TITLE_HEIGHT + FONT + 4.0,
                escape(&self.empty)
            ));
        }
        for b in boxes {
            let text_y = b.y + (BAR_HEIGHT + FONT) / 2.0 - 2.0;
            out.push_str(&format!(
                "<g><text x=\"{lx}\" y=\"{text_y}\" text-anchor=\"end\" fill=\"#1a1a1a\">{label}</text>\
                 <rect x=\"{BAR_X}\" y=\"{y}\" width=\"{w}\" height=\"{BAR_HEIGHT}\" fill=\"#0b5c47\"/>\
                 <text x=\"{vx}\" y=\"{text_y}\" fill=\"#1a1a1a\">{value}</text></g>",
                lx = BAR_X - 8.0,
                label = escape(&b.label),
                y = b.y,
                w = round2(b.width),
                vx = round2(BAR_X + b.width + 6.0),
                value = escape(&b.value_text),
            ));
        }
        out.push_str("</svg>");
        out
    }
}

/// A length to two decimal places, so the SVG text stays short and stable.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Text made safe inside an XML element or a double- or single-quoted attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0 text.
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(bars: &[(&str, f64)]) -> BarChart {
        BarChart {
            title: "Goals achieved".into(),
            empty: "None in this period".into(),
            bars: bars
                .iter()
                .map(|(l, v)| Bar {
                    label: l.to_string(),
                    value: *v,
                    value_text: v.to_string(),
                })
                .collect(),
        }
    }

    /// The `width` attributes of the bars, in order.
    fn widths(svg: &str) -> Vec<String> {
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let w = r.split("width=\"").nth(1).unwrap();
                w[..w.find('"').unwrap()].to_string()
            })
            .collect()
    }

    #[test]
    fn labels_titles_and_figures_are_escaped() {
        let mut c = chart(&[("Work <&\"> 'x'", 2.0)]);
        c.title = "A & B <script>".into();
        c.bars[0].value_text = "<2>".into();
        let svg = c.to_svg();
        assert!(
            svg.contains(">Work &lt;&amp;&quot;&gt; &#39;x&#39;</text>"),
            "{svg}"
        );
        assert!(
            svg.contains("aria-label=\"A &amp; B &lt;script&gt;\""),
            "{svg}"
        );
        assert!(
            svg.contains("<title>A &amp; B &lt;script&gt;</title>"),
            "{svg}"
        );
        assert!(svg.contains(">&lt;2&gt;</text>"), "{svg}");
        assert!(!svg.contains("<script"), "{svg}");
        // Only the markup the chart writes: <svg>, <title></title>, the title's <text></text>,
        // and the bar's <g>, label <text></text>, <rect/>, figure <text></text> and </g>, then
        // </svg>: 13 tags, so nothing in the text opened one.
        assert_eq!(svg.matches('<').count(), 13, "{svg}");
    }

    #[test]
    fn bars_are_proportional_to_their_values() {
        // The largest value (8) gets the whole BAR_MAX of 320 units; 2 is a quarter of 8, so
        // 80 units; 5 is five eighths, so 200 units; 0 draws nothing.
        let c = chart(&[
            ("Work", 2.0),
            ("Housing", 8.0),
            ("Money", 5.0),
            ("None", 0.0),
        ]);
        let svg = c.to_svg();
        assert_eq!(widths(&svg), ["80", "320", "200", "0"]);
        let boxes = c.layout();
        assert_eq!(
            boxes.iter().map(|b| b.y).collect::<Vec<_>>(),
            [34.0, 64.0, 94.0, 124.0]
        );
        // Each figure is written just after its bar: 250 + 80 + 6.
        assert!(svg.contains("<text x=\"336\""), "{svg}");
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains(">Housing</text>") && svg.contains(">8</text>"));
        // 1 in 3 gives a length that is rounded in the SVG text only.
        let c = chart(&[("a", 1.0), ("b", 3.0)]);
        assert_eq!(widths(&c.to_svg()), ["106.67", "320"]);
    }

    #[test]
    fn empty_data_says_so_and_draws_no_bars() {
        for c in [chart(&[]), chart(&[("Work", 0.0), ("Housing", 0.0)])] {
            assert!(c.is_empty());
            assert!(c.layout().is_empty());
            let svg = c.to_svg();
            assert!(widths(&svg).is_empty(), "{svg}");
            assert!(svg.contains(">None in this period</text>"), "{svg}");
            assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
            assert_eq!(c.height(), 34.0 + 30.0 + 8.0);
        }
    }
}
