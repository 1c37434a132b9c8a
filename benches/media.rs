//! Files, measured:
//! 1. webhook acknowledgements while documents are fetched: signed deliveries over 32
//!    keep-alive connections, without files, then with one delivery in 20 a 5 MB document
//!    that the engine fetches from the simulator meanwhile (ack p50/p99 of each);
//! 2. the daemon's memory while it downloads a 100 MB document and while it copies and
//!    uploads one (`hirechat serve` as a child process, its peak resident size above what it
//!    held before);
//! 3. an image preview: a 2400×1800 JPEG photo's thumbnail made (once, when it is kept), then
//!    decoded, scaled into the Attachments section's room at 160×45 and encoded (half blocks,
//!    sixel), and the frame drawn.
//!
//! `cargo bench --bench media` (`BENCH_DELIVERIES=N` to change the count of part 1).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops on the first thing that goes wrong"
)]

mod common;

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use common::{percentile, temp_dir};
use hirechat::{
    config::{Config, Secret},
    engine::Engine,
    sim::{Inbound, MediaFile, Sim, SimConfig},
};

const CONCURRENCY: usize = 32;
const SECRET: &str = "bench-secret";
const TOKEN: &str = "bench-token";
const MB: usize = 1024 * 1024;

/// A PDF of `size` bytes.
fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.resize(size, b' ');
    bytes
}

/// Delivery `i`: a text, or (with `document`) a document whose file WhatsApp holds.
fn delivery(i: usize, document: Option<&str>) -> Vec<u8> {
    let message = match document {
        Some(id) => format!(
            r#""type":"document","document":{{"id":"{id}","mime_type":"application/pdf","filename":"cv_{i}.pdf"}}"#
        ),
        None => {
            format!(r#""type":"text","text":{{"body":"Hello, is the role still open? ({i})"}}"#)
        }
    };
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"81312345678","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Candidate {n}"}},"wa_id":"8190{n:08}"}}],"messages":[{{"from":"8190{n:08}","id":"wamid.MEDIA{i:010}","timestamp":"{ts}",{message}}}]}}}}]}}]}}"#,
        n = i % 5000,
        ts = 1_767_225_600 + i
    )
    .into_bytes()
}

async fn sim() -> Sim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    Sim::start(
        listener,
        SimConfig {
            access_token: TOKEN.into(),
            app_secret: SECRET.into(),
            ..SimConfig::default()
        },
    )
    .unwrap()
}

/// Part 1: `bodies` over HTTP to an engine that fetches files from `sim`; deliveries/s, ack
/// latencies in ms, and how long after the last ack every file was kept (then the next run
/// starts with nothing in the background).
async fn acks(bodies: Vec<Vec<u8>>, sim: &Sim) -> (f64, Vec<f64>, f64) {
    let dir = temp_dir("media-ingest");
    let mut config = Config::default();
    config.whatsapp.api_base = sim.api_base();
    config.whatsapp.phone_number_id = "106540352242922".into();
    config.whatsapp.business_account_id = "102290129340398".into();
    config.whatsapp.access_token = Secret::new(TOKEN);
    config.whatsapp.app_secret = Secret::new(SECRET);
    let engine = Engine::start(&config, &dir, true).await.unwrap();
    let url = common::serve_webhooks(&engine, &config).await;
    let (secs, mut lat) = common::post_signed(&url, &bodies, SECRET, CONCURRENCY).await;
    lat.sort_by(f64::total_cmp);
    #[expect(clippy::cast_precision_loss, reason = "counts are small")]
    let per_sec = lat.len() as f64 / secs;
    let acked = Instant::now();
    while !engine.store().fetch_queue().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let kept_after = acked.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(dir);
    (per_sec, lat, kept_after)
}

fn cli(dir: &Path, args: &[&str]) -> std::process::Output {
    common::command(dir).args(args).output().unwrap()
}

/// Part 2: the daemon's peak resident memory above its baseline while it downloads, then
/// copies and uploads, a document of `size` bytes. Returns (baseline, download, upload) MB.
async fn transfers(size: usize) -> (f64, f64, f64) {
    let dir = temp_dir("media-memory");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = Sim::start(
        listener,
        SimConfig {
            access_token: TOKEN.into(),
            app_secret: SECRET.into(),
            webhook_url: Some(format!("http://127.0.0.1:{port}/webhook")),
            status_delays: [Duration::from_millis(20); 3],
            ..SimConfig::default()
        },
    )
    .unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[whatsapp]\napi_base = \"{}\"\nphone_number_id = \"106540352242922\"\nbusiness_account_id = \"102290129340398\"\naccess_token = \"{TOKEN}\"\napp_secret = \"{SECRET}\"\nverify_token = \"v\"\n[webhook]\nlisten = \"127.0.0.1:{port}\"\n[attachments]\ndocument_mb = 100\n",
            sim.api_base()
        ),
    )
    .unwrap();
    let daemon = common::Process::start("serve", &dir);
    // Settled: the store open, the first webhook taken.
    sim.inbound(Inbound {
        from: Some("+819012345678".into()),
        text: Some("hello".into()),
        ..Inbound::default()
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let baseline = daemon.memory_mb("VmRSS");

    let id = sim.add_media(MediaFile {
        bytes: pdf(size),
        mime_type: "application/pdf".into(),
        ..MediaFile::default()
    });
    daemon.reset_peak();
    sim.inbound(Inbound {
        from: Some("+819012345678".into()),
        message: Some(serde_json::json!({"type": "document", "document": {
            "id": id, "mime_type": "application/pdf", "filename": "big.pdf"}})),
        ..Inbound::default()
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = cli(
            &dir,
            &["attachments", "list", "--with", "+819012345678", "--json"],
        );
        let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if list
            .as_array()
            .is_some_and(|a| a.iter().any(|f| f["state"] == "ready"))
        {
            break;
        }
        assert!(Instant::now() < deadline, "the download did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let download = daemon.memory_mb("VmHWM") - baseline;

    let file = dir.join("offer.pdf");
    let mut bytes = pdf(size);
    // Not the same content as the download: a new file to copy.
    bytes[20] = b'x';
    std::fs::write(&file, &bytes).unwrap();
    drop(bytes);
    daemon.reset_peak();
    let out = cli(
        &dir,
        &[
            "send",
            "--to",
            "+819012345678",
            "--attach",
            file.to_str().unwrap(),
            "--wait",
            "120",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sim.uploads().len(), 1);
    let upload = daemon.memory_mb("VmHWM") - baseline;
    drop(daemon);
    let _ = std::fs::remove_dir_all(dir);
    (baseline, download, upload)
}

/// A photo-like JPEG of `w`×`h` (smooth colours and noise, which compresses as photos do).
fn photo(w: u32, h: u32) -> Vec<u8> {
    let mut seed = 7u32;
    let image = image::RgbImage::from_fn(w, h, |x, y| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let noise = u8::try_from(seed >> 28).unwrap_or(0);
        let r = u8::try_from(x * 255 / w).unwrap_or(0);
        let g = u8::try_from(y * 255 / h).unwrap_or(0);
        image::Rgb([r.saturating_add(noise), g, 160u8.saturating_sub(noise)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

/// Part 3: preparing and drawing a preview at 160×45; best and median of `runs`, in ms.
fn previews(runs: usize) {
    use hirechat::tui::{
        app::{App, Connection, Input},
        preview::prepare,
    };
    use ratatui_image::picker::{Picker, ProtocolType};
    let jpeg = photo(2400, 1800);
    let dir = temp_dir("preview");
    let (source, small) = (dir.join("photo"), dir.join("photo.preview"));
    std::fs::write(&source, &jpeg).unwrap();
    let mut thumb_ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        hirechat::engine::thumbnail::make_now(&source, &small).unwrap();
        thumb_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    thumb_ms.sort_by(f64::total_cmp);
    let thumbnail = std::fs::read(&small).unwrap();
    println!(
        "preview: a {} KB 2400×1800 JPEG, into the Attachments section at 160×45; its thumbnail (made once, when the file is kept): {} KB in {:.1} ms (median)",
        jpeg.len() / 1024,
        thumbnail.len() / 1024,
        percentile(&thumb_ms, 0.5)
    );
    let _ = std::fs::remove_dir_all(dir);
    let halfblocks = Picker::halfblocks();
    #[expect(
        deprecated,
        reason = "a fixed cell size, as a terminal would report it"
    )]
    let mut sixel = Picker::from_fontsize((10, 20).into());
    sixel.set_protocol_type(ProtocolType::Sixel);
    for (name, picker) in [("half blocks", &halfblocks), ("sixel", &sixel)] {
        let mut prepare_ms = Vec::new();
        let mut draw_ms = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let image = prepare(picker, 2, &thumbnail, 105, 34).unwrap();
            prepare_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let mut app = App::new(chrono::Utc::now(), Connection::Demo, 160, 45);
            app.file_setup.previews = true;
            app.update(Input::ImagePreview {
                id: 2,
                image: Ok(image),
            });
            let mut terminal =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45)).unwrap();
            let t = Instant::now();
            terminal
                .draw(|f| {
                    // The frame, then the image where the section puts it.
                    hirechat::tui::view::render(&app, f);
                    if let Some(Ok(p)) = app.preview_of(2) {
                        f.render_widget(
                            ratatui_image::Image::new(&p.protocol),
                            ratatui::layout::Rect::new(54, 6, 105, 34),
                        );
                    }
                })
                .unwrap();
            draw_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        prepare_ms.sort_by(f64::total_cmp);
        draw_ms.sort_by(f64::total_cmp);
        println!(
            "  {name:<12} prepare best {:>7.1} ms  median {:>7.1} ms   draw best {:>5.1} ms  median {:>5.1} ms",
            prepare_ms[0],
            percentile(&prepare_ms, 0.5),
            draw_ms[0],
            percentile(&draw_ms, 0.5)
        );
    }
}

/// Part 2, reported.
async fn transfers_report(benching: bool) {
    let size = if benching { 100 * MB } else { 5 * MB };
    let (baseline, download, upload) = transfers(size).await;
    println!(
        "daemon memory, a {} MB document: baseline {baseline:.1} MB; peak above it while downloading {download:.1} MB, while copying and uploading {upload:.1} MB",
        size / MB
    );
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("BENCH_DELIVERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 20_000 } else { 200 });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = sim().await;
        let document = sim.add_media(MediaFile {
            bytes: pdf(5 * MB),
            mime_type: "application/pdf".into(),
            ..MediaFile::default()
        });
        let variants = [("text only", 0), ("1 in 20 a 5 MB document", 20)];
        // `BENCH_ACKS_ONLY=document` (or `text`): that variant once, and nothing else. Without
        // it, each variant runs twice, alternating, each in a process of its own (a run in a
        // process where another ran is slower, whichever the variant).
        let Some(only) = std::env::var("BENCH_ACKS_ONLY").ok() else {
            println!("webhook acks: {n} deliveries, {CONCURRENCY} concurrent, durable before ack");
            for which in ["text", "document", "text", "document"] {
                let status = Command::new(std::env::current_exe().unwrap())
                    .args(std::env::args().skip(1))
                    .env("BENCH_ACKS_ONLY", which)
                    .env("BENCH_DELIVERIES", n.to_string())
                    .status()
                    .unwrap();
                assert!(status.success());
            }
            return transfers_report(benching).await;
        };
        for (name, every) in variants
            .into_iter()
            .filter(|(name, _)| name.contains(&only))
        {
            let bodies = (0..n)
                .map(|i| {
                    let doc = (every > 0 && i % every == 0).then_some(document.as_str());
                    delivery(i, doc)
                })
                .collect();
            let (per_sec, lat, kept_after) = acks(bodies, &sim).await;
            let kept = if every > 0 {
                format!("   files all kept {kept_after:.1} s after the last ack")
            } else {
                String::new()
            };
            println!(
                "  {name:<26} {per_sec:>8.0}/s   ack p50 {:>6.2} ms   p99 {:>6.2} ms{kept}",
                percentile(&lat, 0.5),
                percentile(&lat, 0.99)
            );
        }
    });
    if std::env::var_os("BENCH_ACKS_ONLY").is_none() {
        previews(if benching { 10 } else { 1 });
    }
}
