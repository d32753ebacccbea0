//! Whether a request was addressed to this machine by a loopback name: both servers serve or
//! change things for such requests only, so a page on a rebinding DNS name (loopback peer,
//! foreign `Host`) gets nothing.

/// `127.0.0.1`, `localhost` or `[::1]`, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
    };
    matches!(name, "127.0.0.1" | "localhost" | "::1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_or_without_a_port_are_loopback() {
        assert!(is_loopback_host("127.0.0.1:8787"));
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("localhost:8788"));
        assert!(is_loopback_host("[::1]:8787"));
        assert!(is_loopback_host("[::1]"));
        assert!(!is_loopback_host("evil.example:8787"));
        assert!(!is_loopback_host("127.0.0.1.evil.example"));
        assert!(!is_loopback_host("localhost.evil.example:80"));
        assert!(!is_loopback_host("[::2]:8787"));
        assert!(!is_loopback_host(""));
    }
}
