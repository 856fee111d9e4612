//! Transport-free description of one CloudAPI call: method, encoded path, query, JSON body.
//! The wasm layer turns a [`Request`] into a signed `fetch`; `target()` is both what gets
//! appended to the base URL and what `(request-target)` signs, so the two can never differ.

use crate::error::Error;
use crate::json::Json;

/// An HTTP method CloudAPI uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// HEAD
    Head,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

impl Method {
    /// The upper-case method name (`"GET"`); lower-case it for `(request-target)`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Parses a method name, case-insensitively.
    pub fn parse(s: &str) -> Result<Method, Error> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Ok(Method::Get),
            "HEAD" => Ok(Method::Head),
            "POST" => Ok(Method::Post),
            "PUT" => Ok(Method::Put),
            "DELETE" => Ok(Method::Delete),
            _ => Err(Error::invalid_argument(format!(
                "unsupported HTTP method {s:?}; use one of GET, HEAD, POST, PUT, DELETE"
            ))),
        }
    }

    /// Whether repeating the method has no further effect (RFC 9110 §9.2.2): all but POST.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post)
    }
}

/// One CloudAPI call, ready to be signed and sent.
#[derive(Clone, PartialEq)]
pub struct Request {
    /// The HTTP method.
    pub method: Method,
    /// The path, already percent-encoded (e.g. `/my/machines/<id>`).
    pub path: String,
    /// Query parameters, not encoded; `target()` encodes them.
    pub query: Vec<(String, String)>,
    /// The JSON body, if any (sent with `Content-Type: application/json`).
    pub body: Option<Json>,
    /// Send `Accept: text/plain` (raw single metadata values and tags) instead of JSON.
    pub accept_text: bool,
    /// Whether an automatic retry after an ambiguous failure is safe.
    pub idempotent: bool,
}

/// Debug shows the method, target and only the *names* of body fields: bodies can carry
/// passwords (CreateUser, ChangeUserPassword) that must never reach a log.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = match &self.body {
            None => "none".to_string(),
            Some(Json::Object(m)) => {
                let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
                format!("{{{}: …}}", keys.join(", "))
            }
            Some(_) => "…".to_string(),
        };
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("target", &self.target())
            .field("body", &body)
            .field("accept_text", &self.accept_text)
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

impl Request {
    /// A request for `path` (already encoded); idempotency follows the method.
    pub fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            accept_text: false,
            idempotent: method.is_idempotent(),
        }
    }

    /// A GET of `path`.
    pub fn get(path: impl Into<String>) -> Request {
        Request::new(Method::Get, path)
    }

    /// A HEAD of `path`.
    pub fn head(path: impl Into<String>) -> Request {
        Request::new(Method::Head, path)
    }

    /// A POST of `path` (not idempotent unless marked with [`Request::retry_safe`]).
    pub fn post(path: impl Into<String>) -> Request {
        Request::new(Method::Post, path)
    }

    /// A PUT of `path`.
    pub fn put(path: impl Into<String>) -> Request {
        Request::new(Method::Put, path)
    }

    /// A DELETE of `path`.
    pub fn delete(path: impl Into<String>) -> Request {
        Request::new(Method::Delete, path)
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: &str, value: impl Into<String>) -> Request {
        self.query.push((key.to_string(), value.into()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt<V: ToString>(self, key: &str, value: Option<V>) -> Request {
        match value {
            Some(v) => self.query(key, v.to_string()),
            None => self,
        }
    }

    /// Sets the JSON body.
    pub fn body(mut self, body: Json) -> Request {
        self.body = Some(body);
        self
    }

    /// Asks for `text/plain` (raw strings instead of JSON strings).
    pub fn accept_text(mut self) -> Request {
        self.accept_text = true;
        self
    }

    /// Adds `as-role=<r1,r2>` (RBAC: act with these roles); nothing for an empty list.
    pub fn as_roles(self, roles: &[String]) -> Request {
        if roles.is_empty() {
            self
        } else {
            self.query("as-role", roles.join(","))
        }
    }

    /// Marks a POST whose repetition has no further effect (e.g. `action=stop`).
    pub fn retry_safe(mut self) -> Request {
        self.idempotent = true;
        self
    }

    /// Path plus encoded query: what is appended to the base URL and what
    /// `(request-target)` signs, byte for byte.
    pub fn target(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let mut out = self.path.clone();
        for (i, (k, v)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(&encode_component(k));
            out.push('=');
            out.push_str(&encode_component(v));
        }
        out
    }

    /// The `Accept` header value: `text/plain` for raw single values, else JSON.
    pub fn accept(&self) -> &'static str {
        if self.accept_text {
            "text/plain"
        } else {
            "application/json"
        }
    }

    /// The `Content-Type` header value, when there is a body (always JSON: several CloudAPI
    /// routes reject form bodies with 415, and JSON keeps booleans typed).
    pub fn content_type(&self) -> Option<&'static str> {
        self.body.as_ref().map(|_| "application/json")
    }

    /// The body serialized as compact JSON, if there is a body.
    pub fn body_text(&self) -> Option<String> {
        self.body.as_ref().map(Json::to_json_string)
    }

    /// A request for the raw escape hatch: `path` must start with `/`, may carry a `?query`
    /// (merged before `query`; `+` means space, as on the server), and is re-encoded (spaces,
    /// non-ASCII…) so that what is signed is what is sent.
    pub fn raw(method: Method, path: &str, query: &[(String, String)]) -> Result<Request, Error> {
        if !path.starts_with('/') {
            return Err(Error::invalid_argument(format!(
                "path must start with '/', e.g. \"/my/machines\"; got {path:?}"
            )));
        }
        if path.contains('#') {
            return Err(Error::invalid_argument(
                "path must not contain a '#' fragment",
            ));
        }
        if path.chars().any(char::is_control) {
            return Err(Error::invalid_argument(
                "path must not contain control characters",
            ));
        }
        let (p, q) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let mut req = Request::new(method, normalize_path(p));
        if let Some(q) = q {
            for pair in q.split('&').filter(|s| !s.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                req.query.push((decode_component(k), decode_component(v)));
            }
        }
        req.query.extend(query.iter().cloned());
        Ok(req)
    }
}

/// Percent-encodes everything except the RFC 3986 unreserved set `A-Za-z0-9-._~`, with
/// upper-case hex. `fetch`/`URL` leave such text untouched, so the signed
/// `(request-target)` equals the bytes on the wire.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            push_pct(&mut out, b);
        }
    }
    out
}

fn push_pct(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(HEX[usize::from(b >> 4)] as char);
    out.push(HEX[usize::from(b & 0x0f)] as char);
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes and `+` (as a space, form style); invalid escapes stay literal,
/// invalid UTF-8 becomes U+FFFD.
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(hex_val);
            let lo = bytes.get(i + 2).copied().and_then(hex_val);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes what a URL path may not carry literally, keeping `/`, existing `%XX` escapes and
/// the characters `URL` leaves alone in paths, so the result is stable under `fetch`.
fn normalize_path(p: &str) -> String {
    let bytes = p.as_bytes();
    let mut out = String::with_capacity(p.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escape_ok = b == b'%'
            && bytes.get(i + 1).copied().and_then(hex_val).is_some()
            && bytes.get(i + 2).copied().and_then(hex_val).is_some();
        let literal = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if literal || escape_ok {
            out.push(b as char);
        } else {
            push_pct(&mut out, b);
        }
        i += 1;
    }
    out
}

/// Joins already-validated segments into an encoded path: `/<seg>/<seg>…`.
pub fn path_of(segments: &[&str]) -> String {
    let mut out = String::new();
    for s in segments {
        out.push('/');
        out.push_str(&encode_component(s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode_component("aZ09-._~"), "aZ09-._~");
        assert_eq!(
            encode_component("a b+c/d?e&f=g#h"),
            "a%20b%2Bc%2Fd%3Fe%26f%3Dg%23h"
        );
        assert_eq!(encode_component("é☃"), "%C3%A9%E2%98%83");
        assert_eq!(encode_component("!'()*"), "%21%27%28%29%2A");
        assert_eq!(encode_component(""), "");
    }

    #[test]
    fn target_appends_encoded_query_in_order() {
        let r = Request::get("/my/machines")
            .query("tag.foo", "bar baz")
            .query("name", "wéb")
            .query("limit", "1000");
        assert_eq!(
            r.target(),
            "/my/machines?tag.foo=bar%20baz&name=w%C3%A9b&limit=1000"
        );
        assert_eq!(Request::get("/my").target(), "/my");
    }

    #[test]
    fn idempotency_follows_method_unless_marked() {
        assert!(Request::get("/x").idempotent);
        assert!(Request::put("/x").idempotent);
        assert!(Request::delete("/x").idempotent);
        assert!(Request::head("/x").idempotent);
        assert!(!Request::post("/x").idempotent);
        assert!(Request::post("/x").retry_safe().idempotent);
    }

    #[test]
    fn body_text_is_compact_json() {
        let r = Request::post("/my/keys").body(Json::Object(vec![("name".into(), "k".into())]));
        assert_eq!(r.body_text().as_deref(), Some("{\"name\":\"k\"}"));
        assert_eq!(Request::get("/my").body_text(), None);
    }

    #[test]
    fn accept_and_content_type() {
        let r = Request::get("/my/machines/x/tags/a").accept_text();
        assert_eq!((r.accept(), r.content_type()), ("text/plain", None));
        let r = Request::post("/my/keys").body(Json::Object(Vec::new()));
        assert_eq!(
            (r.accept(), r.content_type()),
            ("application/json", Some("application/json"))
        );
    }

    #[test]
    fn debug_hides_body_values() {
        let r = Request::post("/my/users").body(Json::Object(vec![
            ("login".into(), "bob".into()),
            ("password".into(), "hunter2-secret".into()),
        ]));
        let d = format!("{r:?}");
        assert!(d.contains("login, password"), "{d}");
        assert!(!d.contains("hunter2"), "{d}");
        assert!(!d.contains("bob"), "{d}");
    }

    #[test]
    fn as_roles_joins_with_commas() {
        let r = Request::get("/my/machines").as_roles(&["a".into(), "b c".into()]);
        assert_eq!(r.target(), "/my/machines?as-role=a%2Cb%20c");
        assert_eq!(Request::get("/my").as_roles(&[]).target(), "/my");
    }

    #[test]
    fn method_parse_and_names() {
        assert_eq!(Method::parse("delete").unwrap(), Method::Delete);
        assert_eq!(Method::Head.as_str(), "HEAD");
        let e = Method::parse("PATCH").unwrap_err();
        assert_eq!(e.code, "InvalidArgument");
        assert!(e.message.contains("PATCH"));
    }

    #[test]
    fn raw_paths_are_normalised_and_split() {
        let r = Request::raw(
            Method::Get,
            "/my/machines?tag.a=b%20c&x",
            &[("limit".into(), "5".into())],
        )
        .unwrap();
        assert_eq!(r.path, "/my/machines");
        assert_eq!(
            r.query,
            vec![
                ("tag.a".to_string(), "b c".to_string()),
                ("x".to_string(), String::new()),
                ("limit".to_string(), "5".to_string())
            ]
        );
        assert_eq!(r.target(), "/my/machines?tag.a=b%20c&x=&limit=5");
        let r = Request::raw(Method::Get, "/my/keys/a:b%3Ac/é\"", &[]).unwrap();
        assert_eq!(r.path, "/my/keys/a:b%3Ac/%C3%A9%22");
        assert!(Request::raw(Method::Get, "my/machines", &[]).is_err());
        assert_eq!(
            Request::raw(Method::Get, "/my/a b", &[]).unwrap().path,
            "/my/a%20b"
        );
        assert!(Request::raw(Method::Get, "/my/a\nb", &[]).is_err());
        assert!(Request::raw(Method::Get, "/my#x", &[]).is_err());
        assert!(
            !Request::raw(Method::Post, "/my/machines", &[])
                .unwrap()
                .idempotent
        );
    }

    #[test]
    fn decode_component_handles_bad_escapes() {
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("a+b%2B"), "a b+");
        assert_eq!(decode_component("%FF"), "\u{FFFD}");
    }

    #[test]
    fn path_of_encodes_each_segment() {
        assert_eq!(path_of(&["my", "keys", "a/b c"]), "/my/keys/a%2Fb%20c");
    }
}
