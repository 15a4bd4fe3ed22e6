//! A funder report as a PDF to send to a funder: a title with the period and programme, every
//! figure of `docs/REPORTS.md` as lines of text grouped as on the Reports screen, and the same
//! bar charts as the screen (`onward_core::chart`'s layout) drawn as vector bars. A4 pages,
//! Helvetica (one of the fonts every PDF reader has, so nothing is embedded), WinAnsi text.
//!
//! The words are British English and live here, in one place, because the PDF is made in the
//! app core rather than the UI; a translation of the PDF would follow this module.

use onward_core::chart::{self, Bar, BarChart};
use onward_core::reports::{Report, ReportRow};
use onward_core::time::Day;
use onward_core::vocab::{Pathway, ProgressionKind};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
/// Where a line's figure ends (figures are right-aligned here).
const FIGURE_RIGHT: f32 = PAGE_W - MARGIN;
const LINE: f32 = 16.0;
const TEXT: f32 = 10.5;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// A report's file name: `onward-report-FROM-TO.pdf`.
pub fn file_name(report: &Report) -> String {
    let p = report.query.period;
    format!("onward-report-{}-{}.pdf", p.start, p.end)
}

/// The report as a PDF file's bytes.
pub fn render(report: &Report) -> Vec<u8> {
    let mut doc = Doc::new();
    let q = &report.query;
    doc.heading(18.0, "Funder report");
    doc.text_line(&format!(
        "Period: {} to {} (both included)",
        long_day(q.period.start),
        long_day(q.period.end)
    ));
    doc.text_line(&format!(
        "Programme: {}",
        q.programme.as_deref().unwrap_or("every programme")
    ));
    if q.mentor.is_some() {
        doc.text_line("Only participants one mentor worked with");
    }
    doc.text_line(
        "Each figure is counted as Onward's funder report definitions say (docs/REPORTS.md).",
    );
    let f = Figures(report.rows());

    doc.section("People and sessions");
    for (label, measure) in [
        ("Participants supported", "participants_supported"),
        ("Referrals", "referrals"),
        ("Starts", "starts"),
        ("Sessions delivered", "sessions_delivered"),
        ("Sessions missed", "sessions_missed"),
        ("Contact hours", "contact_hours"),
    ] {
        doc.figure(label, &f.get(measure, ""));
    }

    doc.section("Goals");
    doc.figure(
        "Participants with a goal achieved",
        &f.get("participants_with_goal_achieved", ""),
    );
    doc.subheading("Goals achieved, by pathway");
    for p in Pathway::ALL.iter().copied() {
        doc.figure(pathway(p), &f.get("goals_achieved", p.as_str()));
    }

    doc.section("Qualifications and volunteering");
    doc.subheading("Qualifications gained, by level");
    if report.qualifications.is_empty() {
        doc.text_line("None in this period.");
    }
    for l in &report.qualifications {
        let level = if l.level.is_empty() {
            "No level given"
        } else {
            &l.level
        };
        doc.figure(level, &l.count.to_string());
    }
    doc.figure("Volunteering hours", &f.get("volunteering_hours", ""));

    doc.section("Progressions");
    doc.subheading("Progressions, by kind");
    for k in ProgressionKind::ALL.iter().copied() {
        doc.figure(progression(k), &f.get("progressions", k.as_str()));
    }
    doc.figure(
        "Participants progressed",
        &f.get("participants_progressed", ""),
    );
    for (title, measure) in [
        ("Sustained at 13 weeks", "sustained_13_weeks"),
        ("Sustained at 26 weeks", "sustained_26_weeks"),
    ] {
        doc.subheading(title);
        for (label, group) in [
            ("Due in this period", "due"),
            ("Sustained", "sustained"),
            ("Not sustained", "not_sustained"),
            ("Not checked yet", "not_checked"),
        ] {
            doc.figure(label, &f.get(measure, group));
        }
    }

    doc.section("Appointments");
    doc.figure("Appointments", &f.get("appointments", ""));
    doc.figure(
        "Appointments with support",
        &f.get("appointments_supported", ""),
    );
    for (title, measure) in [
        ("With a mentor going along", "appointments_accompanied"),
        ("Without a mentor", "appointments_unaccompanied"),
    ] {
        doc.subheading(title);
        for (label, group) in [
            ("Attended", "attended"),
            ("Missed", "missed"),
            ("Attendance rate (%)", "attendance_rate_percent"),
        ] {
            doc.figure(label, &dash(f.get(measure, group)));
        }
    }

    doc.section("Distance travelled");
    doc.text_line(
        "Self-assessment scores (0 to 10): first score against the latest in the period.",
    );
    for p in Pathway::ALL.iter().copied() {
        let g = p.as_str();
        doc.subheading(pathway(p));
        for (label, measure) in [
            ("Participants", "distance_participants"),
            ("Average first score", "distance_average_first"),
            ("Average latest score", "distance_average_latest"),
            ("Average change", "distance_average_change"),
            ("Improved", "distance_improved"),
            ("Unchanged", "distance_unchanged"),
            ("Worsened", "distance_worsened"),
        ] {
            doc.figure(label, &dash(f.get(measure, g)));
        }
    }

    doc.section("Charts");
    for c in charts(report) {
        doc.chart(&c);
    }
    doc.finish()
}

/// The charts the Reports screen shows, in this module's words.
fn charts(report: &Report) -> [BarChart; 3] {
    let empty = "None in this period.".to_string();
    [
        BarChart {
            title: "Goals achieved, by pathway".into(),
            empty: empty.clone(),
            bars: report
                .goals_achieved
                .iter()
                .map(|g| bar(pathway(g.pathway), g.count, g.count.to_string()))
                .collect(),
        },
        BarChart {
            title: "Progressions, by kind".into(),
            empty: empty.clone(),
            bars: report
                .progressions
                .iter()
                .map(|p| bar(progression(p.kind), p.count, p.count.to_string()))
                .collect(),
        },
        BarChart {
            title: "Participants whose score improved, by pathway".into(),
            empty,
            bars: report
                .distance_travelled
                .iter()
                .map(|d| {
                    bar(
                        pathway(d.pathway),
                        d.improved,
                        format!("{} of {}", d.improved, d.participants),
                    )
                })
                .collect(),
        },
    ]
}

fn bar(label: &str, value: u32, value_text: String) -> Bar {
    Bar {
        label: label.into(),
        value: f64::from(value),
        value_text,
    }
}

fn pathway(p: Pathway) -> &'static str {
    match p {
        Pathway::Employment => "Employment",
        Pathway::EducationTraining => "Education and training",
        Pathway::Volunteering => "Volunteering",
        Pathway::Accommodation => "Accommodation",
        Pathway::FinanceBenefits => "Finance and benefits",
        Pathway::HealthWellbeing => "Health and wellbeing",
        Pathway::SubstanceUse => "Substance use",
        Pathway::FamilyRelationships => "Family and relationships",
        Pathway::AttitudesThinking => "Attitudes and thinking",
    }
}

fn progression(k: ProgressionKind) -> &'static str {
    match k {
        ProgressionKind::Employment => "Into employment",
        ProgressionKind::Education => "Into education",
        ProgressionKind::Training => "Into training",
        ProgressionKind::Volunteering => "Into volunteering",
    }
}

/// "1 April 2026".
fn long_day(d: Day) -> String {
    d.format("%-d %B %Y")
}

/// An empty figure (an average or rate of no one) as a dash.
fn dash(v: String) -> String {
    if v.is_empty() { "-".into() } else { v }
}

/// A report's figures as the CSV writes them, by measure and group.
struct Figures(Vec<ReportRow>);

impl Figures {
    fn get(&self, measure: &str, group: &str) -> String {
        self.0
            .iter()
            .find(|r| r.measure == measure && r.group == group)
            .map(|r| r.value.clone())
            .unwrap_or_default()
    }
}

/// Pages being written, top to bottom, with a cursor.
struct Doc {
    pages: Vec<Content>,
    /// The baseline of the next line, from the page's bottom.
    y: f32,
}

impl Doc {
    fn new() -> Self {
        Doc {
            pages: vec![Content::new()],
            y: PAGE_H - MARGIN,
        }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a document always has a page")
    }

    /// Starts a new page when fewer than `height` points are left on this one.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(Content::new());
            self.y = PAGE_H - MARGIN;
        }
    }

    fn text(&mut self, font: Name<'static>, size: f32, x: f32, y: f32, s: &str) {
        let bytes = win_ansi(s);
        let c = self.page();
        c.set_fill_gray(0.1);
        c.begin_text();
        c.set_font(font, size);
        c.next_line(x, y);
        c.show(Str(&bytes));
        c.end_text();
    }

    fn heading(&mut self, size: f32, s: &str) {
        self.room(size * 2.0);
        self.y -= size;
        let y = self.y;
        self.text(BOLD, size, MARGIN, y, s);
        self.y -= size * 0.8;
    }

    fn section(&mut self, s: &str) {
        self.room(60.0);
        self.y -= 10.0;
        self.heading(14.0, s);
    }

    fn subheading(&mut self, s: &str) {
        self.room(LINE * 3.0);
        self.y -= 4.0;
        let y = self.y - LINE;
        self.text(BOLD, TEXT, MARGIN, y, s);
        self.y -= LINE;
    }

    fn text_line(&mut self, s: &str) {
        self.room(LINE);
        self.y -= LINE;
        let y = self.y;
        self.text(REGULAR, TEXT, MARGIN, y, s);
    }

    /// A label and its figure, right-aligned, on one line.
    fn figure(&mut self, label: &str, value: &str) {
        self.room(LINE);
        self.y -= LINE;
        let y = self.y;
        self.text(REGULAR, TEXT, MARGIN + 10.0, y, label);
        let x = FIGURE_RIGHT - width(value, TEXT);
        self.text(REGULAR, TEXT, x, y, value);
    }

    /// A chart from the shared layout, scaled from chart units to the page's width.
    fn chart(&mut self, c: &BarChart) {
        let scale = ((PAGE_W - 2.0 * MARGIN) as f64 / chart::WIDTH) as f32;
        let height = c.height() as f32 * scale;
        self.room(height + 10.0);
        let top = self.y - 10.0;
        // Chart units run down from the chart's top; the page's run up from its bottom.
        let at = |y: f64| top - y as f32 * scale;
        let size = chart::FONT as f32 * scale;
        self.text(BOLD, size, MARGIN, at(chart::FONT + 6.0), &c.title);
        let boxes = c.layout();
        if boxes.is_empty() {
            self.text(
                REGULAR,
                size,
                MARGIN,
                at(chart::TITLE_HEIGHT + chart::FONT + 4.0),
                &c.empty,
            );
        }
        for b in boxes {
            let text_y = at(b.y + (chart::BAR_HEIGHT + chart::FONT) / 2.0 - 2.0);
            self.text(REGULAR, size, MARGIN, text_y, &b.label);
            let x = MARGIN + chart::BAR_X as f32 * scale;
            let w = b.width as f32 * scale;
            let bar_bottom = at(b.y + chart::BAR_HEIGHT);
            if w > 0.0 {
                let p = self.page();
                p.set_fill_rgb(0.043, 0.361, 0.278);
                p.rect(x, bar_bottom, w, chart::BAR_HEIGHT as f32 * scale);
                p.fill_nonzero();
            }
            self.text(REGULAR, size, x + w + 6.0 * scale, text_y, &b.value_text);
        }
        self.y = top - height;
    }

    fn finish(self) -> Vec<u8> {
        let mut pdf = Pdf::new();
        let catalog = Ref::new(1);
        let tree = Ref::new(2);
        let regular = Ref::new(3);
        let bold = Ref::new(4);
        let info = Ref::new(5);
        let first = 6;
        let page_ids: Vec<Ref> = (0..self.pages.len())
            .map(|i| Ref::new(first + 2 * i as i32))
            .collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree)
            .kids(page_ids.iter().copied())
            .count(page_ids.len() as i32);
        pdf.type1_font(regular)
            .base_font(Name(b"Helvetica"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold)
            .base_font(Name(b"Helvetica-Bold"))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.document_info(info)
            .title(pdf_writer::TextStr("Funder report"))
            .producer(pdf_writer::TextStr("Onward"));
        for (content, id) in self.pages.into_iter().zip(&page_ids) {
            let content_id = Ref::new(id.get() + 1);
            let mut page = pdf.page(*id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
            page.parent(tree);
            page.contents(content_id);
            let mut resources = page.resources();
            resources.fonts().pair(REGULAR, regular).pair(BOLD, bold);
            resources.finish();
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// Text in the WinAnsi encoding the fonts use: ASCII and Latin-1 as they are, the common
/// typographic marks mapped, anything else as `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// The width of a figure in Helvetica at `size` points (digits, signs and the decimal point,
/// from the font's metrics; other characters at an average width).
fn width(s: &str, size: f32) -> f32 {
    let units: u32 = s
        .chars()
        .map(|c| match c {
            '0'..='9' => 556,
            '.' | ' ' => 278,
            '-' => 333,
            '%' => 889,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_written_in_win_ansi() {
        assert_eq!(win_ansi("Caf\u{e9} – £5"), b"Caf\xe9 \x96 \xa35".to_vec());
        assert_eq!(win_ansi("日"), b"?".to_vec());
    }

    #[test]
    fn figures_are_measured_with_helvetica_metrics() {
        // "12.5" is three digits of 556 and a point of 278: 1946 thousandths of the size.
        assert!((width("12.5", 10.0) - 19.46).abs() < 1e-4);
    }
}
