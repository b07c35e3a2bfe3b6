//! What the desktop end-to-end test and the window cold-start benchmark share: Xvfb and
//! tauri-driver started (or a clear skip when they are missing), a WebDriver session on the
//! real built app, and waits that read the DOM.

#![allow(dead_code)] // each user takes what it needs

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn which(tool: &str) -> Option<PathBuf> {
    let home_bin = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin").join(tool));
    std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(tool))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain(home_bin)
        .find(|p| p.is_file())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn screens_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-screens");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Xvfb (when there is no display) and tauri-driver, or None when the tools are missing.
pub struct Driver {
    pub port: u16,
    /// The app's Downloads folder (named in a user-dirs.dirs under a private XDG_CONFIG_HOME,
    /// as a desktop session names it), where Save a copy writes.
    pub downloads: PathBuf,
    _config: tempfile::TempDir,
    _xvfb: Option<Killed>,
    _driver: Killed,
}

pub fn driver() -> Option<Driver> {
    let required = std::env::var("HOLDFAST_REQUIRE_E2E").as_deref() == Ok("1");
    let missing: Vec<&str> = ["tauri-driver", "WebKitWebDriver"]
        .into_iter()
        .filter(|t| which(t).is_none())
        .chain((std::env::var_os("DISPLAY").is_none() && which("Xvfb").is_none()).then_some("Xvfb"))
        .collect();
    if !missing.is_empty() {
        assert!(!required, "HOLDFAST_REQUIRE_E2E=1 but missing: {missing:?}");
        eprintln!("skipped: missing {missing:?}");
        return None;
    }
    let mut display = std::env::var("DISPLAY").ok();
    let xvfb = if display.is_none() {
        let d = format!(":{}", 90 + free_port() % 400);
        let child = Command::new(which("Xvfb").unwrap())
            .args([&d, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(800));
        display = Some(d);
        Some(Killed(child))
    } else {
        None
    };
    let config = tempfile::tempdir().unwrap();
    let downloads = config.path().join("Downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    std::fs::write(
        config.path().join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )
    .unwrap();
    let port = free_port();
    let native = free_port();
    let child = Command::new(which("tauri-driver").unwrap())
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", display.unwrap())
        .env("XDG_CONFIG_HOME", config.path())
        // The webview's storage (localStorage: the idle-lock and import-zone settings) starts
        // empty each run, as on a new machine.
        .env("XDG_DATA_HOME", config.path().join("data"))
        .env("XDG_CACHE_HOME", config.path().join("cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Driver {
        port,
        downloads,
        _config: config,
        _xvfb: xvfb,
        _driver: Killed(child),
    })
}

pub async fn session(d: &Driver, archive: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({
            "application": env!("CARGO_BIN_EXE_holdfast-desktop"),
            "args": ["--archive", archive.to_str().unwrap()],
        }),
    );
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("WebDriver session")
}

/// Opens a screen from the navigation rail.
pub async fn go(c: &Client, screen: &str) {
    css(c, &format!("nav [data-screen=\"{screen}\"]"))
        .await
        .click()
        .await
        .unwrap();
}

pub async fn shot(c: &Client, name: &str) {
    // Under Xvfb the window repaints a moment after the DOM changes: let it, so the picture
    // shows what the assertions just saw.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let png = c.screenshot().await.unwrap();
    std::fs::write(screens_dir().join(format!("{name}.png")), png).unwrap();
}

pub async fn css(c: &Client, sel: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(sel))
        .await
        .unwrap_or_else(|e| panic!("{sel}: {e}"))
}

/// Waits until `sel`'s attribute `attr` equals `want`.
pub async fn wait_attr(c: &Client, sel: &str, attr: &str, want: &str) {
    let mut last = None;
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(sel)).await {
            last = e.attr(attr).await.ok().flatten();
            if last.as_deref() == Some(want) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{sel} [{attr}] is {last:?}, not {want:?}");
}

/// An element's `textContent` (WebKitWebDriver's rendered-text command returns "" for some
/// visible elements under Xvfb, so the DOM is asked directly).
pub async fn text_of(c: &Client, sel: &str) -> String {
    css(c, sel).await;
    dom_text(c, sel).await.unwrap_or_default()
}

pub async fn dom_text(c: &Client, sel: &str) -> Option<String> {
    c.execute(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
        vec![json!(sel)],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
}

/// Waits until `sel`'s text satisfies `ok` (the UI updates asynchronously).
pub async fn wait_text(c: &Client, sel: &str, ok: impl Fn(&str) -> bool) -> String {
    let mut last = None;
    for _ in 0..100 {
        if let Some(t) = dom_text(c, sel).await {
            if ok(&t) {
                return t;
            }
            last = Some(t);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    shot(c, "failure").await;
    panic!(
        "{sel} never showed the expected text (last: {last:?}); see target/e2e-screens/failure.png"
    );
}
