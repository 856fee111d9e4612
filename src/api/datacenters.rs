//! Datacenters: ListDatacenters, GetDatacenter (a 302) (cloudapi.md §4.1).

use super::{account_path, require_name};
use crate::error::{Error, codes};
use crate::json::Json;
use crate::request::Request;
use crate::response::{Decoder, check, decode_as, header};

/// ListDatacenters: `GET /:login/datacenters` → `{name: url}`.
pub fn list_datacenters(account: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(account, &["datacenters"])?))
}

/// GetDatacenter: `GET /:login/datacenters/:name`, answered with a 302; read it with
/// [`datacenter_url`]. Do not let the transport follow the redirect.
pub fn get_datacenter(account: &str, name: &str) -> Result<Request, Error> {
    Ok(Request::get(account_path(
        account,
        &["datacenters", require_name("datacenter name", name)?],
    )?))
}

/// The URL from a GetDatacenter answer: the 302 `Location`, else the URL in the
/// `ResourceMoved` message (`" <name> <url>"`); other statuses are errors.
pub fn datacenter_url<D: Decoder>(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    d: &D,
) -> Result<String, Error> {
    if (300..400).contains(&status) {
        if let Some(loc) = header(headers, "location")
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            return Ok(loc.trim_end_matches('/').to_string());
        }
        let parsed: Option<Json> = d.decode(body).ok();
        if let Some(url) = parsed
            .as_ref()
            .and_then(|j| j.get("message"))
            .and_then(Json::as_str)
            .and_then(|m| m.split_whitespace().last())
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        {
            return Ok(url.trim_end_matches('/').to_string());
        }
        let mut e = Error::local(
            codes::INVALID_RESPONSE,
            format!("GetDatacenter answered HTTP {status} without a Location"),
        );
        e.status_code = status;
        return Err(e);
    }
    check(status, headers, body, d)?;
    // Some proxies follow the redirect or answer 200 with the map entry: accept a URL string.
    let v: Json = decode_as(status, headers, body, d, "a datacenter URL")?;
    match v.as_str() {
        Some(u) if u.starts_with("http") => Ok(u.trim_end_matches('/').to_string()),
        _ => {
            let mut e = Error::local(
                codes::INVALID_RESPONSE,
                format!("expected a 302 redirect from GetDatacenter, got HTTP {status}"),
            );
            e.status_code = status;
            Err(e)
        }
    }
}

/// A `{name: url}` JSON map (ListDatacenters, ListServices) as pairs, in server order.
pub fn url_map(v: &Json) -> Result<Vec<(String, String)>, Error> {
    let Json::Object(members) = v else {
        return Err(Error::local(
            codes::INVALID_RESPONSE,
            "expected an object of name → URL",
        ));
    };
    members
        .iter()
        .map(|(k, v)| match v.as_str() {
            Some(u) => Ok((k.clone(), u.to_string())),
            None => Err(Error::local(
                codes::INVALID_RESPONSE,
                format!("expected a URL string for {k:?}"),
            )),
        })
        .collect()
}
