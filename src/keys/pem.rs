//! A lenient PEM reader: finds the first `-----BEGIN …-----` block, keeps RFC 1421 headers
//! (`Proc-Type`, `DEK-Info`: RustCrypto's strict decoder refuses them) and decodes the base64
//! body, tolerating CRLF, indentation and missing final newlines.

use crate::error::Error;
use base64::Engine;
use zeroize::Zeroizing;

/// One decoded PEM block.
pub struct Pem {
    /// The label between `BEGIN ` and the dashes, e.g. `RSA PRIVATE KEY`.
    pub label: String,
    /// RFC 1421 headers in order, names as written.
    pub headers: Vec<(String, String)>,
    /// The decoded body (secret material: zeroized on drop).
    pub der: Zeroizing<Vec<u8>>,
}

// Why manual: the body is secret; only the label and header names may be shown.
impl std::fmt::Debug for Pem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pem")
            .field("label", &self.label)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Pem {
    /// The value of the first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The label of the first BEGIN line, if `text` has one (nothing else is decoded).
pub fn first_label(text: &str) -> Option<&str> {
    text.lines().find_map(begin_label)
}

fn begin_label(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("-----BEGIN ")?
        .strip_suffix("-----")
        .map(str::trim)
}

fn end_label(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("-----END ")?
        .strip_suffix("-----")
        .map(str::trim)
}

/// A label safe to quote in an error message (PEM labels are short upper-case ASCII).
pub fn printable_label(label: &str) -> String {
    let clean: String = label
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
        .take(40)
        .collect();
    if clean.is_empty() {
        "(unnamed)".to_string()
    } else {
        clean
    }
}

/// Decodes the first PEM block of `text`; `what` names the format in error messages.
pub fn decode(text: &str) -> Result<Pem, Error> {
    let mut lines = text.lines();
    let label = loop {
        match lines.next() {
            Some(line) => {
                if let Some(label) = begin_label(line) {
                    break label.to_string();
                }
            }
            None => {
                return Err(Error::invalid_key(
                    "not a private key: expected a PEM block such as \
                     `-----BEGIN OPENSSH PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`",
                ));
            }
        }
    };
    let shown = printable_label(&label);
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut body = Zeroizing::new(String::new());
    let mut in_headers = true;
    let mut ended = false;
    for line in lines {
        if let Some(end) = end_label(line) {
            if end != label {
                return Err(Error::invalid_key(format!(
                    "corrupted {shown} PEM block: the END line does not match the BEGIN line"
                )));
            }
            ended = true;
            break;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            in_headers = false;
            continue;
        }
        if in_headers {
            if let Some((name, value)) = trimmed.split_once(':') {
                headers.push((name.trim().to_string(), value.trim().to_string()));
                continue;
            }
            in_headers = false;
        }
        body.push_str(trimmed);
    }
    if !ended {
        return Err(Error::invalid_key(format!(
            "truncated {shown} PEM block: the `-----END {shown}-----` line is missing"
        )));
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|_| {
            Error::invalid_key(format!(
                "corrupted {shown} PEM block: the body is not valid base64"
            ))
        })?;
    if der.is_empty() {
        return Err(Error::invalid_key(format!("empty {shown} PEM block")));
    }
    Ok(Pem {
        label,
        headers,
        der: Zeroizing::new(der),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_body_and_headers_with_crlf() {
        let text = "junk\r\n-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,00FF\r\n\r\nAAEC\r\nAw==\r\n-----END RSA PRIVATE KEY-----";
        let pem = decode(text).unwrap();
        assert_eq!(pem.label, "RSA PRIVATE KEY");
        assert_eq!(pem.header("dek-info"), Some("AES-128-CBC,00FF"));
        assert_eq!(pem.header("proc-type"), Some("4,ENCRYPTED"));
        assert_eq!(&pem.der[..], &[0, 1, 2, 3]);
    }

    #[test]
    fn truncated_and_mismatched_blocks_fail() {
        let e = decode("-----BEGIN PRIVATE KEY-----\nAAAA\n").unwrap_err();
        assert!(e.message.contains("truncated PRIVATE KEY"), "{}", e.message);
        let e =
            decode("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----").unwrap_err();
        assert!(e.message.contains("does not match"), "{}", e.message);
        let e = decode("-----BEGIN PRIVATE KEY-----\nA*AA\n-----END PRIVATE KEY-----").unwrap_err();
        assert!(e.message.contains("base64"), "{}", e.message);
        assert!(decode("hello").is_err());
    }
}
