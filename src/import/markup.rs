//! Rasa's entity markup in example texts (`[Berlin](city)`,
//! `[Berlin]{"entity": "city", "value": "BER"}`), read as the plain text the user
//! would type, with the entities noted.
//!
//! Complexity: linear in the text's length (each `[` looks ahead once for its `]`).

/// An entity annotation found in an example: the annotated text and the entity name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityMention {
    /// The annotated text, as it reads in the example.
    pub text: String,
    /// The entity name (`city`).
    pub entity: String,
}

/// The example as plain text, and the entities its markup annotates. Text in brackets
/// not followed by `(entity)` or `{...}` is kept as written.
///
/// ```
/// use handoff::import::strip_entity_markup;
/// let (text, entities) = strip_entity_markup(r#"fly to [Berlin](city) from [NYC]{"entity": "city", "value": "New York"}"#);
/// assert_eq!(text, "fly to Berlin from NYC");
/// assert_eq!(entities[0].entity, "city");
/// assert_eq!(entities[1].text, "NYC");
/// assert_eq!(strip_entity_markup("[sic] as written").0, "[sic] as written");
/// ```
pub fn strip_entity_markup(example: &str) -> (String, Vec<EntityMention>) {
    let mut out = String::with_capacity(example.len());
    let mut entities = Vec::new();
    let mut rest = example;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match annotation(after) {
            Some((text, entity, used)) => {
                out.push_str(text);
                entities.push(EntityMention {
                    text: text.to_string(),
                    entity,
                });
                rest = &after[used..];
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, entities)
}

/// After a `[`: the annotated text, the entity name and the bytes the annotation
/// takes, when `text](entity)` or `text]{json}` follows.
fn annotation(after: &str) -> Option<(&str, String, usize)> {
    let close = after.find(']')?;
    let text = &after[..close];
    if text.contains('[') {
        return None;
    }
    let tail = &after[close + 1..];
    if let Some(inner) = tail.strip_prefix('(') {
        let end = inner.find(')')?;
        // `(entity)`, or the older `(entity:value)`.
        let entity = inner[..end].split(':').next().unwrap_or("").trim();
        if entity.is_empty() || entity.contains(char::is_whitespace) {
            return None;
        }
        return Some((text, entity.to_string(), close + 1 + 1 + end + 1));
    }
    if tail.starts_with('{') {
        let end = tail.find('}')?;
        let json: serde_json::Value = serde_json::from_str(&tail[..=end]).ok()?;
        let entity = json.get("entity")?.as_str()?.to_string();
        return Some((text, entity, close + 1 + end + 1));
    }
    None
}
