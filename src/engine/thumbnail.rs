//! A small copy of every kept image (at most 800 pixels a side, PNG), made when the file is
//! kept, beside it as `<sha256>.preview`: a preview in the terminal then decodes that instead
//! of a photo of several megapixels.

use std::path::Path;

/// The longest side of a thumbnail, in pixels: enough for a preview on a large terminal.
const SIDE: u32 = 800;

/// The thumbnail's path for the file kept as `sha256` in `dir`.
pub fn path(dir: &Path, sha256: &str) -> std::path::PathBuf {
    dir.join(format!("{sha256}.preview"))
}

/// Makes the thumbnail of the file kept as `sha256` in `dir` when it is a JPEG or PNG image
/// (on a blocking thread); a file that cannot be decoded simply has none.
pub async fn make(dir: &Path, sha256: &str, mime_type: Option<&str>) {
    if !matches!(mime_type, Some("image/jpeg" | "image/png")) {
        return;
    }
    let (source, target) = (dir.join(sha256), path(dir, sha256));
    let made = tokio::task::spawn_blocking(move || make_now(&source, &target)).await;
    if let Ok(Err(e)) = made {
        tracing::info!(error = %e, file = sha256, "no thumbnail for an image");
    }
}

/// Makes the thumbnail of `source` at `target` on this thread.
pub fn make_now(source: &Path, target: &Path) -> Result<(), String> {
    let mut reader = image::ImageReader::open(source)
        .and_then(image::ImageReader::with_guessed_format)
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| e.to_string())?;
    let small = if image.width() > SIDE || image.height() > SIDE {
        image.thumbnail(SIDE, SIDE)
    } else {
        image
    };
    let partial = target.with_extension("partial");
    small
        .save_with_format(&partial, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    std::fs::rename(&partial, target).map_err(|e| e.to_string())
}
