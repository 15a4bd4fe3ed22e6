//! The browser shell: the app core's typed commands over HTTP on localhost, and the built UI
//! as static files, so the same UI runs in any browser (the demo on a machine without a
//! display, development, and the end-to-end tests in headless Chromium).
//!
//! - `POST /api/call/{name}` with the request's JSON runs it through [`Host::call`]; the answer
//!   is the response's JSON, or an [`onward_api::ApiError`] with a matching status.
//! - `GET /api/changes?after=N` answers `{"count": M}` as soon as the change count passes `N`
//!   (or after 25 seconds), so the UI refreshes when a sync brings new data.
//! - `GET /?key=KEY` (the address the shell prints) sets the key as a cookie and redirects to
//!   `/`, so the key leaves the address bar.
//! - Everything else is a file from the built UI.
//!
//! Only the shell's own page may use it. A random key made at start ([`Access`]) must come
//! with every API call, in the `HttpOnly; SameSite=Strict` cookie the landing address sets or
//! in the `x-onward-key` header, so another local process or a page that does not know it gets
//! nothing. API calls from another origin (`Origin`, `Sec-Fetch-Site`) are refused even with
//! the cookie (pages on other ports of this computer are the same *site*), a `POST` must say
//! it is JSON (a form or `text/plain` post, which needs no preflight, is refused), and every
//! answer carries a strict Content-Security-Policy that also forbids framing. It listens on
//! loopback only and answers only requests addressed to a loopback host name, so a page cannot
//! reach it through DNS tricks.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use onward_api::{ApiError, ErrorKind};
use onward_app::Host;
use tower_http::services::ServeDir;

/// How long a change poll waits before answering anyway.
pub const POLL: Duration = Duration::from_secs(25);

/// The header a script (or a test) may use instead of the cookie.
pub const KEY_HEADER: &str = "x-onward-key";

/// What every answer carries: only this shell's own scripts, styles, images and fetches; the
/// WebAssembly UI compiled by the browser; no plugins, no `<base>`, no form posts, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The secret a page must hold to use the shell: random for every start, 256 bits.
#[derive(Clone)]
pub struct Access {
    key: String,
    cookie: String,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("cookie", &self.cookie)
            .finish_non_exhaustive()
    }
}

impl Access {
    /// A new random key for a shell listening on `port`. The cookie's name carries the port:
    /// cookies do not tell ports apart, and two shells on one computer must not overwrite each
    /// other's.
    pub fn random(port: u16) -> Result<Access, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Access {
            key: hex::encode(bytes),
            cookie: format!("onward-key-{port}"),
        })
    }

    /// The key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The cookie that carries the key.
    pub fn cookie_name(&self) -> &str {
        &self.cookie
    }

    /// The address to open: the shell at `addr`, with the key.
    pub fn address(&self, addr: SocketAddr) -> String {
        format!("http://{addr}/?key={}", self.key)
    }

    fn matches(&self, candidate: &str) -> bool {
        constant_time_eq(self.key.as_bytes(), candidate.as_bytes())
    }

    /// Whether the request carries the key, in its cookie or the header.
    fn carried_by(&self, headers: &HeaderMap) -> bool {
        let in_header = headers
            .get_all(KEY_HEADER)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| self.matches(v.trim()));
        let in_cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(name, value)| name == self.cookie && self.matches(value));
        in_header || in_cookie
    }
}

/// Compares without stopping at the first difference, so timing does not reveal the key.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The shell's routes over `host`, serving the UI from `dist` to pages holding `access`.
pub fn router(host: Arc<Host>, dist: &Path, access: Arc<Access>) -> Router {
    Router::new()
        .route("/api/call/{name}", post(call))
        .route("/api/changes", get(changes))
        .fallback_service(ServeDir::new(dist).append_index_html_on_directories(true))
        .layer(middleware::from_fn_with_state(access, own_page_only))
        .layer(middleware::from_fn(loopback_only))
        .layer(middleware::from_fn(security_headers))
        .with_state(host)
}

/// Serves until `shutdown` completes.
pub async fn serve(
    host: Arc<Host>,
    dist: &Path,
    access: Arc<Access>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(host, dist, access).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Headers on every answer, refusals included.
async fn security_headers(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if api || h.contains_key(header::SET_COOKIE) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    response
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    if matches!(name, "127.0.0.1" | "localhost" | "::1") {
        next.run(request).await
    } else {
        refuse(
            StatusCode::FORBIDDEN,
            ErrorKind::Forbidden,
            "the Onward browser shell answers only on this computer",
        )
    }
}

#[derive(serde::Deserialize)]
struct Landing {
    key: String,
}

/// The key check, the landing address and the same-origin rules.
async fn own_page_only(
    State(access): State<Arc<Access>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") {
        if let Err((status, kind, message)) =
            api_allowed(&access, request.method(), request.headers())
        {
            return refuse(status, kind, message);
        }
        return next.run(request).await;
    }
    if path == "/"
        && matches!(*request.method(), Method::GET | Method::HEAD)
        && let Ok(Query(landing)) = Query::<Landing>::try_from_uri(request.uri())
    {
        return if access.matches(&landing.key) {
            let cookie = format!(
                "{}={}; HttpOnly; SameSite=Strict; Path=/",
                access.cookie, access.key
            );
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, "/".to_string()),
                    (header::SET_COOKIE, cookie),
                ],
            )
                .into_response()
        } else {
            (
                StatusCode::UNAUTHORIZED,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "This is not the address Onward printed when it started. Open the address it printed (the line \"Onward is running at ...\").\n",
            )
                .into_response()
        };
    }
    next.run(request).await
}

/// Why an API call was refused: its status, kind and message.
type Refusal = (StatusCode, ErrorKind, &'static str);

/// Whether an API call may run: from the shell's own page (or no page at all), with the key,
/// and a `POST` as JSON.
fn api_allowed(access: &Access, method: &Method, headers: &HeaderMap) -> Result<(), Refusal> {
    let text = |name: HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or("?"));
    // A browser says where a request comes from. `none` is the person typing the address.
    let other_site = text(HeaderName::from_static("sec-fetch-site"))
        .is_some_and(|site| !matches!(site, "same-origin" | "none"));
    let own_origin = text(header::HOST).map(|host| format!("http://{host}"));
    let other_origin =
        text(header::ORIGIN).is_some_and(|origin| Some(origin) != own_origin.as_deref());
    if other_site || other_origin {
        return Err((
            StatusCode::FORBIDDEN,
            ErrorKind::Forbidden,
            "the Onward browser shell answers only its own page",
        ));
    }
    if !access.carried_by(headers) {
        return Err((
            StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden,
            "this page was not opened with the address Onward printed when it started: open that address again",
        ));
    }
    if method == Method::POST {
        let json = text(header::CONTENT_TYPE)
            .and_then(|t| t.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorKind::BadRequest,
                "the request must be JSON (content-type: application/json)",
            ));
        }
    }
    Ok(())
}

fn refuse(status: StatusCode, kind: ErrorKind, message: &str) -> Response {
    json(status, &ApiError::new(kind, message))
}

fn status(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid | ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Conflict | ErrorKind::Refused => StatusCode::CONFLICT,
        ErrorKind::Storage => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Offline => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::NotEnrolled => StatusCode::CONFLICT,
    }
}

fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn call(
    State(host): State<Arc<Host>>,
    UrlPath(name): UrlPath<String>,
    body: Bytes,
) -> Response {
    let args = if body.is_empty() {
        Ok(serde_json::json!({}))
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                ErrorKind::BadRequest,
                format!("the request is not JSON: {e}"),
            )
        })
    };
    let answer = match args {
        Ok(args) => tokio::task::spawn_blocking(move || host.call(&name, args))
            .await
            .unwrap_or_else(|_| {
                Err(ApiError::new(
                    ErrorKind::Storage,
                    "the app hit a problem; close it and open it again",
                ))
            }),
        Err(e) => Err(e),
    };
    match answer {
        Ok(value) => json(StatusCode::OK, &value),
        Err(e) => json(status(e.kind), &e),
    }
}

#[derive(serde::Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

async fn changes(State(host): State<Arc<Host>>, Query(after): Query<After>) -> Response {
    let count = tokio::task::spawn_blocking(move || host.wait_for_change(after.after, POLL))
        .await
        .unwrap_or(after.after);
    json(StatusCode::OK, &serde_json::json!({ "count": count }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_long() {
        let a = Access::random(8760).unwrap();
        let b = Access::random(8760).unwrap();
        assert_ne!(a.key(), b.key());
        assert_eq!(a.key().len(), 64, "256 bits in hex");
        assert_eq!(a.cookie_name(), "onward-key-8760");
        assert!(!format!("{a:?}").contains(a.key()));
        let addr: SocketAddr = "127.0.0.1:8760".parse().unwrap();
        assert_eq!(
            a.address(addr),
            format!("http://127.0.0.1:8760/?key={}", a.key())
        );
    }

    #[test]
    fn the_key_is_compared_whole() {
        let a = Access::random(1).unwrap();
        assert!(a.matches(a.key()));
        assert!(!a.matches(&a.key()[..63]));
        assert!(!a.matches(&format!("{}0", a.key())));
        assert!(!a.matches(""));
    }
}
