//! `POST /{phone-number-id}/media`, as Meta takes an upload: a multipart form with
//! `messaging_product=whatsapp`, `type=<mime>` and the `file` part; the answer is
//! `{"id": "<MEDIA_ID>"}`, and the file can then be sent by that id (or read back with
//! `GET /{media-id}`). Every upload is recorded for tests (`Sim::uploads`).

use std::sync::Arc;

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{
    SimState,
    cloud::{graph_error, refuse_caller},
    media::MediaFile,
};

/// The largest body the endpoint reads (WhatsApp's largest file and the form around it).
pub const MAX_UPLOAD: usize = 101 * 1024 * 1024;

/// One part of a multipart form.
struct Part<'a> {
    name: String,
    content_type: Option<String>,
    body: &'a [u8],
}

pub async fn upload(
    State(state): State<Arc<SimState>>,
    Path((_version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_caller(&state, &headers, &phone_number_id) {
        return refusal;
    }
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("multipart/form-data"))
        .and_then(|v| v.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').to_owned());
    let Some(boundary) = boundary else {
        return graph_error(400, 100, "The request must be multipart/form-data");
    };
    let parts = parse(&body, &boundary);
    let field = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| String::from_utf8_lossy(p.body).into_owned())
    };
    let record = json!({
        "messaging_product": field("messaging_product"),
        "type": field("type"),
        "file_type": parts.iter().find(|p| p.name == "file").and_then(|p| p.content_type.clone()),
        "size": parts.iter().find(|p| p.name == "file").map(|p| p.body.len()),
        "sha256": parts.iter().find(|p| p.name == "file").map(|p| hex::encode(Sha256::digest(p.body))),
    });
    state.uploads.lock().expect("sim lock").push(record);
    if field("messaging_product").as_deref() != Some("whatsapp") {
        return graph_error(400, 100, "The parameter messaging_product is required");
    }
    let Some(mime_type) = field("type").filter(|t| !t.is_empty()) else {
        return graph_error(400, 100, "The parameter type is required");
    };
    let Some(file) = parts.iter().find(|p| p.name == "file") else {
        return graph_error(400, 100, "The parameter file is required");
    };
    let id = state.next_media_id();
    state.media.lock().expect("sim lock").insert(
        id.clone(),
        MediaFile {
            bytes: file.body.to_vec(),
            mime_type,
            ..MediaFile::default()
        },
    );
    Json(json!({ "id": id })).into_response()
}

/// The parts of a multipart body (RFC 7578), loosely: enough for a simulator.
fn parse<'a>(body: &'a [u8], boundary: &str) -> Vec<Part<'a>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut parts = Vec::new();
    let mut rest = body;
    let Some(start) = find(rest, delimiter) else {
        return parts;
    };
    rest = &rest[start + delimiter.len()..];
    while !rest.starts_with(b"--") {
        rest = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        let Some(end) = find(rest, delimiter) else {
            break;
        };
        let part = &rest[..end];
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        if let Some(split) = find(part, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&part[..split]);
            let name = head
                .split("name=\"")
                .nth(1)
                .and_then(|n| n.split('"').next())
                .unwrap_or_default()
                .to_owned();
            let content_type = head.lines().find_map(|l| {
                let (key, value) = l.split_once(':')?;
                key.trim()
                    .eq_ignore_ascii_case("content-type")
                    .then(|| value.trim().to_owned())
            });
            parts.push(Part {
                name,
                content_type,
                body: &part[split + 4..],
            });
        }
        rest = &rest[end + delimiter.len()..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_read_into_its_parts() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n\r\n--XyZ--\r\n";
        let parts = parse(body, "XyZ");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].body, b"whatsapp");
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].content_type.as_deref(), Some("application/pdf"));
        assert_eq!(parts[1].body, b"%PDF-1.7\r\n");
    }
}
