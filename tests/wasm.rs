//! Boundary tests of the wasm layer, run by wasm-bindgen-test in Node (default) and in headless
//! Chromium (`WASM_BINDGEN_USE_BROWSER=1`): error object shapes, option validation, the two
//! signers agreeing, what goes on the wire (through a recording `fetch`), timeouts and aborts,
//! and that an instance stays usable after every kind of failure. Keys are generated at test
//! time with WebCrypto and exported as PKCS#8 PEM.
#![cfg(target_arch = "wasm32")]

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use smartdc_wasm::keys::{self, SignatureAlgorithm};
use smartdc_wasm::wasm::DataCenter;
use smartdc_wasm::wasm::signer::{RustSigner, Signer, WebCryptoSigner, subtle};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const MACHINE_ID: &str = "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a";

// ---------------------------------------------------------------- helpers

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &s(k)).unwrap()
}

fn set(o: &JsValue, k: &str, v: &JsValue) {
    Reflect::set(o, &s(k), v).unwrap();
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o: JsValue = Object::new().into();
    for (k, v) in pairs {
        set(&o, k, v);
    }
    o
}

fn call(o: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let f: Function = get(o, method).dyn_into().unwrap();
    Reflect::apply(&f, o, &args.iter().collect::<Array>()).unwrap()
}

async fn wait(p: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&p)).await
}

async fn ok(p: JsValue) -> JsValue {
    match wait(p).await {
        Ok(v) => v,
        Err(e) => panic!("unexpected rejection: {}", describe(&e)),
    }
}

async fn err(p: JsValue) -> JsValue {
    match wait(p).await {
        Ok(v) => panic!("expected a rejection, got {v:?}"),
        Err(e) => e,
    }
}

fn describe(e: &JsValue) -> String {
    format!(
        "{} {:?}: {}",
        get(e, "name").as_string().unwrap_or_default(),
        get(e, "code").as_string(),
        get(e, "message").as_string().unwrap_or_default()
    )
}

/// Asserts `e` is a real `Error` named CloudApiError with `code`.
fn assert_cloud_error(e: &JsValue, code: &str) {
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    assert_eq!(get(e, "name").as_string().as_deref(), Some("CloudApiError"));
    assert_eq!(
        get(e, "code").as_string().as_deref(),
        Some(code),
        "{}",
        describe(e)
    );
    assert!(get(e, "stack").as_string().is_some(), "no stack");
    assert!(!get(e, "message").as_string().unwrap().is_empty());
}

fn assert_type_error(e: &JsValue, needle: &str) {
    assert!(
        e.is_instance_of::<js_sys::TypeError>(),
        "not a TypeError: {}",
        describe(e)
    );
    let msg = get(e, "message").as_string().unwrap();
    assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
}

fn subtle_or_skip() -> JsValue {
    subtle().expect("this host has no crypto.subtle")
}

struct TestKey {
    pem: String,
    public: JsValue,
    private: JsValue,
}

/// A fresh key pair from WebCrypto, the private half exported as PKCS#8 PEM.
async fn generate(kind: &str) -> TestKey {
    let subtle = subtle_or_skip();
    let params = match kind {
        "rsa" => obj(&[
            ("name", s("RSASSA-PKCS1-v1_5")),
            ("modulusLength", JsValue::from(2048)),
            ("publicExponent", Uint8Array::from(&[1u8, 0, 1][..]).into()),
            ("hash", s("SHA-256")),
        ]),
        "p256" => obj(&[("name", s("ECDSA")), ("namedCurve", s("P-256"))]),
        "ed25519" => obj(&[("name", s("Ed25519"))]),
        _ => unreachable!(),
    };
    let usages: JsValue = Array::of2(&s("sign"), &s("verify")).into();
    let pair = ok(call(
        &subtle,
        "generateKey",
        &[params, JsValue::TRUE, usages],
    ))
    .await;
    let private = get(&pair, "privateKey");
    let der = ok(call(&subtle, "exportKey", &[s("pkcs8"), private.clone()])).await;
    let der = Uint8Array::new(&der).to_vec();
    let body = B64.encode(&der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    TestKey {
        pem,
        public: get(&pair, "publicKey"),
        private,
    }
}

/// What the fake server saw, and what it answers next.
#[derive(Default)]
struct Wire {
    requests: Vec<(String, JsValue)>,
    /// (status, body) answers, used in order; the last one repeats.
    answers: Vec<(u16, String)>,
    /// Answer every request by throwing this (network failure).
    fail_with: Option<String>,
    /// Never answer (until the signal aborts).
    hang: bool,
}

/// A `fetch` that records requests and answers from `wire`.
fn fake_fetch(wire: Rc<RefCell<Wire>>) -> JsValue {
    let f = Closure::<dyn FnMut(JsValue, JsValue) -> Result<Promise, JsValue>>::new(
        move |url: JsValue, init: JsValue| {
            let mut w = wire.borrow_mut();
            w.requests.push((url.as_string().unwrap(), init.clone()));
            if let Some(m) = &w.fail_with {
                return Err(js_sys::TypeError::new(m).into());
            }
            if w.hang {
                let signal = get(&init, "signal");
                return Ok(Promise::new(&mut |_res: Function, rej: Function| {
                    let sig = signal.clone();
                    let on_abort = Closure::once_into_js(move || {
                        let _ = rej.call1(&JsValue::UNDEFINED, &get(&sig, "reason"));
                    });
                    call(&signal, "addEventListener", &[s("abort"), on_abort]);
                }));
            }
            let (status, body) = if w.answers.len() > 1 {
                w.answers.remove(0)
            } else {
                w.answers.first().cloned().unwrap_or((200, "{}".into()))
            };
            let ctor: Function = get(&js_sys::global(), "Response").dyn_into().unwrap();
            let headers = obj(&[
                ("content-type", s("application/json")),
                ("request-id", s("req-123")),
            ]);
            let init = obj(&[("status", JsValue::from(status)), ("headers", headers)]);
            let body = if status == 204 || body.is_empty() {
                JsValue::NULL
            } else {
                s(&body)
            };
            let resp = Reflect::construct(&ctor, &Array::of2(&body, &init)).unwrap();
            Ok(Promise::resolve(&resp))
        },
    );
    f.into_js_value()
}

fn options(key: &str, fetch: Option<JsValue>, extra: &[(&str, JsValue)]) -> JsValue {
    let o = obj(&[
        ("url", s("https://cloudapi.test")),
        ("account", s("bob")),
        ("privateKey", s(key)),
    ]);
    if let Some(f) = fetch {
        set(&o, "fetch", &f);
    }
    for (k, v) in extra {
        set(&o, k, v);
    }
    o
}

fn dc_with(key: &str, wire: &Rc<RefCell<Wire>>, extra: &[(&str, JsValue)]) -> JsValue {
    let dc = DataCenter::new(options(key, Some(fake_fetch(wire.clone())), extra))
        .map_err(|e| describe(&e))
        .unwrap();
    dc.into()
}

fn machine_json(state: &str) -> String {
    format!(
        r#"{{"id":"{MACHINE_ID}","name":"web-1","state":"{state}","brand":"joyent","memory":1024,
        "ips":["10.1.2.3","165.225.1.2","100.64.0.9","fd00::1","2001:db8::5"],
        "primaryIp":"165.225.1.2","metadata":{{"user-script":"echo hi"}},"tags":{{"role":"web"}},
        "firewall_enabled":false,"future_field":{{"x":1}}}}"#
    )
}

// ---------------------------------------------------------------- tests

#[wasm_bindgen_test]
fn unknown_option_is_a_type_error_listing_valid_names() {
    let e = DataCenter::new(obj(&[("account", s("bob")), ("acount", s("x"))]))
        .err()
        .unwrap();
    assert_type_error(&e, "unknown option \"acount\"");
    assert_type_error(&e, "privateKey");
}

#[wasm_bindgen_test]
fn wrong_option_types_are_type_errors() {
    let e = DataCenter::new(JsValue::from(5)).err().unwrap();
    assert_type_error(&e, "must be an object");
    let e = DataCenter::new(obj(&[("account", JsValue::from(1))]))
        .err()
        .unwrap();
    assert_type_error(&e, "account must be a string, got a number");
    let e = DataCenter::new(obj(&[("account", s("bob"))]))
        .err()
        .unwrap();
    assert_type_error(&e, "privateKey is required");
}

#[wasm_bindgen_test]
async fn bad_keys_reject_with_cloud_api_errors_without_key_text() {
    let k = generate("rsa").await;
    let truncated = &k.pem[..k.pem.len() / 2];
    for (text, code) in [
        ("not a key at all", "InvalidKey"),
        (truncated, "InvalidKey"),
        (
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 me@host",
            "InvalidKey",
        ),
    ] {
        let e = DataCenter::new(options(text, None, &[])).err().unwrap();
        assert_cloud_error(&e, code);
        let msg = get(&e, "message").as_string().unwrap();
        assert!(!msg.contains("AAAAB3Nza"), "{msg}");
        for line in k.pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!msg.contains(&line[..16]), "message quotes key text: {msg}");
        }
    }
    // A keyId naming another key's fingerprint is caught before any request.
    let e = DataCenter::new(options(
        &k.pem,
        None,
        &[(
            "keyId",
            s("00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"),
        )],
    ))
    .err()
    .unwrap();
    assert_cloud_error(&e, "KeyNotFound");
    let e = DataCenter::new(options(
        &k.pem,
        None,
        &[("url", JsValue::UNDEFINED), ("location", s("mars-1"))],
    ))
    .err()
    .unwrap();
    assert_cloud_error(&e, "UnknownLocation");
}

#[wasm_bindgen_test]
async fn to_json_and_getters_never_show_key_material() {
    let k = generate("rsa").await;
    let wire = Rc::new(RefCell::new(Wire::default()));
    let dc = dc_with(&k.pem, &wire, &[("user", s("ann"))]);
    let json = js_sys::JSON::stringify(&dc).unwrap().as_string().unwrap();
    assert!(json.contains("\"account\":\"bob\""), "{json}");
    assert!(json.contains("\"user\":\"ann\""), "{json}");
    assert!(json.contains("/bob/users/ann/keys/"), "{json}");
    assert!(!json.contains("PRIVATE"), "{json}");
    let keys_of = Object::keys(&call(&dc, "toJSON", &[]).unchecked_into::<Object>());
    let names: Vec<String> = keys_of.iter().filter_map(|k| k.as_string()).collect();
    assert_eq!(names, ["url", "account", "user", "keyId", "algorithm"]);
}

#[wasm_bindgen_test]
async fn webcrypto_and_rust_signers_agree() {
    let data = b"(request-target): get /bob/machines\nx-date: Thu, 01 Jan 2026 00:00:00 GMT";
    let subtle = subtle_or_skip();
    // RSA PKCS#1 v1.5 and Ed25519 are deterministic: the bytes must be identical.
    for kind in ["rsa", "ed25519"] {
        let k = generate(kind).await;
        let key = Rc::new(keys::parse_private_key(&k.pem, None).unwrap());
        let alg = key.default_algorithm();
        let web = WebCryptoSigner::new(subtle.clone(), key.clone(), alg);
        let rust = RustSigner::new(key.clone(), alg);
        let a = web.sign(data).await.unwrap();
        let b = rust.sign(data).await.unwrap();
        assert_eq!(a, b, "{kind}: signatures differ");
        assert!(!a.is_empty());
        // And the host verifies it with the public half.
        let verify_alg = if kind == "rsa" {
            s("RSASSA-PKCS1-v1_5")
        } else {
            s("Ed25519")
        };
        let good = ok(call(
            &subtle,
            "verify",
            &[
                verify_alg,
                k.public.clone(),
                Uint8Array::from(&a[..]).into(),
                Uint8Array::from(&data[..]).into(),
            ],
        ))
        .await;
        assert_eq!(
            good.as_bool(),
            Some(true),
            "{kind}: host rejects the signature"
        );
        let _ = k.private;
    }
    // ECDSA is randomized: both DER signatures must verify with the public key.
    let k = generate("p256").await;
    let key = Rc::new(keys::parse_private_key(&k.pem, None).unwrap());
    let alg = SignatureAlgorithm::EcdsaSha256;
    let raw = ok(call(&subtle, "exportKey", &[s("raw"), k.public.clone()])).await;
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&Uint8Array::new(&raw).to_vec()).unwrap();
    for signer in [
        Box::new(WebCryptoSigner::new(subtle.clone(), key.clone(), alg)) as Box<dyn Signer>,
        Box::new(RustSigner::new(key.clone(), alg)),
    ] {
        let der = signer.sign(data).await.unwrap();
        assert_eq!(der.first(), Some(&0x30), "{}: not DER", signer.kind());
        let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
        use p256::ecdsa::signature::Verifier;
        vk.verify(data, &sig)
            .unwrap_or_else(|_| panic!("{} ECDSA signature does not verify", signer.kind()));
    }
}

#[wasm_bindgen_test]
async fn requests_send_and_sign_x_date_never_date() {
    let k = generate("rsa").await;
    let subtle = subtle_or_skip();
    for signer in ["webcrypto", "rust"] {
        let wire = Rc::new(RefCell::new(Wire {
            answers: vec![(200, r#"{"id":"a","login":"bob"}"#.into())],
            ..Wire::default()
        }));
        let dc = dc_with(
            &k.pem,
            &wire,
            &[
                ("signer", s(signer)),
                ("headers", obj(&[("x-trace", s("t1"))])),
            ],
        );
        assert_eq!(get(&dc, "signer").as_string().as_deref(), Some(signer));
        let account = ok(call(&dc, "account", &[])).await;
        assert_eq!(get(&account, "login").as_string().as_deref(), Some("bob"));

        let (url, init) = wire.borrow().requests[0].clone();
        assert_eq!(url, "https://cloudapi.test/bob");
        let h = get(&init, "headers");
        assert!(get(&h, "date").is_undefined(), "a Date header was sent");
        let x_date = get(&h, "x-date").as_string().expect("no x-date");
        assert!(x_date.ends_with(" GMT"), "{x_date}");
        assert_eq!(
            get(&h, "accept-version").as_string().as_deref(),
            Some("~9||~8")
        );
        assert_eq!(
            get(&h, "accept").as_string().as_deref(),
            Some("application/json")
        );
        assert_eq!(get(&h, "x-trace").as_string().as_deref(), Some("t1"));
        let auth = get(&h, "authorization").as_string().unwrap();
        let prefix = "Signature keyId=\"/bob/keys/";
        assert!(auth.starts_with(prefix), "{auth}");
        assert!(
            auth.contains(
                ",algorithm=\"rsa-sha256\",headers=\"(request-target) x-date\",signature=\""
            ),
            "{auth}"
        );
        let sig_b64 = auth
            .rsplit("signature=\"")
            .next()
            .unwrap()
            .trim_end_matches('"');
        let sig = B64.decode(sig_b64).unwrap();
        let signed = format!("(request-target): get /bob\nx-date: {x_date}");
        let good = ok(call(
            &subtle,
            "verify",
            &[
                s("RSASSA-PKCS1-v1_5"),
                k.public.clone(),
                Uint8Array::from(&sig[..]).into(),
                Uint8Array::from(signed.as_bytes()).into(),
            ],
        ))
        .await;
        assert_eq!(
            good.as_bool(),
            Some(true),
            "{signer}: signature does not verify"
        );
    }
}

#[wasm_bindgen_test]
async fn http_errors_have_code_status_request_id_and_body() {
    let k = generate("rsa").await;
    let wire = Rc::new(RefCell::new(Wire {
        answers: vec![(
            404,
            r#"{"code":"ResourceNotFound","message":"machine not found"}"#.into(),
        )],
        ..Wire::default()
    }));
    let dc = dc_with(&k.pem, &wire, &[]);
    let e = err(call(&dc, "machine", &[s(MACHINE_ID)])).await;
    assert_cloud_error(&e, "ResourceNotFound");
    assert_eq!(get(&e, "statusCode").as_f64(), Some(404.0));
    assert_eq!(get(&e, "requestId").as_string().as_deref(), Some("req-123"));
    assert_eq!(
        get(&get(&e, "body"), "message").as_string().as_deref(),
        Some("machine not found")
    );
    assert_eq!(
        get(&e, "message").as_string().as_deref(),
        Some("machine not found")
    );
}

#[wasm_bindgen_test]
async fn instance_is_usable_after_every_kind_of_failure() {
    let k = generate("rsa").await;
    let wire = Rc::new(RefCell::new(Wire {
        answers: vec![
            (200, "<html>oops</html>".into()),
            (200, String::new()),
            (200, r#"{"no":"id"}"#.into()),
            (200, r#"{"id":"a","login":"bob"}"#.into()),
        ],
        ..Wire::default()
    }));
    let dc = dc_with(&k.pem, &wire, &[("timeout", JsValue::from(200))]);
    let e = err(call(&dc, "account", &[])).await;
    assert_cloud_error(&e, "InvalidResponse");
    assert!(describe(&e).contains("not JSON"), "{}", describe(&e));
    let e = err(call(&dc, "account", &[])).await;
    assert_cloud_error(&e, "InvalidResponse");
    assert!(describe(&e).contains("empty body"), "{}", describe(&e));
    let e = err(call(&dc, "account", &[])).await;
    assert_cloud_error(&e, "InvalidResponse");
    // Bad arguments, before any request.
    let before = wire.borrow().requests.len();
    let e = err(call(&dc, "machine", &[JsValue::from(7)])).await;
    assert_type_error(&e, "must be a string");
    let e = err(call(&dc, "machines", &[obj(&[("stat", s("running"))])])).await;
    assert_type_error(&e, "unknown option \"stat\"");
    let e = err(call(&dc, "machine", &[s("")])).await;
    assert_cloud_error(&e, "InvalidArgument");
    let e = err(call(&dc, "request", &[s("BREW"), s("/bob")])).await;
    assert_cloud_error(&e, "InvalidArgument");
    assert_eq!(
        wire.borrow().requests.len(),
        before,
        "a bad call sent a request"
    );
    // Network failure, then a timeout.
    wire.borrow_mut().fail_with = Some("fetch failed".into());
    let e = err(call(&dc, "account", &[])).await;
    assert_cloud_error(&e, "NetworkError");
    assert!(describe(&e).contains("fetch failed"), "{}", describe(&e));
    wire.borrow_mut().fail_with = None;
    wire.borrow_mut().hang = true;
    let started = js_sys::Date::now();
    let e = err(call(&dc, "account", &[])).await;
    assert_cloud_error(&e, "Timeout");
    let took = js_sys::Date::now() - started;
    assert!((150.0..2000.0).contains(&took), "timeout took {took} ms");
    wire.borrow_mut().hang = false;
    // And the next call works.
    let account = ok(call(&dc, "account", &[])).await;
    assert_eq!(get(&account, "id").as_string().as_deref(), Some("a"));
}

#[wasm_bindgen_test]
async fn machine_getters_ips_and_to_json() {
    let k = generate("rsa").await;
    let wire = Rc::new(RefCell::new(Wire {
        answers: vec![(200, machine_json("running"))],
        ..Wire::default()
    }));
    let dc = dc_with(&k.pem, &wire, &[]);
    let m = ok(call(&dc, "machine", &[s(MACHINE_ID)])).await;
    assert_eq!(get(&m, "id").as_string().as_deref(), Some(MACHINE_ID));
    assert_eq!(get(&m, "state").as_string().as_deref(), Some("running"));
    assert_eq!(get(&m, "memory").as_f64(), Some(1024.0));
    assert_eq!(
        get(&m, "primaryIp").as_string().as_deref(),
        Some("165.225.1.2")
    );
    assert_eq!(get(&m, "firewall_enabled").as_bool(), Some(false));
    assert_eq!(
        get(&m, "bootScript").as_string().as_deref(),
        Some("echo hi")
    );
    let list = |v: JsValue| -> Vec<String> {
        Array::from(&v)
            .iter()
            .filter_map(|x| x.as_string())
            .collect()
    };
    assert_eq!(list(get(&m, "publicIps")), ["165.225.1.2", "2001:db8::5"]);
    assert_eq!(
        list(get(&m, "privateIps")),
        ["10.1.2.3", "100.64.0.9", "fd00::1"]
    );
    let json = js_sys::JSON::stringify(&m).unwrap().as_string().unwrap();
    assert!(json.contains("\"future_field\":{\"x\":1}"), "{json}");
    assert!(!json.contains("__wbg_ptr"), "{json}");
}

#[wasm_bindgen_test]
async fn poll_until_reaches_state_and_deleted_counts_410() {
    let k = generate("rsa").await;
    let wire = Rc::new(RefCell::new(Wire {
        answers: vec![
            (200, machine_json("provisioning")),
            (200, machine_json("provisioning")),
            (200, machine_json("running")),
        ],
        ..Wire::default()
    }));
    let dc = dc_with(&k.pem, &wire, &[]);
    let m = ok(call(&dc, "machine", &[s(MACHINE_ID)])).await;
    let seen = Rc::new(RefCell::new(Vec::<String>::new()));
    let seen2 = seen.clone();
    let progress = Closure::<dyn FnMut(JsValue)>::new(move |m: JsValue| {
        seen2
            .borrow_mut()
            .push(get(&m, "state").as_string().unwrap_or_default());
    });
    let opts = obj(&[
        ("interval", JsValue::from(5)),
        ("onProgress", progress.as_ref().clone()),
    ]);
    let done = ok(call(&m, "pollUntil", &[s("running"), opts])).await;
    assert_eq!(get(&done, "state").as_string().as_deref(), Some("running"));
    assert_eq!(get(&m, "state").as_string().as_deref(), Some("running"));
    assert_eq!(*seen.borrow(), ["provisioning", "running"]);

    wire.borrow_mut().answers =
        vec![(410, format!(r#"{{"id":"{MACHINE_ID}","state":"deleted"}}"#))];
    let opts = obj(&[("interval", JsValue::from(5))]);
    let done = ok(call(&m, "pollUntil", &[s("deleted"), opts])).await;
    assert_eq!(get(&done, "state").as_string().as_deref(), Some("deleted"));
}

#[wasm_bindgen_test]
async fn poll_timeout_and_abort_are_prompt() {
    let k = generate("rsa").await;
    let wire = Rc::new(RefCell::new(Wire {
        answers: vec![(200, machine_json("provisioning"))],
        ..Wire::default()
    }));
    let dc = dc_with(&k.pem, &wire, &[]);
    let m = ok(call(&dc, "machine", &[s(MACHINE_ID)])).await;

    let started = js_sys::Date::now();
    let opts = obj(&[
        ("interval", JsValue::from(10_000)),
        ("timeout", JsValue::from(150)),
    ]);
    let e = err(call(&m, "pollUntil", &[s("running"), opts])).await;
    assert_cloud_error(&e, "Timeout");
    assert!(
        describe(&e).contains("last state: provisioning"),
        "{}",
        describe(&e)
    );
    let took = js_sys::Date::now() - started;
    assert!((140.0..1000.0).contains(&took), "timeout after {took} ms");

    let ctor: Function = get(&js_sys::global(), "AbortController")
        .dyn_into()
        .unwrap();
    let controller = Reflect::construct(&ctor, &Array::new()).unwrap();
    let opts = obj(&[
        ("interval", JsValue::from(10_000)),
        ("signal", get(&controller, "signal")),
    ]);
    let started = js_sys::Date::now();
    let pending = call(&m, "pollWhile", &[s("provisioning"), opts]);
    let abort_later = Closure::once_into_js(move || {
        call(&controller, "abort", &[]);
    });
    let set_timeout: Function = get(&js_sys::global(), "setTimeout").dyn_into().unwrap();
    set_timeout
        .call2(&JsValue::UNDEFINED, &abort_later, &JsValue::from(100))
        .unwrap();
    let e = err(pending).await;
    assert_cloud_error(&e, "Aborted");
    let took = js_sys::Date::now() - started;
    assert!((90.0..1000.0).contains(&took), "abort after {took} ms");

    // Bad poll arguments.
    let e = err(call(&m, "pollUntil", &[s("runing")])).await;
    assert_cloud_error(&e, "InvalidArgument");
    let e = err(call(
        &m,
        "pollUntil",
        &[s("running"), obj(&[("timeout", JsValue::from(-1))])],
    ))
    .await;
    assert_type_error(&e, "positive number");
    // Still usable.
    let again = ok(call(&m, "refresh", &[])).await;
    assert_eq!(
        get(&again, "state").as_string().as_deref(),
        Some("provisioning")
    );
}

#[wasm_bindgen_test]
async fn machines_reads_every_page() {
    let k = generate("rsa").await;
    let page = |n: usize, start: usize| {
        let items: Vec<String> = (start..start + n)
            .map(|i| format!(r#"{{"id":"00000000-0000-4000-8000-{i:012}","state":"running"}}"#))
            .collect();
        format!("[{}]", items.join(","))
    };
    let wire = Rc::new(RefCell::new(Wire {
        answers: vec![
            (200, page(1000, 0)),
            (200, page(1000, 1000)),
            (200, page(3, 2000)),
        ],
        ..Wire::default()
    }));
    let dc = dc_with(&k.pem, &wire, &[]);
    let all = ok(call(&dc, "machines", &[obj(&[("state", s("running"))])])).await;
    assert_eq!(Array::from(&all).length(), 2003);
    let urls: Vec<String> = wire
        .borrow()
        .requests
        .iter()
        .map(|(u, _)| u.clone())
        .collect();
    assert_eq!(
        urls,
        [
            "https://cloudapi.test/bob/machines?state=running&limit=1000&offset=0",
            "https://cloudapi.test/bob/machines?state=running&limit=1000&offset=1000",
            "https://cloudapi.test/bob/machines?state=running&limit=1000&offset=2000",
        ]
    );
}

#[wasm_bindgen_test]
async fn headers_option_is_copied_per_instance() {
    let k = generate("rsa").await;
    let shared = obj(&[("x-team", s("a"))]);
    let wire = Rc::new(RefCell::new(Wire::default()));
    let one = dc_with(&k.pem, &wire, &[("headers", shared.clone())]);
    set(&shared, "x-team", &s("b"));
    let two = dc_with(&k.pem, &wire, &[]);
    ok(call(&one, "request", &[s("GET"), s("/bob")])).await;
    ok(call(&two, "request", &[s("GET"), s("/bob")])).await;
    let w = wire.borrow();
    let h0 = get(&w.requests[0].1, "headers");
    let h1 = get(&w.requests[1].1, "headers");
    assert_eq!(get(&h0, "x-team").as_string().as_deref(), Some("a"));
    assert!(get(&h1, "x-team").is_undefined());
    let e = DataCenter::new(options(
        &k.pem,
        None,
        &[("headers", obj(&[("Authorization", s("x"))]))],
    ))
    .err()
    .unwrap();
    assert_type_error(&e, "cannot be overridden");
}
