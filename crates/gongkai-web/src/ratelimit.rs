//! A per-address token bucket for the public writes (request form, API POST): spec B-level
//! "forms rate-limited per address" (issue 7); and for console logins (issue 21 item 7). In memory, per process: a restart forgets it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many buckets are kept before full ones are forgotten (bounds memory under a flood).
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by peer address: `burst` requests at once, then one per `every`.
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    every: Duration,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl Default for RateLimiter {
    /// 10 at once, then one every 6 seconds (10 a minute) per address.
    fn default() -> RateLimiter {
        RateLimiter::new(10, Duration::from_secs(6))
    }
}

impl RateLimiter {
    /// The console login's limit per address: 30 attempts at once, then one every 2 seconds
    /// (30 a minute). An office behind one address logs in a few times a day; a password-spraying
    /// script tried about 75 accounts a second before (issue 21 item 7).
    pub fn logins() -> RateLimiter {
        RateLimiter::new(30, Duration::from_secs(2))
    }

    /// `burst` requests at once (at least 1), then one per `every`.
    pub fn new(burst: u32, every: Duration) -> RateLimiter {
        RateLimiter { burst: f64::from(burst.max(1)), every, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `addr`: `Ok(())`, or `Err(seconds to wait)`.
    pub fn check(&self, addr: IpAddr) -> Result<(), u64> {
        self.check_at(addr, Instant::now())
    }

    fn check_at(&self, addr: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            // A panic while holding the lock leaves plain numbers behind: still usable.
            Err(poisoned) => poisoned.into_inner(),
        };
        let every = self.every.as_secs_f64().max(f64::EPSILON);
        if buckets.len() >= MAX_TRACKED {
            let burst = self.burst;
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() / every < burst);
        }
        let b = buckets.entry(addr).or_insert(Bucket { tokens: self.burst, at: now });
        let refill = now.duration_since(b.at).as_secs_f64() / every;
        b.tokens = (b.tokens + refill).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - b.tokens) * every;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refused_then_refilled() {
        let l = RateLimiter::new(2, Duration::from_secs(10));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let t0 = Instant::now();
        assert!(l.check_at(a, t0).is_ok());
        assert!(l.check_at(a, t0).is_ok());
        assert_eq!(l.check_at(a, t0), Err(10));
        // Another address has its own bucket.
        assert!(l.check_at(b, t0).is_ok());
        assert!(l.check_at(a, t0 + Duration::from_secs(10)).is_ok());
        assert!(l.check_at(a, t0 + Duration::from_secs(10)).is_err());
    }
}

/// The peer's IP address, from the connection (present when served by [`crate::serve`]). Behind a
/// reverse proxy every request comes from the proxy: configure the limit there too.
#[derive(Debug, Clone, Copy)]
pub struct PeerIp(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PeerIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<PeerIp, Self::Rejection> {
        Ok(PeerIp(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())))
    }
}

impl RateLimiter {
    /// Takes one token for the peer, or [`crate::WebError::TooManyRequests`]. Without a known
    /// peer (a test router without connection info) every request shares one bucket.
    pub fn take(&self, peer: PeerIp) -> Result<(), crate::WebError> {
        let ip = peer.0.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        self.check(ip).map_err(|retry_after| {
            tracing::warn!(%ip, "rate limited");
            crate::WebError::TooManyRequests { retry_after }
        })
    }
}
