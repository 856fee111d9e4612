//! ssh-agent protocol parsing: a byte stream from a (hostile) agent is split into messages,
//! each parsed as an identities answer and as a sign response for several key types.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smartdc_wasm::agent;
use smartdc_wasm::keys::{PublicKey, SignatureAlgorithm};

/// Throwaway public keys (tests/fuzz/corpus/keys/*.pub) the sign responses are checked against.
const KEYS: [&str; 3] = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZEVtKhMaKsqxSMuooPVDq/1yYXLBII2rYwyP9TafP4",
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBM+X7vS9coNAawGn9URPdZGz8WVWttOdlliV37KTW2Y2dqQfBn7NzntIJACeXzya8vpTeeIAdXbK5BBV9Ivu91A=",
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDdT5gfAsXEfAV9i9eTis9DiMjd+o2FooXRixypUOltcc6xtHBuEDTB7aOC8y7PGux/030tbYHSoWTH2bsL3iDPsCnc8n7oM2hRB3SCyHtAV+Qn2TEt/H0OjDuD3xOYtXQI/tKObVsUEnumX89fiU7PsQN1zM+4V2m8+W0fhjanBQ==",
];

fuzz_target!(|data: &[u8]| {
    let keys: Vec<PublicKey> = KEYS
        .iter()
        .map(|k| PublicKey::from_openssh(k).expect("constant key"))
        .collect();
    let mut rest = data;
    while let Ok(Some(msg)) = agent::take_message(rest) {
        assert!(msg.consumed > 0 && msg.consumed <= rest.len());
        if let Ok(ids) = agent::parse_identities(&msg) {
            for id in &ids {
                let _ = id.check_usable();
                if let Some(k) = &id.public_key {
                    let _ = agent::agent_algorithm(k);
                }
                for alg in [
                    SignatureAlgorithm::RsaSha256,
                    SignatureAlgorithm::EcdsaSha256,
                ] {
                    let _ = agent::sign_request(id, b"x-date: now", alg);
                }
            }
            let _ =
                agent::find_identity(&ids, "MD5:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff");
            for k in &keys {
                let _ = agent::find_identity(&ids, &k.sha256_fingerprint());
            }
        }
        for k in &keys {
            let _ = agent::parse_sign_response(&msg, k);
        }
        rest = &rest[msg.consumed..];
    }
});
