//! Key parsing: every private-key format (with and without the seed corpora's passphrase),
//! OpenSSH public-key lines and raw public-key blobs. No input may panic; parsed keys must
//! also survive the operations the signers run on them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smartdc_wasm::keys::{self, PublicKey};

/// The passphrase the encrypted seeds in corpus/keys were made with (throwaway keys).
const PASSPHRASE: &[u8] = b"fuzzpass";

fuzz_target!(|data: &[u8]| {
    let _ = PublicKey::from_blob(data);
    let text = String::from_utf8_lossy(data);
    let _ = keys::is_encrypted(&text);
    for pass in [None, Some(PASSPHRASE)] {
        if let Ok(key) = keys::parse_private_key(&text, pass) {
            let alg = key.default_algorithm();
            let _ = key.webcrypto_params(alg);
            let der = key.to_pkcs8_der();
            assert!(!der.is_empty(), "a parsed key must encode as PKCS#8");
            let public = key.public_key();
            let line = public.to_openssh();
            let again = PublicKey::from_openssh(&line).expect("own public key must re-parse");
            assert_eq!(again.md5_fingerprint(), public.md5_fingerprint());
            let _ = public.sha256_fingerprint();
            let _ = format!("{key:?}");
        }
    }
    if let Ok(public) = PublicKey::from_openssh(&text) {
        let again = PublicKey::from_blob(public.blob()).expect("a parsed blob must re-parse");
        assert_eq!(again.key_type(), public.key_type());
        let _ = public.md5_fingerprint();
        let _ = public.to_openssh();
    }
});
