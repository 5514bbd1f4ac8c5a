//! Third-party provider APIs, called as the policy declares them: URL from the
//! environment, credentials from the environment, a deadline per request, retries with
//! exponential backoff on 429 and 5xx honouring Retry-After, and cursor pagination.
//!
//! Everything a failure says is safe to keep: the provider, the method, the path
//! *template* and what happened (a status, a timeout, a refused connection...), never
//! the expanded URL, the values in it or the credentials of the base URL. Values fill
//! path templates as one opaque segment each; answers are read up to
//! [`MAX_RESPONSE_BYTES`]; redirects are followed only on the provider's own origin.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use anyhow::Result;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::{Method, Url};
use serde_json::Value;
use tokio::time::Instant;

use crate::policy::{HttpRequest, Provider, Timeout};
use crate::template::{self, Placeholder};

/// Everything but RFC 3986's unreserved characters is escaped in a path segment (`/`
/// included: a value is one segment).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The largest response body read from a provider (16 MiB); a larger one fails the call
/// as soon as it is announced or read that far.
pub(crate) const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// How many redirects (on the provider's own origin) one request follows.
const MAX_REDIRECTS: usize = 5;

/// Values for a template's placeholders.
pub(crate) type Bindings = BTreeMap<Placeholder, String>;

pub(crate) struct ProviderClient {
    id: String,
    client: reqwest::Client,
    base: Url,
    auth: Option<(String, String)>,
    retries: u32,
    timeout: Duration,
}

/// How one call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallOutcome {
    /// A success status, with the records read (all pages).
    Done(Vec<Value>),
    /// A status the provider declares as "nothing there" (404 on erasure: already gone).
    NotFound(u16),
}

/// What kind of failure a provider call met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// The provider cannot be called as set up (base URL, credentials).
    Setup,
    /// A value cannot fill the request (a dot segment in a path); nothing was sent.
    Value,
    /// An answer with a status that is neither success nor "not found".
    Status,
    /// No answer within the provider's deadline.
    Timeout,
    /// No connection to the provider.
    Connect,
    /// An answer that is not the JSON expected.
    Malformed,
    /// A redirect that is not followed.
    Redirect,
    /// An answer larger than [`MAX_RESPONSE_BYTES`].
    TooLarge,
    /// The exchange broke off.
    Transport,
}

/// A failed provider call, in words that hold no value of the request and no secret.
#[derive(Debug)]
pub(crate) struct ProviderError {
    pub provider: String,
    pub kind: FailureKind,
    message: String,
}

impl ProviderError {
    fn new(provider: &str, kind: FailureKind, message: String) -> ProviderError {
        ProviderError {
            provider: provider.to_string(),
            kind,
            message,
        }
    }

    /// The provider gave no sign of life (timeout, no connection): further calls to it in
    /// the same run would only wait again.
    pub(crate) fn is_silence(&self) -> bool {
        matches!(self.kind, FailureKind::Timeout | FailureKind::Connect)
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "provider `{}`: {}", self.provider, self.message)
    }
}

impl std::error::Error for ProviderError {}

/// What one attempt met, before it is put into words.
enum Failure {
    Status(u16),
    Timeout,
    Connect(String),
    Transport(String),
    CrossOrigin,
    BadRedirect,
    TooManyRedirects,
    TooLarge,
}

/// The answer of one attempt.
enum Answer {
    Final(u16, Vec<u8>),
    /// 429 or 5xx: worth another attempt, after the wait the provider asked for.
    Busy(u16, Option<Duration>),
}

impl ProviderClient {
    /// Reads the base URL and credentials from the environment.
    pub fn new(provider: &Provider) -> Result<ProviderClient> {
        let id = provider.id.get_ref().clone();
        let setup = |message: String| ProviderError::new(&id, FailureKind::Setup, message);
        let Some(env) = &provider.base_url_env else {
            return Err(setup("declares no base_url_env".into()).into());
        };
        let env = env.get_ref();
        let text = std::env::var(env).map_err(|_| {
            setup(format!(
                "the environment variable {env} with its base URL is not set"
            ))
        })?;
        let base = parse_base(&text)
            .map_err(|why| setup(format!("the base URL in {env} is not usable: {why}")))?;
        let auth = match &provider.auth {
            Some(auth) => {
                let secret = std::env::var(&auth.env).map_err(|_| {
                    setup(format!(
                        "the environment variable {} with its credentials is not set",
                        auth.env
                    ))
                })?;
                let value = match auth.scheme.as_deref().filter(|s| !s.is_empty()) {
                    Some(scheme) => format!("{scheme} {secret}"),
                    None => secret,
                };
                Some((auth.header.clone(), value))
            }
            None => None,
        };
        let timeout = provider
            .timeout
            .as_ref()
            .map_or(Timeout::DEFAULT, |t| *t.get_ref())
            .0;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            // Redirects are followed by hand, on the provider's origin only.
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .user_agent(concat!("privops/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| setup("cannot set up an HTTP client".into()))?;
        Ok(ProviderClient {
            id,
            client,
            base,
            auth,
            retries: provider.retries.unwrap_or(3),
            timeout,
        })
    }

    /// Sends one request (every page of it), retrying what is worth retrying.
    pub async fn call(&self, request: &HttpRequest, bindings: &Bindings) -> Result<CallOutcome> {
        let fail = |kind: FailureKind, what: String| -> anyhow::Error {
            ProviderError::new(
                &self.id,
                kind,
                format!("{} {} {what}", request.method, request.path),
            )
            .into()
        };
        let value_of = |p: &Placeholder| bindings.get(p).cloned();
        let placeholders = template::placeholders(&request.path)
            .map_err(|e| ProviderError::new(&self.id, FailureKind::Value, e.to_string()))?;
        for placeholder in &placeholders {
            if let Some(why) = bindings.get(placeholder).and_then(|v| unfit_segment(v)) {
                return Err(ProviderError::new(
                    &self.id,
                    FailureKind::Value,
                    format!(
                        "the value of {placeholder} in the path `{}` {why}; refused, nothing was sent",
                        request.path
                    ),
                )
                .into());
            }
        }
        let path = template::render(&request.path, value_of, |v| {
            utf8_percent_encode(v, PATH_SEGMENT).to_string()
        })
        .map_err(|e| ProviderError::new(&self.id, FailureKind::Value, e.to_string()))?;
        let mut query: Vec<(String, String)> = Vec::new();
        for (name, value) in &request.query {
            let rendered = template::render(value, value_of, str::to_string)
                .map_err(|e| ProviderError::new(&self.id, FailureKind::Value, e.to_string()))?;
            query.push((name.clone(), rendered));
        }
        let body = match &request.body {
            Some(body) => Some(
                render_json(body, &value_of, request.batch.is_some())
                    .map_err(|e| ProviderError::new(&self.id, FailureKind::Value, e.to_string()))?,
            ),
            None => None,
        };
        let method = Method::from_bytes(request.method.as_bytes()).map_err(|_| {
            ProviderError::new(
                &self.id,
                FailureKind::Setup,
                format!("unknown HTTP method `{}`", request.method),
            )
        })?;
        let url = self.url(&path).ok_or_else(|| {
            fail(
                FailureKind::Value,
                "does not make a URL on the provider's base URL".into(),
            )
        })?;
        let mut records = Vec::new();
        let mut cursor: Option<String> = None;
        for _page in 0..1000 {
            let mut page_url = url.clone();
            let mut page_query = query.clone();
            if let (Some(paginate), Some(cursor)) = (&request.paginate, &cursor) {
                page_query.push((paginate.param.clone(), cursor.clone()));
            }
            if !page_query.is_empty() {
                page_url.query_pairs_mut().extend_pairs(&page_query);
            }
            let (status, text) = self
                .send(&method, &page_url, body.as_ref())
                .await
                .map_err(|(failure, attempts)| self.describe(request, failure, attempts))?;
            if request.not_found.contains(&status) {
                return Ok(CallOutcome::NotFound(status));
            }
            if !request.success.contains(&status) {
                return Err(fail(FailureKind::Status, format!("answered {status}")));
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                break;
            }
            let json: Value = serde_json::from_slice(&text).map_err(|e| {
                // serde_json's message names a line and column, never the content.
                fail(
                    FailureKind::Malformed,
                    format!("returned malformed JSON ({e})"),
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

    /// The base URL with `path` (already encoded) appended, on the base's origin.
    fn url(&self, path: &str) -> Option<Url> {
        let base = self.base.as_str().trim_end_matches('/');
        let url = Url::parse(&format!("{base}{path}")).ok()?;
        (url.origin() == self.base.origin()).then_some(url)
    }

    /// A failure put into words: the method, the path template, what happened.
    fn describe(&self, request: &HttpRequest, failure: Failure, attempts: u32) -> anyhow::Error {
        let tries = if attempts > 1 {
            format!(" after {attempts} attempts")
        } else {
            String::new()
        };
        let deadline = humantime::format_duration(self.timeout);
        let (kind, what) = match failure {
            Failure::Status(status) => (FailureKind::Status, format!("answered {status}{tries}")),
            Failure::Timeout => (
                FailureKind::Timeout,
                format!("timed out: no complete answer within the {deadline} deadline{tries}"),
            ),
            Failure::Connect(cause) => (
                FailureKind::Connect,
                format!("cannot connect ({cause}){tries}"),
            ),
            Failure::Transport(what) => (FailureKind::Transport, format!("{what}{tries}")),
            Failure::CrossOrigin => (
                FailureKind::Redirect,
                "was redirected to another origin; not followed".to_string(),
            ),
            Failure::BadRedirect => (
                FailureKind::Redirect,
                "was redirected without a usable Location; not followed".to_string(),
            ),
            Failure::TooManyRedirects => (
                FailureKind::Redirect,
                format!("was redirected more than {MAX_REDIRECTS} times"),
            ),
            Failure::TooLarge => (
                FailureKind::TooLarge,
                format!(
                    "answered with more than {} MiB; not read further",
                    MAX_RESPONSE_BYTES / (1024 * 1024)
                ),
            ),
        };
        ProviderError::new(
            &self.id,
            kind,
            format!("{} {} {what}", request.method, request.path),
        )
        .into()
    }

    /// One request, retried within its deadline: the status and body of the final
    /// answer, or what the last attempt met and how many attempts were made.
    async fn send(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&Value>,
    ) -> Result<(u16, Vec<u8>), (Failure, u32)> {
        let deadline = Instant::now() + self.timeout;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (failure, wait) = match self.attempt(method, url, body, deadline).await {
                Ok(Answer::Final(status, text)) => return Ok((status, text)),
                Ok(Answer::Busy(status, wait)) => (Failure::Status(status), wait),
                Err(failure @ Failure::Connect(_)) => (failure, None),
                Err(failure) => return Err((failure, attempt)),
            };
            if attempt > self.retries {
                return Err((failure, attempt));
            }
            let backoff = Duration::from_millis(200 * 2u64.pow(attempt.min(6)));
            let wait = wait.unwrap_or(backoff).min(Duration::from_secs(60));
            // A wait that ends past the deadline is not worth waiting for.
            if Instant::now() + wait >= deadline {
                return Err((failure, attempt));
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: the request and the same-origin redirects it is answered with.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&Value>,
        deadline: Instant,
    ) -> Result<Answer, Failure> {
        let mut url = url.clone();
        let mut method = method.clone();
        let mut body = body;
        let mut redirects = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::Timeout);
            }
            let mut builder = self
                .client
                .request(method.clone(), url.clone())
                .timeout(left);
            if let Some((header, value)) = &self.auth {
                builder = builder.header(header, value);
            }
            if let Some(body) = body {
                builder = builder.json(body);
            }
            let response = match tokio::time::timeout_at(deadline, builder.send()).await {
                Err(_) => return Err(Failure::Timeout),
                Ok(Err(error)) => return Err(failure_of(error)),
                Ok(Ok(response)) => response,
            };
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let next = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or(Failure::BadRedirect)?;
                if next.origin() != self.base.origin() {
                    return Err(Failure::CrossOrigin);
                }
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(Failure::TooManyRedirects);
                }
                // 303 See Other: the request was handled; its result is read with GET.
                if status == 303 && method != Method::HEAD {
                    method = Method::GET;
                    body = None;
                }
                url = with_credentials_of(next, &self.base);
                continue;
            }
            if status == 429 || (500..600).contains(&status) {
                return Ok(Answer::Busy(status, retry_after(response.headers())));
            }
            let text = read_capped(response, deadline).await?;
            return Ok(Answer::Final(status, text));
        }
    }
}

/// The base URL of a provider: http or https, a host, no query or fragment. The reason
/// it is refused never quotes it (it may hold credentials).
fn parse_base(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("the scheme must be http or https".into());
    }
    if url.host().is_none() {
        return Err("it names no host".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("it may not have a query or a fragment".into());
    }
    Ok(url)
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

/// A same-origin redirect target keeps the credentials the base URL carries.
fn with_credentials_of(mut url: Url, base: &Url) -> Url {
    if url.username().is_empty() && url.password().is_none() {
        let _ = url.set_username(base.username());
        let _ = url.set_password(base.password());
    }
    url
}

/// What a transport error was, without its URL and without quoting anything of the
/// request.
fn failure_of(error: reqwest::Error) -> Failure {
    let error = error.without_url();
    let cause = io_cause(&error);
    // Before the timeout test: a connection that timed out is retried within the deadline.
    if error.is_connect() {
        return Failure::Connect(cause.unwrap_or_else(|| "connection failed".into()));
    }
    if error.is_timeout() {
        return Failure::Timeout;
    }
    if error.is_builder() {
        return Failure::Transport(
            "the request cannot be built (check the auth header's name and the characters of the credentials)".into(),
        );
    }
    Failure::Transport(match cause {
        Some(cause) => format!("the exchange broke off ({cause})"),
        None if error.is_body() || error.is_decode() => "the answer broke off".into(),
        None => "the request failed".into(),
    })
}

/// The kind of the I/O error beneath a transport error (`connection refused`).
fn io_cause(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(match io.kind() {
                std::io::ErrorKind::InvalidData => "invalid data: a TLS or protocol failure".into(),
                kind => kind.to_string(),
            });
        }
        source = cause.source();
    }
    None
}

/// Reads a body up to [`MAX_RESPONSE_BYTES`], chunk by chunk, within the deadline.
async fn read_capped(
    mut response: reqwest::Response,
    deadline: Instant,
) -> Result<Vec<u8>, Failure> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => return Err(Failure::Timeout),
            Ok(Err(error)) => return Err(failure_of(error)),
            Ok(Ok(None)) => return Ok(body),
            Ok(Ok(Some(chunk))) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(Failure::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
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
    batched: bool,
) -> Result<Value, template::TemplateError> {
    Ok(match value {
        // A batched call's placeholder, alone in its string, holds the JSON array of the
        // call's values (see [`batches`]).
        Value::String(s)
            if batched
                && template::placeholders(s).is_ok_and(|p| p.len() == 1)
                && s.starts_with('{')
                && s.ends_with('}')
                && !s.starts_with("{{") =>
        {
            let placeholder = template::placeholders(s).expect("checked")[0].clone();
            let text = value_of(&placeholder).ok_or_else(|| template::TemplateError::NoValue {
                placeholder: placeholder.to_string(),
                template: s.clone(),
            })?;
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        }
        Value::String(s) => Value::String(template::render(s, value_of, str::to_string)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_json(v, value_of, batched))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, value_of, batched)?)))
                .collect::<Result<_, template::TemplateError>>()?,
        ),
        other => other.clone(),
    })
}

/// Every placeholder of a request template.
pub(crate) fn request_placeholders(request: &HttpRequest) -> Vec<Placeholder> {
    let mut texts = vec![request.path.clone()];
    texts.extend(request.query.values().cloned());
    if let Some(body) = &request.body {
        template::json_strings(body, &mut texts);
    }
    let mut found: Vec<Placeholder> = texts
        .iter()
        .flat_map(|t| template::placeholders(t).unwrap_or_default())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The calls of a batched request: its one placeholder bound, per call, to a JSON array
/// of up to `size` values.
pub(crate) fn batches(
    placeholders: &[Placeholder],
    values: impl Fn(&Placeholder) -> Vec<String>,
    size: usize,
) -> Vec<Bindings> {
    let [placeholder] = placeholders else {
        return Vec::new();
    };
    let all = values(placeholder);
    all.chunks(size.max(1))
        .map(|chunk| {
            let mut binding = Bindings::new();
            binding.insert(
                placeholder.clone(),
                serde_json::to_string(chunk).expect("strings serialise"),
            );
            binding
        })
        .collect()
}

/// One binding per call: the cartesian product of each placeholder's values (usually
/// one placeholder, so one call per value).
/// A call as people read it: the method and the path with its values filled in, each
/// value shortened to its ends (`ev***12`) when `masked` (for what is kept: the journal
/// and receipts), in full otherwise (a dry run on the terminal).
pub(crate) fn describe_call(request: &HttpRequest, bindings: &Bindings, masked: bool) -> String {
    let shown = |value: &str| {
        if masked {
            mask_value(value)
        } else {
            value.to_string()
        }
    };
    let path = template::render(
        &request.path,
        |p| bindings.get(p).map(|v| shown(v)),
        |v| v.to_string(),
    )
    .unwrap_or_else(|_| request.path.clone());
    // A batched call says how many values it carries, never which.
    let count = request
        .batch
        .and_then(|_| bindings.values().next())
        .and_then(|v| serde_json::from_str::<Vec<String>>(v).ok())
        .map(|values| format!(" ({} value(s))", values.len()))
        .unwrap_or_default();
    format!("{} {path}{count}", request.method)
}

/// A value reduced to its first and last two characters: enough to tell calls apart,
/// too little to identify anyone.
pub(crate) fn mask_value(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 6 {
        return "***".to_string();
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}***{tail}")
}

pub(crate) fn expand(
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
    fn a_call_is_described_with_its_values_in_full_or_masked() {
        let request: HttpRequest = toml::from_str(
            "method = \"DELETE\"\npath = \"/v1/contacts/{identity.phone}/events/{crm.meetings.event_id}\"",
        )
        .unwrap();
        let mut bindings = Bindings::new();
        bindings.insert(
            Placeholder::Identity("phone".into()),
            "+972501234567".into(),
        );
        bindings.insert(
            Placeholder::Column {
                source: "crm".into(),
                table: "meetings".into(),
                column: "event_id".into(),
            },
            "ev1".into(),
        );
        assert_eq!(
            describe_call(&request, &bindings, false),
            "DELETE /v1/contacts/+972501234567/events/ev1"
        );
        assert_eq!(
            describe_call(&request, &bindings, true),
            "DELETE /v1/contacts/+9***67/events/***"
        );
    }

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

    #[test]
    fn base_urls_are_refused_without_quoting_them() {
        for (text, why) in [
            ("http://user:s3cret@127.0.0.1:99999", "invalid port"),
            ("user s3cret", "not a URL"),
            ("ftp://user:s3cret@127.0.0.1/", "http or https"),
            ("https://127.0.0.1/v1?key=s3cret", "query"),
        ] {
            let message = parse_base(text).unwrap_err();
            assert!(message.contains(why), "{text}: {message}");
            assert!(!message.contains("s3cret"), "{message}");
        }
        let base = parse_base("https://user:pw@api.example.com/v1/").unwrap();
        assert_eq!(base.path(), "/v1/");
    }

    #[test]
    fn redirect_targets_keep_the_base_credentials() {
        let base = Url::parse("http://user:pw@127.0.0.1:8080/").unwrap();
        let next = with_credentials_of(Url::parse("http://127.0.0.1:8080/moved").unwrap(), &base);
        assert_eq!((next.username(), next.password()), ("user", Some("pw")));
        assert_eq!(next.origin(), base.origin());
        let elsewhere = Url::parse("http://127.0.0.1:8081/").unwrap();
        assert_ne!(elsewhere.origin(), base.origin());
    }
}
