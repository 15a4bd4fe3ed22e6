//! The one module through which the UI reaches the app core. Every call is a typed
//! `onward_api` request; inside the Tauri shell it travels over IPC, in a plain browser as
//! HTTP to the browser shell on localhost. Nothing else in the UI talks to the outside.

use onward_api::{ApiError, ErrorKind, Request};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Runs `request` in the app core and returns its typed response.
pub async fn call<R: Request>(request: &R) -> Result<R::Response, ApiError> {
    let args = serde_json::to_value(request).map_err(|e| bad(&e.to_string()))?;
    let value = raw(R::NAME, &args).await?;
    serde_json::from_value(value)
        .map_err(|e| bad(&crate::text::api::unreadable_answer(&e.to_string())))
}

/// Calls `on_change` with the app core's change count whenever it moves (a sync brought
/// data, something was saved): inside the Tauri shell from its change events, in a browser by
/// long-polling the browser shell.
pub fn follow_changes(on_change: impl Fn(u64) + 'static) {
    if let Some(listen) = tauri_fn("event", "listen") {
        let handler = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
            let count = js_sys::Reflect::get(&event, &JsValue::from_str("payload"))
                .ok()
                .and_then(|p| p.as_f64());
            if let Some(count) = count {
                on_change(count as u64);
            }
        });
        let _ = listen.call2(
            &JsValue::NULL,
            &JsValue::from_str(CHANGED_EVENT),
            handler.as_ref().unchecked_ref(),
        );
        // The listener lives as long as the page.
        handler.forget();
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        #[derive(serde::Deserialize)]
        struct Count {
            count: u64,
        }
        let mut seen = 0;
        loop {
            let answer = fetch("GET", &format!("/api/changes?after={seen}"), None)
                .await
                .and_then(|v| serde_json::from_value::<Count>(v).map_err(|e| bad(&e.to_string())));
            match answer {
                Ok(Count { count }) if count != seen => {
                    seen = count;
                    on_change(count);
                }
                Ok(_) => {}
                Err(_) => crate::sleep(2_000).await,
            }
        }
    });
}

/// The Tauri shell's change event (`onward_tauri_lib::CHANGED`).
const CHANGED_EVENT: &str = "onward://changed";

async fn raw(name: &str, args: &serde_json::Value) -> Result<serde_json::Value, ApiError> {
    match tauri_invoke() {
        Some(invoke) => {
            let payload = to_js(&serde_json::json!({ "name": name, "args": args }))?;
            let promise = invoke
                .call2(&JsValue::NULL, &JsValue::from_str("call"), &payload)
                .map_err(js_error)?;
            match JsFuture::from(js_sys::Promise::from(promise)).await {
                Ok(v) => from_js(v),
                // The shell rejects with the ApiError itself.
                Err(e) => Err(from_js::<ApiError>(e.clone()).unwrap_or_else(|_| js_error(e))),
            }
        }
        None => {
            let body = serde_json::to_string(args).map_err(|e| bad(&e.to_string()))?;
            fetch("POST", &format!("/api/call/{name}"), Some(body)).await
        }
    }
}

/// `window.__TAURI__.core.invoke` when running inside the Tauri shell.
fn tauri_invoke() -> Option<js_sys::Function> {
    tauri_fn("core", "invoke")
}

/// `window.__TAURI__[module][name]`, present only inside the Tauri shell.
fn tauri_fn(module: &str, name: &str) -> Option<js_sys::Function> {
    let window = web_sys::window()?;
    let tauri = js_sys::Reflect::get(&window, &JsValue::from_str("__TAURI__")).ok()?;
    if tauri.is_undefined() || tauri.is_null() {
        return None;
    }
    let module = js_sys::Reflect::get(&tauri, &JsValue::from_str(module)).ok()?;
    js_sys::Reflect::get(&module, &JsValue::from_str(name))
        .ok()?
        .dyn_into()
        .ok()
}

async fn fetch(
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<serde_json::Value, ApiError> {
    let window = web_sys::window().ok_or_else(|| bad(crate::text::api::NO_WINDOW))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(&body));
        let headers = web_sys::Headers::new().map_err(js_error)?;
        headers
            .set("content-type", "application/json")
            .map_err(js_error)?;
        init.set_headers(&headers);
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(js_error)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| ApiError::new(ErrorKind::Storage, crate::text::api::NOT_ANSWERING))?
        .dyn_into()
        .map_err(js_error)?;
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))
    } else {
        Err(serde_json::from_str::<ApiError>(&text).unwrap_or_else(|_| {
            ApiError::new(
                ErrorKind::Storage,
                crate::text::api::answered(response.status()),
            )
        }))
    }
}

fn to_js(value: &serde_json::Value) -> Result<JsValue, ApiError> {
    let text = serde_json::to_string(value).map_err(|e| bad(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(js_error)
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, ApiError> {
    let text = js_sys::JSON::stringify(&value)
        .map_err(js_error)?
        .as_string()
        .unwrap_or_else(|| "null".into());
    serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))
}

fn js_error(e: JsValue) -> ApiError {
    let text = e
        .as_string()
        .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
        .unwrap_or_default();
    bad(&text)
}

fn bad(detail: &str) -> ApiError {
    ApiError::new(
        ErrorKind::BadRequest,
        crate::text::api::misunderstood(detail),
    )
}

/// Saves a file the person asked for (a report) from a `data:` URL, through the web view's own
/// download (an `<a download>` clicked once).
pub fn download(file_name: &str, data_url: &str) -> Result<(), ApiError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| bad(crate::text::api::NO_WINDOW))?;
    let a: web_sys::HtmlElement = document
        .create_element("a")
        .map_err(js_error)?
        .dyn_into()
        .map_err(|e: web_sys::Element| js_error(e.into()))?;
    a.set_attribute("href", data_url).map_err(js_error)?;
    a.set_attribute("download", file_name).map_err(js_error)?;
    a.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| bad(crate::text::api::NO_WINDOW))?;
    body.append_child(&a).map_err(js_error)?;
    a.click();
    a.remove();
    Ok(())
}

/// Preferences kept in the web view's local storage on this device (the text size). Nothing
/// about participants goes here: drafts of forms are kept in the app core, encrypted.
pub mod prefs {
    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    /// The preference under `key`, if set.
    pub fn get(key: &str) -> Option<String> {
        storage()?.get_item(&format!("pref:{key}")).ok()?
    }

    /// Sets a preference.
    pub fn set(key: &str, value: &str) {
        if let Some(s) = storage() {
            let _ = s.set_item(&format!("pref:{key}"), value);
        }
    }
}
