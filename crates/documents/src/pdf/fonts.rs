//! The two faces every document uses (DejaVu Sans and DejaVu Sans Bold, shipped in the
//! repository), and text shaping: one shaping run both measures a line and draws it.

use super::PdfError;
use krilla::text::{Font, GlyphId, KrillaGlyph};

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// The weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// How wide a text is: what the layout needs of the fonts, so that it can be tested alone.
pub(crate) trait Measure {
    /// The advance of `text` at `size` points, in points.
    fn width(&self, weight: Weight, text: &str, size: f32) -> f32;
}

struct Face {
    shaper: rustybuzz::Face<'static>,
    pdf: Font,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8], name: &str) -> Result<Self, PdfError> {
        let broken = || PdfError::Font(format!("{name} cannot be read"));
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or_else(broken)?;
        let pdf = Font::new(data.into(), 0).ok_or_else(broken)?;
        let units_per_em = pdf.units_per_em().max(1.0);
        Ok(Self {
            shaper,
            pdf,
            units_per_em,
        })
    }

    /// `text` with what the face cannot draw replaced: a control character becomes a space
    /// and a character without a glyph `?` (PDF/A forbids drawing the .notdef glyph).
    fn drawable(&self, text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if self.shaper.glyph_index(c).is_some() {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }

    /// Shapes a drawable text, left to right; advances are in ems.
    fn shape(&self, text: &str) -> Vec<KrillaGlyph> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(rustybuzz::Direction::LeftToRight);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&self.shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let em = self.units_per_em;
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // A cluster ends where the next one starts (the text's end for the last).
            let end = infos[i + 1..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / em,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                start..end,
                None,
            ));
        }
        glyphs
    }
}

/// A line of text ready to be drawn: its drawable text and its glyphs.
pub(crate) struct Run {
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
    pub font: Font,
}

/// The faces of a document, loaded once per rendering.
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, PdfError> {
        Ok(Self {
            regular: Face::load(REGULAR, "DejaVu Sans")?,
            bold: Face::load(BOLD, "DejaVu Sans Bold")?,
        })
    }

    fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    pub(crate) fn run(&self, weight: Weight, text: &str) -> Run {
        let face = self.face(weight);
        let text = face.drawable(text);
        let glyphs = face.shape(&text);
        Run {
            text,
            glyphs,
            font: face.pdf.clone(),
        }
    }
}

impl Measure for Fonts {
    fn width(&self, weight: Weight, text: &str, size: f32) -> f32 {
        let face = self.face(weight);
        let ems: f32 = face
            .shape(&face.drawable(text))
            .iter()
            .map(|g| g.x_advance)
            .sum();
        ems * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_languages_have_glyphs_and_the_rest_is_replaced() {
        let fonts = Fonts::load().unwrap();
        for weight in [Weight::Regular, Weight::Bold] {
            let run = fonts.run(weight, "€ ë ß œ ç é à ü Œ Ä Ö É È Ç");
            assert!(!run.text.contains('?'), "{}", run.text);
            assert!(run.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0));
        }
        // No glyph in DejaVu Sans for this CJK ideograph; a tab is a control character.
        assert_eq!(fonts.run(Weight::Regular, "a\t\u{4E00}b").text, "a ?b");
    }

    #[test]
    fn clusters_cover_the_text_and_widths_add_up() {
        let fonts = Fonts::load().unwrap();
        let run = fonts.run(Weight::Regular, "Œuvre € 1 234,56");
        let mut next = 0;
        for g in &run.glyphs {
            assert_eq!(g.text_range.start, next, "contiguous clusters");
            next = g.text_range.end;
        }
        assert_eq!(next, run.text.len());
        let w10 = fonts.width(Weight::Regular, "Œuvre", 10.0);
        assert!((fonts.width(Weight::Regular, "Œuvre", 20.0) - 2.0 * w10).abs() < 0.01);
        assert!(
            fonts.width(Weight::Bold, "Œuvre", 10.0) > w10,
            "bold is wider"
        );
        assert_eq!(fonts.width(Weight::Regular, "", 10.0), 0.0);
    }
}
