//! A file that arrives in chunks (an HTTP body, an upload): the async side hands chunks to the
//! importer's reader thread through a channel and stops the file at the size limit.

use super::reader::OverLimit;
use std::io::Read;

/// The async side of [`channel_source`]: hands chunks to the importer's reader thread and
/// stops the file at the size limit.
pub struct Feeder {
    tx: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    sent: u64,
    limit: u64,
}

impl Feeder {
    /// Passes a chunk on; false when the reader wants no more (it stopped, or the limit was
    /// passed and the reader was told so).
    pub async fn send(&mut self, chunk: &[u8]) -> bool {
        self.sent = self.sent.saturating_add(chunk.len() as u64);
        if self.sent > self.limit {
            let e = std::io::Error::new(std::io::ErrorKind::FileTooLarge, OverLimit(self.limit));
            let _ = self.tx.send(Err(e)).await;
            return false;
        }
        self.tx.send(Ok(chunk.to_vec())).await.is_ok()
    }

    /// The file broke off (the client went away): the reader fails with `message`.
    pub async fn fail(&self, message: String) {
        let _ = self.tx.send(Err(std::io::Error::other(message))).await;
    }
}

/// A blocking reader over chunks sent by a [`Feeder`]; the end of the file is the feeder
/// being dropped.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.chunk.len() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Err(e)) => return Err(e),
                Some(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A source for [`super::import`] fed from async code, at most `limit` bytes.
pub fn channel_source(limit: u64) -> (Feeder, Box<dyn Read + Send>) {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let reader = ChannelReader {
        rx,
        chunk: Vec::new(),
        at: 0,
    };
    (Feeder { tx, sent: 0, limit }, Box::new(reader))
}
