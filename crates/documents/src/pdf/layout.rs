//! Where everything goes on an A4 page: lines broken to the width, blocks flowed down the
//! pages, tables broken between rows with their header row repeated, the header and footer.

use super::fonts::{Measure, Weight};
use super::{Align, Block, Operator, PdfTable};
use cs_domain::Language;

/// A4 in points (210 × 297 mm).
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 56.69;
const MARGIN_TOP: f32 = 36.0;
/// Where the body stops, above the footer's rule.
const BODY_BOTTOM: f32 = PAGE_H - 62.0;

/// A thing drawn on a page; `y` grows downwards from the page's top edge.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        text: String,
    },
    /// A filled rectangle in a grey (0 black, 255 white): shading and rules.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: u8,
    },
}

/// The box the body flows in, the same on every page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub top: f32,
    pub bottom: f32,
    pub left: f32,
    pub width: f32,
}

/// A kind of text: its size, the height of its lines and its weight.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    leading: f32,
    weight: Weight,
}

const HEADING: Style = Style {
    size: 13.0,
    leading: 17.0,
    weight: Weight::Bold,
};
const PARAGRAPH: Style = Style {
    size: 10.0,
    leading: 13.5,
    weight: Weight::Regular,
};
const CELL: Style = Style {
    size: 8.5,
    leading: 11.0,
    weight: Weight::Regular,
};
const CELL_HEAD: Style = Style {
    weight: Weight::Bold,
    ..CELL
};
const SMALL: Style = Style {
    size: 8.0,
    leading: 10.0,
    weight: Weight::Regular,
};
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;

/// The baseline of a line whose box starts at `top`: the font's ascent and descent
/// (DejaVu Sans: 0.93 and 0.24 em) centred in the line's height.
fn baseline(top: f32, style: Style) -> f32 {
    top + (style.leading - 1.17 * style.size) / 2.0 + 0.93 * style.size
}

/// `text` broken into lines no wider than `max`: at spaces, inside a word only when the word
/// alone is wider; a line break in the text stays one.
pub(crate) fn wrap(
    m: &dyn Measure,
    weight: Weight,
    size: f32,
    text: &str,
    max: f32,
) -> Vec<String> {
    let space = m.width(weight, " ", size);
    let mut lines = Vec::new();
    for hard in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in hard.split_whitespace() {
            let w = m.width(weight, word, size);
            if !line.is_empty() && line_w + space + w <= max {
                line.push(' ');
                line.push_str(word);
                line_w += space + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if w <= max {
                line.push_str(word);
                line_w = w;
            } else {
                let mut pieces = break_word(m, weight, size, word, max);
                let last = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
                line_w = m.width(weight, &last, size);
                line = last;
            }
        }
        lines.push(line);
    }
    lines
}

/// A word wider than `max` cut into pieces that fit (at least one character each).
fn break_word(m: &dyn Measure, weight: Weight, size: f32, word: &str, max: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for c in word.chars() {
        piece.push(c);
        if piece.chars().count() > 1 && m.width(weight, &piece, size) > max {
            piece.pop();
            pieces.push(std::mem::take(&mut piece));
            piece.push(c);
        }
    }
    pieces.push(piece);
    pieces
}

/// `text` cut with an ellipsis to fit in `max`.
fn fit(m: &dyn Measure, style: Style, text: &str, max: f32) -> String {
    if m.width(style.weight, text, style.size) <= max {
        return text.to_owned();
    }
    let mut cut: String = text.to_owned();
    while !cut.is_empty() && m.width(style.weight, &format!("{cut}…"), style.size) > max {
        cut.pop();
    }
    format!("{}…", cut.trim_end())
}

fn vat_label(language: Language) -> &'static str {
    match language {
        Language::Fr => "TVA",
        Language::Nl => "btw",
        Language::De => "USt-IdNr.",
        Language::En => "VAT",
    }
}

/// The header of every page (the operator's name, address and VAT number, then a rule), and
/// the frame the body flows in below it.
pub(crate) fn header(
    m: &dyn Measure,
    operator: &Operator,
    language: Language,
) -> (Vec<Item>, Frame) {
    let width = PAGE_W - 2.0 * MARGIN_X;
    let name_style = Style {
        size: 11.0,
        leading: 14.0,
        weight: Weight::Bold,
    };
    let line_style = Style {
        size: 8.5,
        leading: 11.0,
        weight: Weight::Regular,
    };
    let mut items = Vec::new();
    let mut y = MARGIN_TOP;
    let vat = format!("{} {}", vat_label(language), operator.vat_number);
    let vat_w = m.width(line_style.weight, &vat, line_style.size);
    let name_max = width - vat_w - 12.0;
    items.push(Item::Text {
        x: PAGE_W - MARGIN_X - vat_w,
        baseline: baseline(y, name_style),
        size: line_style.size,
        weight: line_style.weight,
        text: vat,
    });
    items.push(Item::Text {
        x: MARGIN_X,
        baseline: baseline(y, name_style),
        size: name_style.size,
        weight: name_style.weight,
        text: fit(m, name_style, &operator.name, name_max),
    });
    y += name_style.leading;
    for line in &operator.address {
        for part in wrap(m, line_style.weight, line_style.size, line, name_max) {
            items.push(Item::Text {
                x: MARGIN_X,
                baseline: baseline(y, line_style),
                size: line_style.size,
                weight: line_style.weight,
                text: part,
            });
            y += line_style.leading;
        }
    }
    y += 5.0;
    items.push(Item::Fill {
        x: MARGIN_X,
        y,
        w: width,
        h: 0.75,
        grey: 110,
    });
    let frame = Frame {
        top: y + 16.0,
        bottom: BODY_BOTTOM,
        left: MARGIN_X,
        width,
    };
    (items, frame)
}

/// The word before the page number. "2 / 5" alone would do for a reader, but text
/// extraction (poppler's `pdftotext`) cannot tell its spaces from letter spacing when a line
/// holds nothing else, and reads "2/5"; a word beside it gives the measure.
fn page_word(language: Language) -> &'static str {
    match language {
        Language::Fr | Language::En => "Page",
        Language::Nl => "Pagina",
        Language::De => "Seite",
    }
}

/// The footer of page `page` of `pages`: a rule, the title on the left, "Page 2 / 5" on the
/// right.
pub(crate) fn footer(
    m: &dyn Measure,
    title: &str,
    language: Language,
    page: usize,
    pages: usize,
) -> Vec<Item> {
    let width = PAGE_W - 2.0 * MARGIN_X;
    let rule_y = BODY_BOTTOM + 12.0;
    let top = rule_y + 6.0;
    let number = format!("{} {page} / {pages}", page_word(language));
    let number_w = m.width(SMALL.weight, &number, SMALL.size);
    vec![
        Item::Fill {
            x: MARGIN_X,
            y: rule_y,
            w: width,
            h: 0.5,
            grey: 170,
        },
        Item::Text {
            x: MARGIN_X,
            baseline: baseline(top, SMALL),
            size: SMALL.size,
            weight: SMALL.weight,
            text: fit(m, SMALL, title, width - number_w - 24.0),
        },
        Item::Text {
            x: PAGE_W - MARGIN_X - number_w,
            baseline: baseline(top, SMALL),
            size: SMALL.size,
            weight: SMALL.weight,
            text: number,
        },
    ]
}

/// The body's blocks flowed down as many pages as they take (at least one).
pub(crate) fn flow(m: &dyn Measure, frame: Frame, blocks: &[Block]) -> Vec<Vec<Item>> {
    let mut flow = Flow {
        m,
        frame,
        pages: vec![Vec::new()],
        y: frame.top,
        rows_on_page: 0,
    };
    for block in blocks {
        match block {
            Block::Heading(text) => flow.heading(text),
            Block::Paragraph(text) => flow.paragraph(text),
            Block::Table(table) => flow.table(table),
        }
    }
    flow.pages
}

struct Flow<'a> {
    m: &'a dyn Measure,
    frame: Frame,
    pages: Vec<Vec<Item>>,
    /// The top of the next thing on the current page.
    y: f32,
    /// The rows of the current table under its header on this page.
    rows_on_page: usize,
}

impl Flow<'_> {
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.frame.top;
    }

    fn room(&self) -> f32 {
        self.frame.bottom - self.y
    }

    fn at_top(&self) -> bool {
        self.y <= self.frame.top
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    /// One line of `style` at `x`, at the current height (which does not move).
    fn text(&mut self, x: f32, style: Style, text: String) {
        if text.is_empty() {
            return;
        }
        self.push(Item::Text {
            x,
            baseline: baseline(self.y, style),
            size: style.size,
            weight: style.weight,
            text,
        });
    }

    /// Lines of one style, each on the next page when the current one is full.
    fn lines(&mut self, style: Style, lines: Vec<String>) {
        for line in lines {
            if self.room() < style.leading && !self.at_top() {
                self.new_page();
            }
            self.text(self.frame.left, style, line);
            self.y += style.leading;
        }
    }

    fn heading(&mut self, text: &str) {
        let lines = wrap(self.m, HEADING.weight, HEADING.size, text, self.frame.width);
        let before = if self.at_top() { 0.0 } else { 10.0 };
        // Never alone at the bottom of a page: two lines of what follows come with it.
        let needed = before + lines.len() as f32 * HEADING.leading + 2.0 * PARAGRAPH.leading;
        if self.room() < needed && !self.at_top() {
            self.new_page();
        } else {
            self.y += before;
        }
        self.lines(HEADING, lines);
        self.y += 3.0;
    }

    fn paragraph(&mut self, text: &str) {
        let lines = wrap(
            self.m,
            PARAGRAPH.weight,
            PARAGRAPH.size,
            text,
            self.frame.width,
        );
        self.lines(PARAGRAPH, lines);
        self.y += 6.0;
    }

    fn table(&mut self, table: &PdfTable) {
        let grid = Grid::new(self.m, self.frame, table);
        let first_row = grid
            .rows
            .first()
            .map_or(0.0, |_| CELL.leading + 2.0 * CELL_PAD_Y);
        if self.room() < grid.header_height + first_row && !self.at_top() {
            self.new_page();
        }
        self.table_header(&grid);
        for row in &grid.rows {
            self.table_row(&grid, row);
        }
        self.y += 10.0;
    }

    fn table_header(&mut self, grid: &Grid) {
        self.push(Item::Fill {
            x: self.frame.left,
            y: self.y,
            w: self.frame.width,
            h: grid.header_height,
            grey: 228,
        });
        let top = self.y;
        self.cells(grid, &grid.header, CELL_HEAD, 0, usize::MAX);
        self.y = top + grid.header_height;
        self.rows_on_page = 0;
    }

    /// Lines `from..to` of each cell of a row, from the current height.
    fn cells(&mut self, grid: &Grid, cells: &[Vec<String>], style: Style, from: usize, to: usize) {
        let top = self.y + CELL_PAD_Y;
        for (c, lines) in cells.iter().enumerate() {
            let (Some(&x), Some(&w), Some(&align)) =
                (grid.xs.get(c), grid.widths.get(c), grid.aligns.get(c))
            else {
                continue;
            };
            for (i, line) in lines.iter().enumerate().take(to).skip(from) {
                if line.is_empty() {
                    continue;
                }
                let line_x = match align {
                    Align::Left => x + CELL_PAD_X,
                    Align::Right => {
                        x + w - CELL_PAD_X - self.m.width(style.weight, line, style.size)
                    }
                };
                self.push(Item::Text {
                    x: line_x,
                    baseline: baseline(top + (i - from) as f32 * style.leading, style),
                    size: style.size,
                    weight: style.weight,
                    text: line.clone(),
                });
            }
        }
    }

    /// A row on the current page if it fits, else on the next one under the header again; a
    /// row taller than a whole page is cut between its lines.
    fn table_row(&mut self, grid: &Grid, row: &[Vec<String>]) {
        let total = row.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut from = 0;
        while from < total {
            let left = total - from;
            // How many of the row's remaining lines fit in the room left on this page.
            let room = self.room() - 2.0 * CELL_PAD_Y;
            let fits = (1..=left)
                .rev()
                .find(|&k| k as f32 * CELL.leading <= room)
                .unwrap_or(0);
            let take = if fits >= left {
                left
            } else if self.rows_on_page == 0 {
                fits.max(1)
            } else {
                self.new_page();
                self.table_header(grid);
                continue;
            };
            self.cells(grid, row, CELL, from, from + take);
            self.y += take as f32 * CELL.leading + 2.0 * CELL_PAD_Y;
            self.push(Item::Fill {
                x: self.frame.left,
                y: self.y - 0.25,
                w: self.frame.width,
                h: 0.5,
                grey: 200,
            });
            self.rows_on_page += 1;
            from += take;
            if from < total {
                self.new_page();
                self.table_header(grid);
            }
        }
    }
}

/// A table measured: the columns' positions, widths and alignments, and every cell's lines.
struct Grid {
    xs: Vec<f32>,
    widths: Vec<f32>,
    aligns: Vec<Align>,
    header: Vec<Vec<String>>,
    header_height: f32,
    rows: Vec<Vec<Vec<String>>>,
}

impl Grid {
    fn new(m: &dyn Measure, frame: Frame, table: &PdfTable) -> Self {
        let total: f32 = table.columns.iter().map(|c| c.width.max(0.0)).sum();
        let share = |w: f32| if total > 0.0 { w.max(0.0) / total } else { 0.0 };
        let mut xs = Vec::with_capacity(table.columns.len());
        let mut widths = Vec::with_capacity(table.columns.len());
        let mut x = frame.left;
        for column in &table.columns {
            let w = frame.width * share(column.width);
            xs.push(x);
            widths.push(w);
            x += w;
        }
        let lines = |style: Style, text: &str, w: f32| {
            wrap(
                m,
                style.weight,
                style.size,
                text,
                (w - 2.0 * CELL_PAD_X).max(1.0),
            )
        };
        let header: Vec<Vec<String>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, &w)| lines(CELL_HEAD, &c.title, w))
            .collect();
        let header_lines = header.iter().map(Vec::len).max().unwrap_or(1);
        let rows = table
            .rows
            .iter()
            .map(|row| {
                widths
                    .iter()
                    .enumerate()
                    .map(|(c, &w)| lines(CELL, row.get(c).map_or("", String::as_str), w))
                    .collect()
            })
            .collect();
        Self {
            xs,
            widths,
            aligns: table.columns.iter().map(|c| c.align).collect(),
            header,
            header_height: header_lines as f32 * CELL_HEAD.leading + 2.0 * CELL_PAD_Y,
            rows,
        }
    }
}
