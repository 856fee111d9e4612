//! CloudAPI response decoding. Input (lossy UTF-8): the status on the first line, then
//! `name: value` header lines, an empty line, then the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smartdc_wasm::api::machines::Machine;
use smartdc_wasm::json::Json;
use smartdc_wasm::response::{self, Decoder};

/// serde_json in place of the host's `JSON.parse` (see Cargo.toml).
struct SerdeJson;

impl Decoder for SerdeJson {
    fn decode<T: serde::de::DeserializeOwned>(&self, text: &str) -> Result<T, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.split('\n');
    let status_line = lines.next().unwrap_or("");
    let status = status_line.trim().parse::<u16>().unwrap_or_else(|_| {
        u16::from_le_bytes([
            data.first().copied().unwrap_or(0),
            data.get(1).copied().unwrap_or(0),
        ])
    });
    let headers: Vec<(String, String)> = lines
        .map(|l| match l.split_once(':') {
            Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect();
    let d = SerdeJson;
    let _ = response::check(status, &headers, body, &d);
    let _ = response::decode_body::<Json, _>(status, &headers, body, &d);
    let _ = response::decode_body::<Machine, _>(status, &headers, body, &d);
    let _ = response::decode_body::<Vec<Machine>, _>(status, &headers, body, &d);
    let e = response::error_from_response(status, &headers, body, &d);
    assert!(!e.code.is_empty(), "every error has a code");
    let _ = response::header(&headers, "retry-after");
    let _ = response::request_id(&headers);
    let _ = response::code_for_status(status);
    if let Ok(j) = d.decode::<Json>(body) {
        let _ = j.to_json_string();
    }
});
