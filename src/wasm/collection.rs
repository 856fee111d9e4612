//! Collections: ListMachines pages as an async iterator (`eachMachine`), the collecting
//! `machines()` built on it, the fan-out over every datacenter (`machinesEverywhere`), and
//! node-triton-style name resolution for machines, images, packages and networks.

use super::datacenter::{
    DataCenter, Search, datacenter_map, fetch_machine, promise, rejected, set, text, with_filters,
};
use super::js_error::{OrJs, to_js};
use super::machine::Machine;
use super::transport::{Client, HasId, HasName};
use crate::api::resolve::{self, Reference};
use crate::api::{self, images, machines, networks, packages};
use crate::error::Error;
use crate::location;
use js_sys::{Array, Object, Promise, Reflect, Symbol};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// ListMachines page by page (offset/limit, 1,000 a page) until a short page.
pub(crate) struct Pages {
    client: Rc<Client>,
    filters: machines::MachineFilters,
    search: Option<Search>,
    /// The offset of the next page; `None` once the last page was read (or iteration ended).
    offset: Cell<Option<u32>>,
}

impl Pages {
    /// Pages of `filters` on `client`, each filtered locally by `search`.
    pub(crate) fn new(
        client: Rc<Client>,
        filters: machines::MachineFilters,
        search: Option<Search>,
    ) -> Pages {
        Pages {
            client,
            filters,
            search,
            offset: Cell::new(Some(0)),
        }
    }

    /// The wire objects of the next page (after the local search), or `None` at the end.
    async fn next_page(&self) -> Result<Option<Array>, Error> {
        let Some(offset) = self.offset.get() else {
            return Ok(None);
        };
        let req = machines::list_machines(self.client.account(), &self.filters, offset, None)?;
        let page: Array = self
            .client
            .fetch_json::<Vec<HasId>>(&req, "a list of machines", None)
            .await?
            .unchecked_into();
        let len = page.length() as usize;
        // Why the check: `return()` may have ended the iteration while this page was coming.
        if self.offset.get().is_some() {
            self.offset
                .set(api::next_offset(len, machines::MAX_LIMIT, offset));
        }
        Ok(Some(
            Search::keep(&self.search, page.into()).unchecked_into(),
        ))
    }

    /// Every remaining wire object.
    async fn all_wire(&self) -> Result<Vec<JsValue>, Error> {
        let mut out = Vec::new();
        while let Some(page) = self.next_page().await? {
            out.extend(page.iter());
        }
        Ok(out)
    }

    /// Every remaining machine, as `Machine` objects.
    pub(crate) async fn machines(&self) -> Result<Array, Error> {
        let out = Array::new();
        for wire in self.all_wire().await? {
            out.push(&Machine::from_wire(self.client.clone(), wire)?.into());
        }
        Ok(out)
    }
}

/// What `eachMachine()` returns: an async iterator over ListMachines, one page at a time.
#[wasm_bindgen]
pub struct MachineIterator {
    state: Rc<IterState>,
    /// The promise of the last `next()`, so overlapping calls are served in order.
    tail: RefCell<Promise>,
}

struct IterState {
    pages: Pages,
    buffer: RefCell<VecDeque<JsValue>>,
}

/// `{ value, done }`.
fn step(value: &JsValue, done: bool) -> JsValue {
    let o = Object::new();
    set(&o, "value", value);
    set(&o, "done", &JsValue::from_bool(done));
    o.into()
}

impl IterState {
    async fn advance(&self) -> Result<JsValue, Error> {
        loop {
            let next = self.buffer.borrow_mut().pop_front();
            if let Some(wire) = next {
                let m = Machine::from_wire(self.pages.client.clone(), wire)?;
                return Ok(step(&m.into(), false));
            }
            match self.pages.next_page().await? {
                None => return Ok(step(&JsValue::UNDEFINED, true)),
                Some(page) => self.buffer.borrow_mut().extend(page.iter()),
            }
        }
    }
}

#[wasm_bindgen]
impl MachineIterator {
    /// The next machine; the next ListMachines page is fetched only when this one is used up.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<Machine, undefined>>")]
    pub fn next(&self) -> Promise {
        let prev = self.tail.borrow().clone();
        let state = self.state.clone();
        let p = promise(async move {
            // Why: a failed earlier step is that call's rejection, not this one's.
            let _ = JsFuture::from(prev).await;
            state.advance().await.or_js()
        });
        *self.tail.borrow_mut() = p.clone();
        p
    }

    /// Ends the iteration (what `break` in `for await` calls): no further page is fetched.
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<Machine, undefined>>"
    )]
    pub fn finish(&self) -> Promise {
        self.state.pages.offset.set(None);
        self.state.buffer.borrow_mut().clear();
        Promise::resolve(&step(&JsValue::UNDEFINED, true))
    }
}

/// A machine list argument: server-side filters plus the local `{ search, fields }`.
pub(crate) fn machine_filters(
    filters: Option<JsValue>,
    what: &'static str,
) -> Result<(machines::MachineFilters, Option<Search>), JsValue> {
    with_filters::<machines::MachineFilters>(filters, what, &["name", "id"])
}

#[wasm_bindgen]
impl DataCenter {
    /// ListMachines as an async iterable (`for await`): pages of 1,000 fetched as consumed;
    /// `break` stops without fetching more. Server-side filters plus a local `{ search, fields }`.
    #[wasm_bindgen(js_name = eachMachine, unchecked_return_type = "AsyncIterable<Machine>")]
    pub fn each_machine(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "MachineFilters & { search?: string | RegExp; fields?: string[] }"
        )]
        filters: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let (f, search) = machine_filters(filters, "eachMachine(filters)")?;
        let it: JsValue = MachineIterator {
            state: Rc::new(IterState {
                pages: Pages::new(self.client.clone(), f, search),
                buffer: RefCell::new(VecDeque::new()),
            }),
            tail: RefCell::new(Promise::resolve(&JsValue::UNDEFINED)),
        }
        .into();
        // Why Object.prototype.valueOf: it returns `this`, which is exactly what
        // `[Symbol.asyncIterator]()` must return, without `eval` or a leaked closure.
        let identity = Reflect::get(&Object::new(), &JsValue::from_str("valueOf"))?;
        Reflect::set(&it, &Symbol::async_iterator(), &identity)?;
        Ok(it)
    }

    /// ListDatacenters, then ListMachines (every page) in each datacenter in parallel:
    /// `{ datacenter, url, machines }` per datacenter, or `{ datacenter, url, error }` when one fails.
    #[wasm_bindgen(
        js_name = machinesEverywhere,
        unchecked_return_type = "Promise<Array<{ datacenter: string; url: string; machines?: Machine[]; error?: CloudApiError }>>"
    )]
    pub fn machines_everywhere(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "MachineFilters & { search?: string | RegExp; fields?: string[] }"
        )]
        filters: Option<JsValue>,
    ) -> Promise {
        let (f, search) = match machine_filters(filters, "machinesEverywhere(filters)") {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let c = self.client.clone();
        promise(async move {
            let map = datacenter_map(&c).await?;
            let each = Array::new();
            for (name, url) in map {
                let client = location::normalize_url(&url).map(|base| {
                    // This datacenter's own entry reuses this client (and its limiter).
                    if base == c.base_url {
                        c.clone()
                    } else {
                        Rc::new(c.sibling(base))
                    }
                });
                let (f, search) = (f.clone(), search.clone());
                each.push(&promise(async move {
                    let out = Object::new();
                    set(&out, "datacenter", &JsValue::from_str(&name));
                    set(&out, "url", &JsValue::from_str(&url));
                    let listed = match client {
                        Ok(cl) => Pages::new(cl, f, search).machines().await,
                        Err(e) => Err(e),
                    };
                    match listed {
                        Ok(list) => set(&out, "machines", &list),
                        Err(e) => set(&out, "error", &to_js(&e)),
                    }
                    Ok(out.into())
                }));
            }
            JsFuture::from(Promise::all(&each)).await
        })
    }
}

/// `(id, name)` of each wire object in `list`.
fn ids_and_names(list: &[JsValue]) -> Vec<(String, Option<String>)> {
    list.iter()
        .map(|v| (text(v, "id").unwrap_or_default(), text(v, "name")))
        .collect()
}

/// The item of `list` that `input` names (exact id, name, or short id).
fn pick(what: &str, input: &str, list: Vec<JsValue>) -> Result<JsValue, Error> {
    let keys = ids_and_names(&list);
    let i = resolve::resolve(what, input, &keys, |k| &k.0, |k| k.1.as_deref())?;
    Ok(list.into_iter().nth(i).unwrap_or_default())
}

/// A JS list response as a vector.
fn items(v: JsValue) -> Vec<JsValue> {
    v.dyn_into::<Array>()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// GetMachine for a UUID; else the one machine named `input` (or with that short id).
pub(crate) async fn find_machine(c: &Rc<Client>, input: &str) -> Result<JsValue, Error> {
    let kind = resolve::classify("machine", input)?;
    if kind == Reference::Uuid {
        return fetch_machine(c, input, None).await;
    }
    // A plain name is filtered by the server; a short id needs every machine.
    let filters = machines::MachineFilters {
        name: (kind == Reference::Name).then(|| input.to_string()),
        ..Default::default()
    };
    let list = Pages::new(c.clone(), filters, None).all_wire().await?;
    pick("machine", input, list)
}

/// The fields image resolution reads, from each wire object.
pub(crate) fn image_summaries(list: &[JsValue]) -> Vec<images::Image> {
    list.iter()
        .map(|v| images::Image {
            id: text(v, "id").unwrap_or_default(),
            name: text(v, "name"),
            version: text(v, "version"),
            urn: text(v, "urn"),
            published_at: text(v, "published_at"),
            ..Default::default()
        })
        .collect()
}

/// GetImage for a UUID; else `name`, `name@version` (the latest) or a short id.
pub(crate) async fn find_image(c: &Client, input: &str) -> Result<JsValue, Error> {
    let kind = resolve::classify("image", input)?;
    if kind == Reference::Uuid {
        let req = images::get_image(c.account(), input)?;
        return c.fetch_json::<HasId>(&req, "an image", None).await;
    }
    let filters = images::ImageFilters {
        name: (kind == Reference::Name).then(|| images::parse_name_version(input).0.to_string()),
        ..Default::default()
    };
    let req = images::list_images(c.account(), &filters)?;
    let list = items(
        c.fetch_json::<Vec<HasId>>(&req, "a list of images", None)
            .await?,
    );
    let i = resolve::resolve_image(input, &image_summaries(&list))?;
    Ok(list.into_iter().nth(i).unwrap_or_default())
}

/// GetPackage for a UUID; else the one active package with that name (or short id).
pub(crate) async fn find_package(c: &Client, input: &str) -> Result<JsValue, Error> {
    let kind = resolve::classify("package", input)?;
    if kind == Reference::Uuid {
        let req = packages::get_package(c.account(), input)?;
        return c.fetch_json::<HasName>(&req, "a package", None).await;
    }
    let filters = packages::PackageFilters {
        name: (kind == Reference::Name).then(|| input.to_string()),
        ..Default::default()
    };
    let req = packages::list_packages(c.account(), &filters)?;
    let list = c
        .fetch_json::<Vec<HasName>>(&req, "a list of packages", None)
        .await?;
    pick("package", input, items(list))
}

/// GetNetwork for a UUID; else the one network with that name (or short id).
pub(crate) async fn find_network(c: &Client, input: &str) -> Result<JsValue, Error> {
    let kind = resolve::classify("network", input)?;
    if kind == Reference::Uuid {
        let req = networks::get_network(c.account(), input)?;
        return c.fetch_json::<HasId>(&req, "a network", None).await;
    }
    let req = networks::list_networks(c.account(), None)?;
    let list = c
        .fetch_json::<Vec<HasId>>(&req, "a list of networks", None)
        .await?;
    pick("network", input, items(list))
}
