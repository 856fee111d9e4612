//! SSH wire encoding (RFC 4251 §5): a bounded, panic-free reader and a small writer, shared by
//! the public-key blobs here and the ssh-agent protocol.

/// A cursor over untrusted SSH wire bytes; every read is bounds-checked.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes` from the beginning.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// True when everything has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Reads exactly `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Option<u8> {
        let (first, tail) = self.rest.split_first()?;
        self.rest = tail;
        Some(*first)
    }

    /// Reads a big-endian `uint32`.
    pub fn u32(&mut self) -> Option<u32> {
        let b = self.bytes(4)?;
        let arr: [u8; 4] = b.try_into().ok()?;
        Some(u32::from_be_bytes(arr))
    }

    /// Reads a length-prefixed `string`.
    pub fn string(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u32()?).ok()?;
        self.bytes(len)
    }

    /// Reads a `string` that must be UTF-8 text.
    pub fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.string()?).ok()
    }

    /// Reads an `mpint` and returns its magnitude without leading zero bytes; negative values fail.
    pub fn mpint_positive(&mut self) -> Option<&'a [u8]> {
        let raw = self.string()?;
        if raw.first().is_some_and(|b| b & 0x80 != 0) {
            return None;
        }
        let start = raw.iter().position(|b| *b != 0).unwrap_or(raw.len());
        raw.get(start..)
    }
}

/// Appends SSH wire values to a byte vector.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// Appends one byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// Appends a big-endian `uint32`.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends a length-prefixed `string`; inputs over 4 GiB are truncated to an empty string
    /// (never reachable for keys or signing strings, and keeps this function total).
    pub fn string(&mut self, s: &[u8]) -> &mut Self {
        match u32::try_from(s.len()) {
            Ok(len) => {
                self.u32(len);
                self.buf.extend_from_slice(s);
            }
            Err(_) => {
                self.u32(0);
            }
        }
        self
    }

    /// Appends a non-negative `mpint` from big-endian magnitude bytes.
    pub fn mpint(&mut self, magnitude: &[u8]) -> &mut Self {
        let start = magnitude
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(magnitude.len());
        let trimmed = magnitude.get(start..).unwrap_or_default();
        if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            let mut v = Vec::with_capacity(trimmed.len().saturating_add(1));
            v.push(0);
            v.extend_from_slice(trimmed);
            self.string(&v)
        } else {
            self.string(trimmed)
        }
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}
