//! Placeholders in provider request templates: `{identity.KIND}` takes the subject's
//! normalised identity, `{SOURCE.TABLE.COLUMN}` a value found in the subject's rows,
//! `{new.CATEGORY}` (update requests) the corrected value of a category.
//! A leaf: it knows templates, not policies (the policy checks the names they use).

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Placeholder {
    Identity(String),
    /// The corrected value of a data category, in a rectification.
    New(String),
    Column {
        source: String,
        table: String,
        column: String,
    },
}

/// As written in a template: `{identity.phone}`, `{crm.meetings.event_id}`.
impl std::fmt::Display for Placeholder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Placeholder::Identity(kind) => write!(f, "{{identity.{kind}}}"),
            Placeholder::New(category) => write!(f, "{{new.{category}}}"),
            Placeholder::Column {
                source,
                table,
                column,
            } => write!(f, "{{{source}.{table}.{column}}}"),
        }
    }
}

/// A template that cannot be read or filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unmatched `}}}}` in template `{template}`")]
    UnmatchedClose { template: String },
    #[error("unclosed `{{{{` in template `{template}`")]
    Unclosed { template: String },
    #[error(
        "placeholder `{{{inner}}}` in `{template}`: write {{identity.KIND}}, {{SOURCE.TABLE.COLUMN}} or {{new.CATEGORY}}"
    )]
    Placeholder { inner: String, template: String },
    #[error("no value for {placeholder} in `{template}`")]
    NoValue {
        placeholder: String,
        template: String,
    },
}

/// The placeholders of a template, in order of appearance; `{{` and `}}` are literal braces.
pub fn placeholders(template: &str) -> Result<Vec<Placeholder>, TemplateError> {
    let mut found = Vec::new();
    for piece in pieces(template)? {
        if let Piece::Placeholder(p) = piece {
            found.push(p);
        }
    }
    Ok(found)
}

enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Placeholder(Placeholder),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        out.push(Piece::Text(&rest[..open]));
        let brace = rest.as_bytes()[open] as char;
        let after = &rest[open + 1..];
        if after.starts_with(brace) {
            out.push(Piece::Brace(brace));
            rest = &after[1..];
            continue;
        }
        if brace == '}' {
            return Err(TemplateError::UnmatchedClose {
                template: template.to_string(),
            });
        }
        let close = after.find('}').ok_or_else(|| TemplateError::Unclosed {
            template: template.to_string(),
        })?;
        out.push(Piece::Placeholder(parse_placeholder(
            &after[..close],
            template,
        )?));
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

fn parse_placeholder(inner: &str, template: &str) -> Result<Placeholder, TemplateError> {
    let parts: Vec<&str> = inner.split('.').collect();
    match parts.as_slice() {
        ["identity", kind] if !kind.is_empty() => Ok(Placeholder::Identity(kind.to_string())),
        ["new", category @ ..]
            if !category.is_empty() && category.iter().all(|p| !p.is_empty()) =>
        {
            Ok(Placeholder::New(category.join(".")))
        }
        [source, table, column] if parts.iter().all(|p| !p.is_empty()) => Ok(Placeholder::Column {
            source: source.to_string(),
            table: table.to_string(),
            column: column.to_string(),
        }),
        _ => Err(TemplateError::Placeholder {
            inner: inner.to_string(),
            template: template.to_string(),
        }),
    }
}

/// Fills a template, passing each value through `encode` (URL-encoding for paths and
/// queries, JSON-escaping for bodies).
pub fn render(
    template: &str,
    value_of: impl Fn(&Placeholder) -> Option<String>,
    encode: impl Fn(&str) -> String,
) -> Result<String, TemplateError> {
    let mut out = String::new();
    for piece in pieces(template)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Brace(brace) => out.push(brace),
            Piece::Placeholder(p) => {
                let value = value_of(&p).ok_or_else(|| TemplateError::NoValue {
                    placeholder: p.to_string(),
                    template: template.to_string(),
                })?;
                out.push_str(&encode(&value));
            }
        }
    }
    Ok(out)
}

/// Every string value of a JSON body: where its placeholders are (keys and the JSON
/// punctuation around the values are not template text).
pub fn json_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => out.push(text.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| json_strings(v, out)),
        serde_json::Value::Object(map) => {
            for v in map.values() {
                json_strings(v, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_renders_placeholders() {
        let template = "/calendars/{{primary}}/events/{crm.meetings.event_id}?who={identity.email}";
        let found = placeholders(template).unwrap();
        assert_eq!(found.len(), 2);
        let rendered = render(
            template,
            |p| match p {
                Placeholder::Identity(_) => Some("a b@example.com".into()),
                Placeholder::Column { .. } => Some("ev/1".into()),
                Placeholder::New(_) => None,
            },
            |v| v.replace(' ', "%20").replace('/', "%2F"),
        )
        .unwrap();
        assert_eq!(
            rendered,
            "/calendars/{primary}/events/ev%2F1?who=a%20b@example.com"
        );
    }

    #[test]
    fn new_values_name_a_category() {
        let found = placeholders("/contacts/{identity.email}?name={new.user.name}").unwrap();
        assert_eq!(found[1], Placeholder::New("user.name".into()));
        assert_eq!(found[1].to_string(), "{new.user.name}");
        assert!(placeholders("/a/{new.}").is_err());
    }

    #[test]
    fn rejects_malformed_templates() {
        assert!(placeholders("/a/{identity}").is_err());
        assert!(placeholders("/a/{unclosed").is_err());
        assert!(placeholders("/a/}").is_err());
    }
}
