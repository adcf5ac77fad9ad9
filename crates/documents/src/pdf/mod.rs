//! The PDF base of receipts, invoices, annexes and reports: A4 pages with the operator's
//! header, "Page X / Y" numbers, headings, paragraphs and tables, as PDF/A-2b (ADR 0005).
//!
//! A document is described as data ([`Document`]: metadata, the operator's identity, blocks)
//! and rendered in one call ([`render`]), which lays it out first (so that every page knows
//! how many there are) and then draws it with krilla: the two DejaVu Sans faces shipped in
//! `crates/documents/fonts/` are embedded as subsets, and krilla's PDF/A-2b validator refuses
//! the file rather than write one that does not conform. The same document gives the same
//! bytes: nothing is read from the clock or the machine. Rendering is CPU work: from async
//! code, run it on a blocking thread.

mod fonts;
mod layout;
mod specimen;

pub use specimen::specimen;

use cs_domain::Language;
use fonts::Fonts;
use krilla::{
    Document as PdfWriter, SerializeSettings,
    color::rgb,
    configure::{Archival, ConfigurationBuilder},
    geom::{PathBuilder, Point, Rect},
    metadata::{DateTime, Metadata},
    page::PageSettings,
    paint::Fill,
    surface::Surface,
};
use layout::Item;

/// The operator's identity, printed at the top of every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub name: String,
    /// The address, one line each (street, postcode and city, country).
    pub address: Vec<String>,
    pub vat_number: String,
}

/// What the file says about itself (PDF/A keeps it in the document's XMP metadata too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The document's title, also printed in every page's footer.
    pub title: String,
    /// The document's language (also chooses the words of the header and footer: "TVA",
    /// "Page").
    pub language: Language,
    /// When the document was made: from the caller's clock, never the wall clock.
    pub created: time::OffsetDateTime,
}

/// How a column's text sits in its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    /// For amounts and counts.
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: String,
    /// The column's share of the page's width, relative to the other columns' (2.0 is twice
    /// as wide as 1.0).
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(title: impl Into<String>, width: f32, align: Align) -> Self {
        Self {
            title: title.into(),
            width,
            align,
        }
    }
}

/// A table: broken between rows across pages (a row taller than a page between its lines),
/// with the header row repeated at the top of each page it continues on. A row's cells are
/// in the columns' order; missing cells are empty and extra ones are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfTable {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

/// What the body is made of, flowed down the pages in order. A line break (`\n`) in a
/// heading, a paragraph or a cell starts a new line.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Kept on the same page as the two lines that follow it.
    Heading(String),
    Paragraph(String),
    Table(PdfTable),
}

/// A document to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub meta: Meta,
    pub operator: Operator,
    pub blocks: Vec<Block>,
}

/// A rendered PDF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("pdf font: {0}")]
    Font(String),
    /// krilla refused the file (a PDF/A-2b rule it would break, or a limit of PDF).
    #[error("pdf: {0}")]
    Render(String),
}

/// Lays the document out on A4 pages and writes it as PDF/A-2b.
pub fn render(document: &Document) -> Result<Rendered, PdfError> {
    let fonts = Fonts::load()?;
    let (header, frame) = layout::header(&fonts, &document.operator, document.meta.language);
    let pages = layout::flow(&fonts, frame, &document.blocks);
    let count = pages.len();
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| PdfError::Render(format!("configuration: {e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        // Tagged PDF (PDF/A-2a, PDF/UA) is not asked for yet: see ADR 0005.
        enable_tagging: false,
        ..SerializeSettings::default()
    };
    let mut pdf = PdfWriter::new_with(settings);
    pdf.set_metadata(metadata(&document.meta)?);
    let page_settings = PageSettings::from_wh(layout::PAGE_W, layout::PAGE_H)
        .ok_or_else(|| PdfError::Render("the A4 page size".into()))?;
    for (i, body) in pages.iter().enumerate() {
        let footer = layout::footer(
            &fonts,
            &document.meta.title,
            document.meta.language,
            i + 1,
            count,
        );
        let mut page = pdf.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for item in header.iter().chain(body).chain(&footer) {
            draw(&mut surface, &fonts, item);
        }
        surface.finish();
        page.finish();
    }
    let bytes = pdf
        .finish()
        .map_err(|e| PdfError::Render(format!("{e:?}")))?;
    Ok(Rendered {
        bytes,
        pages: count,
    })
}

fn metadata(meta: &Meta) -> Result<Metadata, PdfError> {
    let at = meta.created.to_offset(time::UtcOffset::UTC);
    let year = u16::try_from(at.year())
        .map_err(|_| PdfError::Render(format!("creation date {at} out of range")))?;
    let created = DateTime::new(year)
        .month(u8::from(at.month()))
        .day(at.day())
        .hour(at.hour())
        .minute(at.minute())
        .second(at.second())
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    Ok(Metadata::new()
        .title(meta.title.clone())
        .language(meta.language.code().to_owned())
        .creator("Collect & Stamp".to_owned())
        .creation_date(created))
}

fn grey(level: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(level, level, level).into(),
        ..Fill::default()
    }
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, item: &Item) {
    match item {
        Item::Text {
            x,
            baseline,
            size,
            weight,
            text,
        } => {
            let run = fonts.run(*weight, text);
            surface.set_fill(Some(grey(0)));
            surface.draw_glyphs(
                Point::from_xy(*x, *baseline),
                &run.glyphs,
                run.font,
                &run.text,
                *size,
                false,
            );
        }
        Item::Fill {
            x,
            y,
            w,
            h,
            grey: level,
        } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            if let Some(path) = path.finish() {
                surface.set_fill(Some(grey(*level)));
                surface.draw_path(&path);
            }
        }
    }
}

#[cfg(test)]
mod tests;
