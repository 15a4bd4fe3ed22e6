//! How a frame reaches the charity's server: the [`Transport`] a sync run is driven over, and
//! the HTTP(S) transport with its check of the server's address.

use std::time::Duration;

use onward_api::ApiError;
use onward_sync::codec::MAX_MESSAGE_BYTES;

/// Carries one frame to the server and brings its answer back.
pub trait Transport {
    /// Sends `frame` and returns the reply frame, or a plain-words reason it could not.
    fn exchange(&mut self, frame: &[u8]) -> Result<Vec<u8>, String>;
}

/// HTTP(S) to the charity's server: every frame is a `POST` to `/v1/sync`.
pub struct HttpTransport {
    url: String,
    agent: ureq::Agent,
}

impl HttpTransport {
    /// A transport to the server at `base` (such as `https://onward.example.org`).
    pub fn new(base: &str) -> Result<Self, ApiError> {
        let base = base.trim().trim_end_matches('/');
        let plain = match base.strip_prefix("http://") {
            Some(rest) => Some(rest),
            None if base.starts_with("https://") => None,
            None => {
                return Err(ApiError::invalid(
                    "server",
                    "must start with https:// (or http:// for a server on this network)",
                ));
            }
        };
        if let Some(rest) = plain
            && !on_this_network(rest)
        {
            return Err(ApiError::invalid(
                "server",
                "use https:// for a server on the internet: records must not cross it unencrypted",
            ));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .timeout_connect(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(HttpTransport {
            url: format!("{base}/v1/sync"),
            agent,
        })
    }
}

/// Whether the host at the start of `rest` (what follows `http://`) is on this machine or the
/// local network: loopback and private addresses, `localhost`, single-label names and the
/// local-only suffixes.
fn on_this_network(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.is_unique_local() || ip.is_unicast_link_local()
        }
        Err(_) => {
            let host = host.to_ascii_lowercase();
            !host.is_empty()
                && (!host.contains('.')
                    || host.ends_with(".local")
                    || host.ends_with(".lan")
                    || host.ends_with(".internal")
                    || host.ends_with(".home.arpa"))
        }
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
            .map_err(|_| {
                "the connection to the office's server broke off; try again".to_string()
            })?;
        if body.starts_with(b"ONWD") {
            Ok(body)
        } else {
            Err(format!(
                "the address answered, but not as an Onward server (HTTP {status}); check the server address"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_reaches_this_network() {
        for ok in [
            "https://onward.example.org",
            "http://127.0.0.1:8750",
            "http://localhost:8750/",
            "http://192.168.1.20",
            "http://10.0.0.5:80",
            "http://[::1]:8750",
            "http://onward-box",
            "http://onward.local",
        ] {
            assert!(HttpTransport::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://onward.example.org",
            "http://8.8.8.8",
            "ftp://x",
            "onward.org",
            "http://",
        ] {
            assert!(HttpTransport::new(bad).is_err(), "{bad}");
        }
    }
}
