//! A ZIP archive written as a stream to any `io::Write` (a response body, a pipe): nothing is
//! sought back, so the writer need not be seekable, and entry names are checked to be safe.

use std::{
    collections::HashSet,
    io::{self, Read, Write},
};
use zip::{
    CompressionMethod, DateTime, ZipWriter,
    write::{SimpleFileOptions, StreamWriter},
};

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    /// A name that could escape the folder it is unpacked into, or that is not a plain
    /// relative path (`..`, a leading `/`, a backslash, a drive, an empty part, a control
    /// character), or the same name twice.
    #[error("the archive entry name {0:?} is refused: {1}")]
    BadName(String, &'static str),
    /// The entries' date cannot be written in ZIP (years 1980 to 2107).
    #[error("the archive's date {0} cannot be written in a ZIP file")]
    BadDate(time::PrimitiveDateTime),
    #[error("zip: {0}")]
    Write(#[from] zip::result::ZipError),
    #[error("zip: {0}")]
    Io(#[from] io::Error),
}

/// Checks that `name` is a safe relative path inside an archive: parts separated by `/`,
/// none empty, `.` or `..`, no backslash, no drive (`C:`), no control character.
pub fn check_entry_name(name: &str) -> Result<(), ZipError> {
    let refuse = |why| Err(ZipError::BadName(name.to_owned(), why));
    if name.is_empty() {
        return refuse("it is empty");
    }
    if name.starts_with('/') {
        return refuse("it starts with /");
    }
    if name.contains('\\') {
        return refuse("it contains a backslash");
    }
    if name.chars().any(char::is_control) {
        return refuse("it contains a control character");
    }
    if name
        .split('/')
        .next()
        .is_some_and(|first| first.contains(':'))
    {
        return refuse("it starts with a drive");
    }
    for part in name.split('/') {
        match part {
            "" => return refuse("it has an empty part"),
            "." | ".." => return refuse("it has a . or .. part"),
            _ => {}
        }
    }
    Ok(())
}

/// A ZIP archive being written to `W` entry after entry (deflated, each entry followed by
/// its data descriptor), finished by [`ZipStream::finish`]. Each entry must stay under
/// 4 GiB (no ZIP64 sizes are announced ahead).
pub struct ZipStream<W: Write> {
    zip: ZipWriter<StreamWriter<W>>,
    options: SimpleFileOptions,
    names: HashSet<String>,
}

impl<W: Write> ZipStream<W> {
    /// An archive whose entries all carry `modified` as their date: a ZIP date has no time
    /// zone, so pass the time as the reader should see it (Europe/Brussels for our users).
    /// Taken from the caller, never from the wall clock.
    pub fn new(out: W, modified: time::PrimitiveDateTime) -> Result<Self, ZipError> {
        let date = u16::try_from(modified.year())
            .ok()
            .and_then(|year| {
                DateTime::from_date_and_time(
                    year,
                    u8::from(modified.month()),
                    modified.day(),
                    modified.hour(),
                    modified.minute(),
                    modified.second(),
                )
                .ok()
            })
            .ok_or(ZipError::BadDate(modified))?;
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(date)
            .unix_permissions(0o644);
        Ok(Self {
            zip: ZipWriter::new_stream(out),
            options,
            names: HashSet::new(),
        })
    }

    fn start(&mut self, name: &str) -> Result<(), ZipError> {
        check_entry_name(name)?;
        if !self.names.insert(name.to_owned()) {
            return Err(ZipError::BadName(
                name.to_owned(),
                "it is already in the archive",
            ));
        }
        self.zip.start_file(name, self.options)?;
        Ok(())
    }

    /// Adds an entry with these bytes.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), ZipError> {
        self.start(name)?;
        self.zip.write_all(bytes)?;
        Ok(())
    }

    /// Adds an entry read from `reader` to its end, without holding it in memory.
    pub fn add_from(&mut self, name: &str, reader: &mut impl Read) -> Result<u64, ZipError> {
        self.start(name)?;
        Ok(io::copy(reader, &mut self.zip)?)
    }

    /// Writes the central directory and hands the writer back.
    pub fn finish(self) -> Result<W, ZipError> {
        Ok(self.zip.finish()?.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// A writer that only writes: any attempt to seek it would not compile.
    struct Pipe(Vec<u8>);

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn three_entries_read_back_with_their_names_and_bytes() {
        let entries: [(&str, Vec<u8>); 3] = [
            ("receipts/2026-11/R-0001.pdf", b"%PDF-1.7 first".to_vec()),
            ("receipts/2026-11/R-0002.pdf", vec![7u8; 100_000]),
            ("README.txt", "Reçus de novembre — €".as_bytes().to_vec()),
        ];
        let mut zip = ZipStream::new(Pipe(Vec::new()), datetime!(2026-12-01 09:30:00)).unwrap();
        zip.add(entries[0].0, &entries[0].1).unwrap();
        zip.add_from(entries[1].0, &mut entries[1].1.as_slice())
            .unwrap();
        zip.add(entries[2].0, &entries[2].1).unwrap();
        let bytes = zip.finish().unwrap().0;
        assert!(bytes.len() < 100_000, "deflated: {} bytes", bytes.len());

        let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 3);
        for (i, (name, content)) in entries.iter().enumerate() {
            let mut file = archive.by_index(i).unwrap();
            assert_eq!(file.name().unwrap(), *name);
            let modified = file.last_modified().unwrap();
            assert_eq!(
                (modified.year(), modified.month(), modified.day()),
                (2026, 12, 1)
            );
            assert_eq!((modified.hour(), modified.minute()), (9, 30));
            let mut read = Vec::new();
            file.read_to_end(&mut read).unwrap();
            assert_eq!(&read, content, "{name}");
        }
    }

    #[test]
    fn unsafe_or_repeated_names_are_refused() {
        for bad in [
            "../etc/passwd",
            "a/../../b",
            "/absolute.pdf",
            "./here.pdf",
            "a//b",
            "dir/",
            "",
            "C:/x.pdf",
            "a\\b.pdf",
            "line\nbreak.pdf",
            "..",
        ] {
            assert!(
                matches!(check_entry_name(bad), Err(ZipError::BadName(..))),
                "{bad:?} accepted"
            );
        }
        for fine in [
            "a.pdf",
            "receipts/2026-11/R-1.pdf",
            "a..b.pdf",
            "Reçu été.pdf",
        ] {
            assert!(check_entry_name(fine).is_ok(), "{fine:?} refused");
        }

        let mut zip = ZipStream::new(Vec::new(), datetime!(2026-12-01 09:30:00)).unwrap();
        assert!(matches!(
            zip.add("../evil.pdf", b"x"),
            Err(ZipError::BadName(..))
        ));
        assert!(matches!(
            zip.add("/evil.pdf", b"x"),
            Err(ZipError::BadName(..))
        ));
        zip.add("once.pdf", b"x").unwrap();
        assert!(matches!(
            zip.add("once.pdf", b"y"),
            Err(ZipError::BadName(..))
        ));
        let bytes = zip.finish().unwrap();
        let archive = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 1, "the refused entries left nothing behind");
        assert!(matches!(
            ZipStream::new(Vec::new(), datetime!(1970-01-01 00:00:00)),
            Err(ZipError::BadDate(_))
        ));
    }
}
