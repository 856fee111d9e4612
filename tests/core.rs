//! Native tests of the sans-IO core: request building for every CloudAPI operation, error
//! mapping per cloudapi.md §3, and model decoding from realistic server JSON.

use serde::de::DeserializeOwned;
use smartdc_wasm::api::{self, *};
use smartdc_wasm::json::Json;
use smartdc_wasm::request::{Method, Request};
use smartdc_wasm::response::{self, Decoder};

/// The native Decoder: serde_json (the wasm layer uses JSON.parse + serde-wasm-bindgen).
struct J;
impl Decoder for J {
    fn decode<T: DeserializeOwned>(&self, text: &str) -> Result<T, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

const ID: &str = "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a";
const ID2: &str = "0bd3a1b4-5e5c-4f6e-8d7a-1b2c3d4e5f60";

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap()
}

fn body_of(r: &Request) -> serde_json::Value {
    serde_json::from_str(&r.body_text().expect("a body")).unwrap()
}

// ---------------------------------------------------------------- error mapping (§3)

#[test]
fn cloudapi_error_keeps_code_message_status_and_request_id() {
    let e = response::check(
        409,
        &h(&[("Request-Id", "r-1")]),
        r#"{"code":"InvalidArgument","message":"foo is not a valid state"}"#,
        &J,
    )
    .unwrap_err();
    assert_eq!(e.code, "InvalidArgument");
    assert_eq!(e.status_code, 409);
    assert_eq!(e.message, "foo is not a valid state");
    assert_eq!(e.request_id.as_deref(), Some("r-1"));
    assert_eq!(
        e.body
            .as_ref()
            .and_then(|b| b.get("code"))
            .and_then(Json::as_str),
        Some("InvalidArgument")
    );
}

#[test]
fn x_request_id_is_used_when_request_id_is_absent() {
    let e = response::check(404, &h(&[("x-request-id", "abc")]), "", &J).unwrap_err();
    assert_eq!(e.request_id.as_deref(), Some("abc"));
    assert_eq!(e.code, "ResourceNotFound");
}

#[test]
fn gone_keeps_the_deleted_machine_body() {
    let body = format!(r#"{{"id":"{ID}","state":"deleted","name":"web"}}"#);
    let e = response::check(410, &[], &body, &J).unwrap_err();
    assert_eq!(e.status_code, 410);
    assert_eq!(e.code, "Gone");
    assert!(e.message.contains("deleted"), "{}", e.message);
    let b = e.body.clone().unwrap();
    assert_eq!(b.get("id").and_then(Json::as_str), Some(ID));
    assert_eq!(b.get("state").and_then(Json::as_str), Some("deleted"));
    let m = machines::from_gone(&e, &J).unwrap();
    assert_eq!(
        (m.id.as_str(), m.state.as_deref(), m.name.as_deref()),
        (ID, Some("deleted"), Some("web"))
    );
    // The bare-id form of the 410 body is kept too.
    let e = response::check(410, &[], &format!("\"{ID}\""), &J).unwrap_err();
    assert_eq!(e.body, Some(Json::from(ID)));
    let m = machines::from_gone(&e, &J).unwrap();
    assert_eq!((m.id.as_str(), m.state.as_deref()), (ID, Some("deleted")));
    let e404 = response::check(404, &[], &format!("\"{ID}\""), &J).unwrap_err();
    assert!(machines::from_gone(&e404, &J).is_none());
}

#[test]
fn haproxy_bodies_without_code_get_a_status_code() {
    let e = response::check(
        400,
        &[],
        r#"{"BadHTTPRequest": "Request was malformed"}"#,
        &J,
    )
    .unwrap_err();
    assert_eq!(e.code, "BadRequest");
    assert!(
        e.message.contains("BadHTTPRequest: Request was malformed"),
        "{}",
        e.message
    );
    let e = response::check(
        408,
        &[],
        r#"{"IdleClientError": "Server waited too long for data"}"#,
        &J,
    )
    .unwrap_err();
    assert_eq!(e.code, "RequestTimeout");
    assert!(e.message.contains("waited too long"));
    let e = response::check(
        503,
        &[],
        r#"{"code":"ServiceUnavailable", "message":"CloudAPI service is currently unavailable"}"#,
        &J,
    )
    .unwrap_err();
    assert_eq!(e.code, "ServiceUnavailable");
    assert!(
        e.message
            .starts_with("CloudAPI service is currently unavailable")
    );
    assert!(e.message.contains("retry later"), "{}", e.message);
}

#[test]
fn presigned_failure_is_internal_error_with_the_message() {
    let e = response::check(500, &[], r#"{"message":"request expired"}"#, &J).unwrap_err();
    assert_eq!(e.code, "InternalError");
    assert_eq!(e.status_code, 500);
    assert!(e.message.starts_with("request expired"), "{}", e.message);
}

#[test]
fn html_502_gets_a_short_sanitised_excerpt() {
    let html = format!(
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>Bad\tGateway</h1>{}</body></html>",
        "x".repeat(5000)
    );
    let e = response::check(502, &[], &html, &J).unwrap_err();
    assert_eq!(e.code, "BadGateway");
    assert!(
        e.message.contains("502 Bad Gateway Bad Gateway"),
        "{}",
        e.message
    );
    assert!(!e.message.contains('<') && !e.message.contains('\n') && !e.message.contains('\t'));
    assert!(e.message.chars().count() < 400, "{}", e.message.len());
    assert_eq!(e.body, None);
}

#[test]
fn empty_503_with_retry_after_seconds_and_http_date() {
    let e = response::check(503, &h(&[("Retry-After", "120")]), "", &J).unwrap_err();
    assert_eq!(e.code, "ServiceUnavailable");
    assert_eq!(e.retry_after, Some(120));
    assert!(e.message.contains("empty body"));
    assert!(e.message.contains("retry after 120 s"), "{}", e.message);
    let e = response::check(
        503,
        &h(&[
            ("date", "Thu, 26 Nov 2026 22:00:00 GMT"),
            ("retry-after", "Thu, 26 Nov 2026 22:05:30 GMT"),
        ]),
        "",
        &J,
    )
    .unwrap_err();
    assert_eq!(e.retry_after, Some(330));
}

#[test]
fn status_codes_and_hints() {
    let e = response::check(
        401,
        &[],
        r#"{"code":"InvalidCredentials","message":"Invalid authorization credentials supplied"}"#,
        &J,
    )
    .unwrap_err();
    assert!(e.message.contains("check keyId"), "{}", e.message);
    let e = response::check(
        429,
        &[],
        r#"{"code":"TooManyRequestsError","message":"You have exceeded your request rate of 10 r/s."}"#,
        &J,
    )
    .unwrap_err();
    assert_eq!(e.code, "TooManyRequestsError");
    assert!(e.message.contains("throttled; retry later"));
    let e = response::check(
        400,
        &[],
        r#"{"code":"InvalidHeader","message":"Authorization header invalid: clock skew of 400s was greater than 300s"}"#,
        &J,
    )
    .unwrap_err();
    assert!(e.message.contains("clock"));
    for (s, c) in [
        (403, "NotAuthorized"),
        (405, "MethodNotAllowed"),
        (413, "PayloadTooLarge"),
        (422, "InvalidParameters"),
        (418, "ClientError"),
        (501, "NotImplemented"),
        (504, "GatewayTimeout"),
        (599, "ServerError"),
    ] {
        assert_eq!(response::check(s, &[], "", &J).unwrap_err().code, c, "{s}");
    }
    assert!(response::check(204, &[], "", &J).is_ok());
    let e = response::check(
        302,
        &h(&[("Location", "https://apidocs.example/cloudapi")]),
        "",
        &J,
    )
    .unwrap_err();
    assert_eq!(e.code, "Redirect");
    assert!(
        e.message
            .contains("redirected to https://apidocs.example/cloudapi"),
        "{}",
        e.message
    );
}

#[test]
fn decode_body_reports_what_was_expected() {
    let e = response::decode_body::<Vec<machines::Machine>, _>(200, &[], "<html>oops</html>", &J)
        .unwrap_err();
    assert_eq!(e.code, "InvalidResponse");
    assert!(e.message.contains("expected Vec<Machine>"), "{}", e.message);
    assert!(e.message.contains("not JSON"), "{}", e.message);
    let e = response::decode_body::<machines::Machine, _>(200, &[], "[1,2]", &J).unwrap_err();
    assert!(e.message.contains("another shape"), "{}", e.message);
    let e = response::decode_body::<machines::Machine, _>(200, &[], "", &J).unwrap_err();
    assert!(e.message.contains("empty body"), "{}", e.message);
    // An empty 2xx body is fine where nothing is expected.
    response::decode_body::<(), _>(202, &[], "", &J).unwrap();
    // Errors win over decoding.
    let e = response::decode_body::<Json, _>(404, &[], "{}", &J).unwrap_err();
    assert_eq!(e.code, "ResourceNotFound");
}

#[test]
fn http_dates_in_all_three_forms() {
    let t = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT
    assert_eq!(
        response::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(t)
    );
    assert_eq!(
        response::parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
        Some(t)
    );
    assert_eq!(
        response::parse_http_date("Sun Nov  6 08:49:37 1994"),
        Some(t)
    );
    assert_eq!(response::parse_http_date("yesterday"), None);
    assert_eq!(
        response::parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"),
        None
    );
    assert_eq!(response::parse_retry_after(" 7 ", None), Some(7));
    assert_eq!(
        response::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", Some(t + 10)),
        Some(0)
    );
    assert_eq!(
        response::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", None),
        None
    );
}

// ---------------------------------------------------------------- builders

#[test]
fn list_machines_filters_paging_and_encoding() {
    let f: machines::MachineFilters = serde_json::from_str(
        r#"{"state":"running","name":"web 1","brand":"lx","memory":1024,"docker":false,
            "tombstone":true,"credentials":true,"image":"4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a",
            "tags":{"role":"db","prio":2,"on":true,"é":"ü"}}"#,
    )
    .unwrap();
    let r = machines::list_machines("my", &f, 2000, None).unwrap();
    assert_eq!(r.method, Method::Get);
    assert!(r.idempotent);
    assert_eq!(
        r.target(),
        format!(
            "/my/machines?brand=lx&name=web%201&image={ID}&state=running&memory=1024&tombstone=true\
             &docker=false&credentials=true&tag.role=db&tag.prio=2&tag.on=true&tag.%C3%A9=%C3%BC\
             &limit=1000&offset=2000"
        )
    );
    let r = machines::list_machines("my", &Default::default(), 0, Some(5)).unwrap();
    assert_eq!(r.target(), "/my/machines?limit=5&offset=0");
    assert!(machines::list_machines("my", &Default::default(), 0, Some(1001)).is_err());
    assert!(machines::list_machines("my", &Default::default(), 0, Some(0)).is_err());
}

#[test]
fn machine_filter_validation() {
    let bad = |t: &str| {
        let f: machines::MachineFilters = serde_json::from_str(t).unwrap();
        machines::list_machines("my", &f, 0, None).unwrap_err()
    };
    assert!(
        bad(r#"{"state":"deleted"}"#)
            .message
            .contains("use one of provisioning")
    );
    assert!(
        bad(r#"{"image":"base-64"}"#)
            .message
            .contains("image must be a UUID")
    );
    assert!(
        bad(r#"{"tags":{"a":{"b":1}}}"#)
            .message
            .contains("tags.a must be")
    );
    assert!(
        bad(r#"{"tags":"*","state":"running"}"#)
            .message
            .contains("alone")
    );
    assert!(
        bad(r#"{"type":"container"}"#)
            .message
            .contains("smartmachine")
    );
    let e = serde_json::from_str::<machines::MachineFilters>(r#"{"stat":"running"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown field `stat`") && e.contains("`state`"),
        "{e}"
    );
    let f: machines::MachineFilters = serde_json::from_str(r#"{"tags":"*"}"#).unwrap();
    assert_eq!(
        machines::list_machines("my", &f, 0, None).unwrap().target(),
        "/my/machines?tags=%2A&limit=1000&offset=0"
    );
    let f: machines::MachineFilters =
        serde_json::from_str(r#"{"dataset":"4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a","tombstone":0}"#)
            .unwrap();
    assert_eq!(f.image.as_deref(), Some(ID));
    assert!(
        !machines::list_machines("my", &f, 0, None)
            .unwrap()
            .target()
            .contains("tombstone")
    );
}

#[test]
fn count_machines_sends_the_filters_with_head() {
    let f: machines::MachineFilters =
        serde_json::from_str(r#"{"state":"stopped","tags":{"env":"prod"}}"#).unwrap();
    let r = machines::count_machines("acme", &f, 0).unwrap();
    assert_eq!(r.method, Method::Head);
    assert_eq!(
        r.target(),
        "/acme/machines?state=stopped&tag.env=prod&limit=1000&offset=0"
    );
}

#[test]
fn get_and_delete_machine() {
    let r = machines::get_machine("my", ID, true).unwrap();
    assert_eq!(r.target(), format!("/my/machines/{ID}?credentials=true"));
    assert_eq!(
        machines::get_machine("my", ID, false).unwrap().target(),
        format!("/my/machines/{ID}")
    );
    let r = machines::delete_machine("my", ID).unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Delete, true));
    let e = machines::get_machine("my", "../keys", false).unwrap_err();
    assert_eq!(e.code, "InvalidArgument");
    assert!(machines::get_machine("", ID, false).is_err());
    let r = machines::machine_audit("my", ID).unwrap();
    assert_eq!(r.target(), format!("/my/machines/{ID}/audit"));
}

#[test]
fn machine_actions_and_their_retry_safety() {
    use machines::MachineAction as A;
    for (a, q, safe) in [
        (A::Start, "action=start", true),
        (A::Stop, "action=stop", true),
        (A::Reboot, "action=reboot", false),
        (
            A::Resize("g4-highcpu-1G".into()),
            "action=resize&package=g4-highcpu-1G",
            true,
        ),
        (A::Rename("db-2".into()), "action=rename&name=db-2", true),
        (A::EnableFirewall, "action=enable_firewall", true),
        (A::DisableFirewall, "action=disable_firewall", true),
        (
            A::EnableDeletionProtection,
            "action=enable_deletion_protection",
            true,
        ),
        (
            A::DisableDeletionProtection,
            "action=disable_deletion_protection",
            true,
        ),
    ] {
        let r = machines::machine_action("my", ID, &a).unwrap();
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.target(), format!("/my/machines/{ID}?{q}"));
        assert_eq!(r.idempotent, safe, "{q}");
        assert_eq!(r.body, None);
    }
    assert_eq!(
        A::parse("resize", Some("pkg")).unwrap(),
        A::Resize("pkg".into())
    );
    let e = A::parse("explode", None).unwrap_err();
    assert!(
        e.message.contains("unknown machine action \"explode\"")
            && e.message.contains("enable_firewall")
    );
    assert!(
        A::parse("resize", None)
            .unwrap_err()
            .message
            .contains("needs a package")
    );
    assert!(A::parse("start", Some("x")).is_err());
    assert!(machines::machine_action("my", ID, &A::Rename("bad name!".into())).is_err());
}

#[test]
fn create_machine_flattens_metadata_tags_and_networks() {
    let opts: machines::CreateMachine = serde_json::from_str(&format!(
        r##"{{"name":"web-1","image":{{"id":"{ID}","name":"base"}},"package":"g4-highcpu-1G",
            "networks":"{ID2}","metadata":{{"foo":"bar","n":3,"b":false}},
            "tags":{{"role":"web","n":1}},"bootScript":"#!/bin/sh\necho hi",
            "firewall_enabled":true,"deletion_protection":false}}"##
    ))
    .unwrap();
    let r = machines::create_machine("my", &opts).unwrap();
    assert_eq!(r.method, Method::Post);
    assert_eq!(r.target(), "/my/machines");
    assert!(
        !r.idempotent,
        "CreateMachine must never be retried automatically"
    );
    assert_eq!(
        body_of(&r),
        serde_json::json!({
            "name": "web-1", "image": ID, "package": "g4-highcpu-1G", "networks": [ID2],
            "metadata.foo": "bar", "metadata.n": 3, "metadata.b": false,
            "metadata.user-script": "#!/bin/sh\necho hi",
            "tag.role": "web", "tag.n": 1,
            "firewall_enabled": true, "deletion_protection": false
        })
    );
    // Key order on the wire is deterministic (name, image, package, networks, metadata…).
    assert!(r.body_text().unwrap().starts_with(&format!(
        "{{\"name\":\"web-1\",\"image\":\"{ID}\",\"package\":\"g4-highcpu-1G\""
    )));
}

#[test]
fn create_machine_networks_many_and_objects() {
    let opts: machines::CreateMachine = serde_json::from_str(&format!(
        r#"{{"dataset":"{ID}","package":{{"id":"{ID2}"}},
            "networks":["{ID2}",{{"ipv4_uuid":"{ID}","ipv4_ips":["10.0.0.5"]}},{{"id":"{ID}"}}]}}"#
    ))
    .unwrap();
    let b = body_of(&machines::create_machine("my", &opts).unwrap());
    assert_eq!(b["image"], ID);
    assert_eq!(b["package"], ID2);
    assert_eq!(
        b["networks"],
        serde_json::json!([ID2, {"ipv4_uuid": ID, "ipv4_ips": ["10.0.0.5"]}, ID])
    );
}

#[test]
fn create_machine_rejects_bad_input_precisely() {
    let bad = |t: String| {
        let o: machines::CreateMachine = serde_json::from_str(&t).unwrap();
        machines::create_machine("my", &o).unwrap_err().message
    };
    let m = bad(format!(
        r#"{{"image":"{ID}","package":"p","metadata":{{"a":{{"b":1}}}}}}"#
    ));
    assert_eq!(
        m,
        "metadata.a must be a string, number or boolean, got an object"
    );
    assert!(bad(r#"{"package":"p"}"#.into()).contains("image is required"));
    assert!(bad(format!(r#"{{"image":"{ID}"}}"#)).contains("package is required"));
    assert!(bad(r#"{"image":"base-64-lts","package":"p"}"#.into()).contains("resolve names"));
    assert!(
        bad(format!(
            r#"{{"image":"{ID}","dataset":"{ID}","package":"p"}}"#
        ))
        .contains("not both")
    );
    assert!(bad(format!(r#"{{"image":"{ID}","package":"p","name":""}}"#)).contains("empty"));
    assert!(bad(format!(r#"{{"image":"{ID}","package":"p","name":"a b"}}"#)).contains("letters"));
    assert!(bad(format!(r#"{{"image":"{ID}","package":"p","networks":[]}}"#)).contains("empty"));
    assert!(
        bad(format!(
            r#"{{"image":"{ID}","package":"p","networks":["nope"]}}"#
        ))
        .contains("UUID")
    );
    assert!(
        bad(format!(
            r#"{{"image":"{ID}","package":"p","bootScript":"x","metadata":{{"user-script":"y"}}}}"#
        ))
        .contains("not both")
    );
    assert!(
        bad(format!(
            r#"{{"image":"{ID}","package":"p","metadata":{{"credentials":{{"root":1}}}}}}"#
        ))
        .contains("credentials")
    );
    assert!(
        bad(format!(
            r#"{{"image":"{ID}","package":"p","metadata":"x"}}"#
        ))
        .contains("an object")
    );
    assert!(
        bad(format!(
            r#"{{"image":"{ID}","package":"p","metadata":{{"root_pw":"x"}}}}"#
        ))
        .contains("_pw")
    );
    assert!(bad(format!(r#"{{"image":"{ID}","package":"p","brand":"lx"}}"#)).contains("kvm"));
    let e = serde_json::from_str::<machines::CreateMachine>(r#"{"imgae":"x"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown field `imgae`") && e.contains("`image`"),
        "{e}"
    );
    // {{shortId}} is a server-side template and allowed in names.
    let o: machines::CreateMachine = serde_json::from_str(&format!(
        r#"{{"image":"{ID}","package":"p","name":"web-{{{{shortId}}}}"}}"#
    ))
    .unwrap();
    assert!(machines::create_machine("my", &o).is_ok());
}

#[test]
fn create_machine_credentials_are_sent_as_json_text() {
    let o: machines::CreateMachine = serde_json::from_str(&format!(
        r#"{{"image":"{ID}","package":"p","metadata":{{"a":"1","credentials":{{"root":"s3cret"}}}}}}"#
    ))
    .unwrap();
    let b = body_of(&machines::create_machine("my", &o).unwrap());
    assert_eq!(b["metadata.credentials"], "{\"root\":\"s3cret\"}");
    assert_eq!(b["metadata.a"], "1");
    // The metadata endpoint, unlike CreateMachine, drops `credentials`: refuse it there.
    assert!(metadata::update_metadata("my", ID, &json(r#"{"credentials":"x"}"#)).is_err());
}

#[test]
fn audit_entries_tell_when_a_reboot_finished() {
    let entries: Vec<machines::AuditEntry> = serde_json::from_str(
        r#"[{"action":"reboot","success":"yes","time":"2026-11-26T10:05:00.000Z","caller":{"type":"signature","keyId":"/acme/keys/aa"}},
            {"action":"start","success":"yes","time":"2026-11-26T10:00:00.000Z"},
            {"action":"reboot","success":"no","time":"2026-11-26T09:00:00.000Z"}]"#,
    )
    .unwrap();
    let base = Some("2026-11-26T10:00:00.000Z");
    let hit = machines::audit_after(&entries, "reboot", base).unwrap();
    assert_eq!(hit.success.as_deref(), Some("yes"));
    assert!(machines::audit_after(&entries, "reboot", Some("2026-11-26T10:05:00.000Z")).is_none());
    assert!(machines::audit_after(&entries, "rename", None).is_none());
    assert_eq!(
        machines::audit_after(&entries, "reboot", None).and_then(|e| e.time.as_deref()),
        Some("2026-11-26T10:05:00.000Z")
    );
}

#[test]
fn snapshot_builders() {
    let r = snapshots::create_snapshot("my", ID, Some("before upgrade")).unwrap();
    assert_eq!(r.target(), format!("/my/machines/{ID}/snapshots"));
    assert_eq!(body_of(&r), serde_json::json!({"name": "before upgrade"}));
    assert!(!r.idempotent);
    let r = snapshots::create_snapshot("my", ID, None).unwrap();
    assert_eq!(r.body_text().as_deref(), Some("{}"));
    let r = snapshots::start_from_snapshot("my", ID, "s1").unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Post, false));
    assert_eq!(r.target(), format!("/my/machines/{ID}/snapshots/s1"));
    assert_eq!(
        snapshots::get_snapshot("my", ID, "a b").unwrap().target(),
        format!("/my/machines/{ID}/snapshots/a%20b")
    );
    assert_eq!(
        snapshots::delete_snapshot("my", ID, "s1").unwrap().method,
        Method::Delete
    );
    assert_eq!(
        snapshots::list_snapshots("my", ID).unwrap().method,
        Method::Get
    );
    assert!(snapshots::get_snapshot("my", ID, "").is_err());
    assert!(snapshots::get_snapshot("my", ID, "a/b").is_err());
}

#[test]
fn metadata_builders() {
    let r = metadata::get_metadata("my", ID, "user-script").unwrap();
    assert!(
        r.accept_text,
        "single metadata values are fetched as text/plain"
    );
    assert_eq!(
        r.target(),
        format!("/my/machines/{ID}/metadata/user-script")
    );
    let r = metadata::list_metadata("my", ID, true).unwrap();
    assert_eq!(
        r.target(),
        format!("/my/machines/{ID}/metadata?credentials=true")
    );
    assert!(!r.accept_text);
    let r = metadata::update_metadata("my", ID, &json(r#"{"a":"1","b":2,"c":true}"#)).unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Post, true));
    assert_eq!(body_of(&r), serde_json::json!({"a":"1","b":2,"c":true}));
    let e = metadata::update_metadata("my", ID, &json(r#"{"a":{"x":1}}"#)).unwrap_err();
    assert_eq!(
        e.message,
        "metadata.a must be a string, number or boolean, got an object"
    );
    assert!(metadata::update_metadata("my", ID, &json("{}")).is_err());
    assert!(metadata::update_metadata("my", ID, &json(r#"{"credentials":"x"}"#)).is_err());
    let r = metadata::set_boot_script("my", ID, "#!/bin/sh").unwrap();
    assert_eq!(body_of(&r), serde_json::json!({"user-script": "#!/bin/sh"}));
    let r = metadata::delete_boot_script("my", ID).unwrap();
    assert_eq!(
        (r.method, r.target()),
        (
            Method::Delete,
            format!("/my/machines/{ID}/metadata/user-script")
        )
    );
    assert_eq!(
        metadata::delete_all_metadata("my", ID).unwrap().target(),
        format!("/my/machines/{ID}/metadata")
    );
}

#[test]
fn tag_builders() {
    let r = tags::get_tag("my", ID, "role").unwrap();
    assert!(
        r.accept_text,
        "GetMachineTag must send Accept: text/plain (py-smartdc bug)"
    );
    assert_eq!(r.target(), format!("/my/machines/{ID}/tags/role"));
    let r = tags::add_tags("my", ID, &json(r#"{"role":"db","n":1}"#)).unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Post, true));
    let r = tags::replace_tags("my", ID, &json(r#"{"x":"y"}"#)).unwrap();
    assert_eq!(r.method, Method::Put);
    assert_eq!(body_of(&r), serde_json::json!({"x": "y"}));
    assert!(
        tags::replace_tags("my", ID, &json("{}")).is_ok(),
        "replace with nothing clears"
    );
    assert!(tags::add_tags("my", ID, &json("{}")).is_err());
    assert!(tags::add_tags("my", ID, &json(r#"{"a":[1]}"#)).is_err());
    assert!(tags::add_tags("my", ID, &json(r#"{"image":"x"}"#)).is_err());
    assert_eq!(
        tags::delete_tag("my", ID, "a b").unwrap().target(),
        format!("/my/machines/{ID}/tags/a%20b")
    );
    assert_eq!(
        tags::delete_all_tags("my", ID).unwrap().method,
        Method::Delete
    );
    assert_eq!(
        tags::list_tags("my", ID).unwrap().target(),
        format!("/my/machines/{ID}/tags")
    );
}

#[test]
fn account_keys_datacenter_builders() {
    assert_eq!(account::get_account("my").unwrap().target(), "/my");
    let u: account::AccountUpdate =
        serde_json::from_str(r#"{"company_name":"Acme","phone":"1","triton_cns_enabled":true}"#)
            .unwrap();
    let r = account::update_account("my", &u).unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Post, true));
    assert_eq!(
        body_of(&r),
        serde_json::json!({"companyName":"Acme","phone":"1","triton_cns_enabled":true})
    );
    assert!(account::update_account("my", &Default::default()).is_err());
    assert!(serde_json::from_str::<account::AccountUpdate>(r#"{"emali":"x"}"#).is_err());

    let r = keys::get_key("my", None, "aa:bb:cc").unwrap();
    assert_eq!(r.target(), "/my/keys/aa%3Abb%3Acc");
    let r = keys::list_keys("my", Some("bob")).unwrap();
    assert_eq!(r.target(), "/my/users/bob/keys");
    let r = keys::create_key("my", None, Some("laptop"), "ssh-ed25519 AAAAC3Nz me@host\n").unwrap();
    assert!(!r.idempotent);
    assert_eq!(
        body_of(&r),
        serde_json::json!({"name":"laptop","key":"ssh-ed25519 AAAAC3Nz me@host"})
    );
    assert!(keys::create_key("my", None, None, "garbage").is_err());
    assert!(keys::create_key("my", None, None, "-----BEGIN OPENSSH PRIVATE KEY----- x").is_err());
    assert_eq!(
        keys::delete_key("my", Some("bob"), "k").unwrap().target(),
        "/my/users/bob/keys/k"
    );

    assert_eq!(
        datacenters::list_datacenters("my").unwrap().target(),
        "/my/datacenters"
    );
    assert_eq!(
        datacenters::get_datacenter("my", "us-east-1")
            .unwrap()
            .target(),
        "/my/datacenters/us-east-1"
    );
    assert_eq!(
        services::list_services("my").unwrap().target(),
        "/my/services"
    );
}

#[test]
fn get_datacenter_302_is_read_from_location_or_message() {
    let body =
        r#"{"code":"ResourceMoved","message":" us-east-1 https://us-east-1.api.example.com"}"#;
    let url = datacenters::datacenter_url(
        302,
        &h(&[("Location", "https://us-east-1.api.example.com/")]),
        body,
        &J,
    )
    .unwrap();
    assert_eq!(url, "https://us-east-1.api.example.com");
    assert_eq!(
        datacenters::datacenter_url(302, &[], body, &J).unwrap(),
        "https://us-east-1.api.example.com"
    );
    let e = datacenters::datacenter_url(
        404,
        &[],
        r#"{"code":"ResourceNotFound","message":"mars-1 is not an available datacenter"}"#,
        &J,
    )
    .unwrap_err();
    assert_eq!(e.code, "ResourceNotFound");
    assert!(datacenters::datacenter_url(302, &[], "{}", &J).is_err());
    let m = datacenters::url_map(&json(r#"{"us-east-1":"https://a","eu":"https://b"}"#)).unwrap();
    assert_eq!(
        m,
        vec![
            ("us-east-1".into(), "https://a".into()),
            ("eu".into(), "https://b".into())
        ]
    );
    assert!(datacenters::url_map(&json(r#"{"a":1}"#)).is_err());
}

#[test]
fn image_package_network_builders() {
    let f: images::ImageFilters = serde_json::from_str(
        r#"{"name":"base-64","os":"smartos","public":true,"type":"zone-dataset","state":"all"}"#,
    )
    .unwrap();
    assert_eq!(
        images::list_images("my", &f).unwrap().target(),
        "/my/images?name=base-64&os=smartos&state=all&type=zone-dataset&public=true"
    );
    assert_eq!(
        images::get_image("my", ID).unwrap().target(),
        format!("/my/images/{ID}")
    );
    assert!(images::get_image("my", "base").is_err());
    assert_eq!(
        images::delete_image("my", ID).unwrap().method,
        Method::Delete
    );
    assert_eq!(images::list_datasets("my").unwrap().target(), "/my/images");
    assert_eq!(
        images::get_dataset("my", ID).unwrap().target(),
        format!("/my/images/{ID}")
    );
    assert_eq!(
        images::get_dataset("my", "sdc:sdc:base64:1.8.1")
            .unwrap()
            .target(),
        "/my/images?name=base64&version=1.8.1"
    );
    assert!(images::get_dataset("my", "base64").is_err());

    let f: packages::PackageFilters =
        serde_json::from_str(r#"{"name":"g4-*","memory":1024,"flexible_disk":true}"#).unwrap();
    assert_eq!(
        packages::list_packages("my", &f).unwrap().target(),
        "/my/packages?name=g4-%2A&memory=1024&flexible_disk=true"
    );
    assert_eq!(
        packages::get_package("my", "g4 highcpu").unwrap().target(),
        "/my/packages/g4%20highcpu"
    );
    assert!(packages::get_package("my", "").is_err());

    assert_eq!(
        networks::list_networks("my", None).unwrap().target(),
        "/my/networks"
    );
    assert_eq!(
        networks::list_networks("my", Some(true)).unwrap().target(),
        "/my/networks?fabric=true"
    );
    assert_eq!(
        networks::get_network("my", ID).unwrap().target(),
        format!("/my/networks/{ID}")
    );
}

// ---------------------------------------------------------------- models

const MACHINE: &str = r##"{
  "id": "4f1c3e2a-0b5d-4c2e-9a41-8f3e2d1c0b7a", "name": "web-1", "type": "smartmachine",
  "brand": "joyent", "state": "running", "image": "0bd3a1b4-5e5c-4f6e-8d7a-1b2c3d4e5f60",
  "ips": ["165.225.1.2", "10.88.0.7"], "memory": 1024, "disk": 25600,
  "metadata": {"root_authorized_keys": "ssh-rsa AAA", "user-script": "#!/bin/sh", "n": 5, "flag": true},
  "tags": {"role": "web", "prio": 2, "on": false}, "created": "2026-11-20T10:00:00.000Z",
  "updated": "2026-11-20T10:01:00.000Z", "networks": ["0bd3a1b4-5e5c-4f6e-8d7a-1b2c3d4e5f60"],
  "primaryIp": "165.225.1.2", "firewall_enabled": false, "compute_node": null,
  "package": "g4-highcpu-1G", "dns_names": ["web-1.inst.example"], "deletion_protection": false,
  "nics": [{"mac": "90:b8:d0:00:00:01", "ip": "165.225.1.2", "primary": true}],
  "future_field": {"x": 1}
}"##;

#[test]
fn machine_decodes_with_wire_names_and_keeps_unknown_fields() {
    let m: machines::Machine = response::decode_body(200, &[], MACHINE, &J).unwrap();
    assert_eq!(m.id, ID);
    assert_eq!(m.name.as_deref(), Some("web-1"));
    assert_eq!(m.machine_type.as_deref(), Some("smartmachine"));
    assert_eq!(m.primary_ip.as_deref(), Some("165.225.1.2"));
    assert_eq!(m.firewall_enabled, Some(false));
    assert_eq!(m.compute_node, None);
    assert_eq!(m.memory, Some(1024));
    assert_eq!(m.dns_names.as_ref().map(Vec::len), Some(1));
    assert_eq!(m.boot_script(), Some("#!/bin/sh"));
    let md = m.metadata.as_ref().unwrap();
    assert_eq!(md.get("n"), Some(&Json::Number(5.0)));
    assert_eq!(md.get("flag"), Some(&Json::Bool(true)));
    assert_eq!(m.tags.as_ref().unwrap().get("on"), Some(&Json::Bool(false)));
    assert_eq!(m.public_ips(), vec!["165.225.1.2"]);
    assert_eq!(m.private_ips(), vec!["10.88.0.7"]);
    assert!(m.extra.contains_key("future_field"));
    // Round trip: wire names out, absent fields stay absent.
    let out = serde_json::to_value(&m).unwrap();
    assert_eq!(out["primaryIp"], "165.225.1.2");
    assert_eq!(out["type"], "smartmachine");
    assert_eq!(out["future_field"]["x"], 1.0);
    assert!(out.get("docker").is_none());
    let list: Vec<machines::Machine> =
        response::decode_body(200, &[], &format!("[{MACHINE}]"), &J).unwrap();
    assert_eq!(list.len(), 1);
}

#[test]
fn legacy_and_lenient_fields_decode() {
    let p: packages::Package = serde_json::from_str(
        r#"{"name":"Small 1GB","memory":"1024","disk":30720,"swap":2048,"default":"true"}"#,
    )
    .unwrap();
    assert_eq!(p.default, Some(true));
    assert_eq!(p.memory, Some(1024));
    assert_eq!(p.id, None);
    let pk = [
        p.clone(),
        packages::Package {
            default: Some(false),
            ..p.clone()
        },
    ];
    assert_eq!(
        packages::default_package(&pk).map(|p| p.name.as_str()),
        Some("Small 1GB")
    );
    assert!(serde_json::from_str::<packages::Package>(r#"{"name":"x","memory":1.5}"#).is_err());
    let d: images::Image = serde_json::from_str(&format!(
        r#"{{"id":"{ID}","urn":"sdc:sdc:base64:1.8.1","name":"base64","version":"1.8.1","os":"smartos","type":"smartmachine","default":false}}"#
    ))
    .unwrap();
    assert_eq!(d.urn().as_deref(), Some("sdc:sdc:base64:1.8.1"));
    assert!(images::default_dataset(std::slice::from_ref(&d)).is_none());
    let dd = images::Image {
        default: Some(true),
        ..d.clone()
    };
    assert_eq!(
        images::default_dataset(&[d.clone(), dd]).and_then(|i| i.default),
        Some(true)
    );
    let picked = images::pick_dataset("sdc:sdc:base64:1.8.1", vec![d.clone()]).unwrap();
    assert_eq!(picked.id, ID);
    assert_eq!(
        images::pick_dataset("sdc:sdc:base64:9", vec![d])
            .unwrap_err()
            .code,
        "ResourceNotFound"
    );
}

#[test]
fn other_models_decode() {
    let a: account::Account = serde_json::from_str(&format!(
        r#"{{"id":"{ID}","login":"acme","email":"a@b.c","companyName":"Acme","triton_cns_enabled":false,"created":"2012-12-31T23:00:00.000Z"}}"#
    ))
    .unwrap();
    assert_eq!(a.profile.company_name.as_deref(), Some("Acme"));
    let k: keys::Key = serde_json::from_str(
        r#"{"name":"k","fingerprint":"aa:bb","key":"ssh-rsa AAA","attested":true,"multifactor":["touch"]}"#,
    )
    .unwrap();
    assert_eq!(k.attested, Some(true));
    let s: snapshots::Snapshot =
        serde_json::from_str(r#"{"name":"s1","state":"queued","size":12}"#).unwrap();
    assert_eq!(s.state.as_deref(), Some("queued"));
    let n: networks::Network = serde_json::from_str(&format!(
        r#"{{"id":"{ID}","name":"My-Fabric-Network","public":false,"fabric":true,"vlan_id":2,"subnet":"192.168.128.0/22","resolvers":["8.8.8.8"],"internet_nat":true}}"#
    ))
    .unwrap();
    assert_eq!(n.vlan_id, Some(2));
    assert_eq!(n.fabric, Some(true));
    let l: Vec<limits::Limit> = serde_json::from_str(
        r#"[{"by":"ram","value":2048,"used":1024,"check":"os","os":"linux"}]"#,
    )
    .unwrap();
    assert_eq!(l[0].used, Some(1024));
}

#[test]
fn ip_classification() {
    use machines::is_private_ip as p;
    for ip in [
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "100.64.0.1",
        "127.0.0.1",
        "169.254.1.1",
        "fd00::1",
        "fe80::1",
        "::1",
    ] {
        assert!(p(ip), "{ip}");
    }
    for ip in [
        "8.8.8.8",
        "172.32.0.1",
        "100.128.0.1",
        "165.225.1.2",
        "2001:db8::1",
        "not-an-ip",
    ] {
        assert!(!p(ip), "{ip}");
    }
}

#[test]
fn raw_requests_sign_what_they_send() {
    let r = Request::raw(Method::Get, "/my/machines?name=a b&tag.x=é", &[]).unwrap();
    assert_eq!(r.target(), "/my/machines?name=a%20b&tag.x=%C3%A9");
    let r = Request::raw(
        Method::Get,
        "/my/machines",
        &[("name".into(), "a b".into())],
    )
    .unwrap();
    assert_eq!(r.target(), "/my/machines?name=a%20b");
    assert_eq!(api::next_offset(1, 1, 0), Some(1));
}

// ---------------------------------------------------------------- stage 2: 9.x endpoints

/// (method, target, idempotent) of a built request.
fn shape(r: Result<Request, smartdc_wasm::error::Error>) -> (Method, String, bool) {
    let r = r.unwrap();
    (r.method, r.target(), r.idempotent)
}

#[test]
fn config_limits_services_ping() {
    assert_eq!(
        shape(config::get_config("my")),
        (Method::Get, "/my/config".into(), true)
    );
    let r = config::update_config("my", ID).unwrap();
    assert_eq!(r.method, Method::Put);
    assert_eq!(body_of(&r), serde_json::json!({"default_network": ID}));
    assert!(config::update_config("my", "external").is_err());
    assert_eq!(
        shape(limits::get_account_limits("my")),
        (Method::Get, "/my/limits".into(), true)
    );
    assert_eq!(services::ping().target(), "/--ping");
    let p: services::Ping = serde_json::from_str(
        r#"{"ping":"pong","cloudapi":{"versions":["7.0.0","7.1.0","7.2.0","7.3.0","8.0.0","9.0.0","junk"]}}"#,
    )
    .unwrap();
    let v = p.versions();
    assert_eq!(v.len(), 6);
    let v9 = services::Version::parse("9").unwrap();
    services::require_api_version("RBAC", &v, services::Version::parse("7.2").unwrap()).unwrap();
    let old = vec![services::Version::parse("6.5.0").unwrap()];
    let e =
        services::require_api_version("fabrics", &old, services::Version::parse("7.3").unwrap())
            .unwrap_err();
    assert_eq!(e.code, "NotSupported");
    assert!(
        e.message.contains("7.3.0") && e.message.contains("6.5.0"),
        "{}",
        e.message
    );
    assert!(v9 > services::Version::parse("8.9.9").unwrap());
}

#[test]
fn feature_gating_by_server_version() {
    let sv = services::server_version(&h(&[("Server", "cloudapi/9.8.0")]));
    assert_eq!(sv, services::Version::parse("9.8.0"));
    assert_eq!(
        services::server_version(&h(&[("server", "Joyent Triton 8.0.0")])),
        services::Version::parse("8.0.0")
    );
    assert_eq!(services::server_version(&h(&[("server", "nginx")])), None);
    services::require_feature("migrations", sv).unwrap();
    let e = services::require_feature("access keys", sv).unwrap_err();
    assert_eq!(e.code, "NotSupported");
    assert!(
        e.message.contains("9.11.0") && e.message.contains("9.8.0"),
        "{}",
        e.message
    );
    services::require_feature("access keys", None).unwrap();
    assert_eq!(
        services::require_feature("teleport", sv).unwrap_err().code,
        "InvalidArgument"
    );
}

#[test]
fn access_key_builders_and_secret_redaction() {
    assert_eq!(
        shape(accesskeys::list_access_keys("my", None)),
        (Method::Get, "/my/accesskeys".into(), true)
    );
    assert_eq!(
        shape(accesskeys::get_access_key("my", Some("bob"), "abc")),
        (Method::Get, "/my/users/bob/accesskeys/abc".into(), true)
    );
    let r = accesskeys::create_access_key("my", None, Some("ci")).unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Post, false));
    assert_eq!(body_of(&r), serde_json::json!({"description":"ci"}));
    let r = accesskeys::update_access_key("my", None, "abc", Some("Inactive"), None).unwrap();
    assert_eq!(
        (r.target(), r.idempotent),
        ("/my/accesskeys/abc".to_string(), true)
    );
    assert!(accesskeys::update_access_key("my", None, "abc", Some("off"), None).is_err());
    assert!(accesskeys::update_access_key("my", None, "abc", None, None).is_err());
    assert_eq!(
        accesskeys::delete_access_key("my", None, "abc")
            .unwrap()
            .method,
        Method::Delete
    );
    let k: accesskeys::AccessKey = serde_json::from_str(
        r#"{"accesskeyid":"0123456789abcdef0123456789abcdef","accesskeysecret":"s3cr3t-value","status":"Active","created":"2025-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let d = format!("{k:?}");
    assert!(
        d.contains("0123456789abcdef") && !d.contains("s3cr3t"),
        "{d}"
    );
    assert_eq!(
        serde_json::to_value(&k).unwrap()["accesskeysecret"],
        "s3cr3t-value"
    );
}

#[test]
fn user_builders_keep_passwords_out_of_debug() {
    let u: users::UserInput = serde_json::from_str(
        r#"{"login":"bob","email":"b@x.y","password":"pa55-word","firstName":"Bob"}"#,
    )
    .unwrap();
    assert!(!format!("{u:?}").contains("pa55"));
    let r = users::create_user("my", &u).unwrap();
    assert_eq!(
        (r.method, r.target(), r.idempotent),
        (Method::Post, "/my/users".to_string(), false)
    );
    assert_eq!(
        body_of(&r),
        serde_json::json!({"login":"bob","email":"b@x.y","password":"pa55-word","firstName":"Bob"})
    );
    assert!(!format!("{r:?}").contains("pa55"));
    let missing: users::UserInput = serde_json::from_str(r#"{"login":"bob"}"#).unwrap();
    assert!(
        users::create_user("my", &missing)
            .unwrap_err()
            .message
            .contains("email")
    );
    assert!(
        users::update_user("my", "bob", &u)
            .unwrap_err()
            .message
            .contains("changeUserPassword")
    );
    let upd: users::UserInput = serde_json::from_str(r#"{"last_name":"B"}"#).unwrap();
    let r = users::update_user("my", "bob", &upd).unwrap();
    assert_eq!(
        (r.target(), r.idempotent),
        ("/my/users/bob".to_string(), true)
    );
    assert_eq!(body_of(&r), serde_json::json!({"lastName":"B"}));
    let r = users::change_user_password("my", "bob", "n3w").unwrap();
    assert_eq!(r.target(), "/my/users/bob/change_password");
    assert_eq!(
        body_of(&r),
        serde_json::json!({"password":"n3w","password_confirmation":"n3w"})
    );
    assert_eq!(
        users::get_user("my", "bob", true).unwrap().target(),
        "/my/users/bob?membership=true"
    );
    assert_eq!(
        shape(users::list_users("my")),
        (Method::Get, "/my/users".into(), true)
    );
    assert_eq!(
        users::delete_user("my", "bob").unwrap().method,
        Method::Delete
    );
    let m: users::User = serde_json::from_str(&format!(
        r#"{{"id":"{ID}","login":"bob","email":"b@x.y","roles":["ops"],"default_roles":[]}}"#
    ))
    .unwrap();
    assert_eq!(m.roles.as_deref(), Some(&["ops".to_string()][..]));
}

#[test]
fn profile_fields_are_shared_and_strict() {
    // Output models: profile fields decode into `profile`, never into `extra`, and the wire
    // JSON round-trips unchanged.
    let wire = serde_json::json!({"id": ID, "login": "bob", "email": "b@x.y",
        "companyName": "Acme", "firstName": "B", "lastName": "C", "address": "1 St",
        "postalCode": "123", "city": "X", "state": "Y", "country": "Z", "phone": "9",
        "newField": "n"});
    let u: users::User = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(u.profile.postal_code.as_deref(), Some("123"));
    assert_eq!(u.extra.keys().collect::<Vec<_>>(), ["newField"]);
    assert_eq!(serde_json::to_value(&u).unwrap(), wire);
    let a: account::Account = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(a.extra.keys().collect::<Vec<_>>(), ["newField"]);
    assert_eq!(serde_json::to_value(&a).unwrap(), wire);

    // Inputs: unknown fields are rejected with the valid names, aliases included.
    let e = serde_json::from_str::<account::AccountUpdate>(r#"{"emali":"x"}"#).unwrap_err();
    for name in [
        "`email`",
        "`companyName`",
        "`company_name`",
        "`triton_cns_enabled`",
    ] {
        assert!(e.to_string().contains(name), "{e}");
    }
    let e = serde_json::from_str::<users::UserInput>(r#"{"pasword":"x"}"#).unwrap_err();
    for name in ["`login`", "`password`", "`postalCode`", "`postal_code`"] {
        assert!(e.to_string().contains(name), "{e}");
    }
}

#[test]
fn role_policy_and_role_tag_builders() {
    let input: roles::RoleInput = serde_json::from_str(
        r#"{"name":"ops","members":[{"type":"subuser","login":"bob","default":true}],"policies":[{"name":"read"}]}"#,
    )
    .unwrap();
    let r = roles::create_role("my", &input).unwrap();
    assert_eq!(
        (r.method, r.target(), r.idempotent),
        (Method::Post, "/my/roles".to_string(), false)
    );
    assert_eq!(body_of(&r)["members"][0]["login"], "bob");
    assert!(roles::create_role("my", &Default::default()).is_err());
    let bad: roles::RoleInput = serde_json::from_str(r#"{"members":"bob"}"#).unwrap();
    assert!(roles::update_role("my", "ops", &bad).is_err());
    let r = roles::update_role("my", "ops", &input).unwrap();
    assert_eq!(
        (r.target(), r.idempotent),
        ("/my/roles/ops".to_string(), true)
    );
    assert_eq!(
        roles::delete_role("my", "ops").unwrap().method,
        Method::Delete
    );
    assert_eq!(
        shape(roles::get_role("my", "ops")),
        (Method::Get, "/my/roles/ops".into(), true)
    );

    let r = roles::set_role_tags("my", &["machines", ID], &["ops".into(), "dev".into()]).unwrap();
    assert_eq!(
        (r.method, r.target()),
        (Method::Put, format!("/my/machines/{ID}"))
    );
    assert_eq!(body_of(&r), serde_json::json!({"role-tag":["ops","dev"]}));
    assert_eq!(
        roles::set_role_tags("my", &[], &[]).unwrap().target(),
        "/my"
    );
    assert!(roles::set_role_tags("my", &["a", "b", "c", "d", "e"], &[]).is_err());
    assert!(roles::set_role_tags("my", &["machines"], &["a,b".into()]).is_err());
    assert_eq!(
        roles::role_tag_header(&["a".into(), "b".into()]).unwrap(),
        "a,b"
    );
    let t: roles::RoleTags =
        serde_json::from_str(r#"{"name":"/my/machines","role-tag":["ops"]}"#).unwrap();
    assert_eq!(t.role_tag, vec!["ops"]);
    let role9: roles::Role = serde_json::from_str(&format!(
        r#"{{"id":"{ID}","name":"ops","members":[{{"type":"subuser","id":"{ID2}","login":"bob","default":true}}],"policies":[{{"id":"{ID2}","name":"read"}}]}}"#
    ))
    .unwrap();
    assert!(matches!(role9.members, Some(Json::Array(_))));

    let p: policies::PolicyInput =
        serde_json::from_str(r#"{"name":"read","rules":["CAN getmachine AND listmachines"]}"#)
            .unwrap();
    let r = policies::create_policy("my", &p).unwrap();
    assert_eq!(r.target(), "/my/policies");
    assert_eq!(body_of(&r)["rules"][0], "CAN getmachine AND listmachines");
    let empty: policies::PolicyInput = serde_json::from_str(r#"{"name":"x","rules":[]}"#).unwrap();
    assert!(policies::create_policy("my", &empty).is_err());
    let r = policies::update_policy("my", "read", &p).unwrap();
    assert_eq!(
        (r.target(), r.idempotent),
        ("/my/policies/read".to_string(), true)
    );
    assert_eq!(
        policies::delete_policy("my", "read").unwrap().method,
        Method::Delete
    );
    assert_eq!(
        policies::list_policies("my").unwrap().target(),
        "/my/policies"
    );
    assert_eq!(
        policies::get_policy("my", "read").unwrap().target(),
        "/my/policies/read"
    );
}

#[test]
fn image_management_builders() {
    let o: images::CreateImage = serde_json::from_str(&format!(
        r#"{{"machine":"{ID}","name":"my-img","version":"1.0.0","tags":{{"a":"b"}},"acl":["{ID2}"]}}"#
    ))
    .unwrap();
    let r = images::create_image_from_machine("my", &o).unwrap();
    assert_eq!(
        (r.method, r.target(), r.idempotent),
        (Method::Post, "/my/images".to_string(), false)
    );
    assert_eq!(
        body_of(&r),
        serde_json::json!({"machine":ID,"name":"my-img","version":"1.0.0","acl":[ID2],"tags":{"a":"b"}})
    );
    let partial: images::CreateImage = serde_json::from_str(r#"{"name":"x"}"#).unwrap();
    assert!(images::create_image_from_machine("my", &partial).is_err());
    let r = images::update_image("my", ID, &partial).unwrap();
    assert_eq!(
        (r.target(), r.idempotent),
        (format!("/my/images/{ID}?action=update"), true)
    );
    assert!(images::update_image("my", ID, &o).is_err());
    assert!(images::update_image("my", ID, &Default::default()).is_err());
    let r = images::export_image("my", ID, "/acme/stor/images").unwrap();
    assert_eq!(
        (r.target(), r.idempotent),
        (
            format!("/my/images/{ID}?action=export&manta_path=%2Facme%2Fstor%2Fimages"),
            false
        )
    );
    assert_eq!(
        shape(images::clone_image("my", ID)),
        (Method::Post, format!("/my/images/{ID}?action=clone"), false)
    );
    assert_eq!(
        images::import_image_from_datacenter("my", "us-east-1", ID)
            .unwrap()
            .target(),
        format!("/my/images?action=import-from-datacenter&datacenter=us-east-1&id={ID}")
    );
    assert!(images::import_image_from_datacenter("my", "us-east-1", "x").is_err());
}

#[test]
fn image_name_at_version_picks_the_latest() {
    let img = |id: &str, v: &str, p: &str| images::Image {
        id: id.into(),
        name: Some("base-64".into()),
        version: Some(v.into()),
        published_at: Some(p.into()),
        ..Default::default()
    };
    let list = vec![
        img("a", "19.4.0", "2019-12-01T00:00:00Z"),
        img("b", "20.4.0", "2020-12-01T00:00:00Z"),
        img("c", "18.4.0", "2018-12-01T00:00:00Z"),
        images::Image {
            id: "d".into(),
            name: Some("other".into()),
            ..Default::default()
        },
    ];
    assert_eq!(images::pick_latest("base-64", &list).unwrap().id, "b");
    assert_eq!(
        images::pick_latest("base-64@19.4.0", &list).unwrap().id,
        "a"
    );
    assert_eq!(
        images::pick_latest("base-64@1.0", &list).unwrap_err().code,
        "ResourceNotFound"
    );
    assert_eq!(images::parse_name_version("a@b@1"), ("a@b", Some("1")));
    assert_eq!(images::parse_name_version("plain"), ("plain", None));
    // Same publication time: the higher version wins, compared numerically.
    let same = vec![img("x", "1.9.2", "2020"), img("y", "1.10.0", "2020")];
    assert_eq!(images::pick_latest("base-64", &same).unwrap().id, "y");
    use std::cmp::Ordering::*;
    assert_eq!(images::compare_versions("1.10.0", "1.9.9"), Greater);
    assert_eq!(images::compare_versions("20240101", "20231231"), Greater);
    assert_eq!(images::compare_versions("1.0", "1.0.1"), Less);
    assert_eq!(images::compare_versions("1.0.0", "1.00.0"), Equal);
    assert_eq!(images::compare_versions("1.0.0-rc1", "1.0.0-rc2"), Less);
}

#[test]
fn nic_builders() {
    let r = nics::get_nic("my", ID, "90:B8:D0:12:34:56").unwrap();
    assert_eq!(r.target(), format!("/my/machines/{ID}/nics/90b8d0123456"));
    assert!(nics::get_nic("my", ID, "90:b8:d0").is_err());
    let r = nics::add_nic("my", ID, &Json::from(ID2), Some(true)).unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Post, false));
    assert_eq!(
        body_of(&r),
        serde_json::json!({"network": ID2, "primary": true})
    );
    let r = nics::add_nic(
        "my",
        ID,
        &json(&format!(r#"{{"id":"{ID2}","name":"n"}}"#)),
        None,
    )
    .unwrap();
    assert_eq!(body_of(&r), serde_json::json!({"network": ID2}));
    assert!(nics::add_nic("my", ID, &Json::from("public"), None).is_err());
    assert_eq!(
        nics::added_nic_mac(&h(&[(
            "Location",
            &format!("/acme/machines/{ID}/nics/90b8d0123456")
        )])),
        Some("90b8d0123456".to_string())
    );
    assert_eq!(nics::added_nic_mac(&[]), None);
    assert_eq!(
        nics::remove_nic("my", ID, "90b8d0123456").unwrap().method,
        Method::Delete
    );
    assert_eq!(
        nics::list_nics("my", ID).unwrap().target(),
        format!("/my/machines/{ID}/nics")
    );
    let n: nics::Nic = serde_json::from_str(
        r#"{"mac":"90:b8:d0:12:34:56","ip":"10.0.0.2","primary":true,"gateway":"10.0.0.1","netmask":"255.255.255.0","state":"running","network":"x"}"#,
    )
    .unwrap();
    assert_eq!(n.primary, Some(true));
}

#[test]
fn disk_builders() {
    let r = disks::create_disk("my", ID, disks::DiskSize::Remaining, Some("0:5:1")).unwrap();
    assert_eq!(
        (r.method, r.target(), r.idempotent),
        (Method::Post, format!("/my/machines/{ID}/disks"), false)
    );
    assert_eq!(
        body_of(&r),
        serde_json::json!({"size":"remaining","pci_slot":"0:5:1"})
    );
    let r = disks::create_disk("my", ID, disks::DiskSize::Mib(10240), None).unwrap();
    assert_eq!(body_of(&r), serde_json::json!({"size":10240}));
    assert!(disks::create_disk("my", ID, disks::DiskSize::Mib(0), None).is_err());
    let r = disks::resize_disk("my", ID, ID2, 2048, true).unwrap();
    assert_eq!(
        (r.target(), r.idempotent),
        (format!("/my/machines/{ID}/disks/{ID2}"), true)
    );
    assert_eq!(
        body_of(&r),
        serde_json::json!({"size":2048,"dangerous_allow_shrink":true})
    );
    assert_eq!(
        disks::delete_disk("my", ID, ID2).unwrap().method,
        Method::Delete
    );
    assert!(disks::get_disk("my", ID, "disk0").is_err());
    assert_eq!(disks::list_disks("my", ID).unwrap().method, Method::Get);
    let d: disks::Disk = serde_json::from_str(&format!(
        r#"{{"id":"{ID}","pci_slot":"0:4:0","size":10240,"boot":true,"state":"running","block_size":8192}}"#
    ))
    .unwrap();
    assert_eq!(d.block_size, Some(8192));
}

#[test]
fn fwrule_builders() {
    let i: fwrules::FirewallRuleInput = serde_json::from_str(
        r#"{"rule":"FROM any TO all vms ALLOW tcp PORT 22","enabled":true,"description":"ssh"}"#,
    )
    .unwrap();
    let r = fwrules::create_fwrule("my", &i).unwrap();
    assert_eq!(
        (r.method, r.target(), r.idempotent),
        (Method::Post, "/my/fwrules".to_string(), false)
    );
    assert_eq!(
        body_of(&r),
        serde_json::json!({"rule":"FROM any TO all vms ALLOW tcp PORT 22","enabled":true,"description":"ssh"})
    );
    assert!(fwrules::create_fwrule("my", &Default::default()).is_err());
    assert!(fwrules::update_fwrule("my", ID, &Default::default()).is_err());
    assert!(fwrules::update_fwrule("my", ID, &i).unwrap().idempotent);
    assert_eq!(
        shape(fwrules::enable_fwrule("my", ID)),
        (Method::Post, format!("/my/fwrules/{ID}/enable"), true)
    );
    assert_eq!(
        shape(fwrules::disable_fwrule("my", ID)),
        (Method::Post, format!("/my/fwrules/{ID}/disable"), true)
    );
    assert_eq!(
        shape(fwrules::delete_fwrule("my", ID)),
        (Method::Delete, format!("/my/fwrules/{ID}"), true)
    );
    assert_eq!(
        fwrules::list_fwrule_machines("my", ID).unwrap().target(),
        format!("/my/fwrules/{ID}/machines")
    );
    assert_eq!(
        fwrules::list_machine_fwrules("my", ID).unwrap().target(),
        format!("/my/machines/{ID}/fwrules")
    );
    assert_eq!(fwrules::list_fwrules("my").unwrap().target(), "/my/fwrules");
    assert_eq!(
        fwrules::get_fwrule("my", ID).unwrap().target(),
        format!("/my/fwrules/{ID}")
    );
    let f: fwrules::FirewallRule = serde_json::from_str(&format!(
        r#"{{"id":"{ID}","rule":"x","enabled":false,"log":false,"global":true}}"#
    ))
    .unwrap();
    assert_eq!(f.global, Some(true));
}

#[test]
fn fabric_builders() {
    let r = fabrics::create_vlan("my", 42, "prod", Some("d")).unwrap();
    assert_eq!(
        (r.method, r.target(), r.idempotent),
        (Method::Post, "/my/fabrics/default/vlans".to_string(), false)
    );
    assert_eq!(
        body_of(&r),
        serde_json::json!({"name":"prod","vlan_id":42,"description":"d"})
    );
    assert!(fabrics::create_vlan("my", 4096, "x", None).is_err());
    assert_eq!(
        shape(fabrics::get_vlan("my", 0)),
        (Method::Get, "/my/fabrics/default/vlans/0".into(), true)
    );
    let r = fabrics::update_vlan("my", 42, Some("p2"), None).unwrap();
    assert_eq!(
        (r.method, body_of(&r)),
        (Method::Put, serde_json::json!({"name":"p2"}))
    );
    assert!(fabrics::update_vlan("my", 42, None, None).is_err());
    assert_eq!(
        fabrics::delete_vlan("my", 42).unwrap().method,
        Method::Delete
    );
    assert_eq!(
        fabrics::list_vlans("my").unwrap().target(),
        "/my/fabrics/default/vlans"
    );
    let n: fabrics::FabricNetworkInput = serde_json::from_str(
        r#"{"name":"net","subnet":"192.168.128.0/22","provision_start_ip":"192.168.128.5",
            "provision_end_ip":"192.168.131.250","gateway":"192.168.128.1","resolvers":["8.8.8.8"],
            "routes":{"10.0.0.0/8":"192.168.128.1"},"internet_nat":false}"#,
    )
    .unwrap();
    let r = fabrics::create_fabric_network("my", 42, &n).unwrap();
    assert_eq!(r.target(), "/my/fabrics/default/vlans/42/networks");
    let b = body_of(&r);
    assert_eq!(b["subnet"], "192.168.128.0/22");
    assert_eq!(b["internet_nat"], false);
    assert_eq!(b["routes"]["10.0.0.0/8"], "192.168.128.1");
    let bad = |t: &str| {
        let i: fabrics::FabricNetworkInput = serde_json::from_str(t).unwrap();
        fabrics::create_fabric_network("my", 42, &i)
            .unwrap_err()
            .message
    };
    assert!(bad(r#"{"name":"n"}"#).contains("needs name, subnet"));
    assert!(bad(r#"{"name":"n","subnet":"10.0.0.0","provision_start_ip":"10.0.0.1","provision_end_ip":"10.0.0.9"}"#).contains("CIDR"));
    assert!(bad(r#"{"name":"n","subnet":"10.0.0.0/24","provision_start_ip":"ten","provision_end_ip":"10.0.0.9"}"#).contains("provision_start_ip"));
    assert!(bad(r#"{"name":"n","subnet":"10.0.0.0/24","provision_start_ip":"10.0.0.1","provision_end_ip":"10.0.0.9","resolvers":["1.1.1.1","1.1.1.2","1.1.1.3","1.1.1.4","1.1.1.5"]}"#).contains("at most 4"));
    let upd: fabrics::FabricNetworkInput = serde_json::from_str(r#"{"description":"x"}"#).unwrap();
    let r = fabrics::update_fabric_network("my", 42, ID, &upd).unwrap();
    assert_eq!(
        (r.method, r.target()),
        (
            Method::Put,
            format!("/my/fabrics/default/vlans/42/networks/{ID}")
        )
    );
    assert!(fabrics::update_fabric_network("my", 42, ID, &n).is_err());
    assert_eq!(
        fabrics::delete_fabric_network("my", 42, ID).unwrap().method,
        Method::Delete
    );
    assert_eq!(
        fabrics::get_fabric_network("my", 42, ID).unwrap().method,
        Method::Get
    );
    assert_eq!(
        fabrics::list_fabric_networks("my", 42).unwrap().method,
        Method::Get
    );
    let v: Vec<fabrics::Vlan> =
        serde_json::from_str(r#"[{"name":"default","vlan_id":2}]"#).unwrap();
    assert_eq!(v[0].vlan_id, 2);
}

#[test]
fn network_ip_builders() {
    let r = networks::list_network_ips("my", ID, 1000, None).unwrap();
    assert_eq!(
        r.target(),
        format!("/my/networks/{ID}/ips?limit=1000&offset=1000")
    );
    assert!(networks::list_network_ips("my", ID, 0, Some(5000)).is_err());
    assert_eq!(
        networks::get_network_ip("my", ID, "10.0.0.5")
            .unwrap()
            .target(),
        format!("/my/networks/{ID}/ips/10.0.0.5")
    );
    assert_eq!(
        networks::get_network_ip("my", ID, "fd00::1")
            .unwrap()
            .target(),
        format!("/my/networks/{ID}/ips/fd00%3A%3A1")
    );
    assert!(networks::get_network_ip("my", ID, "10.0.0.256").is_err());
    let r = networks::update_network_ip("my", ID, "10.0.0.5", true).unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Put, true));
    assert_eq!(body_of(&r), serde_json::json!({"reserved": true}));
    let ip: networks::NetworkIp = serde_json::from_str(
        r#"{"ip":"10.0.0.5","reserved":false,"managed":false,"owner_uuid":"x"}"#,
    )
    .unwrap();
    assert_eq!(ip.managed, Some(false));
}

#[test]
fn volume_builders() {
    let o: volumes::CreateVolume = serde_json::from_str(&format!(
        r#"{{"name":"data-1","size":20480,"networks":["{ID}"],"tags":{{"env":"prod"}}}}"#
    ))
    .unwrap();
    let r = volumes::create_volume("my", &o).unwrap();
    assert_eq!(
        (r.method, r.target(), r.idempotent),
        (Method::Post, "/my/volumes".to_string(), false)
    );
    assert_eq!(
        body_of(&r),
        serde_json::json!({"name":"data-1","size":20480,"type":"tritonnfs","networks":[ID],"tags":{"env":"prod"}})
    );
    let bad: volumes::CreateVolume = serde_json::from_str(r#"{"name":"a b"}"#).unwrap();
    assert!(volumes::create_volume("my", &bad).is_err());
    let f: volumes::VolumeFilters = serde_json::from_str(
        r#"{"name":"data-*","state":"ready","predicate":{"eq":["state","ready"]}}"#,
    )
    .unwrap();
    assert_eq!(
        volumes::list_volumes("my", &f).unwrap().target(),
        "/my/volumes?name=data-%2A&predicate=%7B%22eq%22%3A%5B%22state%22%2C%22ready%22%5D%7D&state=ready"
    );
    let r = volumes::rename_volume("my", ID, "data-2").unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Post, true));
    assert_eq!(
        volumes::delete_volume("my", ID).unwrap().method,
        Method::Delete
    );
    assert_eq!(
        volumes::get_volume("my", ID).unwrap().target(),
        format!("/my/volumes/{ID}")
    );
    assert_eq!(
        volumes::list_volume_sizes("my", Some("tritonnfs"))
            .unwrap()
            .target(),
        "/my/volumesizes?type=tritonnfs"
    );
    let s: Vec<volumes::VolumeSize> =
        serde_json::from_str(r#"[{"size":10240,"type":"tritonnfs"}]"#).unwrap();
    assert_eq!(s[0].size, 10240);
    let v: volumes::Volume = serde_json::from_str(&format!(
        r#"{{"id":"{ID}","name":"data-1","type":"tritonnfs","state":"ready","refs":[],"size":10240,"filesystem_path":"10.0.0.2:/exports/data"}}"#
    ))
    .unwrap();
    assert_eq!(v.volume_type.as_deref(), Some("tritonnfs"));
}

#[test]
fn migration_builders_and_progress_stream() {
    assert_eq!(
        shape(migrations::migrate_estimate("my", ID)),
        (Method::Get, format!("/my/machines/{ID}/migrate"), true)
    );
    let r = migrations::migrate("my", ID, "begin", Some(&["instance!=db".to_string()])).unwrap();
    assert_eq!((r.method, r.idempotent), (Method::Post, false));
    assert_eq!(
        body_of(&r),
        serde_json::json!({"action":"begin","affinity":["instance!=db"]})
    );
    assert!(
        migrations::migrate("my", ID, "watch", None)
            .unwrap()
            .idempotent
    );
    assert!(
        migrations::migrate("my", ID, "abort", None)
            .unwrap()
            .idempotent
    );
    assert!(
        !migrations::migrate("my", ID, "switch", None)
            .unwrap()
            .idempotent
    );
    assert!(
        migrations::migrate("my", ID, "teleport", None)
            .unwrap_err()
            .message
            .contains("begin, sync")
    );
    assert!(migrations::migrate("my", ID, "sync", Some(&[])).is_err());
    assert_eq!(
        migrations::list_migrations("my").unwrap().target(),
        "/my/migrations"
    );
    assert_eq!(
        migrations::get_migration("my", ID).unwrap().target(),
        format!("/my/migrations/{ID}")
    );
    let stream = "{\"type\":\"progress\",\"phase\":\"sync\",\"state\":\"running\",\"current_progress\":50,\"total_progress\":100}\n\n{\"type\":\"end\",\"phase\":\"sync\",\"state\":\"successful\"}\n";
    let ev = migrations::parse_progress_stream(stream, &J).unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].current_progress, Some(50.0));
    assert_eq!(ev[1].event_type, "end");
    let e =
        migrations::parse_progress_stream("{\"type\":\"progress\"}\nnot json\n", &J).unwrap_err();
    assert!(e.message.contains("line 2"), "{}", e.message);
    let m: migrations::Migration = serde_json::from_str(&format!(
        r#"{{"machine":"{ID}","automatic":false,"phase":"begin","state":"paused","progress_history":[{{"type":"progress"}}]}}"#
    ))
    .unwrap();
    assert_eq!(m.state.as_deref(), Some("paused"));
}

#[test]
fn name_resolution() {
    use resolve::{Reference, classify, resolve};
    let items = vec![
        (ID.to_string(), Some("web-1".to_string())),
        (ID2.to_string(), Some("web-2".to_string())),
        (
            "4f1c3e2a-ffff-4c2e-9a41-8f3e2d1c0b7a".to_string(),
            Some("web-2".to_string()),
        ),
        ("deadbeef-0000-4000-8000-000000000000".to_string(), None),
    ];
    let r = |s: &str| {
        resolve("machine", s, &items, |t| t.0.as_str(), |t| t.1.as_deref()).map_err(Box::new)
    };
    assert_eq!(r(ID).unwrap(), 0);
    assert_eq!(r(&ID.to_uppercase()).unwrap(), 0);
    assert_eq!(r("web-1").unwrap(), 0);
    assert_eq!(r("deadbeef").unwrap(), 3);
    let e = r("web-2").unwrap_err();
    assert_eq!(e.code, "AmbiguousName");
    assert!(
        e.message.contains(ID2) && e.message.contains("4f1c3e2a-ffff"),
        "{}",
        e.message
    );
    let e = r("4f1c3e2a").unwrap_err();
    assert_eq!(e.code, "AmbiguousName", "short id shared by two machines");
    let e = r("web-9").unwrap_err();
    assert_eq!((e.code.as_str(), e.status_code), ("ResourceNotFound", 404));
    assert_eq!(r("").unwrap_err().code, "InvalidArgument");
    assert_eq!(classify("m", ID).unwrap(), Reference::Uuid);
    assert_eq!(classify("m", "deadbeef").unwrap(), Reference::ShortIdOrName);
    assert_eq!(classify("m", "web").unwrap(), Reference::Name);
}

#[test]
fn retry_policy() {
    use retry::*;
    use smartdc_wasm::error::Error;
    let net = Error::local("NetworkError", "connection reset");
    let mut e503 = Error::local("ServiceUnavailable", "x");
    e503.status_code = 503;
    let mut e500 = Error::local("InternalError", "x");
    e500.status_code = 500;
    let mut e409 = Error::local("InvalidArgument", "x");
    e409.status_code = 409;
    let mut e429 = Error::local("TooManyRequestsError", "x");
    e429.status_code = 429;
    assert!(is_retryable(Method::Get, true, &net));
    assert!(is_retryable(Method::Get, true, &e503));
    assert!(is_retryable(Method::Delete, true, &e429));
    assert!(
        is_retryable(Method::Post, true, &e503),
        "retry-safe POST actions"
    );
    assert!(
        !is_retryable(Method::Post, false, &e503),
        "CreateMachine is never retried"
    );
    assert!(!is_retryable(Method::Post, false, &net));
    assert!(!is_retryable(Method::Get, true, &e500));
    assert!(!is_retryable(Method::Get, true, &e409));
    assert!(!is_retryable(
        Method::Get,
        true,
        &Error::local("Aborted", "x")
    ));
    // A GET is safe even if a caller forgot to mark it.
    assert!(is_retryable(Method::Get, false, &net));

    let p = RetryPolicy::default();
    assert_eq!(backoff_delay_ms(&p, 0, None, 0.0), Some(500));
    assert_eq!(backoff_delay_ms(&p, 0, None, 0.999_999), Some(999));
    assert_eq!(backoff_delay_ms(&p, 1, None, 0.0), Some(1000));
    assert_eq!(backoff_delay_ms(&p, 2, None, 1.0), Some(4000));
    assert_eq!(
        backoff_delay_ms(&p, 3, None, 0.5),
        None,
        "4 attempts in total"
    );
    let long = RetryPolicy {
        max_attempts: 100,
        ..p
    };
    assert_eq!(
        backoff_delay_ms(&long, 60, None, 1.0),
        Some(20_000),
        "capped"
    );
    assert_eq!(backoff_delay_ms(&long, 5, None, f64::NAN), Some(15_000));
    assert_eq!(backoff_delay_ms(&p, 0, Some(3), 0.0), Some(3000));
    assert_eq!(backoff_delay_ms(&p, 0, Some(3), 1.0), Some(3250));
    assert_eq!(
        backoff_delay_ms(&p, 0, Some(3600), 0.0),
        None,
        "too long: give up"
    );
    assert_eq!(backoff_delay_ms(&p, 0, Some(u64::MAX), 0.0), None);
    let one = RetryPolicy {
        max_attempts: 1,
        ..p
    };
    assert_eq!(backoff_delay_ms(&one, 0, None, 0.0), None);

    let mut skew = Error::local(
        "InvalidHeader",
        "Authorization header invalid: clock skew of 400s was greater than 300s",
    );
    skew.status_code = 400;
    assert!(is_clock_skew(&skew));
    let mut old = Error::local("RequestExpired", "Date header is too old");
    old.status_code = 400;
    assert!(is_clock_skew(&old));
    assert!(!is_clock_skew(&e409));
    assert_eq!(
        clock_offset("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777 - 42),
        Some(42)
    );
    assert_eq!(clock_offset("garbage", 0), None);
}

// ---------------------------------------------------------------- robustness

/// Deterministic xorshift so the test is reproducible without a rand crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn string(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "0",
            "9",
            "%",
            "%4",
            "%zz",
            "%C3%A9",
            "+",
            " ",
            "/",
            "?",
            "#",
            "&",
            "=",
            ":",
            "@",
            "[",
            "]",
            ".",
            "-",
            "é",
            "☃",
            "\u{0}",
            "\n",
            "<",
            ">",
            "\"",
            "{",
            "}",
            ",",
            "GMT",
            "Sun",
            "Nov",
            "06",
            "1994",
            "08:49:37",
            "https://",
            "http://",
            "localhost",
            "my",
            "{\"code\":",
            "\"message\":",
            "null",
            "[",
            "true",
            "{{shortId}}",
        ];
        let n = (self.next() % 12) as usize;
        (0..n)
            .map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize])
            .collect()
    }
}

#[test]
fn hostile_inputs_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let s = rng.string();
        let status = (rng.next() % 700) as u16;
        let hdrs = h(&[("retry-after", &s), ("date", &s), ("location", &s)]);
        let _ = response::check(status, &hdrs, &s, &J);
        let _ = response::decode_body::<machines::Machine, _>(status, &hdrs, &s, &J);
        let _ = response::parse_http_date(&s);
        let _ = smartdc_wasm::location::resolve(&s, &[]);
        let _ = Request::raw(Method::Get, &format!("/{s}"), &[(s.clone(), s.clone())]);
        let _ = smartdc_wasm::request::decode_component(&s);
        let _ = machines::get_machine(&s, &s, true);
        let _ = machines::validate_machine_name(&s);
        let _ = machines::MachineAction::parse(&s, Some(&s));
        let _ = images::get_dataset("my", &s);
        let _ = images::compare_versions(&s, "1.0");
        let _ = nics::mac_for_path(&s);
        let _ = services::Version::parse(&s);
        let _ = datacenters::datacenter_url(302, &hdrs, &s, &J);
        let _ = migrations::parse_progress_stream(&s, &J);
        let _ = networks::get_network_ip("my", ID, &s);
        let _ = resolve::resolve(
            "machine",
            &s,
            &[(s.clone(), Some(s.clone()))],
            |t| t.0.as_str(),
            |t| t.1.as_deref(),
        );
        let _ = retry::backoff_delay_ms(
            &Default::default(),
            (rng.next() % 70) as u32,
            Some(rng.next()),
            f64::from_bits(rng.next()),
        );
    }
}
