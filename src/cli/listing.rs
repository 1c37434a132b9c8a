//! `hirechat conversations` and `hirechat messages`.

use std::path::Path;

use super::{
    backend::{Backend, CliError},
    output,
};
use crate::{
    config::Config,
    engine::{Request, Response},
};

pub async fn conversations(
    config: &Config,
    data_dir: &Path,
    view: Option<String>,
    filter: Option<String>,
    json: bool,
    limit: Option<usize>,
) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    if let Some(v) = &view {
        let Response::Views { views } = backend.call(Request::Views).await? else {
            return Err(CliError::Other("unexpected answer".into()));
        };
        if !views.iter().any(|x| !x.name.is_empty() && x.name == *v) {
            let names: Vec<&str> = views
                .iter()
                .filter(|x| !x.name.is_empty())
                .map(|x| x.name.as_str())
                .collect();
            return Err(CliError::BadInput(format!(
                "no view {v:?}: the views are {}",
                names.join(", ")
            )));
        }
    }
    let filter = view.or(filter);
    let filtered = filter.is_some();
    let request = Request::Conversations {
        offset: 0,
        limit,
        filter,
    };
    let Response::Conversations { conversations, .. } = backend.call(request).await? else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if json {
        output::json(&conversations);
    } else {
        output::conversations_table(&conversations, chrono::Utc::now(), filtered);
    }
    Ok(())
}

pub async fn messages(
    config: &Config,
    data_dir: &Path,
    with: String,
    json: bool,
    limit: Option<usize>,
) -> Result<(), CliError> {
    let mut backend = Backend::connect(config, data_dir, None).await?;
    let Response::Messages {
        conversation,
        messages,
        events,
        ..
    } = backend.call(Request::Messages { with, limit }).await?
    else {
        return Err(CliError::Other("unexpected answer".into()));
    };
    if json {
        // Each message with its file, where it has one: kind, type, size, checksum, name,
        // state and where it is kept.
        let media = data_dir.join("media");
        let mut items: Vec<(chrono::DateTime<chrono::Utc>, serde_json::Value)> = messages
            .iter()
            .map(|m| {
                let mut v = serde_json::to_value(m).unwrap_or_default();
                if let Some(a) = crate::engine::api::AttachmentView::of(m, &media) {
                    v["attachment"] = serde_json::to_value(a).unwrap_or_default();
                }
                (m.at, v)
            })
            .collect();
        // The trail among them by time, each `"type": "event"` with what happened, who and
        // when, and the sentence the chat shows.
        let first = messages.first().map(|m| m.at);
        for e in events.iter().filter(|e| first.is_none_or(|f| e.at >= f)) {
            let mut v = serde_json::to_value(e).unwrap_or_default();
            v["type"] = "event".into();
            v["text"] = e.sentence(&chrono::Utc).into();
            items.push((e.at, v));
        }
        items.sort_by_key(|(at, _)| *at);
        output::json(&items.into_iter().map(|(_, v)| v).collect::<Vec<_>>());
    } else {
        output::messages_table(&conversation, &messages, &events);
    }
    Ok(())
}
