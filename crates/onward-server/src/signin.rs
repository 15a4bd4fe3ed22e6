//! Protection for enrolment and password sign-in, the only messages that take a guess at a
//! secret. Failed attempts are limited per account (the username or code tried) and per client
//! address, where the client address is the TCP peer's unless the peer is a trusted reverse
//! proxy (then the right-most `X-Forwarded-For` address that is not a trusted proxy).
//!
//! An attempt reserves its place in both counts *before* it is checked and gives it back if it
//! succeeds, so N attempts sent at once can never check more than the limit allows, while
//! successful sign-ins stay free (an office can enrol a room of tablets behind one address).
//! Password checks (argon2id, about 19 MiB and tens of milliseconds each) also run only a few
//! at a time, with a bounded wait.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, Semaphore, SemaphorePermit};

use crate::settings::TrustedProxies;

/// Failed enrolments and sign-ins allowed from one client address per [`ADDRESS_WINDOW`].
pub const ADDRESS_FAILURES: u32 = 10;
/// The per-address window.
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(60);
/// Failed attempts allowed at one account (a username, or a code) per [`ACCOUNT_WINDOW`],
/// from any number of addresses.
pub const ACCOUNT_FAILURES: u32 = 10;
/// The per-account window.
pub const ACCOUNT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long an attempt waits for others in flight to settle, or for a password check to be
/// free, before it is told the server is busy.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// What an attempt is counted against besides its address: a hash of the username or the
/// code, so the limiter never holds what was typed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountKey([u8; 16]);

impl AccountKey {
    /// The account a password sign-in tries.
    pub fn username(username: &str) -> Self {
        Self::of("username", username.trim())
    }

    /// The account a code enrolment tries (the code, as it is compared).
    pub fn code(normalised_code: &str) -> Self {
        Self::of("code", normalised_code)
    }

    fn of(kind: &str, value: &str) -> Self {
        let digest = Sha256::new()
            .chain_update(kind.as_bytes())
            .chain_update([0])
            .chain_update(value.as_bytes())
            .finalize();
        let mut key = [0; 16];
        key.copy_from_slice(&digest[..16]);
        AccountKey(key)
    }
}

impl std::fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountKey(..)")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Key {
    Address(IpAddr),
    Account(AccountKey),
}

impl Key {
    fn limit(&self) -> (u32, Duration) {
        match self {
            Key::Address(_) => (ADDRESS_FAILURES, ADDRESS_WINDOW),
            Key::Account(_) => (ACCOUNT_FAILURES, ACCOUNT_WINDOW),
        }
    }
}

/// A fixed window of attempts at one key.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    /// Attempts that failed in this window.
    failed: u32,
    /// Attempts being checked now.
    pending: u32,
}

/// Why an attempt was not let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Too many failed attempts from this address.
    Address,
    /// Too many failed attempts at this account.
    Account,
    /// The server is busy with other attempts; try again in a moment.
    Busy,
}

enum Admit {
    Go([(Key, Instant); 2]),
    Wait,
    Stop(Refused),
}

/// The sign-in guard of one server instance (kept in memory: with several instances behind
/// one load balancer, each counts what it sees).
#[derive(Debug)]
pub struct Guard {
    trusted: TrustedProxies,
    windows: Mutex<HashMap<Key, Window>>,
    settled: Notify,
    checks: Semaphore,
    checked: AtomicU64,
}

impl Guard {
    /// A guard believing `X-Forwarded-For` from `trusted` proxies only, running at most
    /// `concurrent_checks` password checks at once (at least one).
    pub fn new(trusted: TrustedProxies, concurrent_checks: usize) -> Self {
        Guard {
            trusted,
            windows: Mutex::new(HashMap::new()),
            settled: Notify::new(),
            checks: Semaphore::new(concurrent_checks.max(1)),
            checked: AtomicU64::new(0),
        }
    }

    /// How many enrolments and sign-ins were let through to be checked (a password verified
    /// or a code looked up) since the server started.
    pub fn attempts_checked(&self) -> u64 {
        self.checked.load(Ordering::Relaxed)
    }

    /// The address a request came from: the peer's, or, when the peer is a trusted proxy, the
    /// right-most `X-Forwarded-For` address that is not itself a trusted proxy. Addresses
    /// further left were written by the client and are never believed.
    pub fn client_address(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let mut addr = peer.ip().to_canonical();
        if !self.trusted.trusts(addr) {
            return addr;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                Some(ip) if self.trusted.trusts(ip) => addr = ip,
                Some(ip) => return ip,
                // Unreadable: believe nothing further left.
                None => return addr,
            }
        }
        addr
    }

    /// Reserves one attempt from `address` at `account`: waits while attempts in flight could
    /// still use up the limit, refuses once failures have. Settle the reservation with
    /// [`Reservation::failed`] or [`Reservation::refund`] (dropping it counts as failed).
    pub async fn reserve(
        &self,
        address: IpAddr,
        account: AccountKey,
    ) -> Result<Reservation<'_>, Refused> {
        let keys = [Key::Address(address), Key::Account(account)];
        let deadline = tokio::time::Instant::now() + MAX_WAIT;
        loop {
            // Made before looking, so a settlement in between still wakes this attempt.
            let settled = self.settled.notified();
            match self.try_reserve(keys, Instant::now()) {
                Admit::Go(held) => {
                    return Ok(Reservation {
                        guard: self,
                        held,
                        done: false,
                    });
                }
                Admit::Stop(why) => return Err(why),
                Admit::Wait => {}
            }
            if tokio::time::timeout_at(deadline, settled).await.is_err() {
                return Err(Refused::Busy);
            }
        }
    }

    fn try_reserve(&self, keys: [Key; 2], now: Instant) -> Admit {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > 10_000 {
            windows.retain(|k, w| w.pending > 0 || now.duration_since(w.start) < k.limit().1);
        }
        let mut wait = false;
        for key in keys {
            let (limit, span) = key.limit();
            let w = windows.entry(key).or_insert(Window {
                start: now,
                failed: 0,
                pending: 0,
            });
            if now.duration_since(w.start) >= span {
                // A new window; attempts still in flight carry over into it.
                w.start = now;
                w.failed = 0;
            }
            if w.failed >= limit {
                return Admit::Stop(match key {
                    Key::Address(_) => Refused::Address,
                    Key::Account(_) => Refused::Account,
                });
            }
            if w.failed + w.pending >= limit {
                wait = true;
            }
        }
        if wait {
            return Admit::Wait;
        }
        let mut held = [(keys[0], now), (keys[1], now)];
        for (i, key) in keys.into_iter().enumerate() {
            if let Some(w) = windows.get_mut(&key) {
                w.pending += 1;
                held[i] = (key, w.start);
            }
        }
        Admit::Go(held)
    }

    fn settle(&self, held: &[(Key, Instant); 2], failed: bool) {
        {
            let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
            for (key, start) in held {
                if let Some(w) = windows.get_mut(key) {
                    w.pending = w.pending.saturating_sub(1);
                    // A failure counts in the window it was reserved in, if that is current.
                    if failed && w.start == *start {
                        w.failed += 1;
                    }
                }
            }
        }
        self.settled.notify_waiters();
    }

    /// Waits (up to [`MAX_WAIT`]) for a password check to be free.
    pub async fn password_check(&self) -> Result<SemaphorePermit<'_>, Refused> {
        match tokio::time::timeout(MAX_WAIT, self.checks.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Refused::Busy),
        }
    }

    /// Notes that an attempt is being checked.
    pub fn checking(&self) {
        self.checked.fetch_add(1, Ordering::Relaxed);
    }
}

/// An attempt's place in its address's and account's counts.
#[derive(Debug)]
pub struct Reservation<'a> {
    guard: &'a Guard,
    held: [(Key, Instant); 2],
    done: bool,
}

impl Reservation<'_> {
    /// The attempt failed: it stays counted.
    pub fn failed(mut self) {
        self.done = true;
        self.guard.settle(&self.held, true);
    }

    /// The attempt succeeded, or was never checked: it is given back.
    pub fn refund(mut self) {
        self.done = true;
        self.guard.settle(&self.held, false);
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.guard.settle(&self.held, true);
        }
    }
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port, perhaps in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sock) = hop.parse::<SocketAddr>() {
        return Some(sock.ip().to_canonical());
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_client_is_the_right_most_address_no_trusted_proxy_wrote() {
        let guard = Guard::new("127.0.0.1, 10.0.0.0/8".parse().unwrap(), 1);
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let stranger: SocketAddr = "198.51.100.9:5000".parse().unwrap();
        // (peer, X-Forwarded-For headers, the client address expected)
        let cases: &[(SocketAddr, &[&str], &str)] = &[
            (proxy, &["203.0.113.5"], "203.0.113.5"),
            (proxy, &["1.1.1.1, 203.0.113.5"], "203.0.113.5"),
            (proxy, &["203.0.113.5, 10.0.0.7"], "203.0.113.5"),
            (proxy, &["1.1.1.1", "203.0.113.5, 10.0.0.7"], "203.0.113.5"),
            (proxy, &["[2001:db8::5]:443"], "2001:db8::5"),
            (proxy, &["203.0.113.5:1234"], "203.0.113.5"),
            (proxy, &["unknown"], "127.0.0.1"),
            (proxy, &["1.1.1.1, unknown, 10.0.0.7"], "10.0.0.7"),
            (proxy, &[], "127.0.0.1"),
            (proxy, &["10.0.0.7"], "10.0.0.7"),
            // Not a trusted proxy: what it says about others is not believed.
            (stranger, &["203.0.113.5"], "198.51.100.9"),
            (stranger, &[], "198.51.100.9"),
        ];
        for (peer, xff, expected) in cases {
            assert_eq!(
                guard.client_address(*peer, &headers(xff)),
                ip(expected),
                "{peer} {xff:?}"
            );
        }
        let nobody = Guard::new(TrustedProxies::default(), 1);
        assert_eq!(
            nobody.client_address(proxy, &headers(&["203.0.113.5"])),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn failures_stop_an_address_and_an_account_and_successes_are_given_back() {
        let guard = Guard::new(TrustedProxies::default(), 1);
        let t0 = Instant::now();
        let (a, b) = (ip("203.0.113.1"), ip("203.0.113.2"));
        let who = AccountKey::username("sam");
        let go = |addr, account, now| match guard
            .try_reserve([Key::Address(addr), Key::Account(account)], now)
        {
            Admit::Go(held) => Ok(held),
            Admit::Wait => Err("wait"),
            Admit::Stop(Refused::Address) => Err("address"),
            Admit::Stop(Refused::Account) => Err("account"),
            Admit::Stop(Refused::Busy) => Err("busy"),
        };
        // Fifty successes from one address cost nothing.
        for _ in 0..50 {
            let held = go(a, who, t0).unwrap();
            guard.settle(&held, false);
        }
        // Ten failures at different accounts from one address stop that address only.
        for i in 0..10 {
            let held = go(a, AccountKey::username(&format!("guess{i}")), t0).unwrap();
            guard.settle(&held, true);
        }
        assert_eq!(go(a, who, t0), Err("address"));
        assert!(go(b, who, t0).is_ok_and(|h| {
            guard.settle(&h, false);
            true
        }));
        // A minute later the address may try again.
        let later = t0 + ADDRESS_WINDOW;
        let held = go(a, who, later).unwrap();
        guard.settle(&held, false);

        // Ten failures at one account from ten addresses stop that account everywhere.
        for i in 0..10 {
            let held = go(ip(&format!("198.51.100.{i}")), who, later).unwrap();
            guard.settle(&held, true);
        }
        assert_eq!(go(ip("192.0.2.1"), who, later), Err("account"));
        assert!(go(ip("192.0.2.1"), AccountKey::username("pat"), later).is_ok());
        // Fifteen minutes on, the account may be tried again.
        assert!(go(ip("192.0.2.1"), who, later + ACCOUNT_WINDOW).is_ok());
    }

    #[test]
    fn attempts_in_flight_hold_their_place_until_they_settle() {
        let guard = Guard::new(TrustedProxies::default(), 1);
        let now = Instant::now();
        let keys = [
            Key::Address(ip("203.0.113.1")),
            Key::Account(AccountKey::code("ABCD")),
        ];
        let mut held = Vec::new();
        for _ in 0..ADDRESS_FAILURES {
            match guard.try_reserve(keys, now) {
                Admit::Go(h) => held.push(h),
                _ => panic!("the first ten go through"),
            }
        }
        // The eleventh waits: the ten in flight might all fail.
        assert!(matches!(guard.try_reserve(keys, now), Admit::Wait));
        // One succeeds and gives its place back: the next may go.
        guard.settle(&held.pop().unwrap(), false);
        let next = match guard.try_reserve(keys, now) {
            Admit::Go(h) => h,
            _ => panic!("a place was given back"),
        };
        held.push(next);
        // All ten fail: the next is refused outright.
        for h in held.drain(..) {
            guard.settle(&h, true);
        }
        assert!(matches!(
            guard.try_reserve(keys, now),
            Admit::Stop(Refused::Address)
        ));
    }
}
