//! http-signature building on arbitrary strings. Input (lossy UTF-8), one field per line:
//! method, target, account, user (empty = none), keyId input, then `name: value` headers.
//! Every header name (plus `(request-target)`) is signed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smartdc_wasm::keys::{PublicKey, SignatureAlgorithm};
use smartdc_wasm::response;
use smartdc_wasm::signing;

/// A throwaway public key (tests/fuzz/corpus/keys/ed.pub) for keyId translation.
const PUBLIC: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZEVtKhMaKsqxSMuooPVDq/1yYXLBII2rYwyP9TafP4";

const ALGORITHMS: [SignatureAlgorithm; 6] = [
    SignatureAlgorithm::RsaSha1,
    SignatureAlgorithm::RsaSha256,
    SignatureAlgorithm::RsaSha512,
    SignatureAlgorithm::EcdsaSha256,
    SignatureAlgorithm::EcdsaSha512,
    SignatureAlgorithm::Ed25519Sha512,
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or("");
    let target = lines.next().unwrap_or("");
    let account = lines.next().unwrap_or("");
    let user = lines.next().filter(|u| !u.is_empty());
    let key_id = lines.next().unwrap_or("");
    let headers: Vec<(String, String)> = lines
        .map(|l| match l.split_once(':') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect();
    let mut signed = vec!["(request-target)".to_string()];
    signed.extend(headers.iter().map(|(k, _)| k.clone()));

    let public = PublicKey::from_openssh(PUBLIC).expect("constant key");
    let input = signing::parse_key_id_input(key_id);
    let _ = signing::build_key_id(account, user, &input, None);
    let id = signing::build_key_id(account, user, &input, Some(&public));
    let _ = signing::signing_string(method, target, &headers, &signed);
    let _ = signing::signing_string(method, target, &headers, &signed[..1]);
    let alg = ALGORITHMS[data.len() % ALGORITHMS.len()];
    let _ = SignatureAlgorithm::parse(method);
    if let Ok(id) = id {
        let header = signing::authorization_header(&id, alg, &signed, data);
        assert!(header.starts_with("Signature keyId=\""));
    }
    let methods: Vec<String> = method.split(',').map(str::to_string).collect();
    let _ = signing::presign_string(&methods, account, target, &headers);
    let _ = signing::presigned_target(target, &headers, data);
    let _ = signing::locale_compare(method, target);

    let mut secs = [0u8; 8];
    for (d, s) in secs.iter_mut().zip(data) {
        *d = *s;
    }
    let unix = i64::from_le_bytes(secs);
    let date = signing::format_http_date(unix);
    let _ = response::parse_http_date(&date);
    let _ = response::parse_http_date(target);
    let _ = response::parse_retry_after(target, Some(unix));
});
