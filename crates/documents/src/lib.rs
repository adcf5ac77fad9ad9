//! Renderers: tables as CSV or XLSX, archives as a streamed ZIP, and the PDF base of receipts,
//! invoices, annexes and reports. Bytes or a writer in, bytes or a writer out: no I/O of its own.

pub mod archive;
pub mod csv;
pub mod pdf;
pub mod table;
pub mod xlsx;

pub use self::csv::{CsvEncoder, Dialect, neutralise};
pub use archive::{ZipError, ZipStream};
pub use table::{Cell, Column, Kind, Spreadsheet, Table, Total};
pub use xlsx::{TempDisk, XlsxError, write_xlsx};
