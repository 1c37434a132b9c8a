//! The daemon as an attacker or a careless operator meets it: connections that send nothing or
//! half a request, SIGTERM with a client stuck mid-body, a process out of file descriptors,
//! files others could read, socket lines of any length or not UTF-8, webhooks for another
//! number, dates far in the future, one very large delivery, and a full disk.
#![allow(
    clippy::unwrap_used,
    reason = "helpers panic on what a test did not expect, as the tests do"
)]

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    os::unix::{fs::PermissionsExt, net::UnixStream},
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use common::{
    APP_SECRET, TempDir,
    daemon::{Daemon, free_port, run, text, write_config_full},
};
use hirechat::whatsapp::signature;

const WABA: &str = "102290129340398";
const NUMBER_ID: &str = "106540352242922";

/// A delivery of `count` text messages from `count` contacts, dated `timestamp`.
fn delivery(waba: &str, number_id: &str, first: usize, count: usize, timestamp: i64) -> Vec<u8> {
    let contacts: Vec<String> = (first..first + count)
        .map(|i| format!(r#"{{"profile":{{"name":"Candidate {i}"}},"wa_id":"8190{i:08}"}}"#))
        .collect();
    let messages: Vec<String> = (first..first + count)
        .map(|i| {
            format!(
                r#"{{"from":"8190{i:08}","id":"wamid.HARD{i:08}","timestamp":"{timestamp}","type":"text","text":{{"body":"I would like to apply for the designer opening, message {i}"}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{waba}","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"81312345678","phone_number_id":"{number_id}"}},"contacts":[{}],"messages":[{}]}}}}]}}]}}"#,
        contacts.join(","),
        messages.join(",")
    )
    .into_bytes()
}

/// Posts a signed body with a plain HTTP/1.1 request; returns the status code.
fn post(port: u16, body: &[u8]) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let sig = signature::sign(APP_SECRET, body);
    write!(
        s,
        "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Hub-Signature-256: {sig}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// `GET path`: the status and the body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    (status, body)
}

#[test]
fn healthz_tells_monitoring_how_the_writer_and_the_outbox_are() {
    let dir = TempDir::new("healthz");
    let (daemon, port) = daemon(dir.path(), "");
    assert_eq!(
        post(port, &delivery(WABA, NUMBER_ID, 1, 1, 1_767_225_600)),
        200
    );
    // A reply that cannot leave (the API is unreachable) waits in the outbox.
    let sent = common::daemon::run(
        dir.path(),
        &["send", "--to", "+819000000001", "--text", "hello"],
    );
    assert!(sent.status.code().is_some(), "{sent:?}");
    let (status, body) = get(port, "/healthz");
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["writer"], "ok");
    assert_eq!(health["outbox"]["pending"], 0, "{body}");
    assert_eq!(health["outbox"]["uncertain"], 0, "{body}");
    assert_eq!(health["dead_letters"], 0);
    assert!(!body.contains(common::TOKEN) && !body.contains(APP_SECRET));
    daemon.terminate();
}

/// How long until the server closes `s` (reading whatever it answers), at most `limit`.
fn closed_after(s: &mut TcpStream, limit: Duration) -> Option<(Duration, String)> {
    let start = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some((start.elapsed(), text(&got))),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some((start.elapsed(), text(&got)));
            }
            Err(_) => return None,
        }
    }
}

fn conversations(dir: &Path) -> Vec<serde_json::Value> {
    let out = run(dir, &["conversations", "--json", "--limit", "100000"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A daemon with no Cloud API behind it (sends are not part of these tests).
fn daemon(dir: &Path, webhook: &str) -> (Daemon, u16) {
    let port = free_port();
    write_config_full(dir, "http://127.0.0.1:9", port, webhook, "");
    (Daemon::start(dir), port)
}

#[test]
fn idle_half_sent_and_slow_clients_are_cut_off_and_the_daemon_goes_on() {
    let dir = TempDir::new("timeouts");
    let (_daemon, port) = daemon(dir.path(), "header_timeout_secs = 1\nbody_timeout_secs = 1");
    // Nothing at all.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Half the headers.
    let mut half_headers = TcpStream::connect(("127.0.0.1", port)).unwrap();
    half_headers
        .write_all(b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
        .unwrap();
    // Headers, then half the body.
    let mut half_body = TcpStream::connect(("127.0.0.1", port)).unwrap();
    half_body
        .write_all(
            b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"object\":",
        )
        .unwrap();
    for (name, s) in [
        ("idle", &mut idle),
        ("half headers", &mut half_headers),
        ("half body", &mut half_body),
    ] {
        let (after, answer) = closed_after(s, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("{name}: still open after 10 s"));
        assert!(
            after < Duration::from_secs(4),
            "{name}: closed after {after:?}"
        );
        if name == "half body" {
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
        }
    }
    assert_eq!(
        post(port, &delivery(WABA, NUMBER_ID, 1, 1, 1_767_225_600)),
        200
    );
    assert_eq!(conversations(dir.path()).len(), 1);
}

#[test]
fn sigterm_ends_in_bounded_time_with_a_client_stuck_mid_body() {
    let dir = TempDir::new("sigterm");
    let (daemon, port) = daemon(
        dir.path(),
        "header_timeout_secs = 60\nbody_timeout_secs = 60\nshutdown_grace_secs = 1",
    );
    let mut stuck = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stuck
        .write_all(b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{")
        .unwrap();
    let _idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    daemon.terminate();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "SIGTERM took {:?}",
        start.elapsed()
    );
}

#[test]
fn out_of_file_descriptors_the_daemon_slows_down_instead_of_spinning() {
    let dir = TempDir::new("fds");
    let port = free_port();
    write_config_full(
        dir.path(),
        "http://127.0.0.1:9",
        port,
        "header_timeout_secs = 2",
        "",
    );
    // A low limit, as a careless service file would set: the connections below exhaust it.
    let daemon = Daemon::start_after(dir.path(), "ulimit -n 64");
    let flood: Vec<TcpStream> = (0..150)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    std::thread::sleep(Duration::from_secs(4));
    let log = std::fs::metadata(dir.path().join("data/hirechat.log")).map_or(0, |m| m.len());
    assert!(log < 64 * 1024, "the log grew to {log} bytes");
    drop(flood);
    // Once the clients are gone (or cut off), webhooks and the team's socket work again.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut status = 0;
    while Instant::now() < deadline && status != 200 {
        status = post(port, &delivery(WABA, NUMBER_ID, 1, 1, 1_767_225_600));
    }
    assert_eq!(status, 200);
    assert_eq!(conversations(dir.path()).len(), 1);
    drop(daemon);
}

#[test]
fn what_hirechat_writes_is_its_users_alone_whatever_the_umask() {
    let dir = TempDir::new("modes");
    let port = free_port();
    write_config_full(dir.path(), "http://127.0.0.1:9", port, "", "");
    let config = dir.path().join("config.toml");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut daemon = Daemon::start_after(dir.path(), "umask 022");
    assert_eq!(
        post(port, &delivery(WABA, NUMBER_ID, 1, 1, 1_767_225_600)),
        200
    );
    let data = dir.path().join("data");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&data.join("hirechat.sock")),
        0o660,
        "the team's socket"
    );
    // The CLI warns about the config too, naming the fix.
    let out = run(dir.path(), &["conversations"]);
    let warned = text(&out.stderr);
    assert!(
        warned.contains("config.toml")
            && warned.contains("chmod 600")
            && warned.contains("access token"),
        "{warned}"
    );
    let mut stderr = daemon.0.stderr.take().unwrap();
    daemon.terminate();
    let mut said = String::new();
    stderr.read_to_string(&mut said).unwrap();
    assert!(said.contains("chmod 600"), "serve said {said:?}");
    assert_eq!(mode(&data), 0o700, "the data directory");
    assert_eq!(mode(&data.join("hirechat.log")), 0o600, "the log");
    let mut checked = 0;
    let mut stack = vec![data.join("db")];
    while let Some(p) = stack.pop() {
        let m = mode(&p);
        if p.is_dir() {
            assert_eq!(m, 0o700, "{}", p.display());
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            assert_eq!(m, 0o600, "{}", p.display());
            checked += 1;
        }
    }
    assert!(checked > 0, "the database has files");
    // A private config is not warned about.
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(dir.path(), &["conversations"]);
    assert!(
        !text(&out.stderr).contains("chmod"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_socket_refuses_endless_lines_and_answers_bytes_that_are_not_text() {
    let dir = TempDir::new("socket-limits");
    let (daemon, _port) = daemon(dir.path(), "");
    let socket = dir.path().join("data/hirechat.sock");
    let before = daemon.memory_kb("VmRSS");
    daemon.reset_peak();
    let mut s = UnixStream::connect(&socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let chunk = vec![b'a'; 1024 * 1024];
    let mut written = 0u64;
    // A gigabyte without a newline; the daemon answers and hangs up long before.
    while written < 1024 * 1024 * 1024 {
        if s.write_all(&chunk).is_err() {
            break;
        }
        written += chunk.len() as u64;
    }
    assert!(
        written < 64 * 1024 * 1024,
        "the daemon read {written} bytes"
    );
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(
        answer.contains("bad_input") && answer.contains("at most"),
        "{answer:?}"
    );
    let peak = daemon.memory_kb("VmHWM");
    assert!(
        peak < before + 16 * 1024,
        "memory went from {before} kB to {peak} kB"
    );
    // Not UTF-8: an answer, not a silent hang-up; the session goes on.
    let mut s = UnixStream::connect(&socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"{\"cmd\":\"whoami\",\"x\":\"\xff\xfe\"}\n{\"cmd\":\"whoami\"}\n")
        .unwrap();
    let mut lines = std::io::BufReader::new(s);
    let mut first = String::new();
    std::io::BufRead::read_line(&mut lines, &mut first).unwrap();
    assert!(first.contains("bad_input"), "{first:?}");
    let mut second = String::new();
    std::io::BufRead::read_line(&mut lines, &mut second).unwrap();
    assert!(second.contains("\"actor\""), "{second:?}");
}

#[test]
fn webhooks_for_another_number_or_account_are_not_mixed_in() {
    let dir = TempDir::new("foreign");
    let (daemon, port) = daemon(dir.path(), "");
    assert_eq!(
        post(
            port,
            &delivery(WABA, "999999999999999", 1, 1, 1_767_225_600)
        ),
        200
    );
    assert_eq!(
        post(
            port,
            &delivery("555555555555555", NUMBER_ID, 2, 1, 1_767_225_600)
        ),
        200
    );
    assert!(conversations(dir.path()).is_empty(), "nothing in the inbox");
    assert_eq!(
        post(port, &delivery(WABA, NUMBER_ID, 3, 1, 1_767_225_600)),
        200
    );
    assert_eq!(conversations(dir.path()).len(), 1);
    // An error WhatsApp reports about the account, not one message, is kept to be seen too.
    let reported = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{WABA}","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"{NUMBER_ID}"}},"errors":[{{"code":131000,"title":"Something went wrong","message":"Something went wrong","error_data":{{"details":"The business number is restricted"}}}}]}}}}]}}]}}"#
    );
    assert_eq!(post(port, reported.as_bytes()), 200);
    let out = run(dir.path(), &["doctor"]);
    let said = text(&out.stdout);
    // No Cloud API answers in this test: doctor says so, exits 1, and reports the rest.
    assert_eq!(out.status.code(), Some(1), "{said}{}", text(&out.stderr));
    for expected in [
        "fail  token",
        "could not be reached",
        "ok    database     takes writes",
        // A fresh store: small, never compacted, nothing to suggest.
        "ok    db size      ",
        "MB on disk (never compacted)",
        "Dead letters (deliveries kept whole because part of them was not taken): 3",
        "for phone number id 999999999999999",
        "for business account 555555555555555",
        "WhatsApp reported error 131000: The business number is restricted",
        "since the daemon started: 2",
    ] {
        assert!(said.contains(expected), "missing {expected:?} in:\n{said}");
    }
    daemon.terminate();
    let store = hirechat::store::Store::open(&dir.path().join("data"), 8).unwrap();
    assert_eq!(
        store.dead_letters().unwrap().len(),
        3,
        "kept for a person to look at"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_says_plainly_when_the_daemon_died_after_queueing() {
    let dir = TempDir::new("lost-daemon");
    // A Cloud API that takes the connection and never answers: the send stays in flight.
    let api = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api_base = format!("http://{}", api.local_addr().unwrap());
    let (reached, attempt) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in api.incoming().flatten() {
            let _ = reached.send(());
            held.push(s);
        }
    });
    let port = free_port();
    write_config_full(dir.path(), &api_base, port, "", "");
    let mut daemon = Daemon::start(dir.path());
    let now = chrono::Utc::now().timestamp();
    assert_eq!(post(port, &delivery(WABA, NUMBER_ID, 1, 1, now)), 200);
    let send = common::daemon::command(
        dir.path(),
        &["send", "--to", "+819000000001", "--text", "See you at 10"],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    attempt
        .recv_timeout(Duration::from_secs(20))
        .expect("the daemon starts sending");
    std::thread::sleep(Duration::from_millis(200));
    daemon.0.kill().unwrap();
    let out = send.wait_with_output().unwrap();
    let said = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{said}");
    assert!(
        said.contains("not confirmed") && said.contains("do not send it again"),
        "{said}"
    );
    let queued: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        said.contains(&format!("message {}", queued["id"])),
        "{said}"
    );
}

#[test]
fn a_message_dated_in_the_future_is_taken_as_arriving_now() {
    let dir = TempDir::new("future");
    let (_daemon, port) = daemon(dir.path(), "");
    // 1 January 2200.
    assert_eq!(
        post(port, &delivery(WABA, NUMBER_ID, 1, 1, 7_258_118_400)),
        200
    );
    let list = conversations(dir.path());
    let expires: chrono::DateTime<chrono::Utc> = list[0]["window_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let hours = (expires - chrono::Utc::now()).num_hours();
    assert!((23..=24).contains(&hours), "the window closes in {hours} h");
}

#[test]
fn one_large_delivery_costs_well_under_a_hundred_megabytes() {
    let dir = TempDir::new("large");
    let (daemon, port) = daemon(dir.path(), "");
    let body = delivery(WABA, NUMBER_ID, 0, 14_000, 1_767_225_600);
    assert!(body.len() > 3_000_000, "{} bytes", body.len());
    // Warm up: the first writes size sled's caches.
    assert_eq!(
        post(
            port,
            &delivery(WABA, NUMBER_ID, 100_000, 200, 1_767_225_600)
        ),
        200
    );
    let before = daemon.memory_kb("VmRSS");
    daemon.reset_peak();
    assert_eq!(post(port, &body), 200);
    let peak = daemon.memory_kb("VmHWM");
    println!(
        "a {} byte delivery of 14,000 messages: {before} kB before, {peak} kB at the peak (+{} MB)",
        body.len(),
        (peak - before) / 1024
    );
    assert!(
        peak - before < 100 * 1024,
        "the peak grew by {} MB",
        (peak - before) / 1024
    );
    assert_eq!(conversations(dir.path()).len(), 14_200);
}

// Of those 55 MB or so, about 49 MB are the cost of storing 14,000 new conversations at all
// (measured: the same messages in 28 deliveries of 500 peak at that); reading the one large
// delivery adds the rest.

/// Unmounts a test's tmpfs when dropped.
struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Root only: a small tmpfs as the data directory, filled up, then freed.
#[test]
fn after_a_full_disk_the_daemon_takes_webhooks_again_without_a_restart() {
    if hirechat::server::peer::current_uid() != Some(0) {
        println!("skipped: mounting a small tmpfs needs root");
        return;
    }
    let dir = TempDir::new("full-disk");
    let mount = dir.path().join("data");
    std::fs::create_dir_all(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=24m", "tmpfs"])
        .arg(&mount)
        .status();
    if !mounted.is_ok_and(|s| s.success()) {
        println!("skipped: this machine does not let even root mount a tmpfs");
        return;
    }
    let _unmount = Unmount(mount.clone());
    let (daemon, port) = daemon(dir.path(), "");
    assert_eq!(
        post(port, &delivery(WABA, NUMBER_ID, 1, 1, 1_767_225_600)),
        200
    );
    // Fill the disk.
    let filler = mount.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let block = vec![0u8; 64 * 1024];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
    let mut refused = 0;
    for i in 0..20 {
        let status = post(
            port,
            &delivery(WABA, NUMBER_ID, 10 + i * 50, 50, 1_767_225_600),
        );
        assert!(matches!(status, 200 | 503), "status {status}");
        if status == 503 {
            refused += 1;
        }
    }
    assert!(
        refused > 0,
        "a full disk refuses webhooks (503: Meta delivers them again)"
    );
    drop(f);
    std::fs::remove_file(&filler).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut status = 0;
    while Instant::now() < deadline && status != 200 {
        std::thread::sleep(Duration::from_millis(200));
        status = post(port, &delivery(WABA, NUMBER_ID, 5000, 1, 1_767_225_600));
    }
    assert_eq!(status, 200, "webhooks are stored again, without a restart");
    assert_eq!(get(port, "/healthz").0, 200, "and the health check says so");
    let list = conversations(dir.path());
    assert!(
        list.iter().any(|c| c["wa_id"] == "819000005000"),
        "the new delivery is listed"
    );
    daemon.terminate();
}
