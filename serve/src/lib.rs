//! The server loop both of credit-gauge's servers run (the emulator and the gateway): HTTP/1.1
//! with a deadline for every request head and a cap on connections, so no client can hold the
//! server by sending slowly or by opening connections without end; and a graceful stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;

mod loopback;
pub use loopback::is_loopback_host;

/// How one server bounds its connections.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// How long a client may take to send a request's head (a connection's first, or the next
    /// one on a kept-alive connection) before the connection is closed.
    pub header_read_timeout: Duration,
    /// The most connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
}

/// The default for [`Bounds::header_read_timeout`].
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default for [`Bounds::max_connections`].
pub const MAX_CONNECTIONS: usize = 512;

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Serves `router` on an already bound listener until `stop` completes; then accepts no more
/// connections, and returns once those open have finished their requests (at most `grace`
/// later).
///
/// The router gets the peer's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    bounds: Bounds,
    stop: impl Future<Output = ()>,
    grace: Duration,
) -> std::io::Result<()> {
    use tower::Service;

    let places = Arc::new(tokio::sync::Semaphore::new(bounds.max_connections.max(1)));
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(bounds.header_read_timeout)
        .keep_alive(true);
    // Connections tell the loop they are gone by dropping their sender.
    let (open_tx, mut open_rx) = tokio::sync::mpsc::channel::<()>(1);
    let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        let place = tokio::select! {
            () = &mut stop => break,
            place = places.clone().acquire_owned() => place
                .map_err(|_| std::io::Error::other("the connection places were closed"))?,
        };
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // A connection that failed before it was accepted concerns only itself; any
                // other error (out of file descriptors) is waited out instead of spun on.
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionAborted
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionRefused
                ) {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                continue;
            }
        };
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let service = hyper_util::service::TowerToHyperService::new(service);
        let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let open = open_tx.clone();
        let stopping = stopping_rx.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            // Errors (a client gone, a head too slow) end only this connection.
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stopped(stopping) => {
                    // Finish the request in progress, take no other on this connection.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(place);
            drop(open);
        });
    }
    drop(listener);
    let _ = stopping_tx.send(true);
    drop(open_tx);
    // Every connection's sender dropped: `recv` ends with `None`.
    let _ = tokio::time::timeout(grace, open_rx.recv()).await;
    Ok(())
}

/// Completes once the loop says it is stopping.
async fn stopped(mut stopping: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *stopping.borrow_and_update() {
            return;
        }
        if stopping.changed().await.is_err() {
            // The loop is gone without saying so: nothing more will come.
            return std::future::pending().await;
        }
    }
}
