//! The specimen: a document that uses every part of the PDF base (the four languages'
//! characters, headings, paragraphs, a table over several pages), to prove it and to time it.

use super::{Align, Block, Column, Document, Meta, Operator, PdfTable};
use cs_domain::Language;

/// Rows of the specimen's table on a page of its own (a little under: some take two lines).
const ROWS_PER_PAGE: usize = 38;

/// The specimen, long enough for about `pages` pages (at least 3), dated `created`.
pub fn specimen(pages: usize, created: time::OffsetDateTime) -> Document {
    let mut blocks = vec![
        Block::Heading("Spécimen — reçus, factures et annexes".into()),
        Block::Paragraph(
            "Reçu n° 2026-11-0001 : dépôt de 1 234 envois prioritaires, total 1 234,56 € \
             (TVA comprise). Cœur de métier : la collecte à domicile, déjà appréciée, et \
             le façonnage des envois."
                .into(),
        ),
        Block::Heading("Ontvangstbewijs".into()),
        Block::Paragraph(
            "1.234 zendingen, totaal 1.234,56 €. De coëfficiënt van de ophaaldienst is \
             geëvalueerd; de reïntegratie van de oude ophaalpunten volgt per kwartaal."
                .into(),
        ),
        Block::Heading("Quittung".into()),
        Block::Paragraph(
            "1.234 Sendungen, Gesamtbetrag 1.234,56 €. Die Straße, die Größe und die \
             Gebühren für Übergabe und Rückschein."
                .into(),
        ),
        Block::Heading("Receipt".into()),
        Block::Paragraph(
            "1,234 items, total €1,234.56. The œuvre of the Service Centre: naïve café \
             façades, déjà vu.\nA line break in the text starts a new line."
                .into(),
        ),
        Block::Heading("Transactions".into()),
    ];
    let target = pages.max(3);
    // The first page holds the text and about half a page of rows; the last is half full.
    let count = (target - 1) * ROWS_PER_PAGE;
    blocks.push(Block::Table(PdfTable {
        columns: vec![
            Column::new("Date", 1.2, Align::Left),
            Column::new("Point de collecte / Ophaalpunt", 2.4, Align::Left),
            Column::new("Produit / Produkt", 2.0, Align::Left),
            Column::new("Quantité", 1.0, Align::Right),
            Column::new("Montant", 1.3, Align::Right),
        ],
        rows: (0..count).map(row).collect(),
    }));
    blocks.push(Block::Paragraph(
        "Fin du spécimen. Einde. Ende. End.".into(),
    ));
    Document {
        meta: Meta {
            title: "Spécimen Collect & Stamp".into(),
            language: Language::Fr,
            created,
        },
        operator: Operator {
            name: "Collect & Stamp SA".into(),
            address: vec!["Rue de la Loi 16".into(), "1000 Bruxelles, Belgique".into()],
            vat_number: "BE0428759497".into(),
        },
        blocks,
    }
}

fn row(i: usize) -> Vec<String> {
    const POINTS: [&str; 4] = [
        "Gare du Midi — Zuidstation",
        "Lüttich Straße 12",
        "Place Saint-Gérard",
        "Brœkstraat (Gent)",
    ];
    const PRODUCTS: [&str; 3] = ["PRIOR-BE", "NONPRIOR-BE", "PRIOR-WORLD"];
    let day = i % 28 + 1;
    let quantity = i % 97 + 1;
    let cents = quantity * 1_45 + i % 13;
    let mut point = POINTS[i % POINTS.len()].to_owned();
    if i % 17 == 5 {
        // Now and then a cell of two lines.
        point.push_str("\nEntrée par la cour, côté façade");
    }
    vec![
        format!("2026-11-{day:02}"),
        point,
        PRODUCTS[i % PRODUCTS.len()].to_owned(),
        format!("{quantity}"),
        format!("{},{:02} €", cents / 100, cents % 100),
    ]
}
