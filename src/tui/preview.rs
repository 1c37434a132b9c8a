//! Images previewed inside the terminal (`[attachments] previews`): decoded off the screen's
//! path, fitted to the cells they will take, and encoded once for the terminal's graphics
//! protocol (sixel, kitty, iTerm2) or as half blocks where it has none (`ratatui-image`).
//! Drawing then only copies what was prepared.

use std::io::Cursor;

use ratatui::layout::Size;
use ratatui_image::{
    FontSize, Resize,
    picker::{Picker, ProtocolType},
    protocol::Protocol,
};

use crate::config::Graphics;

/// The largest image decoded for a preview, in pixels each way.
const MAX_SIDE: u32 = 12_000;
/// The most memory a decode may take.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// An image ready to draw.
pub struct PreviewImage {
    /// The file (its message's id).
    pub id: u64,
    pub protocol: Protocol,
}

impl std::fmt::Debug for PreviewImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewImage")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Decodes `bytes` and fits the image into `cols`×`rows` cells, for `picker`'s protocol.
pub fn prepare(
    picker: &Picker,
    id: u64,
    bytes: &[u8],
    cols: u16,
    rows: u16,
) -> Result<PreviewImage, String> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("the image cannot be read: {e}"))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| format!("the image cannot be shown: {e}"))?;
    // A small image (an avatar) is scaled up to be seen; a larger one only fitted, so that a
    // graphics protocol does not encode more pixels than the image has.
    let font = picker.font_size();
    let (room_w, room_h) = (
        u32::from(cols) * u32::from(font.width),
        u32::from(rows) * u32::from(font.height),
    );
    let resize = if image.width() * 2 < room_w && image.height() * 2 < room_h {
        Resize::Scale(None)
    } else {
        Resize::Fit(None)
    };
    let protocol = picker
        .new_protocol(image, Size::new(cols.max(1), rows.max(1)), resize)
        .map_err(|e| format!("the image cannot be shown: {e}"))?;
    Ok(PreviewImage { id, protocol })
}

/// How this terminal shows images: as configured, else from what it says of itself in the
/// environment, sized by the pixels the terminal reports for its window. The terminal is not
/// queried: an answer that comes late would be read as keys.
pub fn picker_for_this_terminal(graphics: Graphics) -> Picker {
    let wanted = match graphics {
        Graphics::Auto => from_environment(),
        Graphics::Halfblocks => ProtocolType::Halfblocks,
        Graphics::Sixel => ProtocolType::Sixel,
        Graphics::Kitty => ProtocolType::Kitty,
        Graphics::Iterm2 => ProtocolType::Iterm2,
    };
    match (wanted, cell_pixels()) {
        (ProtocolType::Halfblocks, _) | (_, None) => Picker::halfblocks(),
        (protocol, Some(font)) => {
            #[expect(
                deprecated,
                reason = "the font size is known from the window's pixels, without a query"
            )]
            let mut picker = Picker::from_fontsize(font);
            picker.set_protocol_type(protocol);
            picker
        }
    }
}

/// What the environment says of the terminal.
fn from_environment() -> ProtocolType {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let (term, program) = (var("TERM"), var("TERM_PROGRAM"));
    // Inside tmux the outer terminal is not known for sure, and passing images through
    // needs tmux's consent: half blocks always work.
    if term.starts_with("tmux") || program == "tmux" || !var("TMUX").is_empty() {
        return ProtocolType::Halfblocks;
    }
    if term.contains("kitty") || program == "ghostty" || !var("KITTY_WINDOW_ID").is_empty() {
        ProtocolType::Kitty
    } else if ["iTerm", "WezTerm", "mintty", "vscode", "Tabby", "rio"]
        .iter()
        .any(|p| program.contains(p))
        || var("LC_TERMINAL").contains("iTerm")
    {
        ProtocolType::Iterm2
    } else if term.starts_with("foot") || term.starts_with("mlterm") || program.contains("contour")
    {
        ProtocolType::Sixel
    } else {
        ProtocolType::Halfblocks
    }
}

/// A cell's size in pixels, from the window's size in cells and in pixels (when the terminal
/// reports pixels at all).
fn cell_pixels() -> Option<FontSize> {
    let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
    if size.ws_col == 0 || size.ws_row == 0 || size.ws_xpixel == 0 || size.ws_ypixel == 0 {
        return None;
    }
    Some(FontSize::new(
        size.ws_xpixel / size.ws_col,
        size.ws_ypixel / size.ws_row,
    ))
}
