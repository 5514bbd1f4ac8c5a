//! Third-party provider APIs, called as the policy declares them: URL from the
//! environment, credentials from the environment, timeouts, retries with exponential
//! backoff on 429 and 5xx honouring Retry-After, and cursor pagination.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::Value;

use crate::policy::{HttpRequest, Provider};
use crate::template::{self, Placeholder};

/// Everything but RFC 3986's unreserved characters is escaped in a path segment (`/`
/// included: a value is one segment).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Values for a template's placeholders.
pub type Bindings = BTreeMap<Placeholder, String>;

pub struct ProviderClient {
    id: String,
    client: reqwest::Client,
    base: String,
    auth: Option<(String, String)>,
    retries: u32,
}

/// How one call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    /// A success status, with the records read (all pages).
    Done(Vec<Value>),
    /// A status the provider declares as "nothing there" (404 on erasure: already gone).
    NotFound(u16),
}

impl ProviderClient {
    /// Reads the base URL and credentials from the environment.
    pub fn new(provider: &Provider) -> Result<ProviderClient> {
        let id = provider.id.get_ref().clone();
        let Some(env) = &provider.base_url_env else {
            bail!("provider `{id}` declares no base_url_env");
        };
        let env = env.get_ref();
        let base = std::env::var(env).with_context(|| {
            format!("provider `{id}`: the environment variable {env} with its base URL is not set")
        })?;
        let auth = match &provider.auth {
            Some(auth) => {
                let secret = std::env::var(&auth.env)
                    .with_context(|| format!("provider `{id}`: the environment variable {} with its credentials is not set", auth.env))?;
                let value = match auth.scheme.as_deref().filter(|s| !s.is_empty()) {
                    Some(scheme) => format!("{scheme} {secret}"),
                    None => secret,
                };
                Some((auth.header.clone(), value))
            }
            None => None,
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(provider.timeout_secs.unwrap_or(30)))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("privops/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ProviderClient {
            id,
            client,
            base: base.trim_end_matches('/').to_string(),
            auth,
            retries: provider.retries.unwrap_or(3),
        })
    }

    /// Sends one request (every page of it), retrying what is worth retrying.
    pub async fn call(&self, request: &HttpRequest, bindings: &Bindings) -> Result<CallOutcome> {
        let value_of = |p: &Placeholder| bindings.get(p).cloned();
        let placeholders = template::placeholders(&request.path)
            .map_err(|e| anyhow::anyhow!("provider `{}`: {e}", self.id))?;
        for placeholder in &placeholders {
            if let Some(why) = bindings.get(placeholder).and_then(|v| unfit_segment(v)) {
                bail!(
                    "provider `{}`: the value of {placeholder} in the path `{}` {why}; refused, nothing was sent",
                    self.id,
                    request.path
                );
            }
        }
        let path = template::render(&request.path, value_of, |v| {
            utf8_percent_encode(v, PATH_SEGMENT).to_string()
        })
        .map_err(|e| anyhow::anyhow!("provider `{}`: {e}", self.id))?;
        let mut query: Vec<(String, String)> = Vec::new();
        for (name, value) in &request.query {
            let rendered = template::render(value, value_of, str::to_string)
                .map_err(|e| anyhow::anyhow!("provider `{}`: {e}", self.id))?;
            query.push((name.clone(), rendered));
        }
        let body = match &request.body {
            Some(body) => Some(
                render_json(body, &value_of)
                    .map_err(|e| anyhow::anyhow!("provider `{}`: {e}", self.id))?,
            ),
            None => None,
        };
        let method = reqwest::Method::from_bytes(request.method.as_bytes())?;
        let url = format!("{}{}", self.base, path);
        let mut records = Vec::new();
        let mut cursor: Option<String> = None;
        for _page in 0..1000 {
            let mut page_query = query.clone();
            if let (Some(paginate), Some(cursor)) = (&request.paginate, &cursor) {
                page_query.push((paginate.param.clone(), cursor.clone()));
            }
            let (status, text) = self.send(&method, &url, &page_query, body.as_ref()).await?;
            if request.not_found.contains(&status) {
                return Ok(CallOutcome::NotFound(status));
            }
            if !request.success.contains(&status) {
                bail!(
                    "provider `{}`: {} {path} answered {status}",
                    self.id,
                    request.method
                );
            }
            if text.trim().is_empty() {
                break;
            }
            let json: Value = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "provider `{}`: {} {path} returned malformed JSON: {e}",
                    self.id,
                    request.method
                )
            })?;
            let page_records = match &request.records {
                Some(field) => lookup(&json, field).cloned().unwrap_or(Value::Null),
                None => json.clone(),
            };
            match page_records {
                Value::Array(items) => records.extend(items),
                Value::Null => {}
                other => records.push(other),
            }
            cursor = request
                .paginate
                .as_ref()
                .and_then(|p| lookup(&json, &p.cursor_field))
                .and_then(|c| match c {
                    Value::String(s) if !s.is_empty() => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
            if cursor.is_none() {
                break;
            }
        }
        Ok(CallOutcome::Done(records))
    }

    async fn send(
        &self,
        method: &reqwest::Method,
        url: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<(u16, String)> {
        let mut attempt = 0;
        loop {
            let mut builder = self.client.request(method.clone(), url).query(query);
            if let Some((header, value)) = &self.auth {
                builder = builder.header(header, value);
            }
            if let Some(body) = body {
                builder = builder.json(body);
            }
            let failure = match builder.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if status == 429 || (500..600).contains(&status) {
                        let wait = retry_after(response.headers());
                        (format!("answered {status}"), wait)
                    } else {
                        let text = response.text().await.with_context(|| {
                            format!("provider `{}`: cannot read the response", self.id)
                        })?;
                        return Ok((status, text));
                    }
                }
                Err(error) if error.is_timeout() => ("timed out".to_string(), None),
                Err(error) if error.is_connect() => (format!("cannot connect: {error}"), None),
                Err(error) => bail!("provider `{}`: {error}", self.id),
            };
            attempt += 1;
            if attempt > self.retries {
                bail!(
                    "provider `{}`: {method} {} {} after {} attempt(s)",
                    self.id,
                    strip_query(url),
                    failure.0,
                    attempt
                );
            }
            let backoff = Duration::from_millis(200 * 2u64.pow(attempt.min(6)));
            tokio::time::sleep(failure.1.unwrap_or(backoff).min(Duration::from_secs(60))).await;
        }
    }
}

/// Why a value cannot be a path segment: empty, or `.` or `..` (also percent-encoded,
/// as a server that decodes twice would read them), which would move up the path.
fn unfit_segment(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        return Some("is empty");
    }
    let mut decoded = value.to_string();
    for _ in 0..4 {
        if decoded == "." || decoded == ".." {
            return Some("is a dot segment, which would change the path");
        }
        let next = percent_decode_str(&decoded)
            .decode_utf8_lossy()
            .into_owned();
        if next == decoded {
            break;
        }
        decoded = next;
    }
    None
}

fn strip_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

/// Retry-After in seconds or as an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    wait.to_std().ok()
}

/// A dotted field of a JSON document (`data.items`).
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, part| v.get(part))
}

fn render_json(
    value: &Value,
    value_of: &impl Fn(&Placeholder) -> Option<String>,
) -> Result<Value, String> {
    Ok(match value {
        Value::String(s) => Value::String(template::render(s, value_of, str::to_string)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_json(v, value_of))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, value_of)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Every placeholder of a request template.
pub fn request_placeholders(request: &HttpRequest) -> Vec<Placeholder> {
    let mut texts = vec![request.path.clone()];
    texts.extend(request.query.values().cloned());
    if let Some(body) = &request.body {
        texts.push(body.to_string());
    }
    let mut found: Vec<Placeholder> = texts
        .iter()
        .flat_map(|t| template::placeholders(t).unwrap_or_default())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// One binding per call: the cartesian product of each placeholder's values (usually
/// one placeholder, so one call per value).
pub fn expand(
    placeholders: &[Placeholder],
    values: impl Fn(&Placeholder) -> Vec<String>,
) -> Vec<Bindings> {
    let mut all = vec![Bindings::new()];
    for placeholder in placeholders {
        let options = values(placeholder);
        let mut next = Vec::new();
        for binding in &all {
            for option in &options {
                let mut extended = binding.clone();
                extended.insert(placeholder.clone(), option.clone());
                next.push(extended);
            }
        }
        all = next;
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_and_empty_values_cannot_fill_a_path() {
        for value in ["", ".", "..", "%2e", "%2E%2e", "%252e%252E", ".%2e", "%2e."] {
            assert!(unfit_segment(value).is_some(), "{value:?}");
        }
        for value in ["...", ".a", "a.b", "ev/1", "%2F", "+972501234567", " .."] {
            assert_eq!(unfit_segment(value), None, "{value:?}");
        }
    }

    #[test]
    fn a_value_is_one_path_segment() {
        let encoded = |v: &str| utf8_percent_encode(v, PATH_SEGMENT).to_string();
        assert_eq!(encoded("ev/1"), "ev%2F1");
        assert_eq!(encoded("a?b#c"), "a%3Fb%23c");
        assert_eq!(encoded("%2e%2e"), "%252e%252e");
        assert_eq!(encoded("..\\x"), "..%5Cx");
        assert_eq!(encoded("+972501234567"), "%2B972501234567");
    }
}
