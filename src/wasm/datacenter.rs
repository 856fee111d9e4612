//! The `DataCenter` class: validated options, shared credentials and signer, and one promise
//! method per CloudAPI call. Every method takes `&self`, clones the shared `Rc<Client>` into
//! its future and returns at once, so calls can overlap and the object is never borrowed
//! across an `.await`.

use super::cancel::{AbortSignal, Scope, now_ms};
use super::collection;
use super::credentials::{self, Credentials};
use super::js_error::{OrJs, to_js, type_error};
use super::machine::{Machine, gone_wire};
use super::options::{Options, from_js, kind, string_arg};
use super::signer::SignerChoice;
use super::transport::{Client, HasId, HasName, JsDecoder, RESERVED_HEADERS, parse_checked};
use super::wait::{WaitOptions, poll_state};
use crate::api::retry;
use crate::api::{
    self, account, datacenters, images, keys as key_api, machines, networks, packages,
};
use crate::error::{Error, codes};
use crate::json::Json;
use crate::keys;
use crate::location;
use crate::request::{Method, Request};
use crate::response;
use js_sys::{Array, Object, Promise, Reflect, RegExp, Uint8Array};
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

/// Option names `new DataCenter()` accepts.
const OPTIONS: &[&str] = &[
    "location",
    "url",
    "account",
    "user",
    "keyId",
    "privateKey",
    "passphrase",
    "knownLocations",
    "apiVersion",
    "headers",
    "fetch",
    "concurrency",
    "timeout",
    "signer",
    "signedHeaders",
    "actAs",
    "agent",
    "retries",
    "roles",
    "transport",
];

/// Default `accept-version`: CloudAPI 9, else 8.
const DEFAULT_API_VERSION: &str = "~9||~8";
/// Default per-call timeout (retries included).
const DEFAULT_TIMEOUT_MS: f64 = 60_000.0;
/// Default number of automatic retries of an idempotent request.
const DEFAULT_RETRIES: u32 = 3;
/// The most retries the `retries` option accepts (each waits up to 20 s).
const MAX_RETRIES: u32 = 10;
/// Default number of requests one DataCenter has in flight at once.
const DEFAULT_CONCURRENCY: usize = 8;
/// The largest `concurrency` accepted (far above any CloudAPI's throttle).
const MAX_CONCURRENCY: f64 = 1024.0;

// Why here: the types only this file's methods use; `DataCenterOptions` is declared in
// mod.rs and TypeScript merges the two interface declarations into one.
#[wasm_bindgen(typescript_custom_section)]
const TS_DATACENTER: &'static str = r#"
export interface DataCenterOptions {
  /** Automatic retries of idempotent requests on network errors, 408, 429, 502, 503, 504 (jittered exponential backoff, Retry-After honoured) and the one re-sign after a clock-skew rejection; default 3, 0 disables both. */
  retries?: number;
  /** Most requests in flight at once from this DataCenter (and its Machines); more wait in turn. Default 8; a `datacenter(name)` sibling gets a limit of its own. */
  concurrency?: number;
}
"#;

/// A Triton CloudAPI endpoint with credentials; every method returns a promise.
#[wasm_bindgen]
pub struct DataCenter {
    pub(crate) client: Rc<Client>,
}

/// Runs `f` as a promise: resolved with its value, rejected with its (JS `Error`) failure.
pub(crate) fn promise<F>(f: F) -> Promise
where
    F: Future<Output = Result<JsValue, JsValue>> + 'static,
{
    wasm_bindgen_futures::future_to_promise(f)
}

pub(crate) fn rejected(e: JsValue) -> Promise {
    Promise::reject(&e)
}

#[wasm_bindgen]
impl DataCenter {
    /// Connects to a CloudAPI (no request is sent until a method is called).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "DataCenterOptions")] options: JsValue,
    ) -> Result<DataCenter, JsValue> {
        build(&options).map(|client| DataCenter {
            client: Rc::new(client),
        })
    }

    /// The CloudAPI base URL.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.client.base_url.clone()
    }

    /// The sub-user signing the requests, if any (`user()` is GetUser).
    #[wasm_bindgen(getter, js_name = subUser)]
    pub fn sub_user(&self) -> Option<String> {
        self.client.creds.user.clone()
    }

    /// The `keyId` sent with every request (undefined until a locked key or agent is first used).
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> Option<String> {
        self.client.creds.key_id()
    }

    /// The http-signature algorithm (`rsa-sha256`, `ecdsa-sha256`, …), once known.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> Option<String> {
        self.client
            .creds
            .algorithm()
            .map(|a| a.as_str().to_string())
    }

    /// The signer in use: `"webcrypto"`, `"rust"`, `"custom"` (a signer object) or `"pending"`.
    #[wasm_bindgen(getter)]
    pub fn signer(&self) -> String {
        self.client.creds.kind().to_string()
    }

    /// The `accept-version` sent.
    #[wasm_bindgen(getter, js_name = apiVersion)]
    pub fn api_version(&self) -> String {
        self.client.api_version.clone()
    }

    /// `{ url, account, actAs?, user?, keyId?, algorithm? }`; never key material.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "DataCenterInfo")]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        let c = &self.client;
        set(&o, "url", &JsValue::from_str(&c.base_url));
        set(&o, "account", &JsValue::from_str(&c.creds.login));
        if c.creds.account != c.creds.login {
            set(&o, "actAs", &JsValue::from_str(&c.creds.account));
        }
        if let Some(u) = &c.creds.user {
            set(&o, "user", &JsValue::from_str(u));
        }
        if let Some(k) = c.creds.key_id() {
            set(&o, "keyId", &JsValue::from_str(&k));
        }
        if let Some(a) = c.creds.algorithm() {
            set(&o, "algorithm", &JsValue::from_str(a.as_str()));
        }
        o.into()
    }

    /// GetAccount: the account object.
    #[wasm_bindgen(unchecked_return_type = "Promise<Account>")]
    pub fn account(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let req = account::get_account(c.account()).or_js()?;
            c.fetch_json::<HasId>(&req, "an account", None)
                .await
                .or_js()
        })
    }

    /// ListDatacenters: `{ name: url }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, string>>")]
    pub fn datacenters(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let req = datacenters::list_datacenters(c.account()).or_js()?;
            c.fetch_json::<BTreeMap<String, String>>(&req, "a map of datacenter name → URL", None)
                .await
                .or_js()
        })
    }

    /// A DataCenter for the datacenter `name` of this cloud, with the same credentials.
    #[wasm_bindgen(unchecked_return_type = "Promise<DataCenter>")]
    pub fn datacenter(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Promise {
        let name = match string_arg(&name, "datacenter(name): name") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let map = datacenter_map(&c).await?;
            let url = map.get(&name).ok_or_else(|| {
                let mut e = Error::local(
                    "ResourceNotFound",
                    format!(
                        "{name:?} is not an available datacenter; this cloud has {}",
                        map.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
                e.status_code = 404;
                to_js(&e)
            })?;
            let base = location::normalize_url(url).or_js()?;
            Ok(DataCenter {
                client: Rc::new(c.sibling(base)),
            }
            .into())
        })
    }

    /// ListImages, with optional server-side filters and a local `{ search, fields }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Image[]>")]
    pub fn images(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "ImageFilters & { search?: string | RegExp; fields?: string[] }"
        )]
        filters: Option<JsValue>,
    ) -> Promise {
        let parsed = with_filters::<images::ImageFilters>(
            filters,
            "images(filters)",
            &["name", "description", "urn"],
        );
        let (f, search) = match parsed {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = images::list_images(c.account(), &f).or_js()?;
            let list = c
                .fetch_json::<Vec<HasId>>(&req, "a list of images", None)
                .await
                .or_js()?;
            Ok(Search::keep(&search, list))
        })
    }

    /// GetImage by UUID, or ListImages to resolve `name`, `name@version` (the latest
    /// published) or a short id; several matches reject with `AmbiguousName`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Image>")]
    pub fn image(
        &self,
        #[wasm_bindgen(js_name = "idOrName", unchecked_param_type = "string | Image")]
        id_or_name: JsValue,
    ) -> Promise {
        let id = match ident_arg(&id_or_name, "image(idOrName)") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move { collection::find_image(&c, &id).await.or_js() })
    }

    /// The seed's ListDatasets: every image, with a local `{ search, fields }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Image[]>")]
    pub fn datasets(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ search?: string | RegExp; fields?: string[] }"
        )]
        options: Option<JsValue>,
    ) -> Promise {
        let search = match no_filters(
            options,
            "datasets(options)",
            &["name", "description", "urn"],
        ) {
            Ok(s) => s,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = images::list_datasets(c.account()).or_js()?;
            let list = c
                .fetch_json::<Vec<HasId>>(&req, "a list of images", None)
                .await
                .or_js()?;
            Ok(Search::keep(&search, list))
        })
    }

    /// The seed's GetDataset: an image by UUID or URN (`sdc:sdc:base64:1.8.1`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Image>")]
    pub fn dataset(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) -> Promise {
        let id = match string_arg(&id, "dataset(id): id") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = images::get_dataset(c.account(), &id).or_js()?;
            if api::is_uuid(&id) {
                return c.fetch_json::<HasId>(&req, "an image", None).await.or_js();
            }
            let list = c
                .fetch_json::<Vec<HasId>>(&req, "a list of images", None)
                .await
                .or_js()?;
            let list: Array = list.unchecked_into();
            let typed = collection::image_summaries(&list.iter().collect::<Vec<_>>());
            let picked = images::pick_dataset(&id, typed.clone()).or_js()?;
            let index = typed.iter().position(|i| i.id == picked.id).unwrap_or(0);
            Ok(list.get(index as u32))
        })
    }

    /// ListPackages, with optional server-side filters and a local `{ search, fields }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Package[]>")]
    pub fn packages(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "PackageFilters & { search?: string | RegExp; fields?: string[] }"
        )]
        filters: Option<JsValue>,
    ) -> Promise {
        let parsed = with_filters::<packages::PackageFilters>(
            filters,
            "packages(filters)",
            &["name", "description"],
        );
        let (f, search) = match parsed {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = packages::list_packages(c.account(), &f).or_js()?;
            let list = c
                .fetch_json::<Vec<HasName>>(&req, "a list of packages", None)
                .await
                .or_js()?;
            Ok(Search::keep(&search, list))
        })
    }

    /// GetPackage by UUID, or ListPackages to resolve a name or short id (or a package
    /// object); several matches reject with `AmbiguousName`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Package>")]
    pub fn package(
        &self,
        #[wasm_bindgen(js_name = "idOrName", unchecked_param_type = "string | Package")]
        id_or_name: JsValue,
    ) -> Promise {
        let id = match ident_arg(&id_or_name, "package(idOrName)") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move { collection::find_package(&c, &id).await.or_js() })
    }

    /// The package flagged `default` (the seed's `default_package()`).
    #[wasm_bindgen(js_name = defaultPackage, unchecked_return_type = "Promise<Package>")]
    pub fn default_package(&self) -> Promise {
        let c = self.client.clone();
        promise(async move {
            let req = packages::list_packages(c.account(), &Default::default()).or_js()?;
            let list = c
                .fetch_json::<Vec<HasName>>(&req, "a list of packages", None)
                .await
                .or_js()?;
            let list: Array = list.unchecked_into();
            // Why: API 6.5 sent `"default": "true"`; the core's model reads both forms.
            let index = list.iter().position(|p| {
                let d = Reflect::get(&p, &JsValue::from_str("default")).unwrap_or_default();
                d.as_bool() == Some(true) || d.as_string().as_deref() == Some("true")
            });
            match index {
                Some(i) => Ok(list.get(i as u32)),
                None => {
                    let mut e = Error::local(
                        "ResourceNotFound",
                        "no package is flagged default; pick one from packages()",
                    );
                    e.status_code = 404;
                    Err(to_js(&e))
                }
            }
        })
    }

    /// ListMachines, every page (1,000 per request), as `Machine` objects; server-side
    /// filters plus a local `{ search, fields }` (default fields: name, id).
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine[]>")]
    pub fn machines(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "MachineFilters & { search?: string | RegExp; fields?: string[] }"
        )]
        filters: Option<JsValue>,
    ) -> Promise {
        let (f, search) = match collection::machine_filters(filters, "machines(filters)") {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let list = collection::Pages::new(c, f, search).machines().await;
            Ok(list.or_js()?.into())
        })
    }

    /// CountMachines: how many machines match `filters`, which are sent as the HEAD's query.
    // Why a loop: CloudAPI's `x-resource-count` is the size of the page the same GET would
    // return (at most 1,000), not the total; py-smartdc's num_machines() returned that capped
    // number (and never sent the filters). A user asking "how many" wants the total, so this
    // sends HEAD pages of 1,000 (limit=1000, offset=0, 1000, …) and adds them up until a short
    // page: one request per 1,000 machines, no bodies. A server that answers with a total
    // larger than a page is believed as is.
    #[wasm_bindgen(js_name = countMachines, unchecked_return_type = "Promise<number>")]
    pub fn count_machines(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MachineFilters")] filters: Option<JsValue>,
    ) -> Promise {
        let f: machines::MachineFilters =
            match from_js(&filters.unwrap_or_default(), "countMachines(filters)") {
                Ok(f) => f,
                Err(e) => return rejected(e),
            };
        let c = self.client.clone();
        promise(async move {
            let mut total = 0u64;
            let mut offset = 0u32;
            loop {
                let req = machines::count_machines(c.account(), &f, offset).or_js()?;
                let r = c.send(&req, &[], None).await.or_js()?;
                response::check(r.status, &r.headers, &r.body, &JsDecoder).or_js()?;
                let n = api::resource_count(&r.headers).or_js()?;
                total = total.saturating_add(n);
                if n > u64::from(machines::MAX_LIMIT) {
                    break;
                }
                let len = usize::try_from(n).unwrap_or(usize::MAX);
                match api::next_offset(len, machines::MAX_LIMIT, offset) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
            Ok(JsValue::from_f64(total as f64))
        })
    }

    /// GetMachine by UUID (a deleted machine resolves with `state: "deleted"`), or
    /// ListMachines to resolve a name or short id; several matches reject with `AmbiguousName`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Machine>")]
    pub fn machine(
        &self,
        #[wasm_bindgen(
            js_name = "idOrName",
            unchecked_param_type = "string | Machine | MachineData"
        )]
        id_or_name: JsValue,
    ) -> Promise {
        let id = match ident_arg(&id_or_name, "machine(idOrName)") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let wire = collection::find_machine(&c, &id).await.or_js()?;
            Ok(Machine::from_wire(c, wire).or_js()?.into())
        })
    }

    /// CreateMachine; resolves with the new machine (usually `provisioning`; with `{ wait }`,
    /// once it is `running`). `image` may be a UUID, an image object, or a name, `name@version`
    /// or short id (resolved with ListImages). The POST is never blindly re-sent: after an ambiguous failure
    /// (no answer, timeout, 5xx) the machine is looked up by name (one is generated when none
    /// is given) and returned if it exists.
    #[wasm_bindgen(js_name = createMachine, unchecked_return_type = "Promise<Machine>")]
    pub fn create_machine(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateMachineOptions")] options: JsValue,
        #[wasm_bindgen(
            js_name = "waitOptions",
            unchecked_optional_param_type = "{ wait?: boolean | WaitOptions }"
        )]
        wait_options: Option<JsValue>,
    ) -> Promise {
        let what = "createMachine(options, waitOptions)";
        let wait = match WaitOptions::from_wait_arg(wait_options.as_ref(), what) {
            Ok(w) => w,
            Err(e) => return rejected(e),
        };
        if options.is_undefined() || options.is_null() {
            return rejected(type_error(
                "createMachine(options): options are required ({ image, package, … })",
            ));
        }
        let mut opts: machines::CreateMachine = match from_js(&options, "createMachine(options)") {
            Ok(o) => o,
            Err(e) => return rejected(e),
        };
        // Why: the name is what makes an ambiguous failure recoverable (look it up instead of
        // provisioning twice); CloudAPI's own default is 8 hex characters, so is this one.
        let name = opts.name.get_or_insert_with(generated_name).clone();
        let c = self.client.clone();
        // An image given by name (`base-64-lts`, `name@version`, a short id) is resolved with
        // ListImages first; the rest is checked now against a stand-in id, so bad input still
        // rejects before any request.
        let image_ref = match opts.image.as_ref().or(opts.dataset.as_ref()) {
            Some(Json::String(s)) if !api::is_uuid(s) && !s.trim().is_empty() => Some(s.clone()),
            _ => None,
        };
        if image_ref.is_some() {
            let mut probe = opts.clone();
            probe.image = Some(Json::from("00000000-0000-4000-8000-000000000000"));
            probe.dataset = None;
            if let Err(e) = machines::create_machine(c.account(), &probe) {
                return rejected(to_js(&e));
            }
        }
        promise(async move {
            if let Some(r) = image_ref {
                let image = collection::find_image(&c, &r).await.or_js()?;
                opts.image = text(&image, "id").map(Json::from);
                opts.dataset = None;
            }
            let m = create_once(&c, &opts, &name).await?;
            let Some(poll) = wait else {
                return Ok(m.into());
            };
            // Why pollWhile: a machine that fails to provision leaves `provisioning` for
            // `failed` and must not be waited on until the timeout.
            let done = poll_state(&m.state, &poll, "provisioning", false).await?;
            let state = Reflect::get(&done, &JsValue::from_str("state"))?.as_string();
            if state.as_deref() == Some("running") {
                return Ok(done);
            }
            Err(to_js(&Error::local(
                super::wait::JOB_FAILED,
                format!(
                    "machine {name} ended in state {} instead of running",
                    state.as_deref().unwrap_or("unknown")
                ),
            )))
        })
    }

    /// UpdateAccount: changes the given profile fields; resolves with the updated account.
    #[wasm_bindgen(js_name = updateAccount, unchecked_return_type = "Promise<Account>")]
    pub fn update_account(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ email?: string; companyName?: string; firstName?: string; lastName?: string; address?: string; postalCode?: string; city?: string; state?: string; country?: string; phone?: string; triton_cns_enabled?: boolean }"
        )]
        fields: JsValue,
    ) -> Promise {
        if fields.is_undefined() || fields.is_null() {
            return rejected(type_error(
                "updateAccount(fields): fields are required ({ email, companyName, … })",
            ));
        }
        let f: account::AccountUpdate = match from_js(&fields, "updateAccount(fields)") {
            Ok(f) => f,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = account::update_account(c.account(), &f).or_js()?;
            c.fetch_json::<HasId>(&req, "an account", None)
                .await
                .or_js()
        })
    }

    /// ListKeys: the account's SSH keys, with a local `{ search, fields }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SshKey[]>")]
    pub fn keys(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ search?: string | RegExp; fields?: string[] }"
        )]
        options: Option<JsValue>,
    ) -> Promise {
        let search = match no_filters(options, "keys(options)", &["name", "fingerprint"]) {
            Ok(s) => s,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = key_api::list_keys(c.account(), None).or_js()?;
            let list = c
                .fetch_json::<Vec<HasName>>(&req, "a list of keys", None)
                .await
                .or_js()?;
            Ok(Search::keep(&search, list))
        })
    }

    /// GetKey by name or MD5 fingerprint (or a key object).
    #[wasm_bindgen(unchecked_return_type = "Promise<SshKey>")]
    pub fn key(
        &self,
        #[wasm_bindgen(js_name = "nameOrFp", unchecked_param_type = "string | SshKey")]
        name_or_fp: JsValue,
    ) -> Promise {
        let id = match key_arg(&name_or_fp, "key(nameOrFp)") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = key_api::get_key(c.account(), None, &id).or_js()?;
            c.fetch_json::<HasName>(&req, "a key", None).await.or_js()
        })
    }

    /// CreateKey: uploads an OpenSSH public key (`name` defaults to its comment); never retried.
    #[wasm_bindgen(js_name = addKey, unchecked_return_type = "Promise<SshKey>")]
    pub fn add_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ name?: string; key: string }")] options: JsValue,
    ) -> Promise {
        let parsed = Options::new(&options, "addKey(options)", &["name", "key"], false)
            .and_then(|o| Ok((o.string("name")?, o.string("key")?)));
        let (name, key) = match parsed {
            Ok((n, Some(k))) => (n, k),
            Ok((_, None)) => {
                return rejected(type_error(
                    "addKey(options): key is required (an OpenSSH public key line)",
                ));
            }
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = key_api::create_key(c.account(), None, name.as_deref(), &key).or_js()?;
            c.fetch_json::<HasName>(&req, "the new key", None)
                .await
                .or_js()
        })
    }

    /// DeleteKey by name or MD5 fingerprint (or a key object); resolves with undefined.
    #[wasm_bindgen(js_name = deleteKey, unchecked_return_type = "Promise<void>")]
    pub fn delete_key(
        &self,
        #[wasm_bindgen(js_name = "nameOrFp", unchecked_param_type = "string | SshKey")]
        name_or_fp: JsValue,
    ) -> Promise {
        let id = match key_arg(&name_or_fp, "deleteKey(nameOrFp)") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = key_api::delete_key(c.account(), None, &id).or_js()?;
            c.fetch_empty(&req, None).await.or_js()?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// ListNetworks (`fabric: true` → only fabric networks), with a local `{ search, fields }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Network[]>")]
    pub fn networks(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ fabric?: boolean; search?: string | RegExp; fields?: string[] }"
        )]
        options: Option<JsValue>,
    ) -> Promise {
        let parsed = split_search(options, "networks(options)", &["name", "description"]).and_then(
            |(rest, search)| {
                let o = Options::new(&rest, "networks(options)", &["fabric"], true)?;
                let fabric = match o.get("fabric")? {
                    None => None,
                    Some(v) => Some(v.as_bool().ok_or_else(|| {
                        type_error(format!(
                            "networks(options): option fabric must be a boolean, got {}",
                            kind(&v)
                        ))
                    })?),
                };
                Ok((fabric, search))
            },
        );
        let (fabric, search) = match parsed {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = networks::list_networks(c.account(), fabric).or_js()?;
            let list = c
                .fetch_json::<Vec<HasId>>(&req, "a list of networks", None)
                .await
                .or_js()?;
            Ok(Search::keep(&search, list))
        })
    }

    /// GetNetwork by UUID (or a network object), or ListNetworks to resolve a name or short
    /// id; several matches reject with `AmbiguousName`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Network>")]
    pub fn network(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Network")] id: JsValue,
    ) -> Promise {
        let id = match ident_arg(&id, "network(idOrName)") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move { collection::find_network(&c, &id).await.or_js() })
    }

    /// DeleteImage (your own images only) by UUID or image object; resolves with undefined.
    #[wasm_bindgen(js_name = deleteImage, unchecked_return_type = "Promise<void>")]
    pub fn delete_image(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Image")] id: JsValue,
    ) -> Promise {
        let id = match ident_arg(&id, "deleteImage(id)") {
            Ok(n) => n,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let req = images::delete_image(c.account(), &id).or_js()?;
            c.fetch_empty(&req, None).await.or_js()?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// A pre-signed URL (CloudAPI's query-string signature) allowing `methods` on `path`
    /// until `expires` (Unix seconds or a `Date`; default now + 300 s).
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn presign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | string[]")] methods: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignOptions")] options: Option<JsValue>,
    ) -> Promise {
        let (methods, path, expires, query) =
            match prepare_presign(&methods, &path, &options.unwrap_or_default()) {
                Ok(p) => p,
                Err(e) => return rejected(e),
            };
        let c = self.client.clone();
        promise(async move {
            let target = super::presigned::sign_target(&c, &methods, &path, query, expires)
                .await
                .or_js()?;
            Ok(JsValue::from_str(&format!("{}{target}", c.base_url)))
        })
    }

    /// Node only: a DataCenter from the triton CLI's environment variables (rejects elsewhere).
    #[wasm_bindgen(js_name = fromEnv, unchecked_return_type = "Promise<DataCenter>")]
    pub fn from_env(
        #[wasm_bindgen(
            js_name = "overrides",
            unchecked_optional_param_type = "Partial<DataCenterOptions>"
        )]
        _overrides: Option<JsValue>,
    ) -> Promise {
        rejected(node_only("DataCenter.fromEnv()"))
    }

    /// Node only: a DataCenter from a triton CLI profile (`~/.triton`; rejects elsewhere).
    #[wasm_bindgen(js_name = fromProfile, unchecked_return_type = "Promise<DataCenter>")]
    pub fn from_profile(
        #[wasm_bindgen(js_name = "name", unchecked_optional_param_type = "string")] _name: Option<
            JsValue,
        >,
        #[wasm_bindgen(
            js_name = "overrides",
            unchecked_optional_param_type = "Partial<DataCenterOptions>"
        )]
        _overrides: Option<JsValue>,
    ) -> Promise {
        rejected(node_only("DataCenter.fromProfile()"))
    }

    /// Any CloudAPI call: `{ status, headers, body }` (body parsed when JSON); non-2xx rejects.
    #[wasm_bindgen(unchecked_return_type = "Promise<RawResponse>")]
    pub fn request(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "\"GET\" | \"HEAD\" | \"POST\" | \"PUT\" | \"DELETE\""
        )]
        method: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] options: Option<JsValue>,
    ) -> Promise {
        let prepared = prepare_raw(&method, &path, &options.unwrap_or_default());
        let (req, headers) = match prepared {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let r = c.send(&req, &headers, None).await.or_js()?;
            response::check(r.status, &r.headers, &r.body, &JsDecoder).or_js()?;
            let out = Object::new();
            set(&out, "status", &JsValue::from_f64(f64::from(r.status)));
            let h = Object::new();
            for (k, v) in &r.headers {
                set(&h, k, &JsValue::from_str(v));
            }
            set(&out, "headers", &h);
            let body = if r.body.is_empty() {
                JsValue::NULL
            } else {
                js_sys::JSON::parse(&r.body).unwrap_or_else(|_| JsValue::from_str(&r.body))
            };
            set(&out, "body", &body);
            Ok(out.into())
        })
    }
}

/// Sends CreateMachine until it is known to have worked (see `createMachine`).
async fn create_once(
    c: &Rc<Client>,
    opts: &machines::CreateMachine,
    name: &str,
) -> Result<Machine, JsValue> {
    let req = machines::create_machine(c.account(), opts).or_js()?;
    let started = now_secs(c);
    let policy = c.policy();
    let mut retry_no = 0u32;
    loop {
        let err = match c.send(&req, &[], None).await {
            Ok(r) => match parse_checked::<HasId>(&r, "the new machine") {
                Ok(wire) => return Machine::from_wire(c.clone(), wire).or_js(),
                Err(e) => e,
            },
            Err(e) => e,
        };
        // No answer, or an answer cut short (a truncated 201 reads as InvalidResponse).
        let no_answer = (err.status_code == 0
            && (err.code == codes::NETWORK_ERROR || err.code == codes::TIMEOUT))
            || err.code == codes::INVALID_RESPONSE;
        // A 409 after a re-send: the earlier POST may have taken the name after all.
        let ambiguous =
            no_answer || err.status_code >= 500 || (retry_no > 0 && err.status_code == 409);
        if !ambiguous {
            return Err(to_js(&err));
        }
        if let Some(m) = created_by_name(c, name, started).await.or_js()? {
            return Ok(m);
        }
        if err.status_code == 409 {
            return Err(to_js(&err));
        }
        // Why: no machine has the name, so no POST created one; sending it again cannot
        // provision twice because CloudAPI refuses a second machine with the same name
        // (409), which the lookup above then resolves.
        let Some(wait) =
            retry::backoff_delay_ms(&policy, retry_no, err.retry_after, js_sys::Math::random())
        else {
            return Err(to_js(&err));
        };
        Scope::new(f64::INFINITY, None)
            .or_js()?
            .sleep(wait as f64, "createMachine")
            .await
            .or_js()?;
        retry_no = retry_no.saturating_add(1);
    }
}

/// ListDatacenters as `{ name: url }`.
pub(crate) async fn datacenter_map(c: &Client) -> Result<BTreeMap<String, String>, JsValue> {
    let req = datacenters::list_datacenters(c.account()).or_js()?;
    let map = c
        .fetch_json::<BTreeMap<String, String>>(&req, "a map of datacenter name → URL", None)
        .await
        .or_js()?;
    serde_wasm_bindgen::from_value(map).map_err(|e| type_error(e.to_string()))
}

/// GetMachine, turning a 410 Gone into the deleted machine's wire object.
pub(crate) async fn fetch_machine(
    c: &Client,
    id: &str,
    signal: Option<&AbortSignal>,
) -> Result<JsValue, Error> {
    let req = machines::get_machine(c.account(), id, false)?;
    let r = c.send(&req, &[], signal).await?;
    match parse_checked::<HasId>(&r, "a machine") {
        Err(e) if e.status_code == 410 => gone_wire(&e, id).ok_or(e),
        other => other,
    }
}

fn build(options: &JsValue) -> Result<Client, JsValue> {
    let o = Options::new(options, "new DataCenter(options)", OPTIONS, false)?;
    let known = o.string_map("knownLocations")?.unwrap_or_default();
    let base_url = match (o.string("location")?, o.string("url")?) {
        (Some(_), Some(_)) => {
            return Err(type_error(
                "new DataCenter(options): give location or url, not both",
            ));
        }
        (Some(l), None) => location::resolve(&l, &known).or_js()?,
        (None, Some(u)) => location::normalize_url(&u).or_js()?,
        (None, None) => location::resolve(location::DEFAULT_LOCATION, &known).or_js()?,
    };
    let account = non_empty(&o, "account")?.ok_or_else(|| {
        type_error("new DataCenter(options): account is required (your CloudAPI login)")
    })?;
    let user = non_empty(&o, "user")?;
    let act_as = non_empty(&o, "actAs")?;
    let path_account = act_as.unwrap_or_else(|| account.clone());
    let key_id_opt = o.string("keyId")?;
    let signer_opt = o.get("signer")?;
    let signer_object = signer_opt
        .as_ref()
        .filter(|v| v.is_object() && !v.is_function())
        .cloned();
    let choice = match (&signer_opt, &signer_object) {
        (None, _) => SignerChoice::Auto,
        (Some(_), Some(_)) => SignerChoice::Auto,
        (Some(v), None) => {
            let s = v.as_string().ok_or_else(|| {
                type_error(format!(
                    "new DataCenter(options): signer must be one of {} or a signer object \
                     {{ keyId, algorithm, sign(data) }}, got {}",
                    SignerChoice::NAMES.join(", "),
                    kind(v)
                ))
            })?;
            SignerChoice::parse(&s).ok_or_else(|| {
                type_error(format!(
                    "new DataCenter(options): signer must be one of {} or a signer object, got \
                     {s:?}",
                    SignerChoice::NAMES.join(", ")
                ))
            })?
        }
    };

    let signer_object = match (o.get("agent")?, signer_object) {
        (None, s) => s,
        (Some(v), _) if v.as_bool() == Some(false) => None,
        (Some(_), Some(_)) => {
            return Err(type_error(
                "new DataCenter(options): give agent or a signer object, not both",
            ));
        }
        (Some(v), None) => Some(super::agent::agent_signer_for(&v)?),
    };
    let creds = if let Some(obj) = signer_object {
        if o.get("privateKey")?.is_some() || o.get("passphrase")?.is_some() {
            return Err(type_error(
                "new DataCenter(options): give privateKey or a signer object, not both",
            ));
        }
        Credentials::with_signer_object(path_account, account, user, obj, key_id_opt).or_js()?
    } else {
        key_credentials(&o, path_account, account, user, key_id_opt, choice)?
    };

    let api_version = match o.string("apiVersion")? {
        Some(v) if v.trim().is_empty() || v.chars().any(char::is_control) => {
            return Err(type_error(
                "new DataCenter(options): apiVersion must be a version range like \"~9||~8\"",
            ));
        }
        Some(v) => v,
        None => DEFAULT_API_VERSION.to_string(),
    };
    let headers = o.string_map("headers")?.unwrap_or_default();
    for (k, v) in &headers {
        check_header(k, v, "new DataCenter(options): headers")?;
    }
    let fetch = o.function("fetch")?;
    let timeout_ms = o.millis("timeout", true)?.unwrap_or(DEFAULT_TIMEOUT_MS);
    let signed_headers = signed_header_list(&o, &headers)?;
    let retries = match o.number("retries")? {
        None => DEFAULT_RETRIES,
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(MAX_RETRIES)).contains(&n) => {
            // Why: checked above to be a whole number in 0..=MAX_RETRIES.
            n as u32
        }
        Some(n) => {
            return Err(type_error(format!(
                "new DataCenter(options): retries must be a whole number from 0 (no retries) \
                 to {MAX_RETRIES}, got {n}"
            )));
        }
    };

    let roles = super::rbac::roles_option(&o)?;
    let concurrency = match o.number("concurrency")? {
        None => DEFAULT_CONCURRENCY,
        Some(n) if n.fract() == 0.0 && (1.0..=MAX_CONCURRENCY).contains(&n) => {
            // Why: checked above to be a whole number in 1..=MAX_CONCURRENCY.
            n as usize
        }
        Some(n) => {
            return Err(type_error(format!(
                "new DataCenter(options): concurrency must be a whole number from 1 to \
                 {MAX_CONCURRENCY}, got {n}"
            )));
        }
    };

    Ok(Client {
        base_url,
        creds: Rc::new(creds),
        api_version,
        headers,
        fetch,
        timeout_ms,
        signed_headers,
        retries,
        roles,
        clock_offset: std::cell::Cell::new(0),
        limiter: super::transport::Limiter::new(concurrency),
        presigned: super::presigned::transport_option(&o)?,
    })
}

/// Credentials from `privateKey` + `passphrase`: parsed now, or, for an encrypted key with a
/// passphrase callback, on the first request (the callback is only called for such keys).
fn key_credentials(
    o: &Options,
    account: String,
    login: String,
    user: Option<String>,
    key_id: Option<String>,
    choice: SignerChoice,
) -> Result<Credentials, JsValue> {
    let key_text = secret_text(o, "privateKey")?.ok_or_else(|| {
        type_error(
            "new DataCenter(options): privateKey is required (the text of an SSH private key: \
             OpenSSH, PKCS#1 or PKCS#8 PEM), or give a signer object",
        )
    })?;
    if let Some(cb) = o.get("passphrase")?.filter(|v| v.is_function()) {
        if keys::is_encrypted(key_text.as_str()) {
            return Ok(Credentials::with_passphrase_callback(
                account,
                login,
                user,
                key_text,
                cb.unchecked_into(),
                key_id,
                choice,
            ));
        }
        let key = keys::parse_private_key(key_text.as_str(), None).or_js()?;
        drop(key_text);
        let r =
            credentials::ready(key, &login, user.as_deref(), key_id.as_deref(), choice).or_js()?;
        return Ok(Credentials::with_key(account, login, user, r));
    }
    let passphrase = secret_text(o, "passphrase")?;
    let key = keys::parse_private_key(key_text.as_str(), passphrase.as_ref().map(|p| p.as_bytes()))
        .or_js()?;
    drop(key_text);
    drop(passphrase);
    let r = credentials::ready(key, &login, user.as_deref(), key_id.as_deref(), choice).or_js()?;
    Ok(Credentials::with_key(account, login, user, r))
}

/// The `NotSupported` error of a Node-only feature called elsewhere (the Node entries
/// replace these stubs with the real functions).
pub(crate) fn node_only(what: &str) -> JsValue {
    to_js(&Error::local(
        crate::error::codes::NOT_SUPPORTED,
        format!(
            "{what} needs Node (files, environment, sockets); in a browser construct \
             new DataCenter({{ url, account, privateKey }}) or use a KeyStore"
        ),
    ))
}

/// Validates `presign(methods, path, { expires, query })`.
#[allow(clippy::type_complexity)]
fn prepare_presign(
    methods: &JsValue,
    path: &JsValue,
    options: &JsValue,
) -> Result<(Vec<String>, String, i64, Vec<(String, String)>), JsValue> {
    let what = "presign(methods, path)";
    let list: Vec<JsValue> = if let Some(a) = methods.dyn_ref::<Array>() {
        a.iter().collect()
    } else {
        vec![methods.clone()]
    };
    let mut names = Vec::new();
    for m in &list {
        let m = string_arg(m, &format!("{what}: methods"))?;
        let parsed = Method::parse(&m).or_js()?;
        let name = parsed.as_str().to_string();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(type_error(format!("{what}: give at least one method")));
    }
    let p = string_arg(path, &format!("{what}: path"))?;
    if !p.starts_with('/')
        || p.contains(['?', '#'])
        || p.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(type_error(format!(
            "{what}: path must start with / and have no query, fragment or spaces (put \
             parameters in options.query), got {p:?}"
        )));
    }
    let o = Options::new(
        options,
        "presign(methods, path, options)",
        &["expires", "query"],
        true,
    )?;
    let now = (super::cancel::now_ms() / 1000.0).floor();
    let expires = match o.get("expires")? {
        None => now + 300.0,
        Some(v) if v.is_instance_of::<js_sys::Date>() => {
            (v.unchecked_ref::<js_sys::Date>().get_time() / 1000.0).floor()
        }
        Some(v) => match v.as_f64() {
            Some(n) if n.is_finite() && n > 0.0 => n.floor(),
            _ => {
                return Err(type_error(format!(
                    "{what}: options.expires must be Unix seconds or a Date, got {}",
                    kind(&v)
                )));
            }
        },
    };
    if !(0.0..9.0e15).contains(&expires) {
        return Err(type_error(format!(
            "{what}: options.expires is out of range"
        )));
    }
    let query = o.string_map("query")?.unwrap_or_default();
    for (k, _) in &query {
        if ["algorithm", "expires", "keyid", "signature", "method"]
            .contains(&k.to_ascii_lowercase().as_str())
        {
            return Err(type_error(format!(
                "{what}: options.query.{k} is set by presign itself"
            )));
        }
    }
    // Why: checked above to be a whole number of seconds in range.
    Ok((names, p, expires as i64, query))
}

/// A string option that, when given, must not be blank.
fn non_empty(o: &Options, key: &str) -> Result<Option<String>, JsValue> {
    match o.string(key)? {
        Some(s) if s.trim().is_empty() => Err(type_error(format!(
            "new DataCenter(options): {key} must not be empty"
        ))),
        other => Ok(other),
    }
}

/// Key text or passphrase: a string or UTF-8 bytes, held in memory that is wiped on drop.
fn secret_text(o: &Options, key: &str) -> Result<Option<Zeroizing<String>>, JsValue> {
    let Some(v) = o.get(key)? else {
        return Ok(None);
    };
    if let Some(s) = v.as_string() {
        return Ok(Some(Zeroizing::new(s)));
    }
    if let Some(bytes) = v.dyn_ref::<Uint8Array>() {
        let raw = Zeroizing::new(bytes.to_vec());
        return match std::str::from_utf8(&raw) {
            Ok(s) => Ok(Some(Zeroizing::new(s.to_string()))),
            Err(_) => Err(type_error(format!(
                "new DataCenter(options): {key} bytes are not UTF-8 text"
            ))),
        };
    }
    Err(type_error(format!(
        "new DataCenter(options): option {key} must be a string or a Uint8Array{}, got {}",
        if key == "passphrase" {
            " (or an async function returning one)"
        } else {
            ""
        },
        kind(&v)
    )))
}

/// The `signedHeaders` option: names to sign, in order; `x-date` is required, and only
/// headers this client sends can be listed.
fn signed_header_list(o: &Options, headers: &[(String, String)]) -> Result<Vec<String>, JsValue> {
    let default = vec!["(request-target)".to_string(), "x-date".to_string()];
    let Some(v) = o.get("signedHeaders")? else {
        return Ok(default);
    };
    let what = "new DataCenter(options): signedHeaders";
    let arr = v
        .dyn_ref::<Array>()
        .ok_or_else(|| type_error(format!("{what} must be an array of header names")))?;
    let mut out = Vec::new();
    for item in arr.iter() {
        let name = item
            .as_string()
            .ok_or_else(|| type_error(format!("{what} must contain strings, got {}", kind(&item))))?
            .to_ascii_lowercase();
        let sendable = matches!(
            name.as_str(),
            "(request-target)" | "x-date" | "accept" | "accept-version"
        ) || headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(&name));
        if !sendable {
            return Err(type_error(format!(
                "{what}: {name:?} is not a header this client sends; use (request-target), \
                 x-date, accept, accept-version or a name from the headers option"
            )));
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if !out.iter().any(|n| n == "x-date") {
        return Err(type_error(format!(
            "{what} must include \"x-date\" (CloudAPI requires the date header it checks to \
             be signed)"
        )));
    }
    Ok(out)
}

/// Rejects header names/values that fetch would refuse, or that the client computes itself.
fn check_header(name: &str, value: &str, what: &str) -> Result<(), JsValue> {
    let token = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !token {
        return Err(type_error(format!(
            "{what}: {name:?} is not a valid header name"
        )));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(type_error(format!(
            "{what}: {name:?} is set by the client for every request and cannot be overridden"
        )));
    }
    if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
        return Err(type_error(format!(
            "{what}: the value of {name:?} contains a line break"
        )));
    }
    Ok(())
}

/// Validates `request(method, path, { query, body, headers })`.
fn prepare_raw(
    method: &JsValue,
    path: &JsValue,
    options: &JsValue,
) -> Result<(Request, Vec<(String, String)>), JsValue> {
    let m = string_arg(method, "request(method, path): method")?;
    let p = string_arg(path, "request(method, path): path")?;
    let o = Options::new(
        options,
        "request(method, path, options)",
        &["query", "body", "headers"],
        true,
    )?;
    let method = Method::parse(&m).or_js()?;
    let query = match o.get("query")? {
        None => Vec::new(),
        Some(q) => {
            let json: Json = from_js(&q, "request(): query")?;
            let Json::Object(members) = json else {
                return Err(type_error("request(): query must be an object"));
            };
            let mut out = Vec::new();
            for (k, v) in members {
                let items = match v {
                    Json::Array(items) => items,
                    other => vec![other],
                };
                for item in items {
                    let text = match item {
                        Json::String(s) => s,
                        Json::Bool(b) => b.to_string(),
                        Json::Number(n) if n.is_finite() => Json::Number(n).to_json_string(),
                        _ => {
                            return Err(type_error(format!(
                                "request(): query.{k} must be a string, number or boolean"
                            )));
                        }
                    };
                    out.push((k.clone(), text));
                }
            }
            out
        }
    };
    let mut req = Request::raw(method, &p, &query).or_js()?;
    if let Some(b) = o.get("body")? {
        let body: Json = serde_wasm_bindgen::from_value(b)
            .map_err(|e| type_error(format!("request(): body is not JSON data: {e}")))?;
        req = req.body(body);
    }
    let headers = o.string_map("headers")?.unwrap_or_default();
    for (k, v) in &headers {
        check_header(k, v, "request(): headers")?;
    }
    Ok((req, headers))
}

/// An id or name argument: a string, or an object with `id` (or `name`).
pub(crate) fn ident_arg(v: &JsValue, what: &str) -> Result<String, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if v.is_object() {
        for k in ["id", "name"] {
            if let Some(s) = Reflect::get(v, &JsValue::from_str(k))
                .ok()
                .and_then(|x| x.as_string())
            {
                return Ok(s);
            }
        }
    }
    Err(type_error(format!(
        "{what} must be a string or an object with an id, got {}",
        kind(v)
    )))
}

pub(crate) fn set(obj: &Object, key: &str, value: &JsValue) {
    // Why: setting on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A string property of a JS object, if it is a string.
pub(crate) fn text(v: &JsValue, key: &str) -> Option<String> {
    Reflect::get(v, &JsValue::from_str(key))
        .ok()
        .and_then(|x| x.as_string())
}

/// `(source, flags)` → a `RegExp`, or the `SyntaxError` JS throws for a bad pattern.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = RegExp)]
    fn make_regexp(source: &str, flags: &str) -> Result<RegExp, JsValue>;
}

/// A local search of a list result: items whose `fields` (strings, numbers or booleans)
/// match `re` are kept, as the seed's `search_dicts` did.
#[derive(Clone)]
pub(crate) struct Search {
    re: RegExp,
    fields: Vec<String>,
}

impl Search {
    /// `list` (a JS array) filtered by `search`, or unchanged without one.
    pub(crate) fn keep(search: &Option<Search>, list: JsValue) -> JsValue {
        let Some(s) = search else {
            return list;
        };
        let Some(arr) = list.dyn_ref::<Array>() else {
            return list;
        };
        arr.iter()
            .filter(|item| s.matches(item))
            .collect::<Array>()
            .into()
    }

    fn matches(&self, item: &JsValue) -> bool {
        self.fields.iter().any(|f| {
            let v = Reflect::get(item, &JsValue::from_str(f)).unwrap_or_default();
            let text = match (v.as_string(), v.as_f64(), v.as_bool()) {
                (Some(s), _, _) => s,
                (None, Some(n), _) => format!("{n}"),
                (None, None, Some(b)) => b.to_string(),
                _ => return false,
            };
            self.re.test(&text)
        })
    }
}

/// Splits `{ search, fields }` (local search) off a list method's argument; the rest are the
/// server-side filters, so the request never carries the local-search keys.
fn split_search(
    v: Option<JsValue>,
    what: &str,
    default_fields: &[&str],
) -> Result<(JsValue, Option<Search>), JsValue> {
    let v = v.unwrap_or_default();
    if !v.is_object() || v.is_function() || Array::is_array(&v) {
        // Why: the filters' own parser rejects non-objects with its precise message.
        return Ok((v, None));
    }
    let obj: &Object = v.unchecked_ref();
    let own = |k: &str| Object::has_own(obj, &JsValue::from_str(k));
    if !own("search") && !own("fields") {
        return Ok((v, None));
    }
    let rest = Object::new();
    for entry in Object::entries(obj).iter() {
        let pair: Array = entry.unchecked_into();
        let k = pair.get(0).as_string().unwrap_or_default();
        if k != "search" && k != "fields" {
            set(&rest, &k, &pair.get(1));
        }
    }
    let search = Reflect::get(&v, &JsValue::from_str("search"))?;
    let fields = Reflect::get(&v, &JsValue::from_str("fields"))?;
    let re = if let Some(s) = search.as_string() {
        make_regexp(&s, "").map_err(|e| {
            type_error(format!(
                "{what}: search is not a valid regular expression: {}",
                super::js_error::describe_thrown(&e)
            ))
        })?
    } else if let Some(r) = search.dyn_ref::<RegExp>() {
        // Why: a `g` or `y` RegExp keeps `lastIndex` between test() calls and would skip
        // matches; a copy without those flags tests every item from the start.
        let flags: String = String::from(r.flags())
            .chars()
            .filter(|c| *c != 'g' && *c != 'y')
            .collect();
        make_regexp(&String::from(r.source()), &flags)
            .map_err(|e| type_error(super::js_error::describe_thrown(&e)))?
    } else if search.is_undefined() {
        return Err(type_error(format!(
            "{what}: fields only applies with search (a string or RegExp)"
        )));
    } else {
        return Err(type_error(format!(
            "{what}: search must be a string or a RegExp, got {}",
            kind(&search)
        )));
    };
    let fields = if fields.is_undefined() || fields.is_null() {
        default_fields.iter().map(|f| f.to_string()).collect()
    } else {
        let arr = fields.dyn_ref::<Array>().ok_or_else(|| {
            type_error(format!(
                "{what}: fields must be an array of field names, got {}",
                kind(&fields)
            ))
        })?;
        let mut out = Vec::new();
        for f in arr.iter() {
            out.push(f.as_string().ok_or_else(|| {
                type_error(format!(
                    "{what}: fields must contain strings, got {}",
                    kind(&f)
                ))
            })?);
        }
        if out.is_empty() {
            return Err(type_error(format!(
                "{what}: fields must name at least one field"
            )));
        }
        out
    };
    Ok((rest.into(), Some(Search { re, fields })))
}

/// A list method's options: `{ search, fields }` split off, the rest decoded as its server-side filters.
pub(crate) fn with_filters<F: serde::de::DeserializeOwned + Default>(
    v: Option<JsValue>,
    what: &'static str,
    default_fields: &[&str],
) -> Result<(F, Option<Search>), JsValue> {
    let (rest, search) = split_search(v, what, default_fields)?;
    Ok((from_js::<F>(&rest, what)?, search))
}

/// A list method without server-side filters: only `{ search, fields }` is accepted.
fn no_filters(
    v: Option<JsValue>,
    what: &'static str,
    default_fields: &[&str],
) -> Result<Option<Search>, JsValue> {
    let (rest, search) = split_search(v, what, default_fields)?;
    let valid: &[&str] = &["search", "fields"];
    // Why: called for its check only: any key left is unknown (the list names the valid ones).
    Options::new(&rest, what, valid, true)?;
    Ok(search)
}

/// A key's name or fingerprint: a string, or an object with `name` or `fingerprint`.
pub(crate) fn key_arg(v: &JsValue, what: &str) -> Result<String, JsValue> {
    if v.as_string().is_none()
        && v.is_object()
        && let Some(s) = text(v, "name").or_else(|| text(v, "fingerprint"))
    {
        return Ok(s);
    }
    v.as_string().ok_or_else(|| {
        type_error(format!(
            "{what} must be a key name, an MD5 fingerprint or a key object, got {}",
            kind(v)
        ))
    })
}

/// CloudAPI's style of default machine name: 8 random hex characters.
fn generated_name() -> String {
    // Why: Math.random() is in [0, 1), so the product fits in a u32.
    format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32)
}

/// Now on the server's clock (as far as this client knows), in Unix seconds.
fn now_secs(c: &Client) -> i64 {
    ((now_ms() / 1000.0).floor() as i64).saturating_add(c.clock_offset.get())
}

/// The machine named `name` created since `started` (server seconds), as a `Machine`.
// Why the time check: a machine that already had this name before the call is not the one
// this call created; 300 s is the clock skew CloudAPI itself tolerates.
async fn created_by_name(
    c: &Rc<Client>,
    name: &str,
    started: i64,
) -> Result<Option<Machine>, Error> {
    let f = machines::MachineFilters {
        name: Some(name.to_string()),
        ..Default::default()
    };
    let req = machines::list_machines(c.account(), &f, 0, None)?;
    let list: Array = c
        .fetch_json::<Vec<HasId>>(&req, "a list of machines", None)
        .await?
        .unchecked_into();
    for wire in list.iter() {
        let created = text(&wire, "created")
            .map(|t| js_sys::Date::parse(&t) / 1000.0)
            .filter(|t| t.is_finite());
        let recent = created.is_none_or(|t| t >= (started.saturating_sub(300)) as f64);
        if text(&wire, "name").as_deref() == Some(name) && recent {
            return Ok(Some(Machine::from_wire(c.clone(), wire)?));
        }
    }
    Ok(None)
}
