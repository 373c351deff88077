//! The reload socket that Leptos's `<AutoReload/>` script connects to, at
//! `ws://<host>:<LEPTOS_RELOAD_PORT>/live_reload`. `make dev` sends it what
//! that script understands: `{"all":true}` reloads the page, and
//! `{"css":"pkg/blog.css"}` swaps the stylesheet in place.

use anyhow::{Context, Result};
use std::{
    net::{SocketAddr, TcpListener, TcpStream},
    sync::{Arc, Mutex},
    thread,
    time::Duration,
};
use tungstenite::{Message, WebSocket};

pub struct ReloadSocket {
    pages: Arc<Mutex<Vec<WebSocket<TcpStream>>>>,
}

impl ReloadSocket {
    /// Listens on `addr`, accepting the open pages on a thread of its own.
    pub fn bind(addr: SocketAddr) -> Result<ReloadSocket> {
        let listener = TcpListener::bind(addr)
            .with_context(|| format!("binding the reload socket to {addr} (set LEPTOS_RELOAD_PORT to use another port)"))?;
        let pages = Arc::new(Mutex::new(Vec::new()));
        let accepted = pages.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                // A client that never finishes its handshake must not stall the others.
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                if let Ok(page) = tungstenite::accept(stream) {
                    let mut pages = accepted.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    pages.push(page);
                    eprintln!("dev: a page connected to the reload socket ({} open)", pages.len());
                }
            }
        });
        Ok(ReloadSocket { pages })
    }

    pub fn reload_pages(&self) {
        self.send(r#"{"all":true}"#);
    }

    /// `href` as the page links it, without the leading slash: `pkg/blog.css`.
    pub fn swap_stylesheet(&self, href: &str) {
        self.send(&serde_json::json!({ "css": href }).to_string());
    }

    /// Sends to every open page; a page that has gone (closed, reloaded) is dropped.
    fn send(&self, message: &str) {
        let mut pages = self.pages.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        pages.retain_mut(|page| page.send(Message::text(message)).is_ok());
    }
}
