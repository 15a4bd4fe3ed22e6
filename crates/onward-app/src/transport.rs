//! How a frame reaches the charity's server: the [`Transport`] a sync run is driven over, the
//! check of a server's address, and the HTTP(S) transport with its timeouts.
//!
//! Records are criminal-offence data, so they travel over `https://` unless the server is on
//! this computer. A charity that really wants plain HTTP on its own network says so once, at
//! enrolment (`allow_plain_http`, kept in the profile); even then only a private IP address is
//! accepted, never a name, because any machine on a café's network can answer for a name. An
//! answer over plain HTTP is not proof that it came from the charity's server, so it is never
//! believed when it says the tablet was withdrawn (see [`Transport::authenticated`]).

use std::fmt;
use std::time::Duration;

use onward_api::{ApiError, ErrorKind};
use onward_sync::codec::MAX_MESSAGE_BYTES;
use url::{Host, Url};

use crate::{App, storage, sync};

/// The profile's record of the charity's choice to allow plain HTTP on its own network.
const ALLOW_PLAIN_HTTP: &str = "sync.allow_plain_http";

/// Carries one frame to the server and brings its answer back.
pub trait Transport {
    /// Sends `frame` and returns the reply frame, or a plain-words reason it could not.
    fn exchange(&mut self, frame: &[u8]) -> Result<Vec<u8>, String>;

    /// Whether an answer over this channel can only have come from the server itself: over
    /// `https://` the certificate proves it, and a server on this computer is reached without
    /// a network. Over plain HTTP on a local network any machine on it can answer, so the
    /// tablet does not delete its records when such an answer says it was withdrawn. A
    /// transport that does not say is not authenticated.
    fn authenticated(&self) -> bool {
        false
    }
}

/// How a checked server address is reached, which decides what its answers are believed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// `https://`: encrypted, and the certificate proves who answers.
    Https,
    /// Plain `http://` to this computer (`127.0.0.0/8`, `::1`, `localhost`).
    Loopback,
    /// Plain `http://` to a private IP address on the charity's own network, allowed only
    /// because the tablet was enrolled with `allow_plain_http`. Unencrypted and unproven.
    PlainLocal,
}

impl Channel {
    /// Whether an answer over this channel can only have come from the server.
    pub fn authenticated(self) -> bool {
        match self {
            Channel::Https | Channel::Loopback => true,
            Channel::PlainLocal => false,
        }
    }
}

/// A server address that passed [`ServerAddress::parse`]: parsed by the `url` crate, never by
/// hand, and the same parsed value is what the transport connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerAddress {
    url: Url,
    channel: Channel,
}

impl ServerAddress {
    /// Checks a server address as a person typed it (`https://onward.example.org`).
    ///
    /// Accepted: `https://` anywhere; plain `http://` to this computer; and, only when
    /// `allow_plain_http` is set, plain `http://` to a private IP address (`10.0.0.0/8`,
    /// `172.16.0.0/12`, `192.168.0.0/16`, `fc00::/7`). Refused: other schemes, a user name or
    /// password in the address, no host, a query or fragment, and plain `http://` to any name
    /// or public address.
    pub fn parse(text: &str, allow_plain_http: bool) -> Result<ServerAddress, ApiError> {
        let text = text.trim();
        let url = Url::parse(text).map_err(|_| {
            refused("is not a web address: it should look like https://onward.example.org")
        })?;
        let plain = match url.scheme() {
            "https" => false,
            "http" => true,
            _ => return Err(refused("must start with https://")),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refused(
                "must not contain a user name or password (nothing before an @): type only the server's address",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refused(
                "must not contain ? or #: type only the server's address",
            ));
        }
        let Some(host) = url.host() else {
            return Err(refused("has no server name"));
        };
        if matches!(&host, Host::Domain(d) if d.is_empty()) {
            return Err(refused("has no server name"));
        }
        let channel = if !plain {
            Channel::Https
        } else if is_loopback(&host) {
            Channel::Loopback
        } else if !allow_plain_http {
            return Err(refused(
                "must start with https://: records must not cross a network unencrypted (plain http:// is only for a server on this computer, unless this tablet is set up to allow it on the charity's own network)",
            ));
        } else if is_private_ip(&host) {
            Channel::PlainLocal
        } else if matches!(host, Host::Domain(_)) {
            return Err(refused(
                "must start with https://, or be a private IP address such as http://192.168.1.20: plain http:// is never used with a name, because another machine on the network can answer for a name",
            ));
        } else {
            return Err(refused(
                "must start with https://: plain http:// is only for a private address on the charity's own network (10.x.x.x, 172.16.x.x to 172.31.x.x, 192.168.x.x)",
            ));
        };
        Ok(ServerAddress { url, channel })
    }

    /// How the server is reached.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// The address, normalised (as stored and shown).
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// Where sync frames are posted: `/v1/sync` under the address (a server behind a reverse
    /// proxy may live under a path).
    fn sync_url(&self) -> String {
        format!("{}/v1/sync", self.url.as_str().trim_end_matches('/'))
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn refused(problem: &str) -> ApiError {
    ApiError::invalid("server address", problem)
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Private IP literals only. A name is never private: DNS (or whoever answers it on a café's
/// network) decides where it leads.
fn is_private_ip(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(_) => false,
        Host::Ipv4(ip) => ip.is_private(),
        Host::Ipv6(ip) => ip.is_unique_local(),
    }
}

/// How long each phase of one exchange with the server may take. An unanswering server fails
/// in `connect + answer` at most, while a large first-sync batch on a slow line completes as
/// long as bytes keep arriving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Finding the server and opening the connection, including the TLS handshake.
    pub connect: Duration,
    /// From the request sent to the answer's first line and headers: the server's work on
    /// one round.
    pub answer: Duration,
    /// The longest pause with no byte moving while the request or the answer's body is
    /// on the way: a line that stalls fails after this, a slow line that keeps moving does not.
    pub stalled: Duration,
    /// The whole of sending a request's body, or of reading an answer's body.
    pub body: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            answer: Duration::from_secs(15),
            stalled: Duration::from_secs(30),
            // A full 16 MiB message at 256 kbit/s takes about 9 minutes; batches aim at 2 MiB.
            body: Duration::from_secs(10 * 60),
        }
    }
}

/// HTTP(S) to the charity's server: every frame is a `POST` to `/v1/sync`.
pub struct HttpTransport {
    address: ServerAddress,
    url: String,
    agent: ureq::Agent,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("address", &self.address.as_str())
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport to the server at `base` (such as `https://onward.example.org`): `https://`,
    /// or plain `http://` to this computer.
    pub fn new(base: &str) -> Result<Self, ApiError> {
        Self::for_server(base, false)
    }

    /// A transport to the server at `base`, allowing plain `http://` to a private IP address
    /// when the charity chose that at enrolment.
    pub fn for_server(base: &str, allow_plain_http: bool) -> Result<Self, ApiError> {
        let address = ServerAddress::parse(base, allow_plain_http)?;
        Ok(Self::with_timeouts(address, Timeouts::default()))
    }

    /// A transport to a checked address with the given timeouts.
    pub fn with_timeouts(address: ServerAddress, t: Timeouts) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect could lead anywhere (plain HTTP, another host): never follow one.
            .max_redirects(0)
            .https_only(address.channel() == Channel::Https)
            .timeout_resolve(Some(t.connect))
            .timeout_connect(Some(t.connect))
            .timeout_send_request(Some(t.answer))
            .timeout_send_body(Some(t.body))
            .timeout_recv_response(Some(t.answer))
            .timeout_recv_body(Some(t.body))
            .timeout_per_read(Some(t.stalled))
            .timeout_per_write(Some(t.stalled))
            .build()
            .into();
        HttpTransport {
            url: address.sync_url(),
            address,
            agent,
        }
    }

    /// The server's checked address.
    pub fn address(&self) -> &ServerAddress {
        &self.address
    }
}

impl Transport for HttpTransport {
    fn exchange(&mut self, frame: &[u8]) -> Result<Vec<u8>, String> {
        let mut resp = self
            .agent
            .post(&self.url)
            .header("content-type", "application/x-onward-sync")
            .send(frame)
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => {
                    "the office's server took too long to answer; try again in a few minutes"
                        .to_string()
                }
                ureq::Error::HostNotFound => {
                    "could not find the office's server: check the tablet is online and the server address is right"
                        .to_string()
                }
                _ => "could not reach the office's server: check the tablet is online, or try again later"
                    .to_string(),
            })?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_MESSAGE_BYTES as u64 + 64)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => {
                    "the office's server stopped sending its answer; try again".to_string()
                }
                _ => "the connection to the office's server broke off; try again".to_string(),
            })?;
        if body.starts_with(b"ONWD") {
            Ok(body)
        } else {
            Err(format!(
                "the address answered, but not as an Onward server (HTTP {status}); check the server address"
            ))
        }
    }

    fn authenticated(&self) -> bool {
        self.address.channel().authenticated()
    }
}

/// What a tablet does when a server it cannot verify says the tablet was withdrawn: it keeps
/// everything and stops, and says why and what to do.
pub(crate) fn unverified_withdrawal() -> ApiError {
    ApiError::new(
        ErrorKind::Forbidden,
        "the server said this tablet has been withdrawn, but it said so over an unencrypted connection that another machine on the network could have faked, so nothing was deleted from this tablet. Ask your coordinator whether this tablet was withdrawn; until the charity's server has an https:// address, keep the tablet and do not sync it on networks you do not trust",
    )
}

impl App {
    /// Whether this profile may reach its server over plain HTTP on the charity's own network
    /// (chosen at enrolment).
    pub fn allows_plain_http(&self) -> Result<bool, ApiError> {
        Ok(self
            .store
            .meta(ALLOW_PLAIN_HTTP)
            .map_err(storage)?
            .as_deref()
            == Some("yes"))
    }

    /// Records the charity's choice to allow plain HTTP to a private IP address (at
    /// enrolment). Every later sync honours it.
    pub fn set_allows_plain_http(&mut self, allow: bool) -> Result<(), ApiError> {
        if allow {
            self.store.set_meta(ALLOW_PLAIN_HTTP, "yes")
        } else {
            self.store.delete_meta(ALLOW_PLAIN_HTTP)
        }
        .map_err(storage)
    }

    /// The HTTP transport to the server this tablet is enrolled with, as its profile allows.
    pub fn http_transport(&self) -> Result<HttpTransport, ApiError> {
        let server = self
            .store
            .meta(sync::SERVER)
            .map_err(storage)?
            .ok_or_else(sync::not_enrolled)?;
        HttpTransport::for_server(&server, self.allows_plain_http()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::Read;
    use std::net::TcpListener;
    use std::time::Instant;

    use onward_api::Identity;
    use onward_core::ids::{DeviceId, UserId};
    use onward_core::vocab::Role;

    const REFUSED: Option<Channel> = None;
    const HTTPS: Option<Channel> = Some(Channel::Https);
    const LOOPBACK: Option<Channel> = Some(Channel::Loopback);
    const PLAIN: Option<Channel> = Some(Channel::PlainLocal);

    /// Every address, without and with the charity's plain-HTTP opt-in. Written out by hand.
    #[test]
    fn addresses_are_accepted_only_as_the_table_says() {
        let table: &[(&str, Option<Channel>, Option<Channel>)] = &[
            // address                              without     with opt-in
            ("https://onward.example.org", HTTPS, HTTPS),
            ("https://onward.example.org/", HTTPS, HTTPS),
            ("https://onward.example.org/onward/", HTTPS, HTTPS),
            ("  https://onward.example.org  ", HTTPS, HTTPS),
            ("HTTPS://Onward.Example.Org", HTTPS, HTTPS),
            ("https://192.168.1.20", HTTPS, HTTPS),
            ("https://onward-box", HTTPS, HTTPS),
            ("http://127.0.0.1:8750", LOOPBACK, LOOPBACK),
            ("http://127.9.8.7", LOOPBACK, LOOPBACK),
            ("http://localhost:8750/", LOOPBACK, LOOPBACK),
            ("http://LOCALHOST:8750", LOOPBACK, LOOPBACK),
            ("http://[::1]:8750", LOOPBACK, LOOPBACK),
            ("http://192.168.1.20", REFUSED, PLAIN),
            ("http://192.168.1.20:8750/", REFUSED, PLAIN),
            ("http://10.0.0.5:80", REFUSED, PLAIN),
            ("http://172.16.0.1", REFUSED, PLAIN),
            ("http://172.31.255.254", REFUSED, PLAIN),
            ("http://[fd12:3456::1]:8750", REFUSED, PLAIN),
            // Names can be answered by anyone on the network: never over plain HTTP.
            ("http://onward-box", REFUSED, REFUSED),
            ("http://onward.local", REFUSED, REFUSED),
            ("http://onward.lan", REFUSED, REFUSED),
            ("http://onward.home.arpa", REFUSED, REFUSED),
            ("http://onward.example.org", REFUSED, REFUSED),
            ("http://localhost.example.org", REFUSED, REFUSED),
            ("http://127.0.0.1.nip.io", REFUSED, REFUSED),
            // Public and not-quite-private addresses.
            ("http://8.8.8.8", REFUSED, REFUSED),
            ("http://172.32.0.1", REFUSED, REFUSED),
            ("http://169.254.1.1", REFUSED, REFUSED),
            ("http://100.64.0.1", REFUSED, REFUSED),
            ("http://[2001:db8::1]", REFUSED, REFUSED),
            ("http://[::ffff:192.168.1.20]", REFUSED, REFUSED),
            // User info: the host is evil.example, whatever comes before the @.
            ("http://10.0.0.1:80@evil.example", REFUSED, REFUSED),
            ("http://127.0.0.1@evil.example", REFUSED, REFUSED),
            ("https://user:pass@onward.example.org", REFUSED, REFUSED),
            ("https://onward.example.org@evil.example", REFUSED, REFUSED),
            // Other schemes, no host, not an address at all.
            ("ftp://onward.example.org", REFUSED, REFUSED),
            ("file:///etc/passwd", REFUSED, REFUSED),
            ("javascript:alert(1)", REFUSED, REFUSED),
            ("onward.example.org", REFUSED, REFUSED),
            ("192.168.1.20:8750", REFUSED, REFUSED),
            ("http://", REFUSED, REFUSED),
            ("https://", REFUSED, REFUSED),
            ("http:///v1/sync", REFUSED, REFUSED),
            ("", REFUSED, REFUSED),
            // Queries and fragments have no place in a server address.
            ("https://onward.example.org/?x=1", REFUSED, REFUSED),
            ("https://onward.example.org/#x", REFUSED, REFUSED),
        ];
        for &(text, without, with) in table {
            for (allow, expected) in [(false, without), (true, with)] {
                let got = ServerAddress::parse(text, allow);
                assert_eq!(
                    got.as_ref().ok().map(ServerAddress::channel),
                    expected,
                    "{text:?} with allow_plain_http={allow}: {got:?}"
                );
                // The transport makes the same decision.
                assert_eq!(
                    HttpTransport::for_server(text, allow).is_ok(),
                    expected.is_some(),
                    "{text:?}"
                );
                if let Err(e) = got {
                    assert_eq!(e.kind, ErrorKind::Invalid);
                    assert_eq!(e.field.as_deref(), Some("server address"));
                }
            }
        }
    }

    #[test]
    fn refusals_say_what_to_do() {
        let msg = |t: &str, allow| ServerAddress::parse(t, allow).unwrap_err().message;
        assert!(msg("http://192.168.1.20", false).contains("https://"));
        let name = msg("http://onward-box", true);
        assert!(name.contains("private IP address"), "{name}");
        assert!(name.contains("name"), "{name}");
        assert!(msg("http://10.0.0.1:80@evil.example", true).contains('@'));
        assert!(msg("ftp://x", false).contains("https://"));
    }

    #[test]
    fn the_transport_posts_to_the_parsed_address() {
        let t = HttpTransport::new("HTTPS://Onward.Example.Org/onward/").unwrap();
        assert_eq!(t.url, "https://onward.example.org/onward/v1/sync");
        assert_eq!(t.address().as_str(), "https://onward.example.org/onward");
        assert_eq!(
            HttpTransport::new("http://127.0.0.1:8750").unwrap().url,
            "http://127.0.0.1:8750/v1/sync"
        );
    }

    #[test]
    fn only_https_and_this_computer_are_authenticated() {
        let auth = |t: &str, allow| HttpTransport::for_server(t, allow).unwrap().authenticated();
        assert!(auth("https://onward.example.org", false));
        assert!(auth("http://127.0.0.1:8750", false));
        assert!(auth("http://[::1]:8750", true));
        assert!(!auth("http://192.168.1.20", true));
    }

    /// The defaults, written out: an unanswering server fails well inside 30 seconds, and a
    /// whole 2 MiB batch (the protocol's target) at 256 kbit/s fits in the body's time.
    #[test]
    fn default_timeouts() {
        let t = Timeouts::default();
        assert_eq!(t.connect, Duration::from_secs(10));
        assert_eq!(t.answer, Duration::from_secs(15));
        assert_eq!(t.stalled, Duration::from_secs(30));
        assert_eq!(t.body, Duration::from_secs(600));
        assert!(t.connect + t.answer <= Duration::from_secs(25));
        assert!(
            t.answer <= t.stalled,
            "waiting for the answer is not cut short"
        );
        let batch_at_256_kbit = Duration::from_secs(2 * 1024 * 1024 * 8 / 256_000);
        assert!(batch_at_256_kbit < t.body);
    }

    /// A server that accepts the connection and never answers.
    #[test]
    fn an_unanswering_server_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            // Read the request, then say nothing until the client gives up.
            let mut sink = [0u8; 4096];
            while matches!(socket.read(&mut sink), Ok(n) if n > 0) {}
        });
        let address = ServerAddress::parse(&format!("http://127.0.0.1:{port}"), false).unwrap();
        let short = Timeouts {
            connect: Duration::from_millis(500),
            answer: Duration::from_millis(700),
            stalled: Duration::from_secs(5),
            body: Duration::from_secs(5),
        };
        let mut t = HttpTransport::with_timeouts(address, short);
        let started = Instant::now();
        let err = t.exchange(b"ONWD frame").unwrap_err();
        let took = started.elapsed();
        assert!(err.contains("took too long"), "{err}");
        assert!(
            took >= Duration::from_millis(600),
            "gave up early: {took:?}"
        );
        assert!(took < Duration::from_secs(4), "waited {took:?}");
        drop(t);
        holder.join().unwrap();
    }

    /// A server that sends its headers, part of the body, then nothing.
    #[test]
    fn a_stalled_answer_times_out() {
        use std::io::Write;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf);
            let _ = socket.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/x-onward-sync\r\ncontent-length: 1000\r\n\r\nONWD",
            );
            while matches!(socket.read(&mut buf), Ok(n) if n > 0) {}
        });
        let address = ServerAddress::parse(&format!("http://127.0.0.1:{port}"), false).unwrap();
        let short = Timeouts {
            connect: Duration::from_millis(500),
            answer: Duration::from_secs(5),
            stalled: Duration::from_millis(700),
            body: Duration::from_secs(5),
        };
        let mut t = HttpTransport::with_timeouts(address, short);
        let started = Instant::now();
        let err = t.exchange(b"ONWD frame").unwrap_err();
        assert!(err.contains("stopped sending"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(4));
        drop(t);
        holder.join().unwrap();
    }

    #[test]
    fn the_profile_keeps_the_plain_http_choice() {
        let dir = tempfile::tempdir().unwrap();
        let me = Identity {
            user: UserId::new(),
            device: DeviceId::new(),
            role: Role::Mentor,
            display_name: "Test mentor".into(),
            cleared: true,
        };
        let key = onward_store::StoreKey::from_bytes([3; 32]);
        let mut app = App::create(dir.path(), &key, me).unwrap();
        assert_eq!(
            app.http_transport().unwrap_err().kind,
            ErrorKind::NotEnrolled
        );
        app.store
            .set_meta(sync::SERVER, "http://192.168.1.20:8750")
            .unwrap();
        assert!(!app.allows_plain_http().unwrap());
        assert_eq!(app.http_transport().unwrap_err().kind, ErrorKind::Invalid);
        app.set_allows_plain_http(true).unwrap();
        drop(app);
        let app = App::open(dir.path(), &key).unwrap();
        assert!(app.allows_plain_http().unwrap());
        let t = app.http_transport().unwrap();
        assert_eq!(t.address().channel(), Channel::PlainLocal);
        assert!(!t.authenticated());
    }
}
