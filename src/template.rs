//! Placeholders in provider request templates: `{identity.KIND}` takes the subject's
//! normalised identity, `{SOURCE.TABLE.COLUMN}` a value found in the subject's rows.

use crate::policy::Policy;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Placeholder {
    Identity(String),
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
            Placeholder::Column {
                source,
                table,
                column,
            } => write!(f, "{{{source}.{table}.{column}}}"),
        }
    }
}

impl Placeholder {
    pub fn check(&self, policy: &Policy) -> Result<(), String> {
        match self {
            Placeholder::Identity(kind) => match policy.identity_kind(kind) {
                Some(_) => Ok(()),
                // Declared in a file that did not load: its own error says so.
                None if policy.unread.identity_kinds.contains(kind) => Ok(()),
                None => Err(format!(
                    "placeholder {{identity.{kind}}}: unknown identity kind `{kind}`"
                )),
            },
            Placeholder::Column {
                source,
                table,
                column,
            } => {
                let found = policy
                    .source(source)
                    .and_then(|s| s.table(table))
                    .and_then(|t| t.column(column));
                match found {
                    Some(_) => Ok(()),
                    None => Err(format!(
                        "placeholder {{{source}.{table}.{column}}}: unknown column `{column}` of table `{table}` in source `{source}`"
                    )),
                }
            }
        }
    }
}

/// The placeholders of a template, in order of appearance; `{{` and `}}` are literal braces.
pub fn placeholders(template: &str) -> Result<Vec<Placeholder>, String> {
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

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, String> {
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
            return Err(format!("unmatched `}}` in template `{template}`"));
        }
        let close = after
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in template `{template}`"))?;
        out.push(Piece::Placeholder(parse_placeholder(
            &after[..close],
            template,
        )?));
        rest = &after[close + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

fn parse_placeholder(inner: &str, template: &str) -> Result<Placeholder, String> {
    let parts: Vec<&str> = inner.split('.').collect();
    match parts.as_slice() {
        ["identity", kind] if !kind.is_empty() => Ok(Placeholder::Identity(kind.to_string())),
        [source, table, column] if parts.iter().all(|p| !p.is_empty()) => Ok(Placeholder::Column {
            source: source.to_string(),
            table: table.to_string(),
            column: column.to_string(),
        }),
        _ => Err(format!(
            "placeholder `{{{inner}}}` in `{template}`: write {{identity.KIND}} or {{SOURCE.TABLE.COLUMN}}"
        )),
    }
}

/// Fills a template, passing each value through `encode` (URL-encoding for paths and
/// queries, JSON-escaping for bodies).
pub fn render(
    template: &str,
    value_of: impl Fn(&Placeholder) -> Option<String>,
    encode: impl Fn(&str) -> String,
) -> Result<String, String> {
    let mut out = String::new();
    for piece in pieces(template)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Brace(brace) => out.push(brace),
            Piece::Placeholder(p) => {
                let value =
                    value_of(&p).ok_or_else(|| format!("no value for {p:?} in `{template}`"))?;
                out.push_str(&encode(&value));
            }
        }
    }
    Ok(out)
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
    fn rejects_malformed_templates() {
        assert!(placeholders("/a/{identity}").is_err());
        assert!(placeholders("/a/{unclosed").is_err());
        assert!(placeholders("/a/}").is_err());
    }
}
